/**
 * Bounded-memory statistics for runs of millions of requests: a log-bucket
 * latency histogram (about 0.5% relative error on percentiles, exact count,
 * mean and max) and fixed-width time series that grow as virtual time does.
 */
import type { LatencySummary } from '@cdnlab/scenario';

/** Buckets per unit of ln(1 + ms): 200 gives bucket edges 0.5% apart. */
const PER_LOG = 200;

export class LatencyHistogram {
  private counts = new Float64Array(1024);
  /** Exact zeros (a hit at an edge in the client's own region), kept apart so p50 can be 0. */
  private zeros = 0;
  private n = 0;
  private sum = 0;
  private maxMs = 0;

  add(ms: number): void {
    const v = ms > 0 ? ms : 0;
    this.n++;
    if (v === 0) {
      this.zeros++;
      return;
    }
    this.sum += v;
    if (v > this.maxMs) this.maxMs = v;
    const i = Math.floor(Math.log1p(v) * PER_LOG);
    if (i >= this.counts.length) {
      let size = this.counts.length;
      while (size <= i) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[i]++;
  }

  /** The q-quantile (0 < q <= 1): the midpoint of its bucket, never above the max. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.ceil(q * this.n);
    let seen = this.zeros;
    if (seen >= rank) return 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.maxMs, Math.expm1((i + 0.5) / PER_LOG));
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    const r = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);
    return {
      count: this.n,
      mean: r(this.n ? this.sum / this.n : NaN),
      p50: r(this.quantile(0.5)),
      p90: r(this.quantile(0.9)),
      p99: r(this.quantile(0.99)),
      max: r(this.n ? this.maxMs : NaN),
    };
  }
}

const HOUR_MS = 3_600_000;
/** Round interval widths; each divides an hour, so widening from one to a later one merges whole intervals. */
const NICE_BUCKETS = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, HOUR_MS];

/** Something kept per interval of a run, merged when the intervals widen (Buckets). */
export interface PerInterval {
  /** Merges every `factor` consecutive intervals into one. */
  coarsen(factor: number): void;
}

/** How many intervals a run aims at (chooseBucketMs), and how many it may reach before they widen. */
export const TARGET_BUCKETS = 200;
export const MAX_BUCKETS = 2 * TARGET_BUCKETS;

/**
 * The interval width every series of a run shares. It starts as
 * chooseBucketMs says for the planned duration; a run that outlasts its
 * plan (a trace at its own times, a workload bounded by a request count
 * rather than a duration) would need an interval past MAX_BUCKETS, and then
 * the width grows to a multiple of itself and every member merges to match.
 * A trace spanning a month then has a few hundred intervals of hours, where
 * one-second intervals took millions of numbers per series and the process
 * ran out of memory writing the report.
 */
export class Buckets {
  private readonly members: PerInterval[] = [];

  constructor(public widthMs: number) {
    if (!(widthMs > 0)) throw new TypeError(`expected an interval width in ms above 0, got ${widthMs}`);
  }

  /** Keeps `m` merged alongside the rest when the intervals widen. */
  join<T extends PerInterval>(m: T): T {
    this.members.push(m);
    return m;
  }

  /** The interval `atMs` falls in (0-based), widening them all first when it would be past MAX_BUCKETS. */
  indexOf(atMs: number): number {
    const i = Math.floor(atMs / this.widthMs);
    if (i < MAX_BUCKETS) return i;
    const wider = widerBucketMs(this.widthMs, atMs);
    const factor = wider / this.widthMs;
    for (const m of this.members) m.coarsen(factor);
    this.widthMs = wider;
    return Math.floor(atMs / wider);
  }
}

/**
 * The smallest width that is a whole multiple of `widthMs` and puts `atMs`
 * within TARGET_BUCKETS intervals: one of chooseBucketMs's round widths,
 * else hours doubled as often as needed.
 */
export function widerBucketMs(widthMs: number, atMs: number): number {
  const fits = (w: number): boolean => Math.floor(atMs / w) < TARGET_BUCKETS;
  for (const b of NICE_BUCKETS) if (b > widthMs && b % widthMs === 0 && fits(b)) return b;
  let w = widthMs * 2;
  if (widthMs < HOUR_MS && HOUR_MS % widthMs === 0) w = HOUR_MS * 2;
  while (!fits(w)) w *= 2;
  return w;
}

/** A counter per interval of virtual time (the run's Buckets). */
export class Series implements PerInterval {
  values: number[] = [];
  constructor(private readonly buckets: Buckets) {
    buckets.join(this);
  }

  add(atMs: number, by = 1): void {
    const i = this.buckets.indexOf(atMs);
    const v = this.values;
    while (v.length <= i) v.push(0);
    v[i] += by;
  }

  coarsen(factor: number): void {
    const v = this.values;
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) {
      const j = Math.floor(i / factor);
      if (j === out.length) out.push(0);
      out[j] += v[i];
    }
    this.values = out;
  }

  /** The values padded (or cut) to `n` buckets. */
  padded(n: number): number[] {
    const out = this.values.slice(0, n);
    while (out.length < n) out.push(0);
    return out;
  }
}

/** One cache tier's answers per bucket and how many of them were hits (fresh or stale). */
export interface TierSeries {
  hits: Series;
  answers: Series;
}

/** A bucket width that gives at most TARGET_BUCKETS buckets over `durationMs` (1 s when it is not known). */
export function chooseBucketMs(durationMs: number | undefined): number {
  if (durationMs === undefined || !(durationMs > 0)) return 1000;
  for (const b of NICE_BUCKETS) if (durationMs / b <= TARGET_BUCKETS) return b;
  return Math.ceil(durationMs / TARGET_BUCKETS / HOUR_MS) * HOUR_MS;
}
