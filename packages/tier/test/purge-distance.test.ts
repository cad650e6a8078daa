/**
 * A purge reaches a tier node after the latency of the link it crossed, as
 * content does: from the control plane (config.controlLink), or from the
 * parent that passed it on in a tree fan-out (that parent's link). Real gRPC
 * on loopback; the parent is a bare Tier server that only has to exist.
 */
import type * as grpc from '@grpc/grpc-js';
import { callOptions, createRpcServer, createTierClient, loadProtos, unaryCall, type PurgeReply__Output, type PurgeRequest, type RpcServer, type TierClient } from '@cdnlab/rpc';
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
