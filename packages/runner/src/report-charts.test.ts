import type { NodeResult, RunResult } from '@cdnlab/scenario';
import { renderCharts } from './report-charts';

function result(edges: Array<{ id: string; region: string }>, watched: Record<string, number[]> = {}): RunResult {
  const node = (id: string, region: string): NodeResult => ({ id, role: 'edge', region, requests: 2, hits: 1, misses: 1, staleServed: 0, revalidations: 0, collapsedWaiters: 0, evictions: 0, upstreamFetches: 1, objects: 1, bytes: 1024, hitRatio: 0.5 });
  return {
    scenario: 's',
    variant: 'v',
    engine: 'fake',
    seed: 1,
    durationMs: 1000,
    requests: { sent: 2 * edges.length, answered: 2 * edges.length, errors: 0, unfinished: 0, byResult: { hit: edges.length, miss: edges.length }, byStatus: { '200': 2 * edges.length }, byError: {}, byGroup: { na: { sent: 2 * edges.length, answered: 2 * edges.length, byResult: { hit: edges.length, miss: edges.length }, byStatus: { '200': 2 * edges.length }, latency: { count: 2 * edges.length, mean: 10, p50: 8, p90: 20, p99: 30, max: 40 } } }, watched: Object.fromEntries(Object.entries(watched).map(([w, a]) => [w, { na: a.reduce((x, y) => x + y, 0) }])) },
    origin: { requests: 1, byPath: { '/a': 1 }, byKind: { GET: 1 } },
    nodes: edges.map((e) => node(e.id, e.region)),
    latency: { na: { count: 2, mean: 1, p50: 1, p90: 1, p99: 1, max: 1 } },
    series: { bucketMs: 500, originRequests: [1, 0], edgeHitRatio: [0, 1], byGroupHitRatio: { na: [0, 1] }, byTier: { edge: { answers: [1, 1], hitRatio: [0, 1] } }, requests: [1, 1], errors: [0, 0], serverErrors: [0, 0], latencyByRegion: {}, byEdge: Object.fromEntries(edges.map((e) => [e.id, [1, 1]])), watched },
    purges: [],
    timeline: [],
  };
}

/** The labels of a chart's points whose label ends with `suffix`. */
const points = (svg: string, suffix: string): string[] =>
  [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => m[1]).filter((l) => l.endsWith(suffix));

describe('the edge requests chart', () => {
  it('draws a line per edge for a small topology', async () => {
    const charts = await renderCharts([result([{ id: 'edge-na-1', region: 'na' }, { id: 'edge-eu-1', region: 'eu' }])]);
    const c = charts.find((x) => x.name === 'edge-requests')!;
    expect(c.title).toBe('Requests per edge over time');
    expect(c.svg).toContain('edge-na-1');
    expect(c.svg).toContain('edge-eu-1');
  });

  it('sums the edges of each region when there are more than a couple of dozen', async () => {
    const edges = ['r1', 'r2', 'r3'].flatMap((region) => Array.from({ length: 10 }, (_, i) => ({ id: `edge-${region}-${i + 1}`, region })));
    const charts = await renderCharts([result(edges)]);
    const c = charts.find((x) => x.name === 'edge-requests')!;
    expect(c.title).toBe("Requests per region's edges over time");
    expect(c.caption).toContain('the 30 edges summed per region');
    expect(c.svg).not.toContain('edge-r1-1');
    for (const r of ['r1', 'r2', 'r3']) expect(c.svg).toContain(`>${r}<`);
  });
});

describe('the watched answers chart', () => {
  const edges = [{ id: 'edge-na-1', region: 'na' }];

  it('is left out when the scenario watches nothing', async () => {
    const charts = await renderCharts([result(edges)]);
    expect(charts.map((c) => c.name)).not.toContain('watched');
  });

  it('draws a line per rule per variant, in answers per second', async () => {
    const a = { ...result(edges, { poisoned: [3, 0], leaked: [0, 1] }), variant: 'unkeyed' };
    const b = { ...result(edges, { poisoned: [0, 0], leaked: [0, 0] }), variant: 'keyed' };
    const charts = await renderCharts([a, b]);
    const c = charts.find((x) => x.name === 'watched')!;
    expect(c.title).toBe('Watched answers over time');
    expect(c.caption).toContain('each workload.watch rule');
    expect(c.svg).toContain('Watched answers per second');
    for (const label of ['unkeyed', 'keyed', 'poisoned', 'leaked']) expect(c.svg).toContain(`>${label}<`);
    // Two variants × two rules: four lines; 3 answers in a 500 ms bucket are 6/s.
    expect(c.svg.match(/aria-roledescription="line mark"/g)).toHaveLength(4);
    expect(c.svg).toContain('answers/s: 6; variant: unkeyed; watch: poisoned');
  });

  it('names the rule when there is only one', async () => {
    const charts = await renderCharts([result(edges, { poisoned: [1, 2] })]);
    expect(charts.find((x) => x.name === 'watched')!.caption).toContain('the workload.watch rule "poisoned"');
  });
});

describe('the client group latency chart', () => {
  const edges = [{ id: 'edge-na-1', region: 'na' }];
  const lat = (p50: number) => ({ count: 10, mean: p50, p50, p90: p50 * 2, p99: p50 * 3, max: p50 * 4 });

  it('is left out when the workload has one group (the region chart says it all)', async () => {
    const charts = await renderCharts([result(edges)]);
    expect(charts.map((c) => c.name)).toContain('latency');
    expect(charts.map((c) => c.name)).not.toContain('group-latency');
  });

  it('draws each group\'s percentiles, leaving out a group without answers', async () => {
    const r = result(edges);
    r.requests.byGroup = {
      visitors: { sent: 10, answered: 10, byResult: { hit: 10 }, byStatus: { '200': 10 }, latency: lat(4) },
      reloaders: { sent: 10, answered: 10, byResult: { revalidated: 10 }, byStatus: { '200': 10 }, latency: lat(70) },
      idle: { sent: 0, answered: 0, byResult: {}, byStatus: {}, latency: { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN } },
    };
    const c = (await renderCharts([r])).find((x) => x.name === 'group-latency')!;
    expect(c.title).toBe('Client latency per client group');
    expect(c.svg).toContain('>visitors<');
    expect(c.svg).toContain('>reloaders<');
    expect(c.svg).not.toContain('>idle<');
    // Three percentiles of two groups.
    expect(c.svg.match(/aria-roledescription="bar"/g)).toHaveLength(6);
    expect(c.svg).toContain('variant: v; ms: 210; percentile: p99');
  });
});

describe('the edge hit ratio charts', () => {
  const edges = [{ id: 'edge-na-1', region: 'na' }];
  /** The labels of a chart's points whose label ends with `suffix`. */
  it('draws the edge hit ratio over time per variant, leaving a gap where an interval had no answers', async () => {
    const a = { ...result(edges), variant: 'lru' };
    a.series = { ...a.series, edgeHitRatio: [0.25, NaN, 0.75] };
    const b = { ...result(edges), variant: 'sieve' };
    b.series = { ...b.series, edgeHitRatio: [0.5, 1, 1] };
    const charts = await renderCharts([a, b]);
    const c = charts.find((x) => x.name === 'edge-hit-ratio')!;
    expect(c.title).toBe('Edge hit ratio over time');
    expect(c.svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    // Points at 0.5 s and 1.5 s for lru (its empty interval has none), three for sieve.
    expect(points(c.svg, 'variant: lru')).toEqual(['time (s): 0.5; edge hit ratio: 0.25; variant: lru', 'time (s): 1.5; edge hit ratio: 0.75; variant: lru']);
    expect(points(c.svg, 'variant: sieve')).toHaveLength(3);
    // lru's line is broken at the gap: two pieces in its path.
    const lruPath = /aria-label="[^"]*variant: lru" role="graphics-symbol" aria-roledescription="line mark" d="([^"]*)"/.exec(c.svg)![1];
    expect(lruPath.match(/M/g)).toHaveLength(2);
  });

  it('is drawn per client group only when a workload names several', async () => {
    expect((await renderCharts([result(edges)])).map((c) => c.name)).not.toContain('group-hit-ratio');
    const r = result(edges);
    r.series = { ...r.series, byGroupHitRatio: { users: [0.5, 0.9], crawler: [0, NaN] } };
    const c = (await renderCharts([r])).find((x) => x.name === 'group-hit-ratio')!;
    expect(c.title).toBe('Edge hit ratio over time per client group');
    for (const label of ['users', 'crawler']) expect(c.svg).toContain(`>${label}<`);
    expect(points(c.svg, 'group: users')).toEqual(['time (s): 0.5; edge hit ratio: 0.5; client group: users', 'time (s): 1; edge hit ratio: 0.9; client group: users']);
    expect(points(c.svg, 'group: crawler')).toEqual(['time (s): 0.5; edge hit ratio: 0; client group: crawler']);
  });
});

describe('the hit ratio per tier over time chart', () => {
  const edges = [{ id: 'edge-na-1', region: 'na' }];

  it('is left out with one tier, and drawn a line per tier, a panel per variant, with gaps where a tier answered nothing', async () => {
    expect((await renderCharts([result(edges)])).map((c) => c.name)).not.toContain('tier-hit-ratio');
    const flat = { ...result(edges), variant: 'edges-only' };
    flat.series = { ...flat.series, byTier: { edge: { answers: [5, 5], hitRatio: [0.2, 0.4] }, regional: { answers: [0, 0], hitRatio: [NaN, NaN] } } };
    const tiered = { ...result(edges), variant: 'with-regional' };
    tiered.series = { ...tiered.series, byTier: { edge: { answers: [5, 5], hitRatio: [0.2, 0.4] }, regional: { answers: [10, 5], hitRatio: [0.1, 0.6] } } };
    const c = (await renderCharts([flat, tiered])).find((x) => x.name === 'tier-hit-ratio')!;
    expect(c.title).toBe('Hit ratio per tier over time');
    for (const v of ['edges-only', 'with-regional']) expect(c.svg).toContain(`>${v}<`);
    expect(points(c.svg, 'tier: regional')).toEqual(['time (s): 0.5; hit ratio: 0.1; tier: regional', 'time (s): 1; hit ratio: 0.6; tier: regional']);
    expect(points(c.svg, 'tier: edge')).toHaveLength(4);
  });
});

describe('the client latency over time chart', () => {
  const edges = [{ id: 'edge-na-1', region: 'na' }];
  const lines = (svg: string): string[] => [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark"/g)].map((m) => m[1]);

  it('draws mean and max per region, dashes telling them apart', async () => {
    const r = result(edges);
    r.series = {
      ...r.series,
      latencyByRegion: {
        na: { answers: [2, 0], meanMs: [10, NaN], maxMs: [15, NaN] },
        eu: { answers: [1, 3], meanMs: [40, 50], maxMs: [40, 90] },
      },
    };
    const c = (await renderCharts([r])).find((x) => x.name === 'latency-over-time')!;
    expect(c.title).toBe('Client latency over time');
    expect(c.caption).toContain('per client region');
    // A line (its first point in its label) per region and statistic.
    expect(lines(c.svg).sort()).toEqual(['time (s): 0.5; ms: 10; region: na; stat: mean', 'time (s): 0.5; ms: 15; region: na; stat: max', 'time (s): 0.5; ms: 40; region: eu; stat: max', 'time (s): 0.5; ms: 40; region: eu; stat: mean'].sort());
    expect(c.svg).toMatch(/stroke-dasharray/);
  });

  it('puts many regions together: means weighted by answers, the slowest of all', async () => {
    const r = result(edges);
    const regions = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`r${i}`, { answers: [i === 0 ? 3 : 1], meanMs: [i === 0 ? 10 : 20], maxMs: [i === 0 ? 12 : 20 + i] }]));
    r.series = { ...r.series, latencyByRegion: regions };
    const c = (await renderCharts([r])).find((x) => x.name === 'latency-over-time')!;
    expect(c.caption).toContain('all clients together (8 regions)');
    // (3 × 10 + 7 × 20) / 10 = 17; the slowest r7's 27.
    expect(lines(c.svg).sort()).toEqual(['time (s): 0.5; ms: 17; region: all clients; stat: mean', 'time (s): 0.5; ms: 27; region: all clients; stat: max'].sort());
  });
});

describe('the failed requests chart', () => {
  const edges = [{ id: 'edge-na-1', region: 'na' }];

  it('is left out when no request failed, and drawn per variant and kind of failure in requests per second when one did', async () => {
    expect((await renderCharts([result(edges)])).map((c) => c.name)).not.toContain('errors');
    const failing = { ...result(edges), variant: 'ttl-30s' };
    failing.series = { ...failing.series, errors: [0, 4], serverErrors: [1, 0] };
    const c = (await renderCharts([result(edges), failing])).find((x) => x.name === 'errors')!;
    expect(c.title).toBe('Failed requests over time');
    // 4 errors in a 500 ms interval are 8 per second; one 5xx answer, 2.
    expect(c.svg).toContain('time (s): 1; requests/s: 8; variant: ttl-30s; kind: no answer');
    expect(c.svg).toContain('time (s): 0.5; requests/s: 2; variant: ttl-30s; kind: 5xx answer');
    expect(c.svg).toContain('requests/s: 0; variant: v; kind: no answer');
    // Two variants, two kinds each.
    expect(c.svg.match(/aria-roledescription="line mark"/g)).toHaveLength(4);
  });

  it('is drawn for 5xx answers alone (an origin outage passed on)', async () => {
    const r = result(edges);
    r.series = { ...r.series, serverErrors: [3, 0] };
    expect((await renderCharts([r])).map((c) => c.name)).toContain('errors');
  });
});
