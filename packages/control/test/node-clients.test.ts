import { callOptions, fromServiceError, unaryCall, type PurgeReply__Output, type PurgeRequest, type StatsReply__Output } from '@cdnlab/rpc';
import { NodeClients } from '../src/node-clients';
import type { ControlNode } from '../src/topology';
import { startFakeTier, type FakeTier } from './fake-tier';

const purge: PurgeRequest = { kind: 'PURGE_KIND_URL', value: '/a', mode: 'PURGE_MODE_HARD', purgeId: 'p1', forward: [] };

describe('NodeClients: one channel per node, renewed after a call times out or finds the node unavailable', () => {
  let fake: FakeTier;
  let clients: NodeClients;
  let node: ControlNode;
  beforeEach(async () => {
    fake = await startFakeTier('e1');
    clients = new NodeClients();
    node = { id: 'e1', role: 'edge', region: 'eu', grpcAddress: fake.address, parents: [] } as unknown as ControlNode;
  });
  afterEach(async () => {
    clients.close();
    await fake.close();
  });

  const stats = () => unaryCall<StatsReply__Output>((cb) => clients.get(node).Stats({}, callOptions(2000), cb));

  it('keeps the warm connection while calls succeed', async () => {
    const first = clients.get(node);
    await stats();
    await stats();
    expect(clients.get(node)).toBe(first);
    expect(new Set(fake.peers).size).toBe(1);
    expect(clients.renewed).toBe(0);
  });

  it('after a deadline, the next call rides a new connection', async () => {
    await stats();
    fake.hang = true;
    const err = await unaryCall<PurgeReply__Output>((cb) => clients.get(node).Purge(purge, callOptions(150), cb)).catch((e: unknown) => e);
    expect(fromServiceError(err).code).toBe('UPSTREAM_TIMEOUT');
    fake.hang = false;
    await stats();
    expect(clients.renewed).toBe(1);
    // stats, the timed-out purge, stats: the last from another local port.
    expect(fake.peers).toHaveLength(3);
    expect(fake.peers[1]).toBe(fake.peers[0]);
    expect(fake.peers[2]).not.toBe(fake.peers[0]);
    await stats();
    expect(fake.peers[3]).toBe(fake.peers[2]);
    expect(clients.renewed).toBe(1);
  });

  it('after a refusal, the next call tries again at once instead of failing in the backoff', async () => {
    // A node that is down, then back on the same port.
    const port = Number(fake.address.split(':')[1]);
    await fake.close();
    for (let i = 0; i < 4; i++) {
      const err = await stats().catch((e: unknown) => e);
      expect(fromServiceError(err).code).toBe('UPSTREAM_UNAVAILABLE');
      await new Promise((r) => setTimeout(r, 100));
    }
    fake = await startFakeTier('e1', { port });
    // The old channel, its backoff grown over four refusals, failed this at once ("No connection established").
    const reply = await stats();
    expect(reply.nodeId).toBe('e1');
    expect(clients.renewed).toBe(4);
  });
});
