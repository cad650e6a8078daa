/**
 * Adversarial but well-framed messages on every gRPC method a tier node
 * serves (Tier.Fetch, Purge, Stats; TierAdmin), sent over real gRPC on
 * loopback to a node started in-process, with a fake parent that can answer
 * anything. After each one the node must not have thrown (uncaught
 * exception, unhandled rejection), must still serve an ordinary request,
 * and must have answered with a status that says what was wrong: a bad
 * field is INVALID_ARGUMENT naming it, never INTERNAL with a stack.
 *
 * The named cases pin defects found by this audit; the fuzz at the end
 * draws more inputs from one fixed seed, in a bounded number of rounds.
 */
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as vm from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import { createRng, type Rng } from '@cdnlab/core';
import {
  MAX_ERROR_DETAILS_LENGTH,
  callOptions,
  createRpcServer,
  createTierAdminClient,
  createTierClient,
  loadProtos,
  writeFetchReply,
  type FetchReply__Output,
  type FetchRequest,
  type FetchServerCall,
  type ResponseHead,
  type RpcServer,
  type TierAdminClient,
  type TierClient,
} from '@cdnlab/rpc';
import { startTierNode, type RunningTierNode } from '../src';
import { testCacheSettings } from '../src/cache-settings.test-fixture';

const TOKEN = 'adversarial-test-token';
const MB = 'a'.repeat(1 << 20);

// ---------------------------------------------------------------- the process must not crash

// Jest hands a test file its own copy of `process`, which never hears the
// real one's events; the node under test and grpc-js run in the real one.
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
const crashes: unknown[] = [];
const onCrash = (e: unknown): void => {
  crashes.push(e);
};
beforeAll(() => {
  hostProcess.on('uncaughtException', onCrash);
  hostProcess.on('unhandledRejection', onCrash);
});
afterAll(() => {
  hostProcess.off('uncaughtException', onCrash);
  hostProcess.off('unhandledRejection', onCrash);
});
afterEach(() => {
  expect(crashes).toEqual([]);
});

// ---------------------------------------------------------------- a parent that answers anything

type Answer = (call: FetchServerCall) => void;
const H = (name: string, value: string) => ({ name, value });
const plain = (head: Partial<ResponseHead> = {}, body: Buffer | AsyncIterable<Uint8Array> = Buffer.from('ok')): Answer => (call) => {
  void writeFetchReply(call, { status: 200, headers: [H('cache-control', 'max-age=60')], originFetchedAtMs: Date.now(), ...head }, body).catch(() => undefined);
};
/** Answers by target; anything else gets `plain()`. */
const answers = new Map<string, Answer>();
const parentFetches = new Map<string, number>();
let parentTotal = 0;

let parent: RpcServer;
let node: RunningTierNode;
let address: string;
let tier: TierClient;
let admin: TierAdminClient;

beforeAll(async () => {
  parent = createRpcServer();
  const nothing = (_c: unknown, cb: grpc.sendUnaryData<unknown>): void => cb(null, {});
  parent.addService(loadProtos().tier.Tier.service, {
    Fetch(call: FetchServerCall) {
      const target = call.request.target;
      parentTotal++;
      parentFetches.set(target, (parentFetches.get(target) ?? 0) + 1);
      (answers.get(target) ?? plain())(call);
    },
    Purge: nothing,
    Stats: nothing,
  } as unknown as grpc.UntypedServiceImplementation);
  const parentAddress = `127.0.0.1:${await parent.listen('127.0.0.1', 0)}`;
  parent.setServing(true);
  node = await startTierNode({
    id: 'regional-1',
    role: 'regional',
    region: 'eu',
    grpc: { host: '127.0.0.1', port: 0 },
    cache: testCacheSettings({ capacityBytes: 1 << 22, maxObjectBytes: 1 << 22 }),
    key: {},
    parents: [{ id: 'shield', address: parentAddress }],
    token: TOKEN,
    hostnames: ['cdn.test'],
    upstreamTimeoutMs: 3000,
    shutdownGraceMs: 200,
  });
  node.rpc.setServing(true);
  address = `127.0.0.1:${node.grpcPort}`;
  tier = createTierClient(address, { token: TOKEN });
  admin = createTierAdminClient(address, { token: TOKEN });
});

afterAll(async () => {
  tier?.close();
  admin?.close();
  await node?.stop(200);
  await parent?.shutdown(200);
});

// ---------------------------------------------------------------- calls that report the raw outcome

interface Outcome {
  code: grpc.status;
  details: string;
  head?: FetchReply__Output['head'];
}

function fetchOutcome(req: Partial<FetchRequest>, client: TierClient = tier, timeoutMs = 4000): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.fetch({ method: 'GET', scheme: 'http', authority: 'cdn.test', target: '/plain', headers: [], ...req }, callOptions(timeoutMs));
    let head: FetchReply__Output['head'];
    call.on('data', (m: FetchReply__Output) => {
      if (m.part === 'head') head = m.head;
    });
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    call.on('end', () => resolve({ code: grpc.status.OK, details: '', head }));
  });
}

function unaryOutcome<Res>(start: (cb: grpc.requestCallback<Res>) => unknown): Promise<Outcome & { reply?: Res }> {
  return new Promise((resolve) => {
    start((e, reply) => resolve(e ? { code: e.code, details: e.details } : { code: grpc.status.OK, details: '', reply }));
  });
}

const cacheStatus = (o: Outcome): string => (o.head?.headers ?? []).filter((h) => h.name === 'cache-status').map((h) => h.value).join(' | ');

/** The node still answers an ordinary request, from its cache or its parent. */
async function stillServes(): Promise<void> {
  const o = await fetchOutcome({ target: '/plain' });
  expect([o.code, o.head?.status]).toEqual([grpc.status.OK, 200]);
}

/** An error status a person can act on: short, no stack trace. */
function expectReadable(o: Outcome): void {
  expect(o.details.length).toBeGreaterThan(0);
  expect(o.details.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
  expect(o.details).not.toMatch(/\n\s+at /);
}

// ---------------------------------------------------------------- Tier.Fetch

describe('Tier.Fetch with fields that are not HTTP', () => {
  it.each<[string, Partial<FetchRequest>, string]>([
    ['a method with CR LF', { method: 'GET\r\nX-Injected: 1' }, 'method:'],
    ['a megabyte of method', { method: MB }, 'method:'],
    ['a method with a space', { method: 'G ET' }, 'method:'],
    ['no method', { method: '' }, 'method: required'],
    ['a target that is not a path', { target: 'nopath' }, 'target:'],
    ['no target', { target: '' }, 'target: required'],
    ['a target with NUL', { target: '/a\0b' }, 'target:'],
    ['a target with CR LF', { target: '/a\r\nb' }, 'target:'],
    ['a target with raw non-ASCII', { target: '/caf\u00e9' }, 'target:'],
    ['an authority with CR LF', { authority: 'cdn.test\r\nx: y' }, 'authority:'],
    ['a scheme that is not http(s)', { scheme: 'ftp\0' }, 'scheme:'],
    ['an empty header name', { headers: [H('', 'x')] }, 'headers[0].name:'],
    ['a header name with a space', { headers: [H('x-ok', '1'), H('a b', 'x')] }, 'headers[1].name:'],
    ['a header value with CR LF', { headers: [H('x-a', 'a\r\nset-cookie: x=1')] }, 'headers[0].value:'],
    ['a header value with NUL', { headers: [H('x-a', 'a\0')] }, 'headers[0].value:'],
    ['a header value past Latin-1', { headers: [H('x-a', '\u20ac')] }, 'headers[0].value:'],
    ['2001 field lines', { headers: Array.from({ length: 2001 }, (_, i) => H(`x-${i % 7}`, 'v')) }, 'headers: expected at most 2000'],
    ['negative hops, which would get around the loop guard', { hops: -2147483648 }, 'hops:'],
    ['a negative not_before_ms', { notBeforeMs: -1 }, 'not_before_ms:'],
  ])('%s: INVALID_ARGUMENT naming the field; nothing stored or sent upstream', async (_name, req, field) => {
    const upstreamBefore = parentTotal;
    const storedBefore = node.cache.stats().objects;
    const o = await fetchOutcome({ target: '/never-fetched', ...req });
    expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(o.details).toContain(field);
    expectReadable(o);
    expect(parentTotal).toBe(upstreamBefore);
    expect(node.cache.stats().objects).toBe(storedBefore);
    await stillServes();
  });

  it('takes a lower-case method, request directives it cannot use and odd values it can ignore', async () => {
    for (const req of [
      { method: 'get', target: '/odd-1' },
      { target: '/odd-2', headers: [H('cache-control', 'max-age=99999999999999999999, min-fresh=1e309')] },
      { target: '/odd-3', headers: [H('range', 'bytes=99999999999999999999-'), H('if-modified-since', 'Tue, 01 Jan 99999 00:00:00 GMT')] },
      { target: '/odd-4', notBeforeMs: Number.MAX_SAFE_INTEGER, hops: 2 },
      { target: '/odd-5', requestId: MB.slice(0, 100_000), body: Buffer.alloc(1 << 20) },
    ]) {
      const o = await fetchOutcome(req);
      expect([req.target, o.code, o.head?.status]).toEqual([req.target, grpc.status.OK, 200]);
    }
  });

  it('refuses a request past its hop limit with FAILED_PRECONDITION (a loop), not a crash', async () => {
    const o = await fetchOutcome({ target: '/loop', hops: 2147483647 });
    expect(o.code).toBe(grpc.status.FAILED_PRECONDITION);
    expectReadable(o);
  });
});

describe('Tier.Fetch when the parent answers with a head that is not HTTP', () => {
  let n = 0;
  it.each<[string, Partial<ResponseHead>]>([
    ['status 0', { status: 0 }],
    ['status -1', { status: -1 }],
    ['status 1000', { status: 1000 }],
    ['a header value with CR LF (a second field on the wire)', { headers: [H('cache-control', 'max-age=60'), H('x-a', 'a\r\nset-cookie: evil=1')] }],
    ['a header value with NUL', { headers: [H('cache-control', 'max-age=60'), H('expires', '\0garbage')] }],
    ['a header value past Latin-1', { headers: [H('cache-control', 'max-age=60'), H('x-a', '\u20ac')] }],
    ['a header name with a space', { headers: [H('cache-control', 'max-age=60'), H('a b', 'x')] }],
    ['two different Content-Length lines', { headers: [H('cache-control', 'max-age=60'), H('content-length', '1'), H('content-length', '5')] }],
    ['2001 field lines', { headers: [H('cache-control', 'max-age=60'), ...Array.from({ length: 2000 }, () => H('x-a', 'v'))] }],
  ])('%s: UPSTREAM_ERROR naming the field, and the answer is not stored', async (_name, head) => {
    const target = `/bad-head-${n++}`;
    answers.set(target, plain(head));
    const storedBefore = node.cache.stats().objects;
    for (let i = 0; i < 2; i++) {
      const o = await fetchOutcome({ target });
      expect(o.code).toBe(grpc.status.UNKNOWN); // UPSTREAM_ERROR
      expect(o.details).toMatch(/^shield sent an invalid response head: (status|headers)/);
      expectReadable(o);
    }
    // Asked twice, refused twice: nothing of it was kept.
    expect(parentFetches.get(target)).toBe(2);
    expect(node.cache.stats().objects).toBe(storedBefore);
    await stillServes();
  });

  it('stores what it can parse and ignores what RFC 9111 says to ignore (Age: -1, 1e309; huge max-age)', async () => {
    for (const [i, headers] of [
      [H('cache-control', 'max-age=60'), H('age', '-1')],
      [H('cache-control', 'max-age=60'), H('age', '1e309')],
      [H('cache-control', 'max-age=99999999999999999999, stale-if-error=1e309')],
      [H('cache-control', 'max-age=60'), H('content-length', '2'), H('content-length', '2')],
    ].entries()) {
      const target = `/lenient-${i}`;
      answers.set(target, plain({ headers }));
      expect((await fetchOutcome({ target })).code).toBe(grpc.status.OK);
      const again = await fetchOutcome({ target });
      expect([target, again.code, cacheStatus(again)]).toEqual([target, grpc.status.OK, expect.stringContaining('hit')]);
    }
  });

  it('takes a copy dated in the future as made now, so a later purge-time rule still refuses it', async () => {
    answers.set('/future', plain({ originFetchedAtMs: Number.MAX_SAFE_INTEGER }));
    expect((await fetchOutcome({ target: '/future' })).code).toBe(grpc.status.OK);
    await new Promise((r) => setTimeout(r, 5));
    // A child that applied a purge just now asks for a copy made after it.
    const o = await fetchOutcome({ target: '/future', notBeforeMs: Date.now() });
    expect(o.code).toBe(grpc.status.OK);
    expect(parentFetches.get('/future')).toBe(2);
  });
});

describe('Tier.Fetch callers that leave', () => {
  const slowBody = async function* (): AsyncIterable<Uint8Array> {
    for (let i = 0; i < 40; i++) {
      yield Buffer.alloc(64 * 1024, i);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('cancelled mid-stream, or dropped at the TCP level: nothing stays in flight, the node keeps serving', async () => {
    answers.set('/stream-0', (call) => plain({}, slowBody())(call));
    answers.set('/stream-1', (call) => plain({}, slowBody())(call));
    for (let i = 0; i < 4; i++) {
      const call = tier.fetch({ method: 'GET', scheme: 'http', authority: 'cdn.test', target: `/stream-${i % 2}`, headers: [] }, callOptions(4000));
      await new Promise<void>((resolve) => {
        let chunks = 0;
        call.on('data', () => {
          if (++chunks === 3) call.cancel();
        });
        call.on('error', () => resolve());
        call.on('end', () => resolve());
      });
    }
    // A client whose socket goes away under a call: no GOAWAY, no RST_STREAM.
    // FetchRequest{method: "GET", authority: "cdn.test", target: "/stream-1"}, encoded by hand (fields 1, 3, 4).
    const field = (n: number, v: string): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, v.length]), Buffer.from(v)]);
    const message = Buffer.concat([field(1, 'GET'), field(3, 'cdn.test'), field(4, '/stream-1')]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), message]);
    frame.writeUInt32BE(message.length, 1);
    for (let i = 0; i < 3; i++) {
      let socket: net.Socket | undefined;
      const session = http2.connect(`http://${address}`, {
        createConnection: () => {
          socket = net.connect(node.grpcPort, '127.0.0.1');
          return socket;
        },
      });
      session.on('error', () => undefined);
      const stream = session.request({ ':method': 'POST', ':path': '/cdnlab.tier.v1.Tier/Fetch', 'content-type': 'application/grpc', te: 'trailers' });
      stream.on('error', () => undefined);
      stream.end(frame);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        stream.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      socket?.destroy();
      session.destroy();
    }
    const until = Date.now() + 3000;
    while (node.node.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(node.node.inFlight).toBe(0);
    await stillServes();
  });
});

// ---------------------------------------------------------------- Tier.Purge and Stats

describe('Tier.Purge with fields it cannot apply', () => {
  const purge = (req: Record<string, unknown>) => unaryOutcome((cb) => tier.purge(req as never, callOptions(4000), cb));

  it.each<[string, Record<string, unknown>, string]>([
    ['no kind', {}, 'kind:'],
    ['a kind the proto does not define', { kind: 99 }, 'kind:'],
    ['a mode the proto does not define (was taken as hard)', { kind: 'PURGE_KIND_ALL', mode: 99 }, 'mode:'],
    ['a url purge without a value', { kind: 'PURGE_KIND_URL' }, 'value: required'],
    ['a value with CR LF and NUL', { kind: 'PURGE_KIND_TAG', value: 'a\r\nb\0' }, 'value:'],
    ['a megabyte of value', { kind: 'PURGE_KIND_URL', value: `/${MB}` }, 'value:'],
    ['a megabyte of purge id (the last 256 ids are kept)', { kind: 'PURGE_KIND_ALL', purgeId: MB }, 'purge_id:'],
    ['a negative purge time', { kind: 'PURGE_KIND_ALL', purgeAtMs: -Number.MAX_SAFE_INTEGER }, 'purge_at_ms:'],
    ['100 000 routes', { kind: 'PURGE_KIND_ALL', forward: Array.from({ length: 100_000 }, (_, i) => ({ nodeId: `n${i}`, address: `h${i}:1`, via: 'regional-1' })) }, 'forward:'],
    ['a route to an address that is not host:port', { kind: 'PURGE_KIND_ALL', forward: [{ nodeId: 'e1', address: 'not an address', via: 'regional-1' }] }, 'forward[0].address:'],
  ])('%s: INVALID_ARGUMENT naming the field', async (_name, req, field) => {
    const o = await purge(req);
    expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(o.details).toContain(field);
    expectReadable(o);
    await stillServes();
  });

  it('refuses a purge dated a day ahead, which made the object uncacheable until then', async () => {
    expect((await fetchOutcome({ target: '/dated' })).code).toBe(grpc.status.OK);
    const o = await purge({ kind: 'PURGE_KIND_URL', value: '/dated', purgeAtMs: Date.now() + 86_400_000, purgeId: 'ahead' });
    expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(o.details).toContain('purge_at_ms:');
    // Nothing was applied: the copy is still there, and still a hit.
    expect(cacheStatus(await fetchOutcome({ target: '/dated' }))).toContain('hit');
  });

  it('answers Stats, and refuses it without the token', async () => {
    expect((await unaryOutcome((cb) => tier.stats({}, callOptions(4000), cb))).code).toBe(grpc.status.OK);
    const anonymous = createTierClient(address);
    try {
      expect((await unaryOutcome((cb) => anonymous.stats({}, callOptions(4000), cb))).code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      anonymous.close();
    }
  });
});

// ---------------------------------------------------------------- TierAdmin

describe('TierAdmin with values it must refuse', () => {
  const setCache = (req: Record<string, unknown>, timeoutMs = 4000) => unaryOutcome((cb) => admin.SetCacheSettings(req as never, callOptions(timeoutMs), cb));
  const setLinks = (req: Record<string, unknown>) => unaryOutcome((cb) => admin.SetLinks(req as never, callOptions(4000), cb));

  // The error quoted the whole value: a trailer of megabytes, which broke the
  // HTTP/2 connection for every call on it (the next one timed out too).
  it.each<[string, () => Promise<Outcome>, string]>([
    ['eviction', () => setCache({ eviction: MB }), 'eviction:'],
    ['collapsing', () => setCache({ collapsing: MB }), 'collapsing:'],
    ['parent_ids', () => setLinks({ parentIds: [MB], down: true }), 'parent_ids[0]:'],
    ['targeted_fields', () => setCache({ setTargetedFields: true, targetedFields: [`${MB} `] }), 'targeted_fields[0]:'],
    ['ttl_overrides[0].match', () => setCache({ ttlOverrides: [{ match: MB, ttlMs: 1 }] }), 'ttl_overrides[0].match:'],
  ])('a megabyte of %s: a short INVALID_ARGUMENT, and the connection still works', async (_name, call, field) => {
    const o = await call();
    expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(o.details).toContain(field);
    expectReadable(o);
    await stillServes();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a latency past what a timer holds (fired after 1 ms)', { latencyMs: 1e300 }, 'latency_ms:'],
    ['a jitter of 3e9 ms', { jitterMs: 3e9 }, 'jitter_ms:'],
    ['NaN latency', { latencyMs: Number.NaN }, 'latency_ms:'],
    ['loss 1', { loss: 1 }, 'loss:'],
    ['nothing to change', {}, 'SetLinksRequest:'],
  ])('SetLinks with %s: INVALID_ARGUMENT naming the field', async (_name, req, field) => {
    const o = await setLinks(req);
    expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(o.details).toContain(field);
    await stillServes();
  });

  it('names one parent 100 000 times: applied once, quickly', async () => {
    const started = Date.now();
    const o = await setLinks({ parentIds: Array.from({ length: 100_000 }, () => 'shield'), down: false });
    expect(o.code).toBe(grpc.status.OK);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['100 000 targeted fields', { setTargetedFields: true, targetedFields: Array.from({ length: 100_000 }, (_, i) => `f${i}`) }, 'targeted_fields:'],
    ['20 000 TTL overrides (a quadratic merge blocked the node for seconds)', { ttlOverrides: Array.from({ length: 20_000 }, (_, i) => ({ match: `/p${i}/**`, ttlMs: 1000 })) }, 'ttl_overrides:'],
    ['capacity_bytes of 2^63', { capacityBytes: '9223372036854775807' }, 'capacity_bytes:'],
    ['heuristic_fraction NaN', { heuristicFraction: Number.NaN }, 'heuristic_fraction:'],
    ['a negative TTL override', { ttlOverrides: [{ match: '/x', ttlMs: -1 }] }, 'ttl_overrides[0].ttl_ms:'],
  ])('SetCacheSettings with %s: INVALID_ARGUMENT naming the field, in well under a second', async (_name, req, field) => {
    const started = Date.now();
    const o = await setCache(req);
    expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(o.details).toContain(field);
    expect(Date.now() - started).toBeLessThan(1000);
    await stillServes();
  });

  // `/**a**a**a**b` was the RegExp ^/.*a.*a.*a.*b$: a 400-character path
  // blocked the node's event loop for over ten seconds.
  it('matches a TTL override with many wildcards against a long path without blocking', async () => {
    expect((await setCache({ clearTtlOverrides: true, ttlOverrides: [{ match: '/**a**a**a**b', ttlMs: 1000 }] })).code).toBe(grpc.status.OK);
    try {
      const started = Date.now();
      const o = await fetchOutcome({ target: `/${'a'.repeat(600)}` });
      expect(o.code).toBe(grpc.status.OK);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await setCache({ clearTtlOverrides: true });
    }
  });

  // Node runs a timer longer than 2^31 - 1 ms after 1 ms, with a warning: the
  // collapser's lock timer fired every millisecond while anyone waited,
  // re-arming itself, and printed a TimeoutOverflowWarning each time.
  it('keeps waiters waiting under a lock timeout longer than a timer can hold, without a timer firing every millisecond', async () => {
    expect((await setCache({ collapsing: 'lock-timeout', lockTimeoutMs: 2 ** 40 })).code).toBe(grpc.status.OK);
    const overflows: string[] = [];
    const onWarning = (w: Error): void => {
      if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
    };
    hostProcess.on('warning', onWarning);
    try {
      answers.set('/herd', (call) => setTimeout(() => plain()(call), 150));
      const all = await Promise.all(Array.from({ length: 4 }, () => fetchOutcome({ target: '/herd' })));
      expect(all.map((o) => o.code)).toEqual([0, 0, 0, 0]);
      expect(parentFetches.get('/herd')).toBe(1);
      await new Promise((r) => setImmediate(r));
      expect(overflows).toEqual([]);
    } finally {
      hostProcess.off('warning', onWarning);
      await setCache({ collapsing: 'wait', lockTimeoutMs: 5000 });
    }
  });
});

// ---------------------------------------------------------------- bytes that are not our messages

describe('bytes that are not the method\'s message, and methods that do not exist', () => {
  const METHODS = [
    ['/cdnlab.tier.v1.Tier/Fetch', true],
    ['/cdnlab.tier.v1.Tier/Purge', false],
    ['/cdnlab.tier.v1.Tier/Stats', false],
    ['/cdnlab.tier.v1.TierAdmin/GetState', false],
    ['/cdnlab.tier.v1.TierAdmin/SetLinks', false],
    ['/cdnlab.tier.v1.TierAdmin/SetCacheSettings', false],
    ['/cdnlab.tier.v1.TierAdmin/ClearCache', false],
  ] as const;
  const Raw = grpc.makeGenericClientConstructor({}, 'Raw');
  let raw: grpc.Client;
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${TOKEN}`);
  beforeAll(() => {
    raw = new Raw(address, grpc.credentials.createInsecure());
  });
  afterAll(() => raw.close());

  const rawCall = (path: string, streaming: boolean, body: Buffer): Promise<Outcome> =>
    new Promise((resolve) => {
      const identity = (b: Buffer): Buffer => b;
      const options = { deadline: Date.now() + 4000 };
      if (streaming) {
        const call = raw.makeServerStreamRequest(path, identity, identity, body, metadata, options);
        call.on('data', () => undefined);
        call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
        call.on('end', () => resolve({ code: grpc.status.OK, details: '' }));
        return;
      }
      raw.makeUnaryRequest(path, identity, identity, body, metadata, options, (e: grpc.ServiceError | null) => resolve(e ? { code: e.code, details: e.details } : { code: grpc.status.OK, details: '' }));
    });

  it('answers seeded random bytes on every method with a status, never a crash', async () => {
    const rng = createRng(0x5eed);
    // Bytes that happen to decode (protobuf skips what it does not know) are
    // ordinary requests, answered on their merits; the rest is grpc-js's
    // INTERNAL "Error deserializing request" (no stack, no detail).
    const allowed = [grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.FAILED_PRECONDITION];
    for (const [path, streaming] of METHODS) {
      for (let i = 0; i < 12; i++) {
        const body = Buffer.from(Array.from({ length: rng.nextInt(96) }, () => rng.nextInt(256)));
        const o = await rawCall(path, streaming, body);
        expect([path, body.toString('hex'), allowed.includes(o.code)]).toEqual([path, body.toString('hex'), true]);
        if (o.code !== grpc.status.OK) expectReadable(o);
      }
    }
    await stillServes();
  });

  it.each(['/cdnlab.tier.v1.Tier/Nope', '/cdnlab.tier.v1.Nope/Fetch', '/nope', '/'])('answers %s with UNIMPLEMENTED', async (path) => {
    expect((await rawCall(path, false, Buffer.alloc(0))).code).toBe(grpc.status.UNIMPLEMENTED);
    await stillServes();
  });
});

// ---------------------------------------------------------------- seeded fuzz

/** Field values to draw from: valid ones, and the kinds of wrong this audit tries. */
function pools(rng: Rng) {
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextInt(xs.length)];
  const weird = ['', ' ', '\r\n', '\0', 'caf\u00e9', '\u20ac', '\ud800', 'a'.repeat(70_000), '%zz', '../..', '*', '{}', 'x:y'];
  const str = (good: readonly string[]): string => (rng.nextInt(3) === 0 ? pick(weird) : pick(good));
  const int64 = (good: readonly number[]): number | string => (rng.nextInt(3) === 0 ? pick([-1, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, '9223372036854775807', '-9223372036854775808', 2 ** 53]) : pick(good));
  const double = (good: readonly number[]): number => (rng.nextInt(3) === 0 ? pick([Number.NaN, Infinity, -Infinity, -0, -1, 1e308, 5e-324]) : pick(good));
  const headers = (): Array<{ name: string; value: string }> =>
    Array.from({ length: rng.nextInt(4) }, () => ({ name: str(['accept', 'cache-control', 'if-none-match', 'range', 'x-a']), value: str(['*/*', 'no-cache', 'max-age=0', '"v1"', 'bytes=0-1', 'max-age=99999999999999999999']) }));
  return { pick, str, int64, double, headers };
}

describe('seeded fuzz of every method', () => {
  const ROUNDS = 60;
  const BUDGET_MS = 8000;
  // What each method may answer: anything else (UNKNOWN, an INTERNAL of ours) is a defect.
  const FETCH_CODES = [grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.FAILED_PRECONDITION];
  const UNARY_CODES = [grpc.status.OK, grpc.status.INVALID_ARGUMENT];

  it(`answers ${ROUNDS} rounds of drawn Fetch, Purge, Stats and TierAdmin calls with a sensible status`, async () => {
    const rng = createRng(20250101);
    const p = pools(rng);
    const started = Date.now();
    for (let round = 0; round < ROUNDS && Date.now() - started < BUDGET_MS; round++) {
      const fetchReq = {
        method: p.str(['GET', 'HEAD', 'POST', 'get', 'OPTIONS']),
        scheme: p.str(['http', 'https', '']),
        authority: p.str(['cdn.test', 'cdn.test:8080', '[::1]']),
        target: p.str(['/', '/plain', `/fuzz/${round}`, '/a?b=c', '*']),
        headers: p.headers(),
        notBeforeMs: p.int64([0, Date.now()]),
        hops: p.pick([0, 1, 7, 9, -1]),
        noStoreAnswer: p.pick([true, false]),
        requestId: p.str(['r1', '']),
      };
      const f = await fetchOutcome(fetchReq as unknown as Partial<FetchRequest>);
      expect([round, 'Fetch', FETCH_CODES.includes(f.code)]).toEqual([round, 'Fetch', true]);
      if (f.code !== grpc.status.OK) expectReadable(f);

      const purgeReq = {
        kind: p.pick(['PURGE_KIND_URL', 'PURGE_KIND_TAG', 'PURGE_KIND_PREFIX', 'PURGE_KIND_ALL', 'PURGE_KIND_UNSPECIFIED', 17]),
        value: p.str(['/plain', 'http://cdn.test/fuzz/1', 'tag-a', '/fuzz/']),
        mode: p.pick(['PURGE_MODE_HARD', 'PURGE_MODE_SOFT', 'PURGE_MODE_UNSPECIFIED', 9]),
        purgeAtMs: p.int64([0, Date.now()]),
        purgeId: p.str([`fuzz-${round}`, '']),
        forward: rng.nextInt(4) === 0 ? [{ nodeId: p.str(['e1']), address: p.str(['127.0.0.1:1']), via: p.str(['elsewhere']) }] : [],
      };
      const pu = await unaryOutcome((cb) => tier.purge(purgeReq as never, callOptions(4000), cb));
      expect([round, 'Purge', UNARY_CODES.includes(pu.code)]).toEqual([round, 'Purge', true]);
      if (pu.code !== grpc.status.OK) expectReadable(pu);

      const cacheReq: Record<string, unknown> = {};
      const setting = p.pick(['capacityBytes', 'maxObjectBytes', 'lockTimeoutMs', 'maxWaiters', 'graceMs', 'defaultTtlMs', 'minTtlMs', 'maxTtlMs', 'variantCap', 'eviction', 'collapsing', 'heuristicFraction', 'ttl', 'targeted']);
      if (setting === 'eviction') cacheReq.eviction = p.str(['lru', 'lfu', 'sieve']);
      else if (setting === 'collapsing') cacheReq.collapsing = p.str(['off', 'wait', 'lock-timeout']);
      else if (setting === 'heuristicFraction') cacheReq.heuristicFraction = p.double([0, 0.1, 1]);
      else if (setting === 'ttl') cacheReq.ttlOverrides = [{ match: p.str(['/fuzz/**', '/*/a', '/**/b/**']), ttlMs: p.int64([0, 1000]) }];
      else if (setting === 'targeted') Object.assign(cacheReq, { setTargetedFields: true, targetedFields: [p.str(['cdn-cache-control', 'x-cdn'])] });
      else cacheReq[setting] = p.int64([1 << 22, 1 << 20, 5000, 0, 1]);
      const sc = await unaryOutcome((cb) => admin.SetCacheSettings(cacheReq as never, callOptions(4000), cb));
      expect([round, 'SetCacheSettings', UNARY_CODES.includes(sc.code)]).toEqual([round, 'SetCacheSettings', true]);
      if (sc.code !== grpc.status.OK) expectReadable(sc);

      const linkReq = { parentIds: rng.nextInt(2) === 0 ? [] : [p.str(['shield'])], latencyMs: p.double([0, 1]), jitterMs: p.double([0]), loss: p.double([0, 0.01]) };
      const sl = await unaryOutcome((cb) => admin.SetLinks(linkReq as never, callOptions(4000), cb));
      expect([round, 'SetLinks', UNARY_CODES.includes(sl.code)]).toEqual([round, 'SetLinks', true]);

      for (const [name, o] of [
        ['Stats', await unaryOutcome((cb) => tier.stats({}, callOptions(4000), cb))],
        ['GetState', await unaryOutcome((cb) => admin.GetState({}, callOptions(4000), cb))],
      ] as const) {
        expect([round, name, o.code]).toEqual([round, name, grpc.status.OK]);
      }
    }
    // Back to a fast, clean node, which must still serve.
    await unaryOutcome((cb) => admin.SetLinks({ latencyMs: 0, jitterMs: 0, loss: 0, down: false, cut: false }, callOptions(4000), cb));
    await unaryOutcome((cb) => admin.SetCacheSettings({ ...testCacheSettings({ capacityBytes: 1 << 22, maxObjectBytes: 1 << 22 }), setTargetedFields: true, clearTtlOverrides: true } as never, callOptions(4000), cb));
    await stillServes();
  }, 30_000);
});
