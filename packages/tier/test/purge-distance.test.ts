/**
 * A purge reaches a tier node after the latency of the link it crossed, as
 * content does: from the control plane (config.controlLink), or from the
 * parent that passed it on in a tree fan-out (that parent's link). Real gRPC
 * on loopback; the parent is a bare Tier server that only has to exist.
 */
import { createServer, type Server } from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import {
  callOptions,
  createRpcServer,
  createTierClient,
  loadProtos,
  readFetchReply,
  unaryCall,
  writeFetchReply,
  type FetchServerCall,
  type PurgeReply__Output,
  type PurgeRequest,
  type RpcServer,
  type TierClient,
} from '@cdnlab/rpc';
import { startTierNode, type RunningTierNode } from '../src';
import { testCacheSettings } from '../src/cache-settings.test-fixture';

const TOKEN = 'purge-distance-test-token';

describe('purge travel time on a tier node', () => {
  let parent: RpcServer;
  let node: RunningTierNode;
  let client: TierClient;

  beforeAll(async () => {
    parent = createRpcServer();
    const nothing = (_c: unknown, cb: grpc.sendUnaryData<unknown>): void => cb(null, {});
    parent.addService(loadProtos().tier.Tier.service, { Fetch: () => undefined, Purge: nothing, Stats: nothing } as unknown as grpc.UntypedServiceImplementation);
    const parentAddress = `127.0.0.1:${await parent.listen('127.0.0.1', 0)}`;
    parent.setServing(true);
    node = await startTierNode({
      id: 'regional-apac',
      role: 'regional',
      region: 'apac',
      grpc: { host: '127.0.0.1', port: 0 },
      cache: testCacheSettings({ capacityBytes: 1 << 20 }),
      key: {},
      parents: [{ id: 'shield', address: parentAddress, link: { latencyMs: 60, jitterMs: 0, loss: 0 } }],
      controlLink: { latencyMs: 300, jitterMs: 0 },
      token: TOKEN,
      hostnames: ['cdn.test'],
      shutdownGraceMs: 200,
    });
    node.rpc.setServing(true);
    client = createTierClient(`127.0.0.1:${node.grpcPort}`, { token: TOKEN });
  });

  afterAll(async () => {
    client?.close();
    await node?.stop(200);
    await parent?.shutdown(200);
  });

  const purge = async (purgeId: string, forward: PurgeRequest['forward'] = []): Promise<{ reply: PurgeReply__Output; afterMs: number }> => {
    const purgeAtMs = Date.now();
    const reply = await unaryCall<PurgeReply__Output>((cb) => client.purge({ kind: 'PURGE_KIND_ALL', mode: 'PURGE_MODE_HARD', purgeAtMs, purgeId, forward }, callOptions(5000), cb));
    return { reply, afterMs: Number(reply.appliedAtMs) - purgeAtMs };
  };

  it('applies a purge from the control plane after the control link latency', async () => {
    const { reply, afterMs } = await purge('p-direct');
    expect(reply.nodeId).toBe('regional-apac');
    expect(afterMs).toBeGreaterThanOrEqual(300);
  });

  it('applies a purge its parent passed on after that parent link latency, not the control link', async () => {
    const { afterMs } = await purge('p-tree', [{ nodeId: 'regional-apac', address: 'unused:1', via: 'shield' }]);
    expect(afterMs).toBeGreaterThanOrEqual(60);
    expect(afterMs).toBeLessThan(300);
  });

  it('answers a purge it already applied at once, without crossing the link again', async () => {
    const t0 = Date.now();
    const { reply } = await purge('p-direct');
    expect(Date.now() - t0).toBeLessThan(300);
    expect(reply.nodeId).toBe('regional-apac');
  });
});

describe('connections to children', () => {
  it('are opened at the first fetch, before any purge needs them', async () => {
    const parent = createRpcServer();
    const nothing = (_c: unknown, cb: grpc.sendUnaryData<unknown>): void => cb(null, {});
    const fetch = (call: FetchServerCall): void => {
      void writeFetchReply(call, { status: 200, headers: [{ name: 'cache-control', value: 'max-age=60' }], servedBy: 'origin', originFetchedAtMs: Date.now() }, Buffer.from('x')).catch(() => undefined);
    };
    parent.addService(loadProtos().tier.Tier.service, { Fetch: fetch, Purge: nothing, Stats: nothing } as unknown as grpc.UntypedServiceImplementation);
    const parentAddress = `127.0.0.1:${await parent.listen('127.0.0.1', 0)}`;
    parent.setServing(true);
    // The child is a bare TCP listener: all we ask is whether someone connects.
    let connections = 0;
    const child: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => child.listen(0, '127.0.0.1', resolve));
    const childPort = (child.address() as { port: number }).port;
    const node = await startTierNode({
      id: 'regional-na',
      role: 'regional',
      region: 'na',
      grpc: { host: '127.0.0.1', port: 0 },
      cache: testCacheSettings({ capacityBytes: 1 << 20 }),
      key: {},
      parents: [{ id: 'origin', address: parentAddress }],
      children: [`127.0.0.1:${childPort}`],
      token: TOKEN,
      hostnames: ['cdn.test'],
      shutdownGraceMs: 200,
    });
    node.rpc.setServing(true);
    const client = createTierClient(`127.0.0.1:${node.grpcPort}`);
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(connections).toBe(0);
      const answer = await readFetchReply(client.fetch({ method: 'GET', scheme: 'http', authority: 'cdn.test', target: '/a', cacheKey: '', requestId: 'r1' }, callOptions(5000)));
      expect(answer.head.status).toBe(200);
      const until = Date.now() + 3000;
      while (connections === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(connections).toBeGreaterThan(0);
    } finally {
      client.close();
      await node.stop(200);
      await parent.shutdown(200);
      await new Promise((r) => child.close(r));
    }
  });
});
