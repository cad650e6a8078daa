import { DEFAULT_TOPOLOGY } from '@cdnlab/launcher';
import { loadTopologyFile } from '@cdnlab/scenario';
import type { ClusterApi, PurgeReportJson } from './cluster-api';
import { linkHops, runTimelineEvent, VersionClock, type TimelineContext } from './timeline-embedded';

const T = loadTopologyFile(DEFAULT_TOPOLOGY);
const hops = (from: string, to: string, oneWay = false) => {
  const h = linkHops(T, { from, to, oneWay });
  return { byNode: Object.fromEntries(h.byNode), clientHops: h.clientHops, reverseOnly: h.reverseOnly };
};

describe('linkHops', () => {
  it('finds the node->parent hops a role@region selector names', () => {
    expect(hops('edge@na', 'regional-na')).toEqual({ byNode: { 'edge-na-1': ['regional-na'], 'edge-na-2': ['regional-na'] }, clientHops: 0, reverseOnly: 0 });
  });

  it('matches a hop named parent->child too, counting it when the event is one-way', () => {
    expect(hops('shield', 'regional')).toEqual({ byNode: { 'regional-na': ['shield'], 'regional-eu': ['shield'], 'regional-apac': ['shield'] }, clientHops: 0, reverseOnly: 0 });
    expect(hops('shield', 'regional', true).reverseOnly).toBe(3);
    expect(hops('regional', 'shield', true).reverseOnly).toBe(0);
  });

  it('counts client hops, which the embedded engine cannot change', () => {
    // eu clients may be sent to any edge: six client->edge hops
    expect(hops('client@eu', 'edge')).toEqual({ byNode: {}, clientHops: 6, reverseOnly: 0 });
    // anything in eu <-> the eu edges: their clients, and their regional (a parent, named the other way)
    expect(hops('@eu', 'edge@eu')).toEqual({ byNode: { 'edge-eu-1': ['regional-eu'], 'edge-eu-2': ['regional-eu'] }, clientHops: 2, reverseOnly: 0 });
  });

  it('reaches the origin through the shield', () => {
    expect(hops('shield', 'origin').byNode).toEqual({ shield: ['origin'] });
    expect(hops('edge', 'origin').byNode).toEqual({});
  });

  it('names a bad selector', () => {
    expect(() => linkHops(T, { from: 'edgy', to: 'origin', oneWay: false })).toThrow(/unknown link endpoint "edgy"/);
  });
});

describe('the purge event', () => {
  // A control plane whose fan-out answers after its whole 5 s deadline, one node not having acknowledged it.
  const run = async (redeliver: boolean) => {
    let now = 3000;
    const sent: unknown[] = [];
    const report: PurgeReportJson = {
      purgeId: 'p1',
      redelivering: redeliver ? 1 : 0,
      acks: [
        { nodeId: 'edge-na-1', role: 'edge', appliedAtMs: 0, delayMs: 0, objectsAffected: 0, error: 'UPSTREAM_TIMEOUT: Deadline exceeded', attempts: 1 },
        { nodeId: 'edge-na-2', role: 'edge', appliedAtMs: 1, delayMs: 12, objectsAffected: 4, error: '', attempts: 1 },
      ],
    };
    const api = {
      purge: async (cmd: unknown) => {
        sent.push(cmd);
        now += 5000;
        return report;
      },
    } as unknown as ClusterApi;
    const topology = { ...T, control: { ...T.control, redeliver } };
    const ctx = { topology, api, elapsedMs: () => now } as unknown as TimelineContext;
    const out = await runTimelineEvent({ atMs: 3000, action: 'purge', tag: 'news', soft: false }, ctx, new VersionClock(undefined));
    return { out, sent };
  };

  it('is recorded at the instant it was issued, not when the fan-out answered', async () => {
    const { out, sent } = await run(true);
    expect(sent).toEqual([{ kind: 'tag', value: 'news', mode: 'hard', fanout: 'direct', redeliver: true }]);
    expect(out.purge).toMatchObject({ atMs: 3000, kind: 'tag', value: 'news' });
    expect(out.purge?.acks).toEqual([
      { nodeId: 'edge-na-1', role: 'edge', delayMs: 0, objectsAffected: 0, error: 'UPSTREAM_TIMEOUT: Deadline exceeded', attempts: 1 },
      { nodeId: 'edge-na-2', role: 'edge', delayMs: 12, objectsAffected: 4, attempts: 1 },
    ]);
    expect(out.purgeId).toBe('p1');
  });

  it('is not a failure while the control plane calls the node again; without redelivery it is', async () => {
    const again = await run(true);
    expect(again.out).toMatchObject({ ok: true, detail: expect.stringContaining('1 did not acknowledge it (the control plane calls it again until taken)') });
    const once = await run(false);
    expect(once.sent).toEqual([expect.objectContaining({ redeliver: false })]);
    expect(once.out.ok).toBe(false);
    expect(once.out.detail).toMatch(/1 did not acknowledge it$/);
  });
});
