import * as grpc from '@grpc/grpc-js';
import {
  CdnError,
  callOptions,
  checkHealth,
  createHealthClient,
  readFetchReply,
  unaryCall,
  type GetCountsReply__Output,
  type OriginAdminClient,
  type PurgeReply__Output,
  type StatsReply__Output,
  type TierClient,
} from '@cdnlab/rpc';
import { makeBody } from '../src/site';
import { startOrigin, type RunningOrigin } from '../src/origin-service';
import { Clients, TOKEN, eventually, fetchRequest, fetchVia, header, httpRequest, siteConfig } from './support';

// The origin as a tier sees it: real gRPC on loopback, a real Tier client.

const clients = new Clients();
let origin: RunningOrigin;
let tier: TierClient;
let admin: OriginAdminClient;

beforeAll(async () => {
  origin = await startOrigin(siteConfig({ http: undefined }));
  tier = clients.tier(origin.grpcPort);
  admin = clients.admin(origin.grpcPort, TOKEN);
});
afterAll(async () => {
  clients.close();
  await origin.stop(1_000);
});
afterEach(() => origin.setFault({ kind: 'none' }));

const counts = (): Promise<GetCountsReply__Output> => unaryCall((cb) => admin.GetCounts({}, callOptions(2_000), cb));
const resetCounts = (): Promise<unknown> => unaryCall((cb) => admin.ResetCounts({}, callOptions(2_000), cb));
const setFault = (req: Parameters<OriginAdminClient['SetFault']>[0]): Promise<unknown> =>
  unaryCall((cb) => admin.SetFault(req, callOptions(2_000), cb));
const failure = (p: Promise<unknown>): Promise<CdnError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as CdnError,
  );

describe('Tier.Fetch against the synthetic site', () => {
  it('streams the head, then a body equal to the site bytes, in several chunks', async () => {
    const before = Date.now();
    const chunks: number[] = [];
    const stream = tier.Fetch(fetchRequest('/static/app.js?v=1'), callOptions(5_000));
    stream.on('data', (m: { part?: string; chunk?: Buffer }) => m.part === 'chunk' && chunks.push(m.chunk!.length));
    const { head, body } = await readFetchReply(stream);
    expect(head.status).toBe(200);
    expect(head.servedBy).toBe('origin-test');
    expect(head.originFetchedAtMs).toBeGreaterThanOrEqual(before);
    expect(head.originFetchedAtMs).toBeLessThanOrEqual(Date.now());
    expect(header(head, 'cache-control')).toBe('max-age=3600');
    expect(header(head, 'surrogate-key')).toBe('static /static/app.js');
    expect(header(head, 'etag')).toMatch(/^"v1-/);
    expect(header(head, 'content-length')).toBe('150000');
    expect(Buffer.compare(body, Buffer.from(makeBody('/static/app.js?v=1', 1, '', 150_000)))).toBe(0);
    // 150 000 bytes in ≤ 64 KiB chunks.
    expect(chunks.length).toBe(3);
  });

  it('keeps CDN-Cache-Control and repeated headers; HEAD has no body', async () => {
    const { head, body } = await fetchVia(tier, fetchRequest('/page', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(header(head, 'cdn-cache-control')).toBe('max-age=600');
    expect(header(head, 'content-length')).toBe('200');
    expect(body.length).toBe(0);
  });

  it('answers a conditional request with 304 while the validator matches', async () => {
    const first = await fetchVia(tier, fetchRequest('/cond'));
    const etag = header(first.head, 'etag')!;
    const again = await fetchVia(tier, fetchRequest('/cond', { headers: [{ name: 'If-None-Match', value: etag }] }));
    expect(again.head.status).toBe(304);
    expect(again.body.length).toBe(0);
    const stale = await fetchVia(tier, fetchRequest('/cond', { headers: [{ name: 'if-none-match', value: '"other"' }] }));
    expect(stale.head.status).toBe(200);
  });

  it('waits the configured generation latency', async () => {
    const t0 = Date.now();
    const { head } = await fetchVia(tier, fetchRequest('/slow/a'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(120);
    expect(head.originFetchedAtMs - t0).toBeGreaterThanOrEqual(115);
  });

  it('refuses a malformed request with BAD_REQUEST and does not count it', async () => {
    await resetCounts();
    const e = await failure(fetchVia(tier, fetchRequest('http://elsewhere/x')));
    expect(e.code).toBe('BAD_REQUEST');
    const e2 = await failure(fetchVia(tier, fetchRequest('/x', { method: 'GE T' })));
    expect(e2.code).toBe('BAD_REQUEST');
    const e3 = await failure(fetchVia(tier, fetchRequest('/caf\u00e9\r\nx-injected: 1')));
    expect(e3.code).toBe('BAD_REQUEST');
    expect((await counts()).total).toBe(0);
  });

  it('acknowledges Purge (nothing cached) and reports Stats', async () => {
    const purge = await unaryCall<PurgeReply__Output>((cb) => tier.Purge({ kind: 'PURGE_KIND_ALL', purgeId: 'p1' }, callOptions(2_000), cb));
    expect(purge.nodeId).toBe('origin-test');
    expect(purge.objectsAffected).toBe(0);
    const stats = await unaryCall<StatsReply__Output>((cb) => tier.Stats({}, callOptions(2_000), cb));
    expect(stats.role).toBe('origin');
    expect(stats.region).toBe('eu');
    expect(stats.counters!.requests).toBe(origin.counters.total);
    expect(stats.counters!.inflight).toBe(0);
  });
});

describe('ground-truth counts', () => {
  it('counts every request by path and kind, and resets', async () => {
    await resetCounts();
    const etag = header((await fetchVia(tier, fetchRequest('/a'))).head, 'etag')!;
    await fetchVia(tier, fetchRequest('/a?x=2'));
    await fetchVia(tier, fetchRequest('/a', { method: 'HEAD' }));
    await fetchVia(tier, fetchRequest('/a', { headers: [{ name: 'if-none-match', value: etag }] }));
    await fetchVia(tier, fetchRequest('/a', { headers: [{ name: 'if-none-match', value: '"nope"' }] }));
    await fetchVia(tier, fetchRequest('/b', { method: 'POST', body: Buffer.from('hello') }));
    const reply = await counts();
    expect(reply.total).toBe(6);
    const byPath = Object.fromEntries(reply.paths.map((p) => [p.path, p]));
    expect(byPath['/a'].total).toBe(5);
    expect(byPath['/a'].byKind).toEqual({ get: 2, head: 1, conditional: 2, 'not-modified': 1 });
    expect(byPath['/b'].byKind).toEqual({ post: 1 });
    const reset = await unaryCall<{ totalBefore: number }>((cb) => admin.ResetCounts({}, callOptions(2_000), cb));
    expect(reset.totalBefore).toBe(6);
    expect(await counts()).toEqual({ paths: [], total: 0 });
  });
});

describe('OriginAdmin', () => {
  it('refuses calls without a token or with a wrong one (UNAUTHENTICATED)', async () => {
    const none = await failure(unaryCall((cb) => clients.admin(origin.grpcPort).GetCounts({}, callOptions(2_000), cb)));
    expect(none.code).toBe('UNAUTHENTICATED');
    const wrong = clients.admin(origin.grpcPort, 'not-the-token');
    const e = await failure(unaryCall((cb) => wrong.SetFault({ fault: 'FAULT_DOWN' }, callOptions(2_000), cb)));
    expect(e.code).toBe('UNAUTHENTICATED');
    // The refused SetFault changed nothing.
    expect(origin.faults.entries).toHaveLength(0);
  });

  it('SetVersion changes bodies and validators of matching paths only', async () => {
    const before = await fetchVia(tier, fetchRequest('/v/one'));
    const other = await fetchVia(tier, fetchRequest('/static/x'));
    await unaryCall((cb) => admin.SetVersion({ pathPattern: '/v/*', version: 42 }, callOptions(2_000), cb));
    const after = await fetchVia(tier, fetchRequest('/v/one'));
    expect(after.body.toString()).toMatch(/^cdnlab origin: \/v\/one version=42\n/);
    expect(header(after.head, 'etag')).not.toBe(header(before.head, 'etag'));
    expect(header(after.head, 'x-origin-version')).toBe('42');
    const otherAfter = await fetchVia(tier, fetchRequest('/static/x'));
    expect(Buffer.compare(otherAfter.body, other.body)).toBe(0);
    const bad = await failure(unaryCall((cb) => admin.SetVersion({ pathPattern: '/v/*', all: true, version: 1 }, callOptions(2_000), cb)));
    expect(bad.code).toBe('BAD_REQUEST');
  });

  it('rejects a bad fault with BAD_REQUEST naming the field', async () => {
    const e = await failure(setFault({ fault: 'FAULT_SLOW', delayMs: 0 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toContain('delay_ms');
    const e2 = await failure(setFault({ fault: 'FAULT_ERROR', statusCode: 42 }));
    expect(e2.message).toContain('status_code');
  });
});

describe('faults', () => {
  it('error: answers the configured status, still counted', async () => {
    await resetCounts();
    await setFault({ fault: 'FAULT_ERROR', statusCode: 503, pathPattern: '/err/*' });
    const { head, body } = await fetchVia(tier, fetchRequest('/err/x'));
    expect(head.status).toBe(503);
    expect(header(head, 'x-origin-fault')).toBe('error');
    expect(body.toString()).toContain('fault error 503');
    // Other paths are unaffected.
    expect((await fetchVia(tier, fetchRequest('/fine'))).head.status).toBe(200);
    const byPath = Object.fromEntries((await counts()).paths.map((p) => [p.path, p.byKind]));
    expect(byPath['/err/x']).toEqual({ get: 1, 'fault:error': 1 });
  });

  it('slow: adds the delay to the generation latency', async () => {
    await setFault({ fault: 'FAULT_SLOW', delayMs: 200 });
    const t0 = Date.now();
    const { head } = await fetchVia(tier, fetchRequest('/slow/b'));
    expect(head.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(120 + 200);
  });

  it("hang: ends by the caller's deadline, the server call is cancelled and the server stays healthy", async () => {
    await setFault({ fault: 'FAULT_HANG', pathPattern: '/hang' });
    const cancelledBefore = origin.stats().cancelled;
    const t0 = Date.now();
    const e = await failure(fetchVia(tier, fetchRequest('/hang'), 300));
    expect(e.code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await eventually(() => origin.stats().cancelled === cancelledBefore + 1 && origin.stats().inflight === 0);
    const health = createHealthClient(`127.0.0.1:${origin.grpcPort}`);
    try {
      expect(await checkHealth(health, '', 2_000)).toBe('SERVING');
      expect(await checkHealth(health, 'cdnlab.tier.v1.Tier', 2_000)).toBe('SERVING');
    } finally {
      health.close();
    }
    expect((await fetchVia(tier, fetchRequest('/not-hung'))).head.status).toBe(200);
    expect(origin.counters.get('/hang')?.byKind).toEqual({ get: 1, 'fault:hang': 1 });
  });

  it('a client cancel also stops a slow answer (the latency timer is dropped)', async () => {
    await setFault({ fault: 'FAULT_SLOW', delayMs: 5_000 });
    const cancelledBefore = origin.stats().cancelled;
    const stream = tier.Fetch(fetchRequest('/slow/c'), callOptions(10_000));
    stream.on('error', () => undefined);
    await eventually(() => origin.stats().inflight === 1);
    stream.cancel();
    await eventually(() => origin.stats().cancelled === cancelledBefore + 1 && origin.stats().inflight === 0);
  });

  it('down: UNAVAILABLE at once, counted as an attempt', async () => {
    await setFault({ fault: 'FAULT_DOWN' });
    const t0 = Date.now();
    const e = await failure(fetchVia(tier, fetchRequest('/down/x')));
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(origin.counters.get('/down/x')?.byKind).toEqual({ get: 1, 'fault:down': 1 });
    // An empty SetFault clears every fault.
    await setFault({});
    expect((await fetchVia(tier, fetchRequest('/down/x'))).head.status).toBe(200);
  });
});

describe('versions on a schedule', () => {
  it('advances every versionEveryMs', async () => {
    const o = await startOrigin(siteConfig({ id: 'sched', http: undefined, site: { paths: [{ match: '/**', sizeBytes: 64 }], versionEveryMs: 150 } }));
    const t = clients.tier(o.grpcPort);
    try {
      const v1 = header((await fetchVia(t, fetchRequest('/x'))).head, 'x-origin-version');
      await new Promise((r) => setTimeout(r, 320));
      const v2 = header((await fetchVia(t, fetchRequest('/x'))).head, 'x-origin-version');
      expect(Number(v2) - Number(v1)).toBeGreaterThanOrEqual(2);
    } finally {
      await o.stop(500);
    }
  });
});

describe('stop', () => {
  it('cuts hung gRPC and HTTP exchanges after the grace period', async () => {
    const o = await startOrigin(siteConfig({ id: 'stopper' }));
    o.setFault({ kind: 'hang' });
    const t = clients.tier(o.grpcPort);
    const grpcCall = fetchVia(t, fetchRequest('/h'), 10_000).then(
      () => 'answered',
      (e: CdnError) => e.code,
    );
    const httpCall = httpRequest(o.httpPort!, 'GET', '/h').then(
      () => 'answered',
      () => 'cut',
    );
    await eventually(() => o.stats().inflight === 2);
    const t0 = Date.now();
    await o.stop(200);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(await grpcCall).not.toBe('answered');
    expect(await httpCall).toBe('cut');
    expect(o.stats().inflight).toBe(0);
  });
});

describe('SetSite and Reset', () => {
  // An origin of its own: these calls change the whole site.
  let o: RunningOrigin;
  let t: TierClient;
  let a: OriginAdminClient;
  beforeAll(async () => {
    o = await startOrigin(siteConfig({ id: 'site-switch', http: undefined }));
    t = clients.tier(o.grpcPort);
    a = clients.admin(o.grpcPort, TOKEN);
  });
  afterAll(() => o.stop(1_000));

  const setSite = (site: unknown): Promise<{ appliedAtMs: number; paths: number }> =>
    unaryCall((cb) => a.SetSite({ siteJson: typeof site === 'string' ? site : JSON.stringify(site) }, callOptions(2_000), cb));
  const NEW_SITE = {
    paths: [
      { match: '/slow/*', sizeBytes: 30, latencyMs: 0, headers: { 'Cache-Control': 'no-store', 'X-Site': 'two' } },
      { match: '/**', sizeBytes: 50, headers: { 'Cache-Control': 'max-age=5' } },
    ],
  };

  it('replaces the site for new requests; one in flight finishes with the old site; counts and versions carry over', async () => {
    await unaryCall((cb) => a.SetVersion({ pathPattern: '/slow/*', version: 4 }, callOptions(2_000), cb));
    const before = o.counters.total;
    // /slow/* takes 120 ms on the old site: switch while it is being generated.
    const inFlight = fetchVia(t, fetchRequest('/slow/a'));
    await eventually(() => o.stats().inflight === 1);
    const reply = await setSite(NEW_SITE);
    expect(reply.paths).toBe(2);
    const old = await inFlight;
    expect(header(old.head, 'cache-control')).toBe('max-age=60');
    expect(old.body.length).toBe(100);
    const t0 = Date.now();
    const fresh = await fetchVia(t, fetchRequest('/slow/a'));
    expect(Date.now() - t0).toBeLessThan(120); // the new rule has no latency
    expect(header(fresh.head, 'cache-control')).toBe('no-store');
    expect(header(fresh.head, 'x-site')).toBe('two');
    expect(fresh.body.length).toBe(30);
    expect(header(fresh.head, 'x-origin-version')).toBe('4');
    expect(header((await fetchVia(t, fetchRequest('/other'))).head, 'cache-control')).toBe('max-age=5');
    expect(o.counters.total).toBe(before + 3);
    expect(o.site?.config).toEqual(NEW_SITE);
  });

  it('refuses a bad site with BAD_REQUEST (INVALID_ARGUMENT) naming the field, and keeps the site it has', async () => {
    const e = await failure(setSite({ paths: [{ match: '/a' }, { match: '/b', status: 700 }] }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.grpcStatus).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e.message).toContain('site.paths[1].status');
    const e2 = await failure(setSite('{"paths": ['));
    expect(e2.code).toBe('BAD_REQUEST');
    expect(e2.message).toContain('expected site_json to be JSON');
    const e3 = await failure(setSite({ paths: [], versionEvery: 5 }));
    expect(e3.message).toContain('unknown field site.versionEvery');
    expect(o.site?.config).toEqual(NEW_SITE);
  });

  it('needs the token', async () => {
    const e = await failure(unaryCall((cb) => clients.admin(o.grpcPort, 'wrong').SetSite({ siteJson: '{"paths":[]}' }, callOptions(2_000), cb)));
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(o.site?.config).toEqual(NEW_SITE);
  });

  it('Reset puts every path back at version 1 and clears every fault, keeping the site and the counts', async () => {
    await unaryCall((cb) => a.SetVersion({ all: true, version: 9 }, callOptions(2_000), cb));
    // The one set last wins where patterns overlap.
    await setFault2({ fault: 'FAULT_SLOW', delayMs: 50 });
    await setFault2({ fault: 'FAULT_ERROR', statusCode: 503, pathPattern: '/err' });
    expect((await fetchVia(t, fetchRequest('/err'))).head.status).toBe(503);
    const counted = o.counters.total;
    const reply = await unaryCall<{ faultsCleared: number }>((cb) => a.Reset({}, callOptions(2_000), cb));
    expect(reply.faultsCleared).toBe(2);
    expect(o.faults.entries).toEqual([]);
    const after = await fetchVia(t, fetchRequest('/err'));
    expect(after.head.status).toBe(200);
    expect(header(after.head, 'x-origin-version')).toBe('1');
    expect(header(after.head, 'cache-control')).toBe('max-age=5');
    expect(o.counters.total).toBe(counted + 1);
  });

  const setFault2 = (req: Parameters<OriginAdminClient['SetFault']>[0]): Promise<unknown> =>
    unaryCall((cb) => a.SetFault(req, callOptions(2_000), cb));
});
