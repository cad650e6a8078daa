/**
 * TierAdmin over real gRPC on loopback: a tier node whose parent is a small
 * fake origin (a Tier server that counts fetches), reconfigured while it runs.
 */
import * as grpc from '@grpc/grpc-js';
import type { TierCacheSettings } from '@cdnlab/core';
import {
  callOptions,
  createRpcServer,
  createTierAdminClient,
  createTierClient,
  fromServiceError,
  loadProtos,
  readFetchReply,
  unaryCall,
  writeFetchReply,
  type ClearCacheReply__Output,
  type FetchServerCall,
  type RpcServer,
  type SetCacheSettingsRequest,
  type TierAdminClient,
  type TierClient,
  type TierState__Output,
} from '@cdnlab/rpc';
import { startTierNode, type RunningTierNode } from '../src';
import { testCacheSettings } from '../src/cache-settings.test-fixture';

const TOKEN = 'tier-admin-test-token';
const SETTINGS: TierCacheSettings = testCacheSettings({ capacityBytes: 1 << 24 });

describe('TierAdmin on a running tier node', () => {
  let origin: RpcServer;
  let originAddress: string;
  const fetches = new Map<string, number>();
  let node: RunningTierNode;
  let tier: TierClient;
  let admin: TierAdminClient;
  let anonymous: TierAdminClient;

  beforeAll(async () => {
    origin = createRpcServer();
    origin.addService(loadProtos().tier.Tier.service, {
      Fetch(call: FetchServerCall) {
        const path = call.request.target;
        fetches.set(path, (fetches.get(path) ?? 0) + 1);
        // max-age=0 with an ETag: stored, but stale at once (every use revalidates)
        const cc = path.startsWith('/stale') ? 'max-age=0' : 'max-age=300';
        setTimeout(() => {
          void writeFetchReply(call, { status: 200, headers: [{ name: 'cache-control', value: cc }, { name: 'etag', value: '"v1"' }], servedBy: 'origin', originFetchedAtMs: Date.now() }, Buffer.from(`body of ${path}`)).catch(() => undefined);
        }, 80);
      },
      Purge: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {}),
      Stats: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {}),
    } as unknown as grpc.UntypedServiceImplementation);
    originAddress = `127.0.0.1:${await origin.listen('127.0.0.1', 0)}`;
    origin.setServing(true);
    node = await startTierNode({
      id: 'shield-1',
      role: 'shield',
      region: 'eu',
      grpc: { host: '127.0.0.1', port: 0 },
      cache: SETTINGS,
      key: {},
      parents: [{ id: 'origin', address: originAddress, link: { latencyMs: 0, jitterMs: 0, loss: 0 } }],
      token: TOKEN,
      hostnames: ['cdn.test'],
      upstreamTimeoutMs: 5000,
      shutdownGraceMs: 200,
    });
    node.rpc.setServing(true);
    const address = `127.0.0.1:${node.grpcPort}`;
    tier = createTierClient(address);
    admin = createTierAdminClient(address, { token: TOKEN });
    anonymous = createTierAdminClient(address);
  });

  afterAll(async () => {
    tier?.close();
    admin?.close();
    anonymous?.close();
    await node?.stop(200);
    await origin?.shutdown(200);
  });

  const get = (target: string) => readFetchReply(tier.fetch({ method: 'GET', scheme: 'http', authority: 'cdn.test', target, cacheKey: '', requestId: target }, callOptions(5000)));
  const setCache = (r: SetCacheSettingsRequest) => unaryCall<TierState__Output>((cb) => admin.SetCacheSettings(r, callOptions(5000), cb));
  const herd = async (target: string, n: number) => {
    const before = fetches.get(target) ?? 0;
    const answers = await Promise.all(Array.from({ length: n }, () => get(target)));
    for (const a of answers) expect(a.head.status).toBe(200);
    return (fetches.get(target) ?? 0) - before;
  };

  it('refuses calls without the token', async () => {
    const err = await unaryCall((cb) => anonymous.GetState({}, callOptions(5000), cb)).catch((e: unknown) => fromServiceError(e));
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reports the applied state', async () => {
    const s = await unaryCall<TierState__Output>((cb) => admin.GetState({}, callOptions(5000), cb));
    expect(s.nodeId).toBe('shield-1');
    expect(s.cache?.collapsing).toBe('wait');
    expect(s.cache?.capacityBytes).toBe(SETTINGS.capacityBytes);
    expect(s.links).toEqual([{ parentId: 'origin', latencyMs: 0, jitterMs: 0, loss: 0, down: false, cut: false }]);
  });

  it('switches collapsing off and on at run time: a herd costs the origin one fetch, then one each, then one', async () => {
    expect(await herd('/herd-1', 8)).toBe(1);
    const off = await setCache({ collapsing: 'off' });
    expect(off.cache?.collapsing).toBe('off');
    expect(off.storeRebuilt).toBe(false);
    expect(await herd('/herd-2', 8)).toBe(8);
    await setCache({ collapsing: 'wait' });
    expect(await herd('/herd-3', 8)).toBe(1);
  });

  it('forces a TTL on matching paths stored from now on (ttl-override)', async () => {
    await get('/stale/a');
    await get('/stale/a');
    expect(fetches.get('/stale/a')).toBe(2); // stale at once: the second use revalidates
    const s = await setCache({ ttlOverrides: [{ match: '/stale/**', ttlMs: 60_000 }] });
    expect(s.ttlOverrides).toEqual([{ match: '/stale/**', ttlMs: 60_000 }]);
    await get('/stale/b');
    await get('/stale/b');
    await get('/stale/b');
    expect(fetches.get('/stale/b')).toBe(1);
    const cleared = await setCache({ clearTtlOverrides: true });
    expect(cleared.ttlOverrides).toEqual([]);
  });

  it('clears its store without a purge rule', async () => {
    await get('/clear-me');
    const r = await unaryCall<ClearCacheReply__Output>((cb) => admin.ClearCache({}, callOptions(5000), cb));
    expect(r.nodeId).toBe('shield-1');
    expect(r.objectsRemoved).toBeGreaterThan(0);
    expect(node.cache.stats().objects).toBe(0);
    await get('/clear-me');
    expect(fetches.get('/clear-me')).toBe(2);
  });

  it('rebuilds the store when capacity changes and says so', async () => {
    await get('/keep');
    const s = await setCache({ capacityBytes: 1 << 22 });
    expect(s.storeRebuilt).toBe(true);
    expect(s.cache?.capacityBytes).toBe(1 << 22);
    expect(node.cache.stats().objects).toBe(0);
  });

  it('refuses bad values with INVALID_ARGUMENT naming the field, changing nothing', async () => {
    const wire = (e: unknown) => (e as { cause: grpc.ServiceError }).cause;
    const err = await setCache({ collapsing: 'maybe', capacityBytes: 5 }).catch((e: unknown) => e);
    expect(wire(err).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wire(err).details).toMatch(/^collapsing: expected one of off, wait, lock-timeout/);
    const linkErr = await unaryCall((cb) => admin.SetLinks({ parentIds: ['nope'], latencyMs: 5 }, callOptions(5000), cb)).catch((e: unknown) => e);
    expect(wire(linkErr).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wire(linkErr).details).toMatch(/^parent_ids\[0\]: "nope" is not a parent of shield-1/);
    const s = await unaryCall<TierState__Output>((cb) => admin.GetState({}, callOptions(5000), cb));
    expect(s.cache?.collapsing).toBe('wait');
    expect(s.links[0].latencyMs).toBe(0);
  });

  it('slows and cuts the link to its parent, then restores it', async () => {
    const slow = await unaryCall<TierState__Output>((cb) => admin.SetLinks({ latencyMs: 150 }, callOptions(5000), cb));
    expect(slow.links).toEqual([{ parentId: 'origin', latencyMs: 150, jitterMs: 0, loss: 0, down: false, cut: false }]);
    let t0 = performance.now();
    await get('/slow-link');
    // request and answer each cross the link once, plus the origin's 80 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);
    await unaryCall((cb) => admin.SetLinks({ parentIds: ['origin'], down: true, latencyMs: 0 }, callOptions(5000), cb));
    const err = await get('/cut-link').catch((e: unknown) => fromServiceError(e));
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await unaryCall((cb) => admin.SetLinks({ down: false }, callOptions(5000), cb));
    t0 = performance.now();
    expect((await get('/cut-link')).head.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(300);
  });

  it('partitions the link to its parent (cut): a fill waits, no refusal, and is answered after the link is back', async () => {
    const cut = await unaryCall<TierState__Output>((cb) => admin.SetLinks({ cut: true }, callOptions(5000), cb));
    expect(cut.links[0]).toMatchObject({ parentId: 'origin', cut: true, down: false });
    const t0 = performance.now();
    const fill = get('/partitioned');
    await new Promise((r) => setTimeout(r, 800));
    await unaryCall((cb) => admin.SetLinks({ cut: false }, callOptions(5000), cb));
    const answer = await fill;
    expect(answer.head.status).toBe(200);
    // Sent at 0, held until 800 ms, through at the retransmission at 1400 ms.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1400);
  });
});
