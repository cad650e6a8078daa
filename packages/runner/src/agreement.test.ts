import type { NodeResult, RunResult } from '@cdnlab/scenario';
import { AGREEMENT_TOLERANCES, allowedDifference, compareRuns, formatAgreementMarkdown, formatAgreementTable, raceAllowance, testbedLoadLines } from './agreement';

function node(id: string, role: NodeResult['role'], requests: number, hits: number): NodeResult {
  return { id, role, region: 'na', requests, hits, misses: requests - hits, staleServed: 0, revalidations: 0, collapsedWaiters: 0, evictions: 0, upstreamFetches: requests - hits, objects: 1, bytes: 1, hitRatio: hits / requests };
}

function run(variant: string, o: { origin: number; edge: [number, number]; shield?: [number, number]; purges?: Array<Array<[string, number, string?]>> }): RunResult {
  const nodes = [node('edge-1', 'edge', ...o.edge)];
  if (o.shield) nodes.push(node('shield', 'shield', ...o.shield));
  nodes.push(node('origin', 'origin', o.origin, 0));
  return {
    scenario: 's',
    variant,
    engine: 'x',
    seed: 1,
    durationMs: 1000,
    requests: { sent: o.edge[0], answered: o.edge[0], errors: 0, unfinished: 0, byResult: {}, byStatus: {}, byError: {}, byGroup: {}, watched: {} },
    origin: { requests: o.origin, byPath: {}, byKind: {} },
    nodes,
    latency: {},
    series: { bucketMs: 1000, originRequests: [], edgeHitRatio: [], byGroupHitRatio: {}, byTier: {}, requests: [], errors: [], serverErrors: [], latencyByRegion: {}, byEdge: {}, watched: {} },
    purges: (o.purges ?? []).map((acks) => ({
      atMs: 500,
      kind: 'url',
      value: '/a',
      mode: 'hard',
      fanout: 'direct',
      acks: acks.map(([role, delayMs, error]) => ({ nodeId: `${role}-x`, role, delayMs, objectsAffected: 1, ...(error ? { error } : {}) })),
    })),
    timeline: [],
  };
}

describe('allowedDifference', () => {
  it('is the wider of the absolute and the relative allowance', () => {
    expect(allowedDifference({ absolute: 8, relative: 0.25 }, 10, 12)).toBe(8);
    expect(allowedDifference({ absolute: 8, relative: 0.25 }, 100, 400)).toBe(100);
    expect(allowedDifference({ absolute: 0.08, relative: 0 }, 0.9, 0.1)).toBe(0.08);
  });

  it('adds testbedSlower only when the testbed has the larger value', () => {
    const t = { absolute: 80, relative: 0.5, testbedSlower: 100 };
    // sim 95, testbed 214 (a busy CI machine): 107 + 100.
    expect(allowedDifference(t, 95, 214)).toBe(207);
    // The testbed faster than the link allows: no extra room.
    expect(allowedDifference(t, 95, 10)).toBe(80);
  });

  it('holds purge delays to the distance on one side and allows testbed processing on the other', () => {
    const f = (emb: number) => compareRuns([run('a', { origin: 1, edge: [10, 9], purges: [[['regional', 95]]] })], [run('a', { origin: 1, edge: [10, 9], purges: [[['regional', emb]]] })]).find((x) => x.figure.endsWith('regional ms'))!;
    expect(f(214).ok).toBe(true);
    expect(f(400).ok).toBe(false);
    // Applied at once, as if the region were next door: beyond the 80 ms allowed that way.
    expect(f(10).ok).toBe(false);
  });
});

describe('compareRuns', () => {
  it('compares origin requests, each tier present and each purge per role, within the tolerances', () => {
    const sim = [run('a', { origin: 100, edge: [1000, 900], shield: [100, 0], purges: [[['edge', 40], ['edge', 95], ['shield', 10]]] })];
    const emb = [run('a', { origin: 120, edge: [1000, 850], shield: [120, 0], purges: [[['edge', 150], ['shield', 12], ['shield', 500, 'unavailable']]] })];
    const f = compareRuns(sim, emb);
    expect(f.map((x) => [x.figure, x.sim, x.embedded, x.ok])).toEqual([
      ['origin requests', 100, 120, true],
      ['edge hit ratio', 0.9, 0.85, true],
      ['shield hit ratio', 0, 0, true],
      // The slowest successful ack per role: 95 vs 150 is within 60 ms; the failed shield ack does not count.
      ['purge 1 (url /a) edge ms', 95, 150, true],
      ['purge 1 (url /a) shield ms', 10, 12, true],
    ]);
  });

  it('fails a figure beyond its tolerance, on either side', () => {
    const T = AGREEMENT_TOLERANCES;
    // 150 vs 100: 45 allowed (30% of 150), 50 apart.
    const f = compareRuns([run('a', { origin: 100, edge: [1000, 900] })], [run('a', { origin: 150, edge: [1000, 900 - 1000 * T.hitRatio.absolute - 1] })]);
    expect(f.find((x) => x.figure === 'origin requests')).toMatchObject({ ok: false, status: 'differs', allowed: 45 });
    expect(f.find((x) => x.figure === 'edge hit ratio')!.ok).toBe(false);
    // Swapped sides: the same verdict.
    const g = compareRuns([run('a', { origin: 150, edge: [1000, 770] })], [run('a', { origin: 100, edge: [1000, 900] })]);
    expect(g.map((x) => x.ok)).toEqual([false, false]);
  });

  it('lets a tier that saw few requests differ by three requests landing differently', () => {
    // 3 hits of 15 against 0 of 12 (what a busy CI machine gave): 0.2 apart; from 0 of 12, three races reach 3 of 9.
    const few = compareRuns([run('a', { origin: 4, edge: [100, 90], shield: [12, 0] })], [run('a', { origin: 4, edge: [100, 90], shield: [15, 3] })]);
    expect(few.find((x) => x.figure === 'shield hit ratio')).toMatchObject({ ok: true, allowed: 3 / 9 });
    // 6 hits of 21 against 3 of 24 (another CI run): three more hits of three fewer requests; from 6 of 21, three races reach 3 of 24 down and 9 of 18 up.
    const fewer = compareRuns([run('a', { origin: 4, edge: [100, 90], shield: [24, 3] })], [run('a', { origin: 4, edge: [100, 90], shield: [21, 6] })]);
    expect(fewer.find((x) => x.figure === 'shield hit ratio')).toMatchObject({ ok: true, allowed: 9 / 18 - 6 / 21 });
    // 4 hits of 7 against 0 of 8: from 4 of 7, three races reach 1 of 10 at the lowest; 0 is beyond.
    const more = compareRuns([run('a', { origin: 4, edge: [100, 90], shield: [8, 0] })], [run('a', { origin: 4, edge: [100, 90], shield: [7, 4] })]);
    expect(more.find((x) => x.figure === 'shield hit ratio')).toMatchObject({ ok: false, allowed: 4 / 7 - 1 / 10 });
  });

  it('counts each request collapsed on one engine and not the other as one more race', () => {
    // 30 hits of 59 against 22 of 59 (a CI run of cache-control's max-age shield on a busy machine): 0.136 apart.
    const withCollapsed = (collapsed: number) => {
      const r = run('a', { origin: 20, edge: [100, 70], shield: [59, 22] });
      r.nodes.find((n) => n.id === 'shield')!.collapsedWaiters = collapsed;
      return r;
    };
    const sim = run('a', { origin: 20, edge: [100, 70], shield: [59, 30] });
    // The same waiters on both: three races from the simulator's 30 of 59 (as many requests: its side counts) reach 33 of 56 up (0.081), so the 0.12 floor holds and 0.136 differs.
    expect(compareRuns([sim], [withCollapsed(0)]).find((x) => x.figure === 'shield hit ratio')).toMatchObject({ ok: false, allowed: 0.12 });
    // Eight more waiters on the testbed: eleven races, 41 of 48 up.
    expect(compareRuns([sim], [withCollapsed(8)]).find((x) => x.figure === 'shield hit ratio')).toMatchObject({ ok: true, allowed: 41 / 48 - 30 / 59 });
  });

  it('bounds what races can do to a hit ratio', () => {
    expect(raceAllowance(0, 12, 3)).toBeCloseTo(3 / 9, 12);
    expect(raceAllowance(12, 12, 3)).toBeCloseTo(1 - 9 / 15, 12);
    expect(raceAllowance(1, 2, 3)).toBeCloseTo(0.5, 12); // as far as 0 or 1
    expect(raceAllowance(500, 1000, 3)).toBeCloseTo(503 / 997 - 0.5, 12); // at a thousand requests, far below the 0.12 every tier gets
    expect(raceAllowance(0, 0, 3)).toBe(1);
  });

  it('fails variants that only one engine ran and purge lists that differ, instead of skipping them', () => {
    const f = compareRuns([run('a', { origin: 1, edge: [10, 9], purges: [[['edge', 5]]] }), run('b', { origin: 1, edge: [10, 9] })], [run('a', { origin: 1, edge: [10, 9] }), run('c', { origin: 1, edge: [10, 9] })]);
    expect(f.filter((x) => !x.ok).map((x) => [x.variant, x.figure])).toEqual([
      ['a', 'purges run'],
      ['b', 'ran on both engines'],
      ['c', 'ran on both engines'],
    ]);
  });

  it('a tier or purge role one engine lacks is a failed figure', () => {
    const f = compareRuns([run('a', { origin: 1, edge: [10, 9], shield: [1, 0], purges: [[['shield', 5]]] })], [run('a', { origin: 1, edge: [10, 9], purges: [[['shield', 5, 'timeout']]] })]);
    expect(f.filter((x) => !x.ok).map((x) => x.figure)).toEqual(['shield hit ratio', 'purge 1 (url /a) shield ms']);
  });

  it('marks a figure outside tolerance machine-bound, not differing, when the scenario says so or the testbed fell behind', () => {
    const sim = [run('herd', { origin: 3000, edge: [9000, 6000] })];
    const emb = run('herd', { origin: 1019, edge: [9000, 0] });
    const declared = compareRuns(sim, [emb], { herd: 'fills land when the machine gets to them' });
    expect(declared.map((x) => [x.figure, x.status, x.ok, x.why])).toEqual([
      ['origin requests', 'machine-bound', true, 'fills land when the machine gets to them'],
      ['edge hit ratio', 'machine-bound', true, 'fills land when the machine gets to them'],
    ]);
    // A testbed 600 ms behind its plan: the same, with the lag as the reason.
    const late = compareRuns(sim, [{ ...emb, loadLagMs: 600 }]);
    expect(late.map((x) => x.status)).toEqual(['machine-bound', 'machine-bound']);
    expect(late[0].why).toBe('the testbed fell 600 ms behind its plan: its cores were saturated');
    // Behind by less than the limit, and not listed: an ordinary difference.
    expect(compareRuns(sim, [{ ...emb, loadLagMs: 99 }], { other: 'x' }).map((x) => x.status)).toEqual(['differs', 'differs']);
    // Within tolerance stays ok whatever the lag; a missing variant still differs.
    const f3 = compareRuns([run('a', { origin: 10, edge: [10, 9] }), run('b', { origin: 1, edge: [1, 0] })], [{ ...run('a', { origin: 10, edge: [10, 9] }), loadLagMs: 900 }], { b: 'listed' });
    expect(f3.map((x) => [x.variant, x.status])).toEqual([
      ['a', 'ok'],
      ['a', 'ok'],
      ['b', 'differs'],
    ]);
    expect(formatAgreementTable(declared)).toMatch(/origin requests\s+3000\s+1019\s+900\s+machine-bound/);
    expect(formatAgreementMarkdown(declared)).toContain('\n\n- herd: machine-bound: fills land when the machine gets to them');
  });

  it("a testbed whose median latency is far above the simulator's is machine-bound; a little above is not", () => {
    const lat = (p50: number) => ({ na: { count: 100, p50, p90: p50, p99: p50, mean: p50, max: p50 } });
    const sim = [{ ...run('tree', { origin: 252, edge: [1000, 466] }), latency: lat(32) }];
    const emb = run('tree', { origin: 252, edge: [1000, 277] });
    const slow = compareRuns(sim, [{ ...emb, latency: lat(728) }]);
    expect(slow.map((x) => [x.figure, x.status])).toEqual([
      ['origin requests', 'ok'],
      ['edge hit ratio', 'machine-bound'],
    ]);
    expect(slow[1].why).toBe("the testbed's median latency was 728 ms against the simulator's 32 ms: its requests queued for CPU and met fills in flight");
    // The origin's count is still held: collapsing keeps it one fetch per fill however long the queue.
    expect(compareRuns(sim, [{ ...emb, origin: { requests: 500, byPath: {}, byKind: {} }, latency: lat(728) }])[0].status).toBe('differs');
    expect(compareRuns(sim, [{ ...emb, latency: lat(300) }])[1].status).toBe('differs');
    // A low median with a slow tail (most answers edge hits, the fills slow): the p99 says it.
    const tail = (p50: number, p99: number) => ({ na: { count: 100, p50, p90: p50, p99, mean: p50, max: p99 } });
    const simTail = [{ ...sim[0], latency: tail(0, 460) }];
    const slowTail = compareRuns(simTail, [{ ...emb, latency: tail(5, 1390) }]);
    expect(slowTail[1]).toMatchObject({ status: 'machine-bound', why: "the testbed's p99 latency was 1390 ms against the simulator's 460 ms: its requests queued for CPU and met fills in flight" });
    expect(compareRuns(simTail, [{ ...emb, latency: tail(5, 1200) }])[1].status).toBe('differs');
  });

  it('states, per testbed variant, what the machine-bound rules read: latency against the simulator, lag, host CPU', () => {
    const lat = (p50: number, p99: number) => ({ na: { count: 100, p50, p90: p50, p99, mean: p50, max: p99 } });
    const sim = [{ ...run('tree', { origin: 1, edge: [10, 9] }), latency: lat(32, 460) }];
    const emb = [{ ...run('tree', { origin: 1, edge: [10, 9] }), latency: lat(728.4, 1390), loadLagMs: 214, hostCpu: { cores: 2, busy: 0.93, stalled: 0.86 } }, run('only-testbed', { origin: 1, edge: [10, 9] })];
    expect(testbedLoadLines(sim, emb)).toEqual([
      "tree: median latency (worst region) 728 ms (simulator 32 ms); p99 1390 ms (simulator 460 ms); requests left at most 214 ms after their planned time; host CPU during the workload: 2 cores 93% busy; some process was waiting for a core 86% of the time",
      'only-testbed: median latency (worst region) - (simulator -); p99 - (simulator -); requests left at most 0 ms after their planned time',
    ]);
  });

  it("a purge later on a saturated testbed is machine-bound; one sooner than the simulator's still differs", () => {
    const sim = [run('tree', { origin: 1, edge: [10, 9], purges: [[['edge', 117]]] })];
    const busy = { cores: 2, busy: 0.98, stalled: 0.9 };
    const later = compareRuns(sim, [{ ...run('tree', { origin: 1, edge: [10, 9], purges: [[['edge', 787]]] }), hostCpu: busy }]);
    expect(later[2]).toMatchObject({ figure: 'purge 1 (url /a) edge ms', status: 'machine-bound' });
    expect(later[2].why).toMatch(/waited for a core 90% of the time/);
    // The hit ratios are not timings: saturation alone does not excuse them.
    const hits = compareRuns(sim, [{ ...run('tree', { origin: 1, edge: [10, 1] }), hostCpu: busy, purges: sim[0].purges }]);
    expect(hits[1]).toMatchObject({ figure: 'edge hit ratio', status: 'differs' });
    const sooner = compareRuns([run('t', { origin: 1, edge: [10, 9], purges: [[['edge', 787]]] })], [{ ...run('t', { origin: 1, edge: [10, 9], purges: [[['edge', 117]]] }), hostCpu: busy }]);
    expect(sooner[2].status).toBe('differs');
    // On a machine with room, a late purge is an ordinary difference.
    const idle = compareRuns(sim, [{ ...run('tree', { origin: 1, edge: [10, 9], purges: [[['edge', 787]]] }), hostCpu: { cores: 2, busy: 0.5, stalled: 0.1 } }]);
    expect(idle[2].status).toBe('differs');
  });

  it('formats a table and Markdown naming what differs and the tolerances', () => {
    const f = compareRuns([run('a', { origin: 10, edge: [100, 90] })], [run('a', { origin: 90, edge: [100, 90] })]);
    const t = formatAgreementTable(f);
    expect(t).toMatch(/^variant\s+figure\s+sim\s+embedded\s+max diff/);
    expect(t).toMatch(/a\s+origin requests\s+10\s+90\s+27\s+DIFFERS/);
    expect(t).toMatch(/a\s+edge hit ratio\s+0\.900\s+0\.900\s+0\.120\s+ok/);
    const md = formatAgreementMarkdown(f);
    expect(md).toContain('| a | origin requests | 10 | 90 | 27 | **differs** |');
    expect(md).toContain('Tolerances: origin requests ±8 or ±30% of the larger');
  });
});
