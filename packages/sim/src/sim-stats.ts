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

/** A counter per fixed-width bucket of virtual time. */
export class Series {
  values: number[] = [];
  constructor(readonly bucketMs: number) {}

  add(atMs: number, by = 1): void {
    const i = Math.floor(atMs / this.bucketMs);
    const v = this.values;
    while (v.length <= i) v.push(0);
    v[i] += by;
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

const NICE_BUCKETS = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000];

/** A bucket width that gives at most ~200 buckets over `durationMs`. */
export function chooseBucketMs(durationMs: number | undefined): number {
  if (durationMs === undefined || !(durationMs > 0)) return 1000;
  for (const b of NICE_BUCKETS) if (durationMs / b <= 200) return b;
  return Math.ceil(durationMs / 200 / 3_600_000) * 3_600_000;
}
