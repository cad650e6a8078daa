/**
 * Adversarial but well-framed gRPC messages on the origin's services (Tier
 * and OriginAdmin), in site mode and in proxy mode in front of a real HTTP
 * server, over loopback: no crash, the origin keeps serving, and a bad field
 * is INVALID_ARGUMENT naming it. See packages/tier/test/grpc-adversarial.test.ts
 * for the tier node's methods and a seeded fuzz.
 */
import * as http from 'node:http';
import * as vm from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import { MAX_ERROR_DETAILS_LENGTH, callOptions, type FetchRequest, type OriginAdminClient, type TierClient } from '@cdnlab/rpc';
import { MAX_SITE_PATH_RULES } from '../src/config';
import { startOrigin, type RunningOrigin } from '../src/origin-service';
import { Clients, TOKEN, close, fetchRequest, listen, siteConfig } from './support';

const MB = 'a'.repeat(1 << 20);

// Jest gives a test file its own `process`; the origin runs in the real one.
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
const crashes: unknown[] = [];
const onCrash = (e: unknown): void => {
  crashes.push(e);
};

const clients = new Clients();
let site: RunningOrigin;
let proxy: RunningOrigin;
let app: http.Server;
let appRequests = 0;
let siteTier: TierClient;
let proxyTier: TierClient;
let admin: OriginAdminClient;

beforeAll(async () => {
  hostProcess.on('uncaughtException', onCrash);
  hostProcess.on('unhandledRejection', onCrash);
  app = http.createServer((req, res) => {
    appRequests++;
    res.setHeader('cache-control', 'max-age=1');
    res.end(`app ${req.url}`);
  });
  const appPort = await listen(app);
  site = await startOrigin(siteConfig({ http: undefined }));
  proxy = await startOrigin({ id: 'origin-proxy', region: 'eu', grpc: { host: '127.0.0.1', port: 0 }, upstream: `http://127.0.0.1:${appPort}`, preserveHost: true, token: TOKEN });
  siteTier = clients.tier(site.grpcPort);
  proxyTier = clients.tier(proxy.grpcPort);
  admin = clients.admin(site.grpcPort, TOKEN);
});
afterAll(async () => {
  clients.close();
  await site.stop(200);
  await proxy.stop(200);
  await close(app);
  hostProcess.off('uncaughtException', onCrash);
  hostProcess.off('unhandledRejection', onCrash);
});
afterEach(async () => {
  expect(crashes).toEqual([]);
  site.setSite(siteConfig().site!);
  site.reset();
});

interface Outcome {
  code: grpc.status;
  details: string;
  status?: number;
}

function fetchOutcome(client: TierClient, req: FetchRequest, timeoutMs = 4000): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.Fetch(req, callOptions(timeoutMs));
    let status: number | undefined;
    call.on('data', (m: { part?: string; head?: { status: number } }) => {
      if (m.part === 'head') status = m.head?.status;
    });
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    call.on('end', () => resolve({ code: grpc.status.OK, details: '', status }));
  });
}

function unaryOutcome(start: (cb: grpc.requestCallback<unknown>) => unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    start((e) => resolve(e ? { code: e.code, details: e.details } : { code: grpc.status.OK, details: '' }));
  });
}

async function stillServes(): Promise<void> {
  expect(await fetchOutcome(siteTier, fetchRequest('/page'))).toMatchObject({ code: grpc.status.OK, status: 200 });
  expect(await fetchOutcome(proxyTier, fetchRequest('/page'))).toMatchObject({ code: grpc.status.OK, status: 200 });
}

function expectInvalid(o: Outcome, field: string): void {
  expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(o.details).toContain(field);
  expect(o.details.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
  expect(o.details).not.toMatch(/\n\s+at /);
}

describe('Tier.Fetch on the origin', () => {
  // Site mode served these; proxy mode passed them to Node's HTTP client,
  // which threw its own message about header content.
  it.each<[string, Partial<FetchRequest>, string]>([
    ['a header name with a space', { headers: [{ name: 'a b', value: 'x' }] }, 'headers[0].name:'],
    ['a header value with CR LF', { headers: [{ name: 'x-a', value: 'a\r\nx-injected: 1' }] }, 'headers[0].value:'],
    ['a header value with NUL', { headers: [{ name: 'x-a', value: '\0' }] }, 'headers[0].value:'],
    ['a header value past Latin-1', { headers: [{ name: 'x-a', value: '\u20ac' }] }, 'headers[0].value:'],
    ['an authority with CR LF (the Host sent upstream)', { authority: 'cdn.test\r\nx-injected: 1' }, 'authority:'],
    ['a megabyte of authority', { authority: MB }, 'authority:'],
    ['a megabyte of method', { method: 'A'.repeat(1 << 20) }, 'method:'],
    ['2001 field lines', { headers: Array.from({ length: 2001 }, () => ({ name: 'x-a', value: 'v' })) }, 'headers:'],
  ])('%s: INVALID_ARGUMENT naming the field, in both modes; nothing reaches the upstream', async (_name, over, field) => {
    const before = appRequests;
    const totalBefore = site.counters.total;
    expectInvalid(await fetchOutcome(siteTier, fetchRequest('/page', over)), field);
    expectInvalid(await fetchOutcome(proxyTier, fetchRequest('/page', over)), field);
    expect(appRequests).toBe(before);
    expect(site.counters.total).toBe(totalBefore);
    await stillServes();
  });

  it('refuses a purge no tier would take, and acknowledges a good one', async () => {
    expectInvalid(await unaryOutcome((cb) => siteTier.Purge({ kind: 'PURGE_KIND_URL', value: 'a\r\nb' }, callOptions(2000), cb)), 'value:');
    expectInvalid(await unaryOutcome((cb) => siteTier.Purge({ kind: 42 } as never, callOptions(2000), cb)), 'kind:');
    expect((await unaryOutcome((cb) => siteTier.Purge({ kind: 'PURGE_KIND_ALL' }, callOptions(2000), cb))).code).toBe(grpc.status.OK);
  });
});

describe('OriginAdmin', () => {
  // The glob error quoted the whole pattern: a megabyte in the grpc-message
  // trailer broke the connection, and the next call on it timed out too.
  it.each<[string, (cb: grpc.requestCallback<unknown>) => unknown, string]>([
    ['SetVersion', (cb) => admin.SetVersion({ pathPattern: MB, version: 2 }, callOptions(3000), cb), 'path glob'],
    ['SetFault', (cb) => admin.SetFault({ fault: 'FAULT_ERROR', pathPattern: MB }, callOptions(3000), cb), 'path glob'],
  ])('%s with a megabyte of path_pattern: a short INVALID_ARGUMENT, and the connection still works', async (_name, call, words) => {
    expectInvalid(await unaryOutcome(call), words);
    expect((await unaryOutcome((cb) => admin.GetCounts({}, callOptions(3000), cb))).code).toBe(grpc.status.OK);
    await stillServes();
  });

  it('refuses a version past 2^53, where versions stop being distinct', async () => {
    expectInvalid(await unaryOutcome((cb) => admin.SetVersion({ all: true, version: '9223372036854775807' } as never, callOptions(3000), cb)), 'version');
  });

  it.each<[string, string, string]>([
    // JSON.stringify of the value for the message overflowed the stack: "Maximum call stack size exceeded".
    ['a list nested 100 000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'expected site to be an object'],
    ['headers nested 50 000 deep', `{"paths":[{"match":"/x","headers":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}]}`, 'site.paths[0].headers'],
    ['a header value with a control character', JSON.stringify({ paths: [{ match: '/**', headers: { 'x-a': 'a\u0001b' } }] }), 'site.paths[0].headers["x-a"]'],
    ['a header value past Latin-1', JSON.stringify({ paths: [{ match: '/**', headers: { 'x-a': '\u20ac' } }] }), 'site.paths[0].headers["x-a"]'],
    ['more path rules than the cap', JSON.stringify({ paths: Array.from({ length: MAX_SITE_PATH_RULES + 1 }, (_, i) => ({ match: `/p${i}` })) }), 'site.paths'],
    ['a megabyte of JSON that is not JSON', `{${MB}`, 'site_json'],
  ])('SetSite with %s: INVALID_ARGUMENT naming what is wrong', async (_name, siteJson, words) => {
    expectInvalid(await unaryOutcome((cb) => admin.SetSite({ siteJson }, callOptions(3000), cb)), words);
    await stillServes();
  });

  // The rule's glob was the RegExp ^/.*a.*a.*a.*b$, tried against every
  // request path: a 300-character path blocked the origin for seconds.
  it('matches a site rule with many wildcards against a long path without blocking', async () => {
    const siteJson = JSON.stringify({ paths: [{ match: '/**a**a**a**b', sizeBytes: 10 }, { match: '/**', sizeBytes: 20 }] });
    expect((await unaryOutcome((cb) => admin.SetSite({ siteJson }, callOptions(3000), cb))).code).toBe(grpc.status.OK);
    const started = Date.now();
    expect(await fetchOutcome(siteTier, fetchRequest(`/${'a'.repeat(300)}`))).toMatchObject({ code: grpc.status.OK, status: 200 });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
