import { startControl, type ControlHandle, type PurgeReportEntry } from '../src';
import { TREE, closedAddress, startFakeTier, type FakeTier } from './fake-tier';
import { baseConfig, captureLogger, postJson, treeNodes } from './support';

// Purge fan-out end to end: the control plane over real HTTP, 7 fake tier
// nodes over real gRPC on loopback, each taking DELAY ms to apply a purge.

const DELAY = 40;
const fakes = new Map<string, FakeTier>();
const controls: ControlHandle[] = [];

beforeAll(async () => {
  for (const n of TREE) fakes.set(n.id, await startFakeTier(n.id, { delayMs: DELAY }));
});
// Each test stops its control planes: a node that failed is called again a
// second later, and that call must not land in the next test's fakes.
afterEach(async () => {
  await Promise.all(controls.splice(0).map((c) => c.stop()));
});
afterAll(async () => {
  await Promise.all([...fakes.values()].map((f) => f.close()));
});
beforeEach(() => {
  for (const f of fakes.values()) {
    f.purges.length = 0;
    f.hang = false;
    f.failWith = undefined;
  }
});

async function control(extra: Record<string, unknown> = {}, addresses: Record<string, string> = {}): Promise<ControlHandle> {
  const c = await startControl(baseConfig(treeNodes(fakes, addresses), extra), { logger: captureLogger().logger });
  controls.push(c);
  return c;
}

async function purge(c: ControlHandle, body: Record<string, unknown>): Promise<{ report: PurgeReportEntry; elapsed: number }> {
  const t0 = Date.now();
  const res = await postJson(c.httpPort, '/purge', body, c.token);
  expect(res.status).toBe(200);
  return { report: res.json as PurgeReportEntry, elapsed: Date.now() - t0 };
}

const ack = (r: PurgeReportEntry, id: string) => {
  const a = r.acks.find((x) => x.nodeId === id);
  if (!a) throw new Error(`no ack for ${id}`);
  return a;
};

describe('direct fan-out', () => {
  it('calls all 7 nodes at once and reports 7 acks with their delays', async () => {
    const c = await control();
    const { report } = await purge(c, { kind: 'tag', value: 'product-42', mode: 'soft', fanout: 'direct' });

    expect(report.acks.map((a) => a.nodeId)).toEqual(TREE.map((n) => n.id));
    expect(report.failed).toBe(0);
    expect(report.redelivering).toBe(0);
    for (const a of report.acks) {
      expect(a.error).toBe('');
      expect(a.attempts).toBe(1);
      expect(a.via).toBe('control');
      expect(a.delayMs).toBe(a.appliedAtMs - report.purgeAtMs);
      expect(a.delayMs).toBeGreaterThanOrEqual(DELAY - 2); // timer slack
      expect(a.objectsAffected).toBe(3);
    }
    // Concurrent: every node got its call before the first one could have
    // finished applying (one after the other, the last would arrive 6 × DELAY
    // after the first). The wall time of the whole call is not asserted: on a
    // busy CI machine the first calls' connection set-up alone varies by more
    // than DELAY.
    const received = [...fakes.values()].map((f) => f.purges[0].receivedAtMs);
    expect(Math.max(...received) - Math.min(...received)).toBeLessThan(DELAY);

    for (const f of fakes.values()) {
      expect(f.purges).toHaveLength(1);
      const req = f.purges[0].request;
      expect(f.purges[0].caller).toBe('control');
      expect(req).toMatchObject({ kind: 'PURGE_KIND_TAG', value: 'product-42', mode: 'PURGE_MODE_SOFT', purgeId: report.purgeId, purgeAtMs: report.purgeAtMs });
      expect(req.forward).toEqual([]);
    }
  });

  it('records a down node as an error and still purges the others', async () => {
    const c = await control({}, { e4: await closedAddress() });
    const { report } = await purge(c, { kind: 'url', value: 'https://cdn.cdnlab.test/a.css' });
    expect(report.applied).toBe(6);
    expect(ack(report, 'e4').error).toMatch(/^UPSTREAM_UNAVAILABLE: /);
    expect(ack(report, 'e4').delayMs).toBe(0);
    expect(ack(report, 'e4').attempts).toBe(1);
    // It will be called again (control-purge-redelivery.test.ts); the answer says so.
    expect(report.redelivering).toBe(1);
    expect(ack(report, 'e3').error).toBe('');
  });

  it('returns within its deadline when a node hangs', async () => {
    const c = await control({ rpcTimeoutMs: 500 });
    (fakes.get('e3') as FakeTier).hang = true;
    const { report, elapsed } = await purge(c, { kind: 'all' });
    expect(elapsed).toBeLessThan(500 + 700);
    expect(ack(report, 'e3').error).toMatch(/^UPSTREAM_TIMEOUT: /);
    expect(report.applied).toBe(6);
  });
});

describe('tree fan-out', () => {
  it('calls only the shield; shield applies before regionals before edges', async () => {
    const c = await control({ defaultFanout: 'tree' });
    const { report } = await purge(c, { kind: 'prefix', value: 'https://cdn.cdnlab.test/img/' }); // default fan-out

    expect(report.fanout).toBe('tree');
    expect(report.acks.map((a) => a.nodeId)).toEqual(TREE.map((n) => n.id));
    expect(report.failed).toBe(0);
    const at = (role: string) => report.acks.filter((a) => a.role === role).map((a) => a.appliedAtMs);
    expect(Math.max(...at('shield'))).toBeLessThan(Math.min(...at('regional')));
    expect(Math.max(...at('regional'))).toBeLessThan(Math.min(...at('edge')));
    // One hop per level: an edge's delay covers three nodes' work.
    for (const a of report.acks.filter((x) => x.role === 'edge')) expect(a.delayMs).toBeGreaterThanOrEqual(3 * DELAY - 5);

    // Who called whom: the control plane only the shield, then down the tree.
    const callers = Object.fromEntries([...fakes.values()].map((f) => [f.id, f.purges.map((p) => p.caller)]));
    expect(callers).toEqual({ s1: ['control'], r1: ['s1'], r2: ['s1'], e1: ['r1'], e2: ['r1'], e3: ['r2'], e4: ['r2'] });
    expect(ack(report, 'e1').via).toBe('r1');
    expect(ack(report, 'r2').via).toBe('s1');
    expect(ack(report, 's1').via).toBe('control');
    // The route list travels whole: every node below the shield, with its forwarder.
    const routes = (fakes.get('s1') as FakeTier).purges[0].request.forward;
    expect(routes.map((r) => `${r.via}->${r.nodeId}`).sort()).toEqual(['r1->e1', 'r1->e2', 'r2->e3', 'r2->e4', 's1->r1', 's1->r2']);
  });

  it('reaches the edges under a down regional by calling them directly', async () => {
    const c = await control({ defaultFanout: 'tree' }, { r2: await closedAddress() });
    const { report } = await purge(c, { kind: 'tag', value: 't' });
    expect(ack(report, 'r2').error).toMatch(/UPSTREAM_UNAVAILABLE/);
    expect(ack(report, 'r2').via).toBe('s1');
    for (const id of ['e3', 'e4']) {
      expect(ack(report, id)).toMatchObject({ error: '', fallback: true, via: 'control' });
      expect((fakes.get(id) as FakeTier).purges.map((p) => p.caller)).toEqual(['control']);
    }
    expect(ack(report, 'e1')).toMatchObject({ error: '', fallback: false, via: 'r1' });
    expect(report.applied).toBe(6);
  });

  it('keeps every healthy ack when a leaf hangs, and returns within the deadline', async () => {
    const c = await control({ rpcTimeoutMs: 800, defaultFanout: 'tree' });
    (fakes.get('e4') as FakeTier).hang = true;
    const { report, elapsed } = await purge(c, { kind: 'url', value: '/x' });
    expect(elapsed).toBeLessThan(800 + 700);
    // r2 gave e4 a share of its time, so r2 still answered with e3's ack.
    expect(ack(report, 'e4').error).toMatch(/UPSTREAM_TIMEOUT/);
    expect(ack(report, 'e4').via).toBe('r2');
    expect(report.acks.filter((a) => a.error === '').map((a) => a.nodeId)).toEqual(['s1', 'r1', 'r2', 'e1', 'e2', 'e3']);
  });

  it('falls back to calling every other node itself when the shield is down', async () => {
    const c = await control({ rpcTimeoutMs: 600, defaultFanout: 'tree' }, { s1: await closedAddress() });
    const { report } = await purge(c, { kind: 'all', fanout: 'tree' });
    expect(ack(report, 's1').error).toMatch(/UPSTREAM_UNAVAILABLE/);
    // The rest were reached by the fallback.
    expect(report.acks.filter((a) => a.fallback).map((a) => a.nodeId)).toEqual(['r1', 'r2', 'e1', 'e2', 'e3', 'e4']);
    expect(report.applied).toBe(6);
  });
});

describe('node auth', () => {
  it('sends nodeToken to nodes that require one; without it they refuse and the report says so', async () => {
    const locked = await startFakeTier('x1', { token: 'node-secret-abc' });
    const nodes = [{ id: 'x1', role: 'edge', region: 'eu', grpcAddress: locked.address, parents: [] }];
    try {
      const withToken = await startControl(baseConfig(nodes, { nodeToken: 'node-secret-abc' }), { logger: captureLogger().logger });
      const without = await startControl(baseConfig(nodes), { logger: captureLogger().logger });
      controls.push(withToken, without);
      expect((await purge(withToken, { kind: 'all' })).report.acks[0]).toMatchObject({ nodeId: 'x1', error: '' });
      expect((await purge(without, { kind: 'all' })).report.acks[0].error).toMatch(/^UNAUTHENTICATED: /);
      expect(locked.purges).toHaveLength(1); // the refused call never reached the handler
    } finally {
      await locked.close();
    }
  });
});
