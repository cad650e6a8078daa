import { evaluateExpectations, loadScenarioFile, parseExpectation, parseTopology, planWorkload, type CacheNode, type RunResultWithSnapshots, type ClientGroup, type RunResult, type Scenario, type TimelineEvent, type Topology, type Workload } from '@cdnlab/scenario';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimEngine, runSimulation, Simulation, SIM_STEP_MS } from './sim-engine';

const PATHS = `
        - { match: /hot, size: 1KiB, headers: { Cache-Control: "public, max-age=60" }, latency: 300ms }
        - { match: /api/**, size: 100B, headers: { Cache-Control: "public, max-age=1, stale-if-error=60" }, latency: 10ms }
        - { match: /**, size: 1KiB, headers: { Cache-Control: "public, max-age=2" }, latency: 20ms }`;

/** Two regions, exact link latencies (no jitter unless asked), control plane next to the origin in na. */
function topology(extra = '', paths = PATHS): Topology {
  return parseTopology(
    `
name: t
regions:
  - { name: na, cidrs: [127.10.0.0/16] }
  - { name: eu, cidrs: [127.20.0.0/16] }
distances: { na: { eu: 40 } }
defaults:
  shield: { cache: { collapsing: wait } }
edges: { perRegion: 2 }
nodes:
  - { id: regional-na, role: regional, region: na, parents: [shield] }
  - { id: regional-eu, role: regional, region: eu, parents: [shield] }
  - { id: shield, role: shield, region: na, parents: [origin] }
  - id: origin
    role: origin
    region: na
    site:
      paths:${paths}
links:
  - { from: edge, to: regional, latency: 15ms }
  - { from: regional, to: shield, latency: 30ms }
  - { from: regional@eu, to: shield, latency: 45ms }
  - { from: shield, to: origin, latency: 5ms }
${extra}
dns: { ttl: 5s, health: { interval: 1s, timeout: 500ms, fall: 2, rise: 2 } }
`,
    'test.yaml',
  );
}

function withCollapsing(t: Topology, mode: 'off' | 'wait'): Topology {
  const copy = structuredClone(t);
  for (const n of copy.nodes) if (n.role !== 'origin') (n as CacheNode).cache.collapsing = mode;
  return copy;
}

/** One edge in na whose parents are two regionals (regional-a, regional-b), each straight to the origin. */
function twoParentTopology(): Topology {
  return parseTopology(
    `
name: t2
regions:
  - { name: na, cidrs: [127.10.0.0/16] }
edges: { perRegion: 1, parents: [regional-a, regional-b] }
nodes:
  - { id: regional-a, role: regional, region: na, parents: [origin] }
  - { id: regional-b, role: regional, region: na, parents: [origin] }
  - id: origin
    role: origin
    region: na
    site:
      paths:${PATHS}
links:
  - { from: edge, to: regional, latency: 15ms }
  - { from: regional, to: origin, latency: 5ms }
`,
    'two-parents.yaml',
  );
}

function scenario(t: Topology, workload: Partial<Workload>, timeline: TimelineEvent[] = []): Scenario {
  return {
    file: 'test',
    name: 'test',
    title: 'test',
    description: 'test',
    variants: [{ name: 'v', topology: t }],
    workload: {
      seed: 1,
      durationMs: 10_000,
      clients: [],
      objects: { popularity: 'hot', keys: ['/hot'] },
      methods: { GET: 1, HEAD: 0, conditional: 0, POST: 0 },
      headers: {},
      ...workload,
    },
    timeline,
    expectations: [],
    quick: false,
    engines: ['sim'],
  };
}

const run = (s: Scenario, seed = 1): RunResult => runSimulation({ scenario: s, variant: s.variants[0], seed });

const burst = (region: string, size: number): ClientGroup => ({ region, count: size, rate: 1, arrival: 'burst', burst: { size, everyMs: 1_000_000 }, startMs: 0 });

describe('simulated engine: the thundering herd', () => {
  const herd = (mode: 'off' | 'wait') => run(scenario(withCollapsing(topology(), mode), { durationMs: 1000, clients: [burst('na', 500), burst('eu', 500)] }));

  it('with collapsing on every tier, 1,000 simultaneous misses cost the origin one request', () => {
    const r = herd('wait');
    expect(r.requests).toMatchObject({ sent: 1000, answered: 1000, errors: 0, unfinished: 0 });
    expect(r.requests.byStatus).toEqual({ 200: 1000 });
    expect(r.origin.requests).toBe(1);
    expect(r.origin.byPath).toEqual({ '/hot': 1 });
    const node = (id: string) => r.nodes.find((n) => n.id === id)!;
    // 4 edges forward one request each, the 2 regionals one each, the shield one.
    expect(node('shield').requests).toBe(2);
    expect(node('regional-na').requests).toBe(2);
    expect(node('edge-na-1').upstreamFetches).toBe(1);
    expect(r.nodes.filter((n) => n.role === 'edge').reduce((a, n) => a + n.collapsedWaiters, 0)).toBe(996);
  });

  it('without collapsing every miss goes all the way to the origin', () => {
    const r = herd('off');
    expect(r.requests.answered).toBe(1000);
    expect(r.origin.requests).toBe(1000);
    expect(r.nodes.every((n) => n.collapsedWaiters === 0)).toBe(true);
  });

  it('poisson traffic, an update and a purge: one origin fetch per fill with collapsing, a herd without', () => {
    // scenarios/thundering-herd.yaml in miniature: 3 regions' worth of traffic on one slow object.
    const herdScenario = (mode: 'off' | 'wait') =>
      scenario(
        withCollapsing(topology(), mode),
        { durationMs: 8000, clients: [{ region: 'na', count: 50, rate: 500, arrival: 'poisson', startMs: 0 }, { region: 'eu', count: 50, rate: 500, arrival: 'poisson', startMs: 0 }] },
        [
          { atMs: 4000, action: 'origin-update', path: '/hot' },
          { atMs: 4000, action: 'purge', url: '/hot', soft: false },
        ],
      );
    const on = run(herdScenario('wait'), 7);
    const off = run(herdScenario('off'), 7);
    expect(on.origin.byPath['/hot']).toBe(2);
    expect(off.origin.byPath['/hot']).toBeGreaterThan(50);
    expect(on.requests.errors + off.requests.errors).toBe(0);
    expect(on.requests.sent).toBe(off.requests.sent);
    // Collapsing: the origin sees the two fills and nothing else, in two moments.
    expect(on.series.originRequests.filter((v) => v > 0)).toHaveLength(2);
  });
});

describe('simulated engine: purge fan-out', () => {
  const purgeRun = (fanout: 'direct' | 'tree') =>
    run(
      scenario(topology(), { durationMs: 3000, clients: [{ region: 'na', count: 2, rate: 50, arrival: 'constant', startMs: 0 }, { region: 'eu', count: 2, rate: 50, arrival: 'constant', startMs: 0 }] }, [
        { atMs: 2000, action: 'purge', url: '/hot', soft: false, fanout },
      ]),
    );
  const delays = (r: RunResult) => Object.fromEntries(r.purges[0].acks.map((a) => [a.nodeId, a.delayMs]));

  it('direct: each node is reached after the one-way distance from the control plane', () => {
    const r = purgeRun('direct');
    expect(r.purges).toHaveLength(1);
    expect(r.purges[0]).toMatchObject({ atMs: 2000, kind: 'url', value: '/hot', mode: 'hard', fanout: 'direct' });
    expect(delays(r)).toEqual({ 'edge-na-1': 0, 'edge-na-2': 0, 'edge-eu-1': 40, 'edge-eu-2': 40, 'regional-na': 0, 'regional-eu': 40, shield: 0 });
    // Every node that had served /hot held it by then, and dropped it.
    for (const a of r.purges[0].acks) {
      expect(a.error).toBeUndefined();
      expect(a.objectsAffected).toBe(r.nodes.find((n) => n.id === a.nodeId)!.requests > 0 ? 1 : 0);
    }
    expect(r.purges[0].acks.filter((a) => a.objectsAffected === 1).length).toBeGreaterThanOrEqual(5);
  });

  it('tree: each node is reached after the sum of the link latencies down its branch', () => {
    const r = purgeRun('tree');
    expect(delays(r)).toEqual({ shield: 0, 'regional-na': 30, 'regional-eu': 45, 'edge-na-1': 45, 'edge-na-2': 45, 'edge-eu-1': 60, 'edge-eu-2': 60 });
    // After the purge the next requests refill: one more origin fetch for /hot.
    expect(r.origin.byPath['/hot']).toBe(2);
  });
});

describe('simulated engine: determinism and accounting', () => {
  const busy = () =>
    scenario(
      topology('  - { from: client, to: edge, latency: 1ms, jitter: 2ms, loss: 0.01 }\n  - { from: edge@eu, to: regional, latency: 10ms, jitter: 5ms }'),
      {
        durationMs: 8000,
        clients: [
          { region: 'na', count: 50, rate: 400, arrival: 'poisson', startMs: 0 },
          { region: 'eu', count: 50, rate: 300, arrival: 'poisson', startMs: 500 },
        ],
        objects: { popularity: 'zipf', alpha: 0.9, count: 300, path: '/api/{n}' },
        methods: { GET: 0.8, HEAD: 0.1, conditional: 0.05, POST: 0.05 },
      },
      [
        { atMs: 1500, action: 'origin-update', path: '/api/**' },
        { atMs: 2000, action: 'purge', prefix: '/api/', soft: true, fanout: 'tree' },
        { atMs: 2500, action: 'origin-fault', fault: 'error', status: 503, rate: 0.5, forMs: 1000 },
        { atMs: 3000, action: 'kill', node: 'edge-na-1' },
        { atMs: 6000, action: 'start', node: 'edge-na-1' },
        { atMs: 6500, action: 'ttl-override', match: '/api/**', ttlMs: 1000 },
      ],
    );

  it('same seed, byte-identical result; another seed, another result', () => {
    const a = JSON.stringify(run(busy(), 5));
    expect(JSON.stringify(run(busy(), 5))).toBe(a);
    expect(JSON.stringify(run(busy(), 6))).not.toBe(a);
  });

  it('gives the same result whether the caches file entries under key ids, under strings, or both (a table filling midway)', () => {
    const s = busy();
    const withIds = (maxKeyIds?: number) => JSON.stringify(runSimulation({ scenario: s, variant: s.variants[0], seed: 5, maxKeyIds }));
    const a = withIds();
    expect(withIds(0)).toBe(a);
    expect(withIds(40)).toBe(a);
    expect(() => withIds(-1)).toThrow('expected opts.maxKeyIds to be an integer from 0 to 2^24, got -1');
  });

  it('accounts for every request and every origin request', () => {
    const r = run(busy(), 5);
    const q = r.requests;
    expect(q.sent).toBeGreaterThan(4000);
    expect(q.answered + q.errors + q.unfinished).toBe(q.sent);
    // Virtual time is never late.
    expect(r.loadLagMs).toBeUndefined();
    // Outcomes and latency are the answers' (as the embedded engine counts them); errors have only a kind.
    expect(Object.values(q.byResult).reduce((a, b) => a + b, 0)).toBe(q.answered);
    expect(Object.values(r.latency).reduce((a, l) => a + l.count, 0)).toBe(q.answered);
    expect(Object.values(q.byGroup).reduce((a, g) => a + g.latency.count, 0)).toBe(q.answered);
    expect(Object.values(q.byError).reduce((a, b) => a + b, 0)).toBe(q.errors);
    expect(Object.values(r.origin.byPath).reduce((a, b) => a + b, 0)).toBe(r.origin.requests);
    expect(r.series.requests.reduce((a, b) => a + b, 0)).toBe(q.sent);
    expect(r.series.originRequests.reduce((a, b) => a + b, 0)).toBe(r.origin.requests);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(r.series.errors)).toBe(q.errors);
    const fiveXX = Object.entries(q.byStatus).filter(([code]) => Number(code) >= 500);
    expect(fiveXX.length).toBeGreaterThan(0);
    expect(sum(r.series.serverErrors)).toBe(fiveXX.reduce((a, [, n]) => a + n, 0));
    // The fault hit about half the origin's requests for a second; stale-if-error covered some.
    expect(r.origin.byKind['fault:error']).toBeGreaterThan(0);
    expect(r.origin.byKind.post).toBeGreaterThan(0);
    expect(q.byStatus['201']).toBeGreaterThan(0);
    expect(r.timeline.map((t) => [t.action, t.ok])).toEqual([
      ['origin-update', true],
      ['purge', true],
      ['origin-fault', true],
      ['kill', true],
      ['origin-fault', true],
      ['start', true],
      ['ttl-override', false],
    ]);
    expect(Object.keys(r.latency)).toEqual(['eu', 'na']);
    expect(r.latency.na.p50).toBeLessThanOrEqual(r.latency.na.p99);
  });

  it('the async Engine gives the same result and reports progress', async () => {
    const s = busy();
    const seen: number[] = [];
    const r = await createSimEngine({ progressEveryMs: 0 }).run({ scenario: s, variant: s.variants[0], seed: 5, onProgress: (p) => seen.push(p.sent) });
    expect(JSON.stringify(r)).toBe(JSON.stringify(run(busy(), 5)));
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[seen.length - 1]).toBe(r.requests.sent);
  });
});

describe("simulated engine: a node's cache is made when something first reaches it", () => {
  // Clients in na only: nothing reaches eu's edges or regional.
  const naOnly = (timeline: TimelineEvent[] = []) =>
    scenario(topology(), { durationMs: 3000, clients: [{ region: 'na', count: 20, rate: 50, arrival: 'poisson', startMs: 0 }], objects: { popularity: 'zipf', alpha: 0.9, count: 50, path: '/o/{n}' } }, timeline);
  const drive = (s: Scenario) => {
    const sim = new Simulation({ scenario: s, variant: s.variants[0], seed: 3 });
    const atStart = sim.cachesMade();
    const result = sim.run();
    return { sim, atStart, result };
  };

  it('makes none at the start and only those of the nodes traffic reached; the others report zeros', () => {
    const { sim, atStart, result } = drive(naOnly());
    expect(atStart).toEqual([]);
    expect(result.requests.answered).toBeGreaterThan(100);
    const made = sim.cachesMade();
    expect(made).toEqual(expect.arrayContaining(['regional-na', 'shield']));
    expect(made.some((id) => id.startsWith('edge-na'))).toBe(true);
    expect(made.filter((id) => id.includes('eu'))).toEqual([]);
    for (const n of result.nodes.filter((x) => x.id.includes('eu'))) {
      expect(n).toMatchObject({ requests: 0, hits: 0, misses: 0, objects: 0, bytes: 0, evictions: 0, revalidations: 0, collapsedWaiters: 0, upstreamFetches: 0 });
    }
    const shield = result.nodes.find((x) => x.id === 'shield')!;
    expect(shield.objects).toBeGreaterThan(10);
  });

  it('a purge reaches every node, made or not, and a restarted node starts with none', () => {
    const { sim, result } = drive(naOnly([{ atMs: 1000, action: 'purge', prefix: '/o/', soft: false, fanout: 'direct' }]));
    expect(sim.cachesMade().filter((id) => id.includes('eu'))).toEqual(['edge-eu-1', 'edge-eu-2', 'regional-eu']);
    expect(result.purges[0].acks.filter((a) => a.nodeId.includes('eu')).map((a) => [a.nodeId, a.objectsAffected])).toEqual([['edge-eu-1', 0], ['edge-eu-2', 0], ['regional-eu', 0]]);
    const killed = drive(naOnly([{ atMs: 500, action: 'kill', node: 'regional-na' }, { atMs: 2999, action: 'start', node: 'regional-na' }]));
    expect(killed.sim.cachesMade()).not.toContain('regional-na');
    // Its answers before the kill are still counted.
    expect(killed.result.nodes.find((x) => x.id === 'regional-na')!.requests).toBeGreaterThan(0);
  });
});

describe('simulated engine: trace replay', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdnlab-sim-trace-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // One object (max-age=1) asked for at 0, 0.5, 3, 3.5 and 6 s of the trace.
  const traced = (timing: 'trace' | 'clients') => {
    const file = join(dir, 'api.csv');
    writeFileSync(file, 'time,key\n20000,/api/x\n20500,/api/x\n23000,/api/x\n23500,/api/x\n26000,/api/x\n');
    return scenario(topology(), { clients: [{ region: 'na', count: 1, rate: 100, arrival: 'constant', startMs: 0 }], objects: { popularity: 'trace', file, format: 'csv', timing } });
  };

  it("at the trace's own times, expiry happens between its requests as it did when recorded", () => {
    const r = run(traced('trace'));
    expect(r.requests).toMatchObject({ sent: 5, answered: 5, errors: 0 });
    // A fetch at 0 s, then 3 s and 6 s: max-age=1 ran out before each.
    expect(r.origin.byPath['/api/x']).toBe(3);
    expect(r.requests.byResult).toMatchObject({ hit: 2 });
  });

  it("at the client groups' pace (100 req/s), the same five requests fit in one lifetime", () => {
    const r = run(traced('clients'));
    expect(r.requests).toMatchObject({ sent: 5, answered: 5, errors: 0 });
    expect(r.origin.byPath['/api/x']).toBe(1);
  });

  // oracleGeneral: 50 pairs of requests, the two of a pair in the same second
  // (half a second apart), a pair every 4,000 s: two days from first to last.
  const oracle = (name: string, idBase: number) => {
    const file = join(dir, name);
    const rec = Buffer.alloc(24);
    const records: Buffer[] = [];
    for (let j = 0; j < 100; j++) {
      rec.writeUInt32LE(Math.floor(j / 2) * 4000, 0);
      const id = idBase + (Math.floor(j / 2) % 20);
      rec.writeUInt32LE(id % 2 ** 32, 4);
      rec.writeUInt32LE(Math.floor(id / 2 ** 32), 8);
      rec.writeUInt32LE(1000, 12);
      rec.writeInt32LE(-1, 16);
      rec.writeInt32LE(-1, 20);
      records.push(Buffer.from(rec));
    }
    writeFileSync(file, Buffer.concat(records));
    return scenario(topology(), { durationMs: undefined, requests: 100, clients: [{ region: 'na', count: 1, rate: 100, arrival: 'constant', startMs: 0 }], objects: { popularity: 'trace', file, format: 'oracleGeneral' } });
  };

  it("replays two days of a trace whose ids run to 10^12: every request answered, the report's intervals widened to fit", () => {
    const r = run(oracle('large-ids.oracleGeneral', 1e12));
    expect(r.requests).toMatchObject({ sent: 100, answered: 100, errors: 0 });
    // The second of each pair finds the first's copy (max-age=2 s); when the
    // object comes back 20 pairs later, the copy has expired and is revalidated.
    expect(r.requests.byResult).toEqual({ hit: 50, miss: 20, revalidated: 30 });
    const s = r.series;
    expect(s.bucketMs).toBe(1_800_000); // 198,000 s in 110 half-hours (10-minute ones would be 330)
    expect(s.requests.length).toBeLessThanOrEqual(400);
    expect(s.requests.reduce((a, x) => a + x, 0)).toBe(100);
    expect(s.latencyByRegion.na.answers.reduce((a, x) => a + x, 0)).toBe(100);
    // The same trace with small ids gives the same answers.
    const small = run(oracle('small-ids.oracleGeneral', 0));
    expect(small.requests.byResult).toEqual(r.requests.byResult);
    expect(small.origin.requests).toBe(r.origin.requests);
    expect(small.series.bucketMs).toBe(s.bucketMs);
  });
});

describe('simulated engine: a sparse trace over a long span', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdnlab-sim-sparse-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // 200 requests for 20 objects, one every 72 minutes: ten days from first to last.
  const sparse = (timeline: TimelineEvent[] = []) => {
    const file = join(dir, 'sparse.csv');
    const lines = ['time,key'];
    for (let i = 0; i < 200; i++) lines.push(`${i * 4_320_000},/o/${i % 20}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return scenario(topology(), { durationMs: undefined, requests: 200, clients: [{ region: 'na', count: 1, rate: 1, arrival: 'constant', startMs: 0 }], objects: { popularity: 'trace', file, format: 'csv' } }, timeline);
  };
  /** Drives a run to the end with `next` choosing each step's end; returns the result and the steps taken. */
  const drive = (s: Scenario, next: (sim: Simulation) => number) => {
    const sim = new Simulation({ scenario: s, variant: s.variants[0], seed: 1 });
    let steps = 0;
    while (!sim.done) {
      sim.advance(next(sim));
      steps++;
    }
    return { result: JSON.stringify(sim.result()), steps };
  };

  it('jumps over the seconds in which nothing happens: the same result as stepping through every one, in a few steps per request', () => {
    const s = sparse();
    const jumping = drive(s, (sim) => sim.nextStepMs());
    const stepping = drive(s, (sim) => sim.scheduler.now() + SIM_STEP_MS);
    expect(jumping.result).toBe(stepping.result);
    expect(stepping.steps).toBeGreaterThan(859_000); // ten days of seconds
    expect(jumping.steps).toBeLessThan(200 * 4);
    expect(JSON.parse(jumping.result).requests).toMatchObject({ sent: 200, answered: 200, errors: 0 });
  });

  it('keeps probing edge health while a node event is to come, and fails over as before', () => {
    // An edge killed for a day in the middle, an hour after a request (health
    // sees it long before the next): its clients move to the other edge and back.
    const s = sparse([
      { atMs: 3 * 86_400_000 + 3_600_000, action: 'kill', node: 'edge-na-1' },
      { atMs: 4 * 86_400_000 + 3_600_000, action: 'start', node: 'edge-na-1' },
    ]);
    const jumping = drive(s, (sim) => sim.nextStepMs());
    const stepping = drive(s, (sim) => sim.scheduler.now() + SIM_STEP_MS);
    expect(jumping.result).toBe(stepping.result);
    // Probes every second until the edge is healthy again (4 days + rise), then none.
    expect(jumping.steps).toBeGreaterThan(4 * 86_400 + 3600);
    expect(jumping.steps).toBeLessThan(4 * 86_400 + 3600 + 200 * 4 + 10);
    const r = JSON.parse(jumping.result) as RunResult;
    expect(r.requests.errors).toBe(0);
    const e1 = r.nodes.find((n) => n.id === 'edge-na-1')!.requests;
    const e2 = r.nodes.find((n) => n.id === 'edge-na-2')!.requests;
    expect(e1 + e2).toBe(200);
    expect(e1).toBeGreaterThan(0);
    expect(e2).toBeGreaterThan(0);
  });
});

describe('simulated engine: failures in virtual time', () => {
  it('a disconnected edge: its clients wait, DNS moves new ones away, and what waited goes through after it is back, from its cache', () => {
    const timeline: TimelineEvent[] = [
      { atMs: 5000, action: 'disconnect', node: 'edge-na-1' },
      { atMs: 15_000, action: 'reconnect', node: 'edge-na-1' },
    ];
    const s = scenario(topology(), { durationMs: 25_000, clients: [{ region: 'na', count: 20, rate: 100, arrival: 'constant', startMs: 0 }], objects: { popularity: 'hot', keys: ['/hot'] } }, timeline);
    const r = run(s);
    expect(r.timeline.filter((t) => t.action === 'disconnect' || t.action === 'reconnect').every((t) => t.ok)).toBe(true);
    // No refusal and no reset: TCP kept the requests sent to it until it was
    // back (then at most 30 s after sending), and they were answered then.
    expect(r.requests.errors).toBe(0);
    expect(r.requests.answered).toBe(r.requests.sent);
    // Sent at 5 s: retransmitted at 5.2, 5.6, 6.4, 8.0, 11.2 and 17.6 s, the first after the reconnect.
    expect(r.latency.na.max).toBeGreaterThan(12_000);
    expect(r.latency.na.max).toBeLessThan(13_000);
    const e1 = r.series.byEdge['edge-na-1'];
    const at = (ms: number) => Math.floor(ms / r.series.bucketMs);
    expect(e1.slice(at(5100), at(15_000)).every((v) => v === 0)).toBe(true);
    expect(e1.slice(at(15_000), at(25_000)).some((v) => v > 0)).toBe(true);
    // DNS took it out meanwhile: the other edge answered most of the cut.
    const e2 = r.series.byEdge['edge-na-2'];
    expect(e2.slice(at(8000), at(15_000)).reduce((a, b) => a + b, 0)).toBeGreaterThan(500);
    // A killed edge restarts cold and fetches /hot (max-age=60) again; a
    // reconnected one still holds it.
    const killed = run(scenario(topology(), s.workload, timeline.map((e) => ({ ...e, action: e.action === 'disconnect' ? 'kill' : 'start' }) as TimelineEvent)));
    const fetches = (x: RunResult) => x.nodes.find((n) => n.id === 'edge-na-1')!.upstreamFetches;
    expect(fetches(r)).toBe(1);
    expect(fetches(killed)).toBe(2);
  });

  it('kill an edge: the requests it was handling are reset at that instant', () => {
    // /hot takes 300 ms at the origin, so an edge's first miss keeps its
    // clients waiting (collapsed) well past the event at 200 ms.
    const clients: ClientGroup[] = [{ region: 'na', count: 20, rate: 100, arrival: 'constant', startMs: 0 }];
    const s = (timeline: TimelineEvent[]) => scenario(topology(), { durationMs: 1000, clients, objects: { popularity: 'hot', keys: ['/hot'] } }, timeline);
    const calm = run(s([]));
    expect(calm.requests.byError).toEqual({});
    const r = run(s([{ atMs: 200, action: 'kill', node: 'edge-na-1' }]));
    const e1 = calm.nodes.find((n) => n.id === 'edge-na-1')!;
    // Everything edge-na-1 received before the event was still waiting for /hot: each is reset, none answered (a node counts its answers).
    const before = r.requests.byError.reset;
    expect(before).toBeGreaterThan(5);
    expect(before).toBeLessThan(e1.requests);
    expect(r.nodes.find((n) => n.id === 'edge-na-1')!.requests).toBe(0);
    // The resets land in the event's bucket; later clients of the edge find it unreachable.
    const at = Math.floor(200 / r.series.bucketMs);
    expect(r.series.errors[at]).toBeGreaterThanOrEqual(before);
    expect(r.series.errors.slice(0, at).every((v) => v === 0)).toBe(true);
    expect(r.requests.byError.connect).toBeGreaterThan(0);
  });

  it("disconnect an edge for good: its clients time out, those it had by their connections' keepalive 11 s later, those still sending 30 s after sending", () => {
    const clients: ClientGroup[] = [{ region: 'na', count: 20, rate: 100, arrival: 'constant', startMs: 0 }];
    const r = run(scenario(topology(), { durationMs: 1000, clients, objects: { popularity: 'hot', keys: ['/hot'] } }, [{ atMs: 200, action: 'disconnect', node: 'edge-na-1' }]));
    expect(Object.keys(r.requests.byError)).toEqual(['timeout']);
    // Its clients' requests until DNS moves them (the run ends first): about half of them.
    expect(r.requests.errors).toBeGreaterThan(30);
    expect(r.requests.errors).toBeLessThan(70);
    // The edge went on: it fetched /hot and answered what it had (counted), but the answers never got out.
    const e1 = r.nodes.find((n) => n.id === 'edge-na-1')!;
    expect(e1.upstreamFetches).toBe(1);
    expect(e1.requests).toBeGreaterThan(5);
    // Those requests' connections fail 11 s after the cut (1 s idle, then 10 probes 1 s apart); what was
    // sent to the edge after it left never reached it, and waits for the clients' 30 s.
    const ms = r.series.bucketMs;
    const bucket = (t: number) => Math.floor(t / ms);
    const failed = r.series.errors.map((n, i) => [i, n]).filter(([, n]) => n > 0);
    expect(failed[0]).toEqual([bucket(11_200), e1.requests]);
    expect(failed.slice(1).every(([i]) => i >= bucket(30_000))).toBe(true);
  });

  it('an edge killed while off its network: its clients hear the resets and refusals only once it is back', () => {
    const clients: ClientGroup[] = [{ region: 'na', count: 20, rate: 100, arrival: 'constant', startMs: 0 }];
    const r = run(
      scenario(topology(), { durationMs: 1000, clients, objects: { popularity: 'hot', keys: ['/hot'] } }, [
        { atMs: 200, action: 'disconnect', node: 'edge-na-1' },
        { atMs: 300, action: 'kill', node: 'edge-na-1' },
        { atMs: 1000, action: 'reconnect', node: 'edge-na-1' },
      ]),
    );
    // Reset when killed (at 300 ms: retransmitted at 500 and 900 ms, then 1.7 s); requests sent to it after
    // the cut reach it once it is back, and find nobody (refused).
    expect(r.requests.byError.reset).toBeGreaterThan(5);
    expect(r.requests.byError.connect).toBeGreaterThan(5);
    expect(Object.keys(r.requests.byError).sort()).toEqual(['connect', 'reset']);
    const ms = r.series.bucketMs;
    expect(r.series.errors.slice(0, Math.floor(1000 / ms)).every((n) => n === 0)).toBe(true);
    expect(r.series.errors[Math.floor(1700 / ms)]).toBeGreaterThanOrEqual(r.requests.byError.reset);
  });

  it('disconnect a regional: its edges wait for their deadline and answer 504 (not 502), and calls sent within 10 s of its return go through late', () => {
    // Misses all the way (max-age=2 over 200 objects) from 0 to 20 s; regional-na off its network from 2 s to 10 s.
    const r = run(
      scenario(
        topology(),
        { durationMs: 20_000, clients: [{ region: 'na', count: 20, rate: 20, arrival: 'constant', startMs: 0 }], objects: { popularity: 'uniform', count: 200, path: '/o/{n}' } },
        [
          { atMs: 2000, action: 'disconnect', node: 'regional-na' },
          { atMs: 10_000, action: 'reconnect', node: 'regional-na' },
        ],
      ),
    );
    expect(r.requests.errors).toBe(0);
    expect(r.requests.byStatus['502']).toBeUndefined();
    expect(r.requests.byStatus['504']).toBeGreaterThan(10);
    // A 504 after the whole deadline; answers to calls sent during the cut come at TCP's retransmissions after 10 s.
    const lat = r.series.latencyByRegion.na;
    const at = (ms: number) => Math.floor(ms / r.series.bucketMs);
    expect(Math.max(...lat.maxMs.slice(at(2100), at(3000)).map((v) => v ?? 0))).toBeGreaterThanOrEqual(10_000);
    const late = lat.maxMs.slice(at(5000), at(9500)).map((v) => v ?? 0);
    expect(late.some((v) => v > 1000 && v < 10_000)).toBe(true);
    expect(r.nodes.find((n) => n.id === 'regional-na')!.requests).toBeGreaterThan(0);
  });

  it('meets every expectation of scenarios/network-partition.yaml in its full profile (CI checks the quick one on both engines and in compose)', () => {
    const s = loadScenarioFile(join(__dirname, '..', '..', '..', 'scenarios', 'network-partition.yaml'));
    const results = s.variants.map((v) => runSimulation({ scenario: s, variant: v, seed: s.workload.seed }));
    const outcomes = evaluateExpectations(s.expectations, results);
    expect(outcomes.length).toBe(10); // one for every variant, seven for one each
    expect(outcomes.filter((o) => !o.ok).map((o) => `${o.variant} ${o.text}: ${o.actual}`)).toEqual([]);
    // No refusal in the simulator (it does not model gRPC keepalive; see the scenario). The old model
    // (a disconnected node refused at once) answered 502 in 40 ms.
    expect(results.map((r) => r.requests.byStatus['502'] ?? 0)).toEqual([0, 0, 0]);
  });

  it('meets every expectation of scenarios/client-directives.yaml in its full profile, and counts statuses per client group', () => {
    const s = loadScenarioFile(join(__dirname, '..', '..', '..', 'scenarios', 'client-directives.yaml'));
    const results = s.variants.map((v) => runSimulation({ scenario: s, variant: v, seed: s.workload.seed }));
    const outcomes = evaluateExpectations(s.expectations, results);
    expect(outcomes.filter((o) => !o.ok).map((o) => `${o.variant} ${o.text}: ${o.actual}`)).toEqual([]);
    for (const r of results) {
      const groups = Object.values(r.requests.byGroup);
      // Every answer is counted once by status in its group, and the groups add up to the run's own counts.
      for (const g of groups) expect(Object.values(g.byStatus).reduce((a, b) => a + b, 0)).toBe(g.answered);
      for (const [code, n] of Object.entries(r.requests.byStatus)) expect(groups.reduce((a, g) => a + (g.byStatus[code] ?? 0), 0)).toBe(n);
      // only-if-cached never reaches past the edge: every answer it got is a hit or a 504.
      const oic = r.requests.byGroup['only-if-cached'];
      expect((oic.byStatus['200'] ?? 0) + (oic.byStatus['504'] ?? 0)).toBe(oic.answered);
      expect(oic.byStatus['200']).toBe(oic.byResult.hit);
    }
    // proxy-revalidate binds every cache here (all shared): its run is must-revalidate's.
    expect(results[2].requests).toEqual(results[1].requests);
  });

  it('a purge reaches a disconnected node when it is back within the call deadline, else its ack says the deadline passed', () => {
    const purgeDuring = (backAtMs: number) =>
      run(
        scenario(topology(), { durationMs: 12_000, clients: [burst('na', 1)] }, [
          { atMs: 1000, action: 'disconnect', node: 'regional-eu' },
          { atMs: 1500, action: 'purge', prefix: '/', soft: false, fanout: 'direct' },
          { atMs: backAtMs, action: 'reconnect', node: 'regional-eu' },
        ]),
      ).purges[0].acks.find((a) => a.nodeId === 'regional-eu')!;
    // The purge reaches it at 1.5 s + 40 ms (eu is 40 ms from the control plane); back at 3 s, the retransmission at 4.54 s carries it.
    const back = purgeDuring(3000);
    expect(back.error).toBeUndefined();
    expect(back.delayMs).toBeGreaterThanOrEqual(3000);
    expect(back.delayMs).toBeLessThan(3200);
    // Back at 9 s: the first call's deadline passed at 6.54 s; the control
    // plane calls again 1 s later (7.54 s, there at 7.58 s), and that call's
    // retransmission at 10.58 s carries it.
    const late = purgeDuring(9000);
    expect(late).toMatchObject({ attempts: 2, delayMs: 9080 });
    expect(late.error).toBeUndefined();
  });

  describe('redelivery of a purge a node missed', () => {
    const T = (redeliver?: boolean) => topology(redeliver === undefined ? '' : `control: { redeliver: ${redeliver} }`);
    // One reader in na every 100 ms for /hot (max-age 60 s); the origin's version changes with the purge at 3 s.
    const readers: ClientGroup[] = [{ region: 'na', count: 10, rate: 10, arrival: 'constant', startMs: 0 }];
    const frozen = (redeliver?: boolean) =>
      run(
        scenario(T(redeliver), { durationMs: 30_000, clients: readers, watch: [{ name: 'old', header: 'etag', contains: '"v1-' }] }, [
          { atMs: 2000, action: 'pause', node: 'edge-na-1' },
          { atMs: 3000, action: 'origin-update', path: '/hot' },
          { atMs: 3000, action: 'purge', url: '/hot', soft: false, fanout: 'direct' },
          { atMs: 12_000, action: 'unpause', node: 'edge-na-1' },
        ]),
      );
    const ack = (r: RunResult, id: string) => r.purges[0].acks.find((a) => a.nodeId === id)!;

    it('an edge frozen past the call deadline reads the purge when it wakes, and a later call confirms it', () => {
      const r = frozen();
      // Calls at 3 s (deadline 8 s) and 9 s (deadline 14 s): both wait in its socket until it wakes at 12 s.
      // The first removes the page (its answer goes nowhere); the second, with the same purge id, is
      // answered from the node's record of it, as a tier answers a purge id it has seen.
      expect(ack(r, 'edge-na-1')).toMatchObject({ attempts: 2, delayMs: 9000, objectsAffected: 1 });
      expect(ack(r, 'edge-na-1').error).toBeUndefined();
      expect(ack(r, 'edge-na-2')).toMatchObject({ attempts: 1, objectsAffected: 1 });
      expect(r.requests.errors).toBe(0);
      expect(r.requests.watched.old.na).toBeLessThan(60);
    });

    it('without redelivery the ack stays a timeout, though the edge dropped the page when it woke', () => {
      const once = frozen(false);
      expect(ack(once, 'edge-na-1')).toMatchObject({ attempts: 1, error: 'deadline exceeded' });
      // The same answers as with redelivery: old ones only before the purge and those edge-na-1 held while frozen.
      expect(once.requests.watched).toEqual(frozen(true).requests.watched);
    });

    it('a purge call that reaches a node cut off past its deadline is applied when the node is back, its ack a timeout', () => {
      const r = run(
        scenario(T(false), { durationMs: 30_000, clients: readers }, [
          { atMs: 1000, action: 'disconnect', node: 'edge-na-1' },
          { atMs: 3000, action: 'purge', url: '/hot', soft: false, fanout: 'direct' },
          { atMs: 20_000, action: 'reconnect', node: 'edge-na-1' },
        ]),
      );
      expect(ack(r, 'edge-na-1')).toMatchObject({ attempts: 1, error: 'deadline exceeded' });
      // Its copy is gone after the reconnect: the next reader through it is a miss.
      const e1 = r.nodes.find((n) => n.id === 'edge-na-1')!;
      expect(e1.upstreamFetches).toBeGreaterThanOrEqual(2);
    });

    it('a node that never comes back is called on the schedule until the purge is ten minutes old, then given up', () => {
      const r = run(
        scenario(T(), { durationMs: 700_000, clients: [{ region: 'na', count: 1, rate: 0.01, arrival: 'constant', startMs: 0 }] }, [
          { atMs: 1000, action: 'kill', node: 'regional-eu' },
          { atMs: 2000, action: 'purge', url: '/hot', soft: false, fanout: 'direct' },
        ]),
      );
      const a = ack(r, 'regional-eu');
      expect(a.error).toBe('unavailable');
      // Five calls in the first 16 s, then one every 16.08 s (the wait, and 80 ms there and back): 36 more before 600 s.
      expect(a.attempts).toBe(41);
      expect(a.delayMs).toBeLessThan(600_000);
      expect(a.delayMs).toBeGreaterThan(600_000 - 16_200);
    });
  });

  it('a request lost on the way up or its answer lost on the way back: the edge gives up after the upstream timeout (504)', () => {
    const clients: ClientGroup[] = [{ region: 'na', count: 20, rate: 50, arrival: 'constant', startMs: 0 }];
    const s = (from: string, to: string, post: number) =>
      scenario(topology(), { durationMs: 1000, clients, objects: { popularity: 'hot', keys: ['/hot'] }, methods: { GET: 1 - post, HEAD: 0, conditional: 0, POST: post } }, [
        { atMs: 0, action: 'link', from, to, down: true, oneWay: true },
      ]);
    const node = (r: RunResult, id: string) => r.nodes.find((n) => n.id === id)!;
    // Up: nothing edge-na-1 sends reaches its regional (GETs and POSTs alike).
    const up = run(s('edge-na-1', 'regional-na', 0.2));
    const e1 = node(up, 'edge-na-1').requests;
    expect(e1).toBeGreaterThan(5);
    expect(up.requests.byStatus['504']).toBe(e1);
    expect(up.requests.errors).toBe(0);
    // A 504 comes after the edge's whole upstream deadline (10 s), plus the client's last mile.
    expect(up.latency.na.max).toBeGreaterThanOrEqual(10_000);
    expect(node(up, 'regional-na').requests).toBe(node(up, 'edge-na-2').upstreamFetches);
    expect(up.origin.byKind.post).toBeGreaterThan(0); // edge-na-2's went through
    // Back: the regional gets every request and fetches /hot once, but its answers to edge-na-1 never arrive.
    const back = run(s('regional-na', 'edge-na-1', 0));
    expect(back.requests.byStatus['504']).toBe(node(back, 'edge-na-1').requests);
    expect(node(back, 'regional-na').requests).toBe(node(back, 'edge-na-1').upstreamFetches + node(back, 'edge-na-2').upstreamFetches);
    expect(back.origin.byPath['/hot']).toBe(1);
  });

  it("an answer lost on the way back times out at the call's deadline: 10 s after the request went up, however long the parent took", () => {
    // One request at 0 ms for /hot: up 15 + 30 + 5 ms, 300 ms at the origin, back to the regional at 385 ms, lost on the last hop.
    const r = run(
      scenario(topology(), { durationMs: 1000, clients: [burst('na', 1)] }, [
        { atMs: 0, action: 'link', from: 'regional-na', to: 'edge-na-1', down: true, oneWay: true },
        { atMs: 0, action: 'link', from: 'regional-na', to: 'edge-na-2', down: true, oneWay: true },
      ]),
    );
    expect(r.requests.byStatus).toEqual({ 504: 1 });
    expect(r.latency.na.max).toBe(10_000);
  });

  it('a timeout is not failed over: the next parent would have no time left (the tiers fail over only when a parent is unreachable)', () => {
    const twoParents = twoParentTopology();
    const cut = (to: string): TimelineEvent => ({ atMs: 0, action: 'link', from: 'edge-na-1', to, down: true, oneWay: true });
    const node = (r: RunResult, id: string) => r.nodes.find((n) => n.id === id)!;
    // Both parents out of reach: one timeout at 10 s, not one per parent (20 s).
    const lost = run(scenario(twoParents, { durationMs: 1000, clients: [burst('na', 1)] }, [cut('regional-a'), cut('regional-b')]));
    expect(lost.requests.byStatus).toEqual({ 504: 1 });
    expect(lost.latency.na.max).toBe(10_000);
    expect(node(lost, 'edge-na-1').upstreamFetches).toBe(1);
    // A parent that refuses (killed) is failed over at once, whichever of the two /hot ranks first.
    for (const dead of ['regional-a', 'regional-b']) {
      const r = run(scenario(twoParents, { durationMs: 1000, clients: [burst('na', 1)] }, [{ atMs: 0, action: 'kill', node: dead }]));
      expect(r.requests.byStatus).toEqual({ 200: 1 });
      expect(r.latency.na.max).toBeLessThan(1000);
    }
  });

  it('a parent that refused a call is tried after the other for 2 s, even once it is back (as the tiers order parents)', () => {
    // POSTs pass through the edge: each goes to a parent. Which regional /hot ranks first shows in a run without failures.
    const posts = (timeline: TimelineEvent[]) =>
      run(scenario(twoParentTopology(), { durationMs: 600, clients: [{ region: 'na', count: 1, rate: 4, arrival: 'constant', startMs: 50 }], methods: { GET: 0, HEAD: 0, conditional: 0, POST: 1 } }, timeline));
    const requestsOf = (r: RunResult, id: string) => r.nodes.find((n) => n.id === id)!.requests;
    const calm = posts([]);
    const first = requestsOf(calm, 'regional-a') > 0 ? 'regional-a' : 'regional-b';
    const second = first === 'regional-a' ? 'regional-b' : 'regional-a';
    expect([requestsOf(calm, first), requestsOf(calm, second)]).toEqual([3, 0]);
    // Down at 0, back at 100 ms: the request at 50 ms is refused and goes to the other; those at 300 and 550 ms follow it.
    const r = posts([
      { atMs: 0, action: 'kill', node: first },
      { atMs: 100, action: 'start', node: first },
    ]);
    expect(r.requests.byStatus).toEqual({ 201: 3 });
    expect([requestsOf(r, first), requestsOf(r, second)]).toEqual([0, 3]);
  });

  it('one deadline down the chain: an origin slower than it leaves every tier timing out at that instant, and the edge serves its stale-if-error copy 10 s after the request', () => {
    // /api/x at 0 ms (max-age=1, stale-if-error=60), and again at 2 s, when the origin has become 15 s slow.
    const r = run(
      scenario(topology(), { durationMs: 20_000, clients: [{ region: 'na', count: 1, rate: 0.5, arrival: 'constant', startMs: 0 }], objects: { popularity: 'hot', keys: ['/api/x'] }, requests: 2 }, [
        { atMs: 2000, action: 'origin-fault', fault: 'slow', latencyMs: 15_000, path: '/api/**', status: 0, rate: 1 },
      ]),
    );
    expect(r.requests.byStatus).toEqual({ 200: 2 });
    expect(r.requests.byResult).toEqual({ miss: 1, stale: 1 });
    expect(r.latency.na.max).toBe(10_000);
    expect(r.origin.requests).toBe(2);
  });

  it('a caller stops waiting on a frozen parent at its deadline, whether the request arrived before the freeze or during it', () => {
    // /hot at 0 ms reaches regional-na at 15 ms and comes back through it at 385 ms; the regional is frozen until 15 s.
    const frozen = (atMs: number) =>
      run(
        scenario(topology(), { durationMs: 20_000, clients: [burst('na', 1)] }, [
          { atMs, action: 'pause', node: 'regional-na' },
          { atMs: 15_000, action: 'unpause', node: 'regional-na' },
        ]),
      );
    for (const atMs of [10, 100]) {
      const r = frozen(atMs);
      expect(r.requests.byStatus).toEqual({ 504: 1 });
      expect(r.latency.na.max).toBe(10_000);
    }
  });

  describe('the origin frozen or off its network', () => {
    // Requests at 0 and 1 s for two objects of /** (20 ms at the origin, 50 ms from the clients' edge);
    // with `later`, one more at 16 s.
    const origin = (timeline: TimelineEvent[], later = false) =>
      run(
        scenario(
          topology(),
          {
            durationMs: 20_000,
            clients: [
              { region: 'na', count: 1, rate: 1, arrival: 'constant', startMs: 0, stopMs: 1500 },
              ...(later ? [{ region: 'na', count: 1, rate: 1, arrival: 'constant' as const, startMs: 16_000, stopMs: 16_500 }] : []),
            ],
            objects: { popularity: 'uniform', count: 1000, path: '/o/{n}' },
          },
          timeline,
        ),
      );

    it('frozen: the answer it was making and the request that reaches it wait until it wakes; the tiers give up at their deadline', () => {
      // Frozen at 60 ms, between the first request's arrival (50 ms) and its answer (70 ms), until 15 s.
      const r = origin(
        [
          { atMs: 60, action: 'pause', node: 'origin' },
          { atMs: 15_000, action: 'unpause', node: 'origin' },
        ],
        true,
      );
      expect(r.timeline.filter((t) => t.action === 'pause' || t.action === 'unpause').every((t) => t.ok)).toBe(true);
      expect(r.requests.byStatus).toEqual({ 200: 1, 504: 2 });
      expect(r.latency.na.max).toBe(10_000);
      // Counted on arrival (50 ms) and at 16 s. The second waited in its socket and its caller gave up
      // at 11 s, before the origin woke: read with its cancellation, it is never handled (as on a frozen cache node).
      expect(r.origin.requests).toBe(2);
      const at = (ms: number) => Math.floor(ms / r.series.bucketMs);
      expect(r.series.originRequests[at(50)]).toBe(1);
      expect(r.series.originRequests[at(16_050)]).toBe(1);
      // Awake again by 2 s: both answered late, not failed.
      const brief = origin([
        { atMs: 60, action: 'pause', node: 'origin' },
        { atMs: 2000, action: 'unpause', node: 'origin' },
      ]);
      expect(brief.requests.byStatus).toEqual({ 200: 2 });
      expect(brief.latency.na.max).toBeGreaterThanOrEqual(2000);
      expect(brief.latency.na.max).toBeLessThan(2100);
    });

    it('off its network: its answer and the request sent to it go through at the retransmission after it is back; cut for good, the tiers give up at their deadline', () => {
      const r = origin([
        { atMs: 60, action: 'disconnect', node: 'origin' },
        { atMs: 3000, action: 'reconnect', node: 'origin' },
      ]);
      expect(r.timeline.filter((t) => t.action === 'disconnect' || t.action === 'reconnect').every((t) => t.ok)).toBe(true);
      expect(r.requests.byStatus).toEqual({ 200: 2 });
      // The first answer (made at 70 ms) goes at 3.07 s; the second request (at the origin at 1.05 s) arrives at 4.05 s.
      expect(r.latency.na.max).toBeGreaterThan(3000);
      expect(r.latency.na.max).toBeLessThan(3200);
      const cut = origin([{ atMs: 60, action: 'disconnect', node: 'origin' }]);
      expect(cut.requests.byStatus).toEqual({ 504: 2 });
      expect(cut.latency.na.max).toBe(10_000);
      expect(cut.origin.requests).toBe(1);
    });
  });

  it('a paused edge handles the answer to its miss only when it wakes, as a frozen process reads its socket', () => {
    // /hot comes back to the edge at 400 ms; the edges are frozen from 100 ms to 2 s, or to 15 s (the
    // answer came back before the edge's deadline, and its client waits 30 s, not a tier's 10).
    for (const wakeMs of [2000, 15_000]) {
      const r = run(
        scenario(topology(), { durationMs: 20_000, clients: [burst('na', 1)] }, [
          { atMs: 100, action: 'pause', node: 'edge-na-1' },
          { atMs: 100, action: 'pause', node: 'edge-na-2' },
          { atMs: wakeMs, action: 'unpause', node: 'edge-na-1' },
          { atMs: wakeMs, action: 'unpause', node: 'edge-na-2' },
        ]),
      );
      expect(r.requests.byStatus).toEqual({ 200: 1 });
      expect(r.latency.na.max).toBe(wakeMs);
    }
  });

  it("a client gives up on a frozen edge 30 s after sending, as the testbed's client does, whether its request reached the edge before the freeze or during it", () => {
    // Requests at 0 (reaches its edge before the freeze), 1 s and 2 s; the edges are frozen from 100 ms
    // to 45 s; one more at 46 s finds them awake.
    const r = run(
      scenario(
        topology(),
        {
          durationMs: 50_000,
          clients: [
            { region: 'na', count: 1, rate: 1, arrival: 'constant', startMs: 0, stopMs: 2500 },
            { region: 'na', count: 1, rate: 1, arrival: 'constant', startMs: 46_000, stopMs: 46_500 },
          ],
        },
        [
          { atMs: 100, action: 'pause', node: 'edge-na-1' },
          { atMs: 100, action: 'pause', node: 'edge-na-2' },
          { atMs: 45_000, action: 'unpause', node: 'edge-na-1' },
          { atMs: 45_000, action: 'unpause', node: 'edge-na-2' },
        ],
      ),
    );
    expect(r.requests.sent).toBe(4);
    expect(r.requests.byError).toEqual({ timeout: 3 });
    const ms = r.series.bucketMs;
    const errorsAt = r.series.errors.flatMap((n, i) => Array<number>(n).fill(i * ms));
    expect(errorsAt).toEqual([30_000, 31_000, 32_000].map((t) => Math.floor(t / ms) * ms));
    expect(r.requests.byStatus).toEqual({ 200: 1 });
  });

  it("a client's request or answer lost on its last mile ends in the client's timeout, 30 s after sending", () => {
    for (const [from, to] of [
      ['client@na', 'edge@na'],
      ['edge@na', 'client@na'],
    ]) {
      const r = run(scenario(topology(), { durationMs: 1000, clients: [burst('na', 1)] }, [{ atMs: 0, action: 'link', from, to, down: true, oneWay: true }]));
      expect(r.requests.byError).toEqual({ timeout: 1 });
      const at = r.series.errors.findIndex((n) => n > 0);
      expect(at).toBe(Math.floor(30_000 / r.series.bucketMs));
    }
  });

  it('a killed edge sends nothing more: its waiters do not go upstream when their lock times out', () => {
    const t = structuredClone(topology());
    for (const n of t.nodes) {
      if (n.role === 'edge') Object.assign((n as CacheNode).cache, { collapsing: 'lock-timeout', lockTimeoutMs: 100 });
    }
    // 10 requests at once for /hot (300 ms at the origin); the edges die at 50 ms, before the 100 ms lock runs out.
    const r = run(
      scenario(t, { durationMs: 1000, clients: [burst('na', 10)] }, [
        { atMs: 50, action: 'kill', node: 'edge-na-1' },
        { atMs: 50, action: 'kill', node: 'edge-na-2' },
      ]),
    );
    expect(r.requests.byError.reset).toBe(10);
    // Only the leaders went up (one per edge that got requests), all before the kill.
    const regional = r.nodes.find((n) => n.id === 'regional-na')!;
    expect(regional.requests).toBeGreaterThan(0);
    expect(regional.requests).toBeLessThanOrEqual(2);
  });

  it("a link event changes the hops between a region's clients and the edges, those already used and those not yet", () => {
    const clients: ClientGroup[] = [
      { region: 'na', count: 20, rate: 100, arrival: 'constant', startMs: 0 },
      { region: 'eu', count: 20, rate: 100, arrival: 'constant', startMs: 0 },
    ];
    const s = (timeline: TimelineEvent[]) => scenario(topology(), { durationMs: 3000, clients }, timeline);
    // /hot is a hit after its first fetch: a hit's latency is the client's round trip to its edge, in its own region (geo DNS).
    const calm = run(s([]));
    // The mean latency of the requests sent in each interval that starts at or after `from` and ends by `to`.
    const means = (r: RunResult, region: string, from: number, to: number) => {
      const { bucketMs, latencyByRegion } = r.series;
      return latencyByRegion[region].meanMs.filter((_, i) => i * bucketMs >= from && (i + 1) * bucketMs <= to);
    };
    expect(new Set([...means(calm, 'na', 500, 3000), ...means(calm, 'eu', 500, 3000)])).toEqual(new Set([0]));
    // From 1 s the na clients' hops take 100 ms each way: those sent after it wait 200 ms for a hit.
    const slow = run(s([{ atMs: 1000, action: 'link', from: 'client@na', to: 'edge', latencyMs: 100, oneWay: false }]));
    expect(slow.timeline[0]).toMatchObject({ ok: true, detail: expect.stringContaining('8 link direction(s) changed') });
    expect(new Set(means(slow, 'na', 500, 1000))).toEqual(new Set([0]));
    expect(new Set(means(slow, 'na', 1000, 3000))).toEqual(new Set([200]));
    expect(slow.latency.eu).toEqual(calm.latency.eu);
    // Hops nobody used yet change too (the event comes before the first request).
    const far = run(s([{ atMs: 0, action: 'link', from: 'client', to: 'edge@eu', latencyMs: 7, oneWay: false }]));
    expect(far.timeline[0].detail).toContain('8 link direction(s) changed');
    expect(new Set(means(far, 'eu', 500, 3000))).toEqual(new Set([14]));
    expect(far.latency.na).toEqual(calm.latency.na);
  });

  it('lock-timeout: waiters that waited lockTimeout go upstream on their own, and collapse again at the next tier', () => {
    const t = structuredClone(topology());
    for (const n of t.nodes) {
      if (n.role === 'edge') Object.assign((n as CacheNode).cache, { collapsing: 'lock-timeout', lockTimeoutMs: 100 });
    }
    // 20 requests at once; /hot takes 300 ms at the origin, far past the 100 ms lock.
    const r = run(scenario(t, { durationMs: 1000, clients: [burst('na', 20)] }));
    expect(r.requests).toMatchObject({ sent: 20, answered: 20, errors: 0 });
    expect(r.requests.byStatus).toEqual({ 200: 20 });
    const edges = r.nodes.filter((n) => n.role === 'edge' && n.requests > 0);
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) {
      // One leader per edge; every waiter timed out and fetched itself: none was answered with the leader's result.
      expect(e.collapsedWaiters).toBe(0);
      expect(e.upstreamFetches).toBe(e.requests);
    }
    // The regional (collapsing: wait) folds them back onto its one fetch: all but its leader were waiters it served.
    const regional = r.nodes.find((n) => n.id === 'regional-na')!;
    expect(regional.requests).toBe(edges.reduce((a, e) => a + e.upstreamFetches, 0));
    expect(regional.collapsedWaiters).toBe(regional.requests - 1);
    expect(r.origin.requests).toBe(1);
  });

  it('a killed edge costs its clients errors until DNS health and TTL move them, then gets traffic again when restarted', () => {
    const r = run(
      scenario(topology(), { durationMs: 30_000, clients: [{ region: 'na', count: 20, rate: 100, arrival: 'constant', startMs: 0 }], objects: { popularity: 'uniform', count: 50, path: '/o/{n}' } }, [
        { atMs: 5000, action: 'kill', node: 'edge-na-1' },
        { atMs: 20_000, action: 'start', node: 'edge-na-1' },
      ]),
    );
    const e1 = r.series.byEdge['edge-na-1'];
    const e2 = r.series.byEdge['edge-na-2'];
    expect(r.series.bucketMs).toBe(250);
    const at = (ms: number) => Math.floor(ms / r.series.bucketMs);
    // Before the kill both edges share the region's clients.
    expect(e1[at(4000)]).toBeGreaterThan(0);
    expect(e2[at(4000)]).toBeGreaterThan(0);
    // Errors: connections refused until health (2 × 1 s) and the 5 s TTL run out.
    expect(r.requests.byError.connect).toBeGreaterThan(0);
    const errorBuckets = r.series.errors.map((v, i) => (v > 0 ? i * r.series.bucketMs : -1)).filter((t) => t >= 0);
    expect(Math.min(...errorBuckets)).toBeGreaterThanOrEqual(5000);
    expect(Math.max(...errorBuckets)).toBeLessThan(5000 + 2000 + 5000 + 1000);
    // While it is down it answers nothing; the sibling carries the region.
    expect(e1.slice(at(5100), at(20_000)).every((v) => v === 0)).toBe(true);
    expect(e2.slice(at(12_000), at(20_000)).every((v) => v > 0)).toBe(true);
    // Health brings it back (rise 2 × 1 s) and, as TTLs expire, clients return.
    expect(e1.slice(at(23_000), at(29_000)).some((v) => v > 0)).toBe(true);
    expect(r.nodes.find((n) => n.id === 'edge-na-1')!.requests).toBeGreaterThan(0);
  });

  it('a down origin: stale-if-error copies where the origin allowed it, 502 from the edge elsewhere', () => {
    const r = run(
      scenario(topology(), { durationMs: 6000, clients: [{ region: 'na', count: 5, rate: 50, arrival: 'constant', startMs: 0 }], objects: { popularity: 'hot', keys: ['/api/x', '/other'] } }, [
        { atMs: 2000, action: 'origin-fault', fault: 'down', status: 503, rate: 1 },
      ]),
    );
    // /api/x carries stale-if-error=60: the shield serves its stale copy and
    // the tiers below revalidate against it; /other (max-age=2, no directive)
    // fails once expired, and the edge answers 502 as the testbed's does.
    expect(r.requests.errors).toBe(0);
    expect(r.requests.byStatus['502']).toBeGreaterThan(0);
    expect(r.requests.byResult.error).toBe(r.requests.byStatus['502']);
    expect(r.nodes.find((n) => n.id === 'shield')!.staleServed).toBeGreaterThan(0);
    expect(r.requests.byStatus['200']).toBeGreaterThan(r.requests.byStatus['502']);
    expect(r.origin.byKind['fault:down']).toBeGreaterThan(0);
  });
});

describe('simulated engine: background refreshes through an outage', () => {
  const SWR = `
        - { match: /swr/**, size: 1KiB, headers: { Cache-Control: "public, max-age=1, stale-while-revalidate=60, stale-if-error=60" }, latency: 10ms }`;
  const outage = (faulty: boolean) =>
    run(
      scenario(
        topology('', SWR),
        { durationMs: 8000, clients: [{ region: 'na', count: 5, rate: 20, arrival: 'constant', startMs: 0 }], objects: { popularity: 'hot', keys: ['/swr/a'] } },
        faulty ? [{ atMs: 2000, action: 'origin-fault', fault: 'error', status: 503, rate: 1, forMs: 1500 }] : [],
      ),
    );

  it('keeps refreshing once the origin is back: a refresh answered from the stale copy does not stop the next one', () => {
    const r = outage(true);
    const calm = outage(false);
    expect(r.requests.byStatus).toEqual({ '200': r.requests.sent });
    expect(r.origin.byKind['fault:error']).toBeGreaterThan(0);
    // After the outage the copy is refreshed about once a second again, as
    // without one (stuck, it would be served unrefreshed for a minute).
    const after = (x: RunResult) => x.series.originRequests.slice(Math.ceil(4000 / x.series.bucketMs)).reduce((a, b) => a + b, 0);
    expect(after(calm)).toBeGreaterThan(2);
    expect(after(r)).toBeGreaterThanOrEqual(after(calm) - 1);
  });

  it('counts a validation answered with an error as a miss, as the testbed reads Cache-Status (revalidated means a 304)', () => {
    const NO_CACHE = `
        - { match: /nc/**, size: 1KiB, headers: { Cache-Control: "no-cache" }, latency: 10ms }`;
    const r = run(
      scenario(topology('', NO_CACHE), { durationMs: 4000, clients: [{ region: 'na', count: 5, rate: 20, arrival: 'constant', startMs: 0 }], objects: { popularity: 'hot', keys: ['/nc/a'] } }, [
        { atMs: 2000, action: 'origin-fault', fault: 'error', status: 503, rate: 1, forMs: 1000 },
      ]),
    );
    const { byResult, byStatus, sent } = r.requests;
    expect(byStatus['503']).toBeGreaterThan(0);
    expect((byResult.revalidated ?? 0) + (byResult.miss ?? 0)).toBe(sent);
    // Only the first request of each edge misses without a stored copy; every 503 is a miss too.
    expect(byResult.miss).toBeGreaterThanOrEqual(byStatus['503']);
    expect(byResult.revalidated).toBeLessThanOrEqual(byStatus['200']);
  });

  it('asks parents for a fresh answer when validating (min-fresh=0), as the tier services do', () => {
    // Without it a regional or the shield would answer an edge's refresh
    // from its own stale copy, and the edge would have to refresh again.
    const r = outage(false);
    const node = (id: string) => r.nodes.find((n) => n.id === id)!;
    expect(node('edge-na-1').staleServed).toBeGreaterThan(0);
    expect(node('regional-na').staleServed).toBe(0);
    expect(node('shield').staleServed).toBe(0);
    expect(r.origin.byKind['not-modified']).toBeGreaterThanOrEqual(5);
  });
});

describe('simulated engine: snapshots for expectations with at:', () => {
  // Requests at a steady 100/s from t=0; the origin changes version at 5 s and a purge follows.
  const withAt = (): Scenario => {
    const sc = scenario(topology(), { durationMs: 8000, clients: [{ region: 'na', count: 10, rate: 100, arrival: 'constant', startMs: 0 }] }, [
      { atMs: 5000, action: 'origin-update', path: '/hot' },
      { atMs: 5000, action: 'purge', url: '/hot', soft: false, fanout: 'direct' },
    ]);
    sc.expectations = [
      { expect: parseExpectation('origin.requests{path="/hot"} == 1'), atMs: 4900 },
      { expect: parseExpectation('requests.sent < 600'), atMs: 4900 },
      { expect: parseExpectation('origin.requests{path="/hot"} == 2') },
      { expect: parseExpectation('purge.count == 1'), atMs: 5000 },
      { expect: parseExpectation('requests.sent > 0'), atMs: 1000, variant: 'another' },
    ];
    return sc;
  };

  it('takes one snapshot per distinct at: of its variant, with the values of that instant', () => {
    const r = run(withAt()) as RunResultWithSnapshots;
    expect(r.snapshots?.map((x) => x.atMs)).toEqual([4900, 5000]);
    const at4900 = r.snapshots![0].metrics;
    expect(at4900['origin.requests{path="/hot"}']).toBe(1);
    expect(at4900['requests.sent']).toBeGreaterThan(400);
    expect(at4900['requests.sent']).toBeLessThan(r.requests.sent);
    // Events due at the snapshot's instant have happened when it is read.
    expect(r.snapshots![1].metrics['purge.count']).toBe(1);
    expect(r.origin.byPath['/hot']).toBe(2);
    expect(evaluateExpectations(withAt().expectations, [r]).every((o) => o.ok)).toBe(true);
  });

  it('leaves the rest of the result unchanged and stays deterministic', () => {
    const sc = withAt();
    const plain = scenario(sc.variants[0].topology, sc.workload, sc.timeline);
    const { snapshots, ...rest } = run(sc) as RunResultWithSnapshots;
    expect(snapshots).toBeDefined();
    expect(JSON.stringify(rest)).toBe(JSON.stringify(run(plain)));
    expect('snapshots' in run(plain)).toBe(false);
    expect(JSON.stringify(run(withAt()))).toBe(JSON.stringify(run(withAt())));
  });
});

describe('simulated engine: latency over time', () => {
  it('counts each region\'s answers per interval, their mean and slowest adding up to the run\'s', () => {
    const r = run(scenario(topology(), { durationMs: 3000, clients: [burst('na', 50), { region: 'eu', count: 10, rate: 40, arrival: 'poisson', startMs: 0 }] }));
    expect(Object.keys(r.series.latencyByRegion)).toEqual(['eu', 'na']);
    for (const [region, s] of Object.entries(r.series.latencyByRegion)) {
      const whole = r.latency[region];
      expect(s.answers).toHaveLength(r.series.requests.length);
      expect(s.answers.reduce((a, b) => a + b, 0)).toBe(whole.count);
      expect(Math.max(...s.maxMs.filter((v) => !Number.isNaN(v)))).toBe(whole.max);
      const sum = s.answers.reduce((a, k, i) => a + (k > 0 ? k * s.meanMs[i] : 0), 0);
      expect(sum / whole.count).toBeCloseTo(whole.mean, 2);
      s.answers.forEach((k, i) => expect(Number.isNaN(s.meanMs[i])).toBe(k === 0));
    }
    // na's burst, all sent at 0, waits for one fill of /hot (300 ms at the origin, 100 ms of links): one interval, the first, its slowest answer about 400 ms.
    const na = r.series.latencyByRegion.na;
    expect(na.answers[0]).toBe(50);
    expect(na.answers.slice(1).every((k) => k === 0)).toBe(true);
    expect(na.maxMs[0]).toBeCloseTo(400, 0);
  });
});

describe('simulated engine: hit ratio over time per client group', () => {
  // Two groups on the same edges asking for the same object; one sends Cache-Control: no-cache, so its every answer is a validation, never a hit.
  const groups = (clients: ClientGroup[]) => run(scenario(topology(), { durationMs: 4000, clients }));
  const plain: ClientGroup = { name: 'plain', region: 'na', count: 10, rate: 50, arrival: 'constant', startMs: 0 };
  const reloaders: ClientGroup = { name: 'reloaders', region: 'na', count: 10, rate: 20, arrival: 'constant', startMs: 0, headers: { 'cache-control': 'no-cache' } };

  it('gives each group its own edge hit ratio per bucket, on the buckets of the other series', () => {
    const r = groups([plain, reloaders]);
    const { edgeHitRatio, byGroupHitRatio } = r.series;
    expect(Object.keys(byGroupHitRatio)).toEqual(['plain', 'reloaders']);
    for (const s of Object.values(byGroupHitRatio)) expect(s).toHaveLength(r.series.requests.length);
    // Every reloader's answer is a revalidation: 0 wherever the group had answers, never NaN there.
    expect(r.requests.byGroup.reloaders.byResult.hit ?? 0).toBe(0);
    const answered = (a: number[]) => a.filter((v) => !Number.isNaN(v));
    // Every reloader's answer is a revalidation (they wait on one another's, 400 ms apart): 0 wherever the group had answers.
    expect(r.requests.byGroup.reloaders.byResult.hit ?? 0).toBe(0);
    expect(answered(byGroupHitRatio.reloaders).length).toBeGreaterThan(5);
    expect(answered(byGroupHitRatio.reloaders).every((v) => v === 0)).toBe(true);
    // The plain clients hit once /hot is in their edges: the first bucket with answers has misses, every later one only hits.
    const p = answered(byGroupHitRatio.plain);
    expect(p[0]).toBeLessThan(1);
    expect(p.length).toBeGreaterThan(30);
    expect(p.slice(1).every((v) => v === 1)).toBe(true);
    expect(byGroupHitRatio.plain.findIndex((v) => !Number.isNaN(v))).toBe(edgeHitRatio.findIndex((v) => !Number.isNaN(v)));
    // The whole is a mean of the two weighted by answers: between them in every bucket.
    edgeHitRatio.forEach((v, i) => {
      const [a, b] = [byGroupHitRatio.plain[i], byGroupHitRatio.reloaders[i]];
      if (Number.isNaN(a) || Number.isNaN(b)) return;
      expect(v).toBeGreaterThanOrEqual(Math.min(a, b));
      expect(v).toBeLessThanOrEqual(Math.max(a, b));
      if (a !== b) expect(v === a || v === b).toBe(false);
    });
  });

  it('with one group, is the edge hit ratio itself', () => {
    const r = groups([plain]);
    expect(r.series.byGroupHitRatio).toEqual({ plain: r.series.edgeHitRatio });
    expect(r.series.edgeHitRatio.some((v) => v > 0)).toBe(true);
  });
});

describe('simulated engine: hit ratio per tier over time', () => {
  // /hot (fresh for 60 s) asked in na from 0 and in eu from 2 s: na's fill goes to the origin through every tier; eu's edges and regional start cold and find it at the shield.
  const r = run(
    scenario(topology(), {
      durationMs: 4000,
      clients: [
        { region: 'na', count: 10, rate: 20, arrival: 'constant', startMs: 0 },
        { region: 'eu', count: 10, rate: 20, arrival: 'constant', startMs: 2000 },
      ],
      objects: { popularity: 'hot', keys: ['/hot'] },
    }),
  );
  const answered = (a: number[]) => a.flatMap((v, i) => (Number.isNaN(v) ? [] : [[i, v]]));

  it('counts every answer of every tier once, on the buckets of the other series', () => {
    expect(Object.keys(r.series.byTier)).toEqual(['edge', 'regional', 'shield']);
    for (const [tier, s] of Object.entries(r.series.byTier)) {
      const nodes = r.nodes.filter((n) => n.role === tier);
      expect(s.answers).toHaveLength(r.series.requests.length);
      expect(s.hitRatio).toHaveLength(r.series.requests.length);
      expect(s.answers.reduce((a, b) => a + b, 0)).toBe(nodes.reduce((a, n) => a + n.requests, 0));
      expect(s.answers.reduce((a, k, i) => a + (k > 0 ? k * s.hitRatio[i] : 0), 0)).toBeCloseTo(nodes.reduce((a, n) => a + n.hits, 0), 6);
      s.answers.forEach((k, i) => expect(Number.isNaN(s.hitRatio[i])).toBe(k === 0));
    }
  });

  it('shows a tier behind the edges answering only their misses: a miss on the first fill, a hit when the second region warms', () => {
    const { shield, regional, edge } = r.series.byTier;
    const bucketMs = r.series.bucketMs;
    // The shield answers twice: na's regional's miss (the fill), in the first half-second, then eu's regional, a hit, just after 2 s.
    expect(shield.answers.reduce((a, b) => a + b, 0)).toBe(2);
    const [first, second] = answered(shield.hitRatio);
    expect(first[1]).toBe(0);
    expect(first[0] * bucketMs).toBeLessThan(500);
    expect(second[1]).toBe(1);
    expect(second[0] * bucketMs).toBeGreaterThanOrEqual(2000);
    expect(second[0] * bucketMs).toBeLessThan(2500);
    // Each regional fills once (its edges' misses collapse onto it) and is asked nothing more while /hot is fresh.
    expect(answered(regional.hitRatio).every(([, v]) => v === 0)).toBe(true);
    expect(answered(regional.hitRatio).at(-1)![0] * bucketMs).toBeLessThan(2500);
    // The edges hit once both regions are warm.
    expect(answered(edge.hitRatio).filter(([i]) => i * bucketMs >= 3000).every(([, v]) => v === 1)).toBe(true);
  });
});

describe('simulated engine: watch rules', () => {
  // /a/** answers carry two X-Mark lines, "first" and "yes"; /b/** none.
  const marked = `
        - { match: /a/**, size: 100B, headers: { Cache-Control: "public, max-age=1", X-Mark: [first, yes] }, latency: 5ms }
        - { match: /**, size: 100B, headers: { Cache-Control: "public, max-age=1" }, latency: 5ms }`;
  const workload = (watch?: Workload['watch']): Partial<Workload> => ({
    durationMs: 4000,
    // One named group and one that takes its region's name, as hand-built workloads may.
    clients: [
      { name: 'readers', region: 'na', count: 10, rate: 100, arrival: 'poisson', startMs: 0 },
      { region: 'eu', count: 10, rate: 60, arrival: 'poisson', startMs: 0 },
    ],
    objects: { popularity: 'hot', keys: ['/a/1', '/a/2', '/b/1'] },
    methods: { GET: 0.8, HEAD: 0.2, conditional: 0, POST: 0 },
    ...(watch ? { watch } : {}),
  });
  const rules: Workload['watch'] = [
    // Not through the loader: the engine lower-cases the name itself.
    { name: 'marked', header: 'X-Mark', contains: 'yes' },
    // Case-sensitive text; each line on its own, never the lines joined.
    { name: 'shouting', header: 'x-mark', contains: 'YES' },
    { name: 'joined', header: 'x-mark', contains: 'first, yes' },
  ];
  const watched = (seed = 3) => {
    const s = scenario(topology('', marked), workload(rules));
    return { s, r: run(s, seed) };
  };

  it('counts the answers whose header has a line containing the text, per group, zeros included', () => {
    const { s, r } = watched();
    // Every request is answered, so the matches are exactly the planned requests for /a/**.
    expect(r.requests).toMatchObject({ errors: 0, unfinished: 0 });
    const planned = { readers: { sent: 0, a: 0 }, eu: { sent: 0, a: 0 } };
    for (const p of planWorkload(s.workload, { seed: 3 })) {
      const g = p.group === 0 ? planned.readers : planned.eu;
      g.sent++;
      if (p.target.startsWith('/a/')) g.a++;
    }
    expect(planned.readers.a).toBeGreaterThan(100);
    expect(planned.eu.a).toBeGreaterThan(50);
    expect(planned.readers.sent - planned.readers.a).toBeGreaterThan(50);
    expect(r.requests.byGroup).toMatchObject({ readers: { sent: planned.readers.sent, answered: planned.readers.sent }, eu: { sent: planned.eu.sent, answered: planned.eu.sent } });
    // One group per region here: each group's latency is its region's, and the groups' outcomes add up to the whole.
    expect(r.requests.byGroup.readers.latency).toEqual(r.latency.na);
    expect(r.requests.byGroup.eu.latency).toEqual(r.latency.eu);
    const sum: Record<string, number> = {};
    for (const g of Object.values(r.requests.byGroup)) for (const [k, v] of Object.entries(g.byResult)) sum[k] = (sum[k] ?? 0) + v;
    expect(sum).toEqual(r.requests.byResult);
    expect(r.requests.byGroup.readers.byResult.hit).toBeGreaterThan(0);
    expect(r.requests.watched).toEqual({
      marked: { readers: planned.readers.a, eu: planned.eu.a },
      shouting: { readers: 0, eu: 0 },
      joined: { readers: 0, eu: 0 },
    });
  });

  it('spreads the matches over the same buckets as the other series, adding up to the total', () => {
    const { r } = watched();
    expect(Object.keys(r.series.watched)).toEqual(['marked', 'shouting', 'joined']);
    for (const [name, series] of Object.entries(r.series.watched)) {
      expect(series).toHaveLength(r.series.requests.length);
      expect(series.reduce((a, b) => a + b, 0)).toBe(r.requests.watched[name].readers + r.requests.watched[name].eu);
    }
    expect(r.series.watched.marked.filter((v) => v > 0).length).toBeGreaterThan(r.series.requests.length / 2);
  });

  it('sees the Age line of answers from a cache (handed between tiers apart from the stored head)', () => {
    const r = run(scenario(topology('', marked), workload([{ name: 'aged', header: 'age', contains: '' }, { name: 'old', header: 'age', contains: '1' }])), 3);
    expect(r.requests).toMatchObject({ errors: 0, unfinished: 0 });
    // Everything here is cacheable, so every answer is the edge's stored copy, Age and all.
    const sent = { readers: r.requests.byGroup.readers.sent, eu: r.requests.byGroup.eu.sent };
    expect(sent.readers).toBeGreaterThan(100);
    expect(r.requests.watched.aged).toEqual(sent);
    // max-age=1: a copy is 0 s old until it expires and is fetched again, so no Age of 1 or more reaches a client.
    expect(r.requests.watched.old).toEqual({ readers: 0, eu: 0 });
  });

  it('watching changes nothing else and stays deterministic', () => {
    const a = JSON.stringify(watched().r);
    expect(JSON.stringify(watched().r)).toBe(a);
    const plain = run(scenario(topology('', marked), workload()), 3);
    expect(plain.requests.watched).toEqual({});
    expect(plain.series.watched).toEqual({});
    const { r } = watched();
    const strip = (x: RunResult) => JSON.stringify({ ...x, requests: { ...x.requests, watched: {} }, series: { ...x.series, watched: {} } });
    expect(strip(r)).toBe(strip(plain));
  });
});
