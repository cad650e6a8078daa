/**
 * The metric namespace that expectations and reports use, computed from a
 * {@link RunResult}. Every engine returns a RunResult, so every engine gets
 * the same metrics with the same meaning; nothing here knows how the numbers
 * were obtained.
 *
 * A metric is a set of labelled series and one way to fold the series that
 * a selector matches into a number:
 *
 *   sum    counters: `origin.requests{path="/hot"}` adds the matching paths
 *   ratio  Σ numerators / Σ denominators: `edge.hit_ratio` is all edges' hits
 *          over all edges' requests, not the mean of their ratios
 *   max    the worst matching series: `latency.p99_ms` without a region is
 *          the worst region's p99 (percentiles of different regions cannot
 *          be merged from their summaries)
 *
 * A selector may only name labels the metric has; anything else is an error,
 * because a label that matches nothing would quietly give 0 and make
 * `== 0` pass.
 */
import { formatExpectation, matchesLabels, type Expectation, type LabelMatcher } from './expectation-expr';
import type { LatencySummary, RunResult } from './engine';
import { CACHE_ROLES } from './schema-topology';

/** A metric's values at one moment of a run, keyed by {@link selectorKey}. */
export interface RunSnapshot {
  /** Offset from the start of the run at which the values were taken. */
  atMs: number;
  metrics: Record<string, number>;
}

/**
 * A RunResult that may carry snapshots taken during the run, for expectations
 * with `at:`. Engines that take none leave the field out.
 */
export interface RunResultWithSnapshots extends RunResult {
  snapshots?: RunSnapshot[];
}

export type MetricFold = 'sum' | 'ratio' | 'max';

interface Series {
  labels: Record<string, string>;
  num: number;
  /** Ratio metrics only. */
  den?: number;
}

export interface MetricDef {
  name: string;
  help: string;
  labels: readonly string[];
  fold: MetricFold;
  /**
   * A duration measured on the engine's clock. On a testbed whose cores
   * were saturated it holds queueing for CPU as well as the modelled
   * network and origin (see machineBoundReason).
   */
  timing?: true;
  series(r: RunResult): Series[];
}

export class MetricError extends Error {
  readonly code = 'ERR_CDNLAB_METRIC';

  constructor(message: string) {
    super(message);
    this.name = 'MetricError';
  }
}

const PERCENTILES = [
  ['p50_ms', 'p50'],
  ['p90_ms', 'p90'],
  ['p99_ms', 'p99'],
  ['mean_ms', 'mean'],
  ['max_ms', 'max'],
] as const;

function one(num: number, den?: number): Series[] {
  return [den === undefined ? { labels: {}, num } : { labels: {}, num, den }];
}

function byKey(rec: Record<string, number>, label: string): Series[] {
  return Object.entries(rec).map(([k, v]) => ({ labels: { [label]: k }, num: v }));
}

function nodeLabels(n: RunResult['nodes'][number]): Record<string, string> {
  return { node: n.id, role: n.role, region: n.region };
}

type LatencyField = 'p50' | 'p90' | 'p99' | 'mean' | 'max';

/** One series per region (or group) that has answers: an empty one has no percentiles to compare. */
function summarySeries(label: string, summaries: Array<[string, LatencySummary]>, field: LatencyField): Series[] {
  return summaries.filter(([, s]) => s.count > 0).map(([name, s]) => ({ labels: { [label]: name }, num: s[field] }));
}

const latencySeries = (field: LatencyField) => (r: RunResult) => summarySeries('region', Object.entries(r.latency), field);
const groupLatencySeries = (field: LatencyField) => (r: RunResult) => summarySeries('group', Object.entries(r.requests.byGroup).map(([g, x]) => [g, x.latency]), field);

function purgeAcks(r: RunResult): Series[] {
  return r.purges.flatMap((p, i) =>
    p.acks.filter((a) => !a.error).map((a) => ({ labels: { node: a.nodeId, role: a.role, purge: String(i) }, num: a.delayMs })),
  );
}

function defs(): MetricDef[] {
  const out: MetricDef[] = [
    { name: 'requests.sent', help: 'client requests sent', labels: [], fold: 'sum', series: (r) => one(r.requests.sent) },
    { name: 'requests.answered', help: 'client requests that got an HTTP answer', labels: [], fold: 'sum', series: (r) => one(r.requests.answered) },
    { name: 'requests.errors', help: 'client requests that failed without an answer', labels: [], fold: 'sum', series: (r) => one(r.requests.errors) },
    { name: 'requests.unfinished', help: 'client requests still in flight when the run ended', labels: [], fold: 'sum', series: (r) => one(r.requests.unfinished) },
    { name: 'requests.status', help: 'answers by HTTP status', labels: ['code'], fold: 'sum', series: (r) => byKey(r.requests.byStatus, 'code') },
    { name: 'requests.result', help: 'answers by the edge outcome (hit, stale, miss, pass, revalidated, error)', labels: ['result'], fold: 'sum', series: (r) => byKey(r.requests.byResult, 'result') },
    { name: 'requests.error', help: 'failed requests by kind (connect, timeout, reset, dns ...)', labels: ['kind'], fold: 'sum', series: (r) => byKey(r.requests.byError, 'kind') },
    { name: 'requests.group_sent', help: 'client requests sent, by client group', labels: ['group'], fold: 'sum', series: (r) => groupSeries(r, 'sent') },
    { name: 'requests.group_answered', help: 'client requests that got an HTTP answer, by client group', labels: ['group'], fold: 'sum', series: (r) => groupSeries(r, 'answered') },
    {
      name: 'requests.group_result',
      help: 'answers by the edge outcome (hit, stale, miss, pass, revalidated, error), by client group',
      labels: ['group', 'result'],
      fold: 'sum',
      series: (r) => Object.entries(r.requests.byGroup).flatMap(([group, g]) => Object.entries(g.byResult).map(([result, n]) => ({ labels: { group, result }, num: n }))),
    },
    {
      name: 'requests.group_status',
      help: 'answers by HTTP status, by client group',
      labels: ['group', 'code'],
      fold: 'sum',
      series: (r) => Object.entries(r.requests.byGroup).flatMap(([group, g]) => Object.entries(g.byStatus).map(([code, n]) => ({ labels: { group, code }, num: n }))),
    },
    {
      name: 'requests.group_hit_ratio',
      help: 'answers that were edge hits (fresh or stale) / answers, by client group',
      labels: ['group'],
      fold: 'ratio',
      series: (r) => Object.entries(r.requests.byGroup).map(([group, g]) => ({ labels: { group }, num: (g.byResult.hit ?? 0) + (g.byResult.stale ?? 0), den: g.answered })),
    },
    { name: 'requests.watched', help: 'answers a workload.watch rule matched (a line of its header contains its text), by rule and client group', labels: ['watch', 'group'], fold: 'sum', series: watchedSeries },
    {
      name: 'requests.watched_ratio',
      help: 'answers a watch rule matched / answers, of the matching groups (several rules: their mean, so select one)',
      labels: ['watch', 'group'],
      fold: 'ratio',
      series: (r) => watchedSeries(r).map((s) => ({ ...s, den: r.requests.byGroup[s.labels.group]?.answered ?? 0 })),
    },
    {
      name: 'errors.rate',
      help: 'failed requests / sent requests',
      labels: [],
      fold: 'ratio',
      series: (r) => one(r.requests.errors, r.requests.sent),
    },
    { name: 'stale.served', help: 'answers clients got from a stale copy', labels: [], fold: 'sum', series: (r) => one(r.requests.byResult.stale ?? 0) },
    { name: 'origin.requests', help: 'requests the origin received (by path, or by kind)', labels: ['path', 'kind'], fold: 'sum', series: originSeries },
    { name: 'node.hit_ratio', help: 'hits / requests of the matching cache nodes', labels: ['node', 'role', 'region'], fold: 'ratio', series: (r) => cacheNodes(r).map((n) => ({ labels: nodeLabels(n), num: n.hits, den: n.requests })) },
    { name: 'node.requests', help: 'requests the matching nodes answered (errors included; for the origin, the requests it received)', labels: ['node', 'role', 'region'], fold: 'sum', series: (r) => r.nodes.map((n) => ({ labels: nodeLabels(n), num: n.requests })) },
    { name: 'node.hits', help: 'hits at the matching cache nodes', labels: ['node', 'role', 'region'], fold: 'sum', series: (r) => cacheNodes(r).map((n) => ({ labels: nodeLabels(n), num: n.hits })) },
    { name: 'node.stale_served', help: 'stale copies the matching cache nodes served', labels: ['node', 'role', 'region'], fold: 'sum', series: (r) => cacheNodes(r).map((n) => ({ labels: nodeLabels(n), num: n.staleServed })) },
    { name: 'node.upstream_fetches', help: 'fetches the matching cache nodes sent to their parents', labels: ['node', 'role', 'region'], fold: 'sum', series: (r) => cacheNodes(r).map((n) => ({ labels: nodeLabels(n), num: n.upstreamFetches })) },
    { name: 'purge.count', help: 'purges run', labels: [], fold: 'sum', series: (r) => one(r.purges.length) },
    { name: 'purge.max_delay_ms', help: 'the longest a node took to apply a purge after it was issued', labels: ['node', 'role'], fold: 'max', timing: true, series: purgeAcks },
    {
      name: 'purge.objects',
      help: 'cached objects purges removed (hard) or marked stale (soft), by node and by the purge kind (url, prefix, tag, all) and mode',
      labels: ['node', 'role', 'kind', 'mode'],
      fold: 'sum',
      series: (r) => r.purges.flatMap((p) => p.acks.filter((a) => !a.error).map((a) => ({ labels: { node: a.nodeId, role: a.role, kind: p.kind, mode: p.mode }, num: a.objectsAffected }))),
    },
    { name: 'purge.failed', help: 'nodes that had not taken a purge when the run ended (an error, redelivered or not)', labels: ['node', 'role'], fold: 'sum', series: (r) => r.purges.flatMap((p) => p.acks.filter((a) => a.error).map((a) => ({ labels: { node: a.nodeId, role: a.role }, num: 1 }))) },
    {
      name: 'purge.redelivered',
      help: 'nodes that took a purge only on a later call (the first one failed: down, frozen, cut off)',
      labels: ['node', 'role'],
      fold: 'sum',
      series: (r) => r.purges.flatMap((p) => p.acks.filter((a) => !a.error && (a.attempts ?? 1) > 1).map((a) => ({ labels: { node: a.nodeId, role: a.role }, num: 1 }))),
    },
  ];
  for (const role of CACHE_ROLES) {
    const of = (r: RunResult) => r.nodes.filter((n) => n.role === role);
    out.push(
      { name: `${role}.hit_ratio`, help: `hits / requests over every ${role} node`, labels: ['node', 'region'], fold: 'ratio', series: (r) => of(r).map((n) => ({ labels: { node: n.id, region: n.region }, num: n.hits, den: n.requests })) },
      { name: `${role}.requests`, help: `requests ${role} nodes answered (errors included)`, labels: ['node', 'region'], fold: 'sum', series: (r) => of(r).map((n) => ({ labels: { node: n.id, region: n.region }, num: n.requests })) },
    );
  }
  for (const [suffix, field] of PERCENTILES) {
    out.push({ name: `latency.${suffix}`, help: `client latency ${field} in ms (the worst region unless one is selected)`, labels: ['region'], fold: 'max', timing: true, series: latencySeries(field) });
    out.push({ name: `latency.group_${suffix}`, help: `client latency ${field} in ms, by client group (the worst group unless one is selected)`, labels: ['group'], fold: 'max', timing: true, series: groupLatencySeries(field) });
  }
  return out;
}

function groupSeries(r: RunResult, field: 'sent' | 'answered'): Series[] {
  return Object.entries(r.requests.byGroup).map(([group, g]) => ({ labels: { group }, num: g[field] }));
}

function watchedSeries(r: RunResult): Series[] {
  return Object.entries(r.requests.watched).flatMap(([watch, byGroup]) => Object.entries(byGroup).map(([group, v]) => ({ labels: { watch, group }, num: v })));
}

function cacheNodes(r: RunResult) {
  return r.nodes.filter((n) => n.role !== 'origin');
}

/**
 * The origin counts per path and per kind separately (RunResult does not
 * cross them), so a selector may name one of the two. Without either, the
 * total.
 */
function originSeries(r: RunResult): Series[] {
  return [
    ...Object.entries(r.origin.byPath).map(([path, v]) => ({ labels: { path, by: 'path' }, num: v })),
    ...Object.entries(r.origin.byKind).map(([kind, v]) => ({ labels: { kind, by: 'kind' }, num: v })),
  ];
}

/** Names kept for the spellings scenario files already use. */
const ALIASES: Record<string, string> = {
  'client.errors': 'requests.errors',
  'client.requests': 'requests.sent',
  'client.latency_p50': 'latency.p50_ms',
  'client.latency_p90': 'latency.p90_ms',
  'client.latency_p99': 'latency.p99_ms',
  'client.error_rate': 'errors.rate',
};

const DEFS = new Map(defs().map((d) => [d.name, d]));

/** Every metric name an expectation may use (aliases included), sorted. */
export function knownMetricNames(): string[] {
  return [...DEFS.keys(), ...Object.keys(ALIASES)].sort();
}

export function metricDef(name: string): MetricDef | undefined {
  return DEFS.get(ALIASES[name] ?? name);
}

/** Throws MetricError unless `metric{labels}` names a metric and only its labels. */
export function checkSelector(metric: string, labels: readonly LabelMatcher[]): MetricDef {
  const def = metricDef(metric);
  if (!def) throw new MetricError(`unknown metric "${metric}"; known metrics: ${knownMetricNames().join(', ')}`);
  for (const l of labels) {
    if (!def.labels.includes(l.name)) {
      const has = def.labels.length ? `its labels are ${def.labels.join(', ')}` : 'it has no labels';
      throw new MetricError(`metric "${metric}" has no label "${l.name}"; ${has}`);
    }
  }
  if (def.name === 'origin.requests' && labels.some((l) => l.name === 'path') && labels.some((l) => l.name === 'kind')) {
    throw new MetricError('origin.requests can be selected by path or by kind, not both: the origin counts them separately');
  }
  return def;
}

/**
 * The value of `metric{labels}` in `r`. Counters with no matching series are
 * 0; ratios over nothing and maxima of nothing are NaN (no data is not a
 * value, and NaN fails every comparison).
 */
export function metricValue(r: RunResult, metric: string, labels: readonly LabelMatcher[] = []): number {
  const def = checkSelector(metric, labels);
  // origin.requests lists every request twice (by path and by kind): without either label, the total.
  if (def.name === 'origin.requests' && !labels.some((l) => l.name === 'path' || l.name === 'kind')) return r.origin.requests;
  return fold(def, def.series(r).filter((s) => matchesLabels({ labels: [...labels] }, s.labels)), labels.some((l) => l.name === 'kind') ? 'kind' : 'path');
}

/** Folds the series a selector matched; `by` picks origin.requests' view (path or kind). */
function fold(def: MetricDef, matched: Series[], by: 'path' | 'kind'): number {
  const series = def.name === 'origin.requests' ? matched.filter((s) => s.labels.by === by) : matched;
  switch (def.fold) {
    case 'sum':
      return series.reduce((a, s) => a + s.num, 0);
    case 'ratio': {
      const den = series.reduce((a, s) => a + (s.den ?? 0), 0);
      return den > 0 ? series.reduce((a, s) => a + s.num, 0) / den : NaN;
    }
    case 'max':
      return series.length ? Math.max(...series.map((s) => s.num)) : NaN;
  }
}

/** `metric{a="x",b!="y"}` with labels sorted by name: the key of a value in a snapshot. */
export function selectorKey(metric: string, labels: readonly LabelMatcher[] = []): string {
  const name = ALIASES[metric] ?? metric;
  if (labels.length === 0) return name;
  const sorted = [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // formatExpectation quotes label values the way the parser reads them back.
  const text = formatExpectation({ metric: name, labels: sorted, op: '==', value: 0 } as Expectation);
  return text.slice(0, text.lastIndexOf(' == '));
}

/**
 * Every metric without a selector, and every single-label series
 * (`origin.requests{path="/hot"}`, `node.hit_ratio{node="edge-na-1"}`):
 * what reports list and what snapshots hold.
 */
export function computeMetrics(r: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const def of DEFS.values()) {
    out[def.name] = metricValue(r, def.name);
    // The series once, grouped by each label's values in one pass: a run can
    // have tens of thousands of origin paths, and a lookup per value would be
    // quadratic in them.
    const all = def.series(r);
    for (const label of def.labels) {
      const groups = new Map<string, Series[]>();
      for (const s of all) {
        const v = s.labels[label];
        if (v === undefined) continue;
        const g = groups.get(v);
        if (g === undefined) groups.set(v, [s]);
        else g.push(s);
      }
      for (const v of [...groups.keys()].sort()) {
        out[selectorKey(def.name, [{ name: label, op: '=', value: v }])] = fold(def, groups.get(v)!, label === 'kind' ? 'kind' : 'path');
      }
    }
  }
  return out;
}

/** What an engine stores in a snapshot: {@link computeMetrics} plus each expectation's own selector. */
export function snapshotMetrics(r: RunResult, expectations: readonly Pick<Expectation, 'metric' | 'labels'>[] = []): Record<string, number> {
  const out = computeMetrics(r);
  for (const e of expectations) out[selectorKey(e.metric, e.labels)] = metricValue(r, e.metric, e.labels);
  return out;
}
