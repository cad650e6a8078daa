/**
 * The report's charts, as Vega-Lite specs rendered to SVG in Node. Vega's
 * "none" renderer draws SVG without a canvas (text is measured by estimate),
 * so no native module is needed. Each chart compares the variants side by
 * side: that is what a scenario is for.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LatencyOverTime, LatencySummary, RunResult } from '@cdnlab/scenario';

export interface Chart {
  /** File name without extension. */
  name: string;
  title: string;
  /** What to read in it. */
  caption: string;
  svg: string;
}

const WIDTH = 560;
const HEIGHT = 220;

type Row = Record<string, string | number | null>;

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function base(title: string, values: Row[]): Pick<TopLevelSpec, '$schema' | 'title' | 'data' | 'config'> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values },
    config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: null } },
  } as Pick<TopLevelSpec, '$schema' | 'title' | 'data' | 'config'>;
}

/** A row per bucket of one of `r`'s series: its end (s) and value (per second when `perSecond`), with the variant and `labels`. */
function bucketRows(r: RunResult, values: readonly number[], labels: Row, perSecond: boolean): Row[] {
  const ms = r.series.bucketMs;
  return values.map((v, i) => ({ variant: r.variant, ...labels, t: ((i + 1) * ms) / 1000, value: finite(perSecond ? (v * 1000) / ms : v) }));
}

function timeRows(results: readonly RunResult[], pick: (r: RunResult) => number[], perSecond: boolean): Row[] {
  return results.flatMap((r) => bucketRows(r, pick(r), {}, perSecond));
}

/** A step line per variant of a per-second rate over the run's buckets; `encoding` adds channels. */
function perSecondLines(title: string, rows: Row[], yTitle: string, encoding: Record<string, unknown> = {}): TopLevelSpec {
  return {
    ...base(title, rows),
    width: WIDTH,
    height: HEIGHT,
    mark: { type: 'line', interpolate: 'step-before', point: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time (s)' },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'variant', type: 'nominal' },
      ...encoding,
    },
  } as TopLevelSpec;
}

/**
 * Step lines over time, one panel per variant (rows of `t`, `value` and
 * `variant`): `y` is the value axis, `color` the field that tells the lines
 * apart, `encoding` adds channels.
 */
function variantPanels(title: string, rows: Row[], mark: Record<string, unknown>, y: Record<string, unknown>, color: Record<string, unknown>, encoding: Record<string, unknown> = {}): TopLevelSpec {
  return {
    ...base(title, rows),
    width: WIDTH,
    height: 120,
    mark: { type: 'line', interpolate: 'step-before', ...mark },
    encoding: {
      row: { field: 'variant', type: 'nominal', title: null },
      x: { field: 't', type: 'quantitative', title: 'time (s)' },
      y,
      color,
      ...encoding,
    },
  } as TopLevelSpec;
}

/** More edges than this are charted per region. */
const MAX_EDGE_LINES = 24;

/** More client regions than this are charted as all clients together. */
const MAX_LATENCY_REGIONS = 6;

function latencyRegionCount(results: readonly RunResult[]): number {
  return Math.max(0, ...results.map((r) => Object.keys(r.series.latencyByRegion).length));
}

function latencyOverTimeCaption(results: readonly RunResult[]): string {
  const n = latencyRegionCount(results);
  const whose = n > MAX_LATENCY_REGIONS ? `all clients together (${n} regions)` : n > 1 ? 'per client region' : 'of all clients';
  return `Mean (solid line, circles) and slowest (dashed line, triangles) latency of the requests sent in each interval, from the planned send time to the answer, ${whose}, one panel per variant: a wait for a fill, a refill after a purge or a move to a farther edge shows at the time the requests that paid for it were sent. A gap is an interval whose requests got no answer (or none were sent).`;
}

/** Regions' latency per bucket as one: means weighted by answers, the slowest of all. */
function allClients(regions: ReadonlyArray<LatencyOverTime>): LatencyOverTime {
  const n = Math.max(0, ...regions.map((s) => s.answers.length));
  const out: LatencyOverTime = { answers: [], meanMs: [], maxMs: [] };
  for (let i = 0; i < n; i++) {
    let answers = 0;
    let sum = 0;
    let max = -Infinity;
    for (const s of regions) {
      const k = s.answers[i] ?? 0;
      if (k === 0) continue;
      answers += k;
      sum += k * s.meanMs[i];
      max = Math.max(max, s.maxMs[i]);
    }
    out.answers.push(answers);
    out.meanMs.push(answers > 0 ? sum / answers : NaN);
    out.maxMs.push(answers > 0 ? max : NaN);
  }
  return out;
}

/**
 * Mean and max latency per bucket, a line per client region (or one for all
 * clients when there are many regions: the means weighted by answers, the
 * max of the maxima), dashes telling mean and max apart.
 */
function latencyOverTimeSpec(results: readonly RunResult[]): TopLevelSpec {
  const together = latencyRegionCount(results) > MAX_LATENCY_REGIONS;
  const rows: Row[] = results.flatMap((r) => {
    const regions = Object.entries(r.series.latencyByRegion);
    const lines = together ? [['all clients', allClients(regions.map(([, s]) => s))] as const] : regions;
    return lines.flatMap(([region, s]) => [...bucketRows(r, s.meanMs, { region, stat: 'mean' }, false), ...bucketRows(r, s.maxMs, { region, stat: 'max' }, false)]);
  });
  return variantPanels(
    'Client latency (ms): mean and slowest by send time',
    rows,
    // Points too: an interval between two gaps (a burst) has no line to draw.
    { point: { filled: true, size: 25 } },
    { field: 'value', type: 'quantitative', title: 'ms' },
    { field: 'region', type: 'nominal', title: together ? null : 'region' },
    {
      // One legend for both (the shapes'): with points on the lines, a dash legend would show dots.
      strokeDash: { field: 'stat', type: 'nominal', sort: ['mean', 'max'], legend: null },
      shape: { field: 'stat', type: 'nominal', title: null, sort: ['mean', 'max'], scale: { range: ['circle', 'triangle-up'] } },
    },
  );
}

export async function renderCharts(results: readonly RunResult[]): Promise<Chart[]> {
  const charts: Chart[] = [];
  const add = async (name: string, title: string, caption: string, spec: TopLevelSpec): Promise<void> => {
    charts.push({ name, title, caption, svg: await render(spec) });
  };

  await add(
    'origin-requests',
    'Origin requests over time',
    'Requests per second the origin received (its own counts), per variant. Spikes are fills: a cold start, a purge, an expiry.',
    perSecondLines('Origin requests per second', timeRows(results, (r) => r.series.originRequests, true), 'requests/s'),
  );

  // A ratio per interval: no answers in an interval is no ratio (a gap in the line), not 0.
  const ratioAxis = { field: 'value', type: 'quantitative', title: 'edge hit ratio', scale: { domain: [0, 1] } };
  await add(
    'edge-hit-ratio',
    'Edge hit ratio over time',
    'Share of the answers clients got that an edge served from its cache (hit or stale), per interval and variant. Dips are fills: a cold start, an expiry, a purge, a sweep of objects nobody asks for again. A gap is an interval with no answers. Once the last requests are sent, only slow answers are still coming (misses that wait for a fill), so the last intervals can drop.',
    perSecondLines('Edge hit ratio', timeRows(results, (r) => r.series.edgeHitRatio, false), 'edge hit ratio', { y: ratioAxis }),
  );
  if (results.some((r) => Object.keys(r.series.byGroupHitRatio).length > 1)) {
    const groupRows: Row[] = results.flatMap((r) =>
      Object.entries(r.series.byGroupHitRatio).flatMap(([group, arr]) => bucketRows(r, arr, { group }, false)),
    );
    await add(
      'group-hit-ratio',
      'Edge hit ratio over time per client group',
      'The same per client group, as the workload names them (users and a crawler, visitors and an attacker), one panel per variant: what each kind of client got from the edges while the run went on.',
      variantPanels('Edge hit ratio per client group', groupRows, { point: true }, ratioAxis, { field: 'group', type: 'nominal', title: 'client group' }),
    );
  }

  const tierRows: Row[] = results.flatMap((r) =>
    (['edge', 'regional', 'shield'] as const).flatMap((role) => {
      const nodes = r.nodes.filter((n) => n.role === role);
      const req = nodes.reduce((a, n) => a + n.requests, 0);
      return nodes.length ? [{ variant: r.variant, tier: role, value: req > 0 ? nodes.reduce((a, n) => a + n.hits, 0) / req : null }] : [];
    }),
  );
  await add('hit-ratio', 'Hit ratio per tier', 'Hits over requests at each tier, all nodes of the tier together.', {
    ...base('Hit ratio per tier', tierRows),
    width: { step: 18 },
    height: HEIGHT,
    mark: 'bar',
    encoding: {
      column: { field: 'tier', type: 'nominal', title: null, sort: ['edge', 'regional', 'shield'] },
      x: { field: 'variant', type: 'nominal', title: null, axis: { labels: false, ticks: false } },
      y: { field: 'value', type: 'quantitative', title: 'hit ratio', scale: { domain: [0, 1] } },
      color: { field: 'variant', type: 'nominal' },
    },
  } as TopLevelSpec);

  if (results.some((r) => Object.keys(r.series.byTier).length > 1)) {
    const tierTimeRows: Row[] = results.flatMap((r) =>
      Object.entries(r.series.byTier).flatMap(([tier, s]) => bucketRows(r, s.hitRatio, { tier }, false)),
    );
    await add(
      'tier-hit-ratio',
      'Hit ratio per tier over time',
      'The same per interval, one panel per variant: hits over the answers each tier gave, all its nodes together. A tier behind the edges sees only their misses, so its line rises while it warms up and dips when a purge or an expiry sends the edges back to it. A gap is an interval in which the tier answered nothing (an idle tier, or none of its nodes up). Once the last requests are sent, only slow answers are still coming (misses that wait for a fill), so the last intervals can drop.',
      variantPanels('Hit ratio per tier', tierTimeRows, { point: true }, { ...ratioAxis, title: 'hit ratio' }, { field: 'tier', type: 'nominal', title: 'tier', sort: ['edge', 'regional', 'shield'] }),
    );
  }

  // Percentile bars per region, and per client group when a scenario names
  // several (visitors and an attacker, say): the regions mix them together.
  const latencyChart = (facet: 'region' | 'group', rows: Row[]): TopLevelSpec =>
    ({
      ...base(`Client latency (ms) per ${facet === 'group' ? 'client group' : facet}`, rows),
      width: { step: 12 },
      height: HEIGHT,
      mark: 'bar',
      encoding: {
        column: { field: facet, type: 'nominal', title: null },
        x: { field: 'variant', type: 'nominal', title: null, axis: { labels: false, ticks: false } },
        xOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'] },
        y: { field: 'value', type: 'quantitative', title: 'ms' },
        color: { field: 'variant', type: 'nominal' },
        opacity: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'], scale: { range: [0.45, 0.7, 1] } },
      },
    }) as TopLevelSpec;
  const percentileRows = (variant: string, facet: 'region' | 'group', name: string, s: LatencySummary): Row[] =>
    s.count > 0 ? (['p50', 'p90', 'p99'] as const).map((p) => ({ variant, [facet]: name, percentile: p, value: finite(s[p]) })) : [];
  await add(
    'latency',
    'Client latency per region',
    'Latency percentiles of the answers clients got, from each request\'s planned send time (open loop), per region and variant.',
    latencyChart('region', results.flatMap((r) => Object.entries(r.latency).flatMap(([region, s]) => percentileRows(r.variant, 'region', region, s)))),
  );
  await add('latency-over-time', 'Client latency over time', latencyOverTimeCaption(results), latencyOverTimeSpec(results));
  if (results.some((r) => Object.keys(r.requests.byGroup).length > 1)) {
    await add(
      'group-latency',
      'Client latency per client group',
      'The same percentiles per client group, as the workload names them: what each kind of client saw.',
      latencyChart('group', results.flatMap((r) => Object.entries(r.requests.byGroup).flatMap(([group, g]) => percentileRows(r.variant, 'group', group, g.latency)))),
    );
  }

  // Only when some request failed: a flat line at 0 would say nothing.
  if (results.some((r) => r.series.errors.some((v) => v > 0) || r.series.serverErrors.some((v) => v > 0))) {
    const failureRows: Row[] = results.flatMap((r) =>
      (
        [
          ['no answer', r.series.errors],
          ['5xx answer', r.series.serverErrors],
        ] as const
      ).flatMap(([kind, arr]) => bucketRows(r, arr, { kind }, true)),
    );
    await add(
      'errors',
      'Failed requests over time',
      'Requests per second that failed, per variant, in two kinds: no answer at all (connection refused or reset, timeout, DNS failure: clients of a dead edge, until their DNS answer expires and they are sent elsewhere; solid line, circles) and an answer with a 5xx status (the origin\'s error passed on, a cache\'s 502 or 504; dashed line, triangles). A stale copy served in place of an error is an answer that did not fail.',
      perSecondLines('Failed requests per second', failureRows, 'requests/s', {
        // The shapes carry the legend (with points on the lines, a dash legend would show dots).
        strokeDash: { field: 'kind', type: 'nominal', sort: ['no answer', '5xx answer'], legend: null },
        shape: { field: 'kind', type: 'nominal', title: 'failure', sort: ['no answer', '5xx answer'], scale: { range: ['circle', 'triangle-up'] } },
      }),
    );
  }

  // Only when the scenario watches something: an empty chart would say nothing.
  const watchNames = [...new Set(results.flatMap((r) => Object.keys(r.series.watched)))];
  if (watchNames.length) {
    const watchRows: Row[] = results.flatMap((r) =>
      Object.entries(r.series.watched).flatMap(([watch, arr]) => bucketRows(r, arr, { watch }, true)),
    );
    const several = watchNames.length > 1;
    await add(
      'watched',
      'Watched answers over time',
      `Answers per second matching ${several ? 'each workload.watch rule' : `the workload.watch rule "${watchNames[0]}"`} (a line of its header contains its text), all client groups together, per variant${several ? ' (dashes and shapes tell the rules apart)' : ''}.`,
      perSecondLines('Watched answers per second', watchRows, 'answers/s', {
        // With several rules the shapes carry the legend (with points on the lines, a dash legend would show dots).
        ...(several ? { strokeDash: { field: 'watch', type: 'nominal', legend: null }, shape: { field: 'watch', type: 'nominal', title: 'watch' } } : {}),
        detail: { field: 'watch', type: 'nominal' },
      }),
    );
  }

  const purgeRows: Row[] = results.flatMap((r) =>
    r.purges.flatMap((p, i) => p.acks.filter((a) => !a.error).map((a) => ({ variant: r.variant, node: a.nodeId, purge: `#${i + 1} ${p.kind} ${p.value}`.trim(), value: a.delayMs }))),
  );
  if (purgeRows.length) {
    await add('purge-delay', 'Purge apply time per node', 'Milliseconds from the purge command to each node applying it.', {
      ...base('Purge applied after (ms)', purgeRows),
      width: WIDTH,
      height: { step: 10 },
      mark: 'bar',
      encoding: {
        row: { field: 'purge', type: 'nominal', title: null },
        y: { field: 'node', type: 'nominal', title: null },
        yOffset: { field: 'variant', type: 'nominal' },
        x: { field: 'value', type: 'quantitative', title: 'ms' },
        color: { field: 'variant', type: 'nominal' },
      },
    } as TopLevelSpec);
  }

  // One line per edge reads well up to a couple of dozen edges; beyond that
  // (a generated topology of hundreds) the lines are summed per region, or
  // the chart would be an unreadable smear that takes minutes to lay out.
  const edgeCount = Math.max(0, ...results.map((r) => Object.keys(r.series.byEdge).length));
  const perRegion = edgeCount > MAX_EDGE_LINES;
  const edgeRows: Row[] = results.flatMap((r) => {
    const lines = new Map<string, number[]>();
    const regionOf = new Map(r.nodes.map((n) => [n.id, n.region]));
    for (const [edge, arr] of Object.entries(r.series.byEdge)) {
      const name = perRegion ? (regionOf.get(edge) ?? edge) : edge;
      const sum = lines.get(name);
      if (sum === undefined) lines.set(name, [...arr]);
      else arr.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
    }
    return [...lines].flatMap(([line, arr]) => bucketRows(r, arr, { line }, true));
  });
  const what = perRegion ? `the ${edgeCount} edges summed per region` : 'each edge';
  await add(
    'edge-requests',
    perRegion ? 'Requests per region\'s edges over time' : 'Requests per edge over time',
    `Answers per second from ${what}: how DNS (or anycast) spread the clients, and where they went when an edge failed.`,
    variantPanels(perRegion ? 'Answers per second, edges of each region' : 'Answers per second, per edge', edgeRows, {}, { field: 'value', type: 'quantitative', title: 'answers/s' }, { field: 'line', type: 'nominal', title: perRegion ? 'region' : 'edge' }),
  );

  return charts;
}
