/**
 * Client latency per interval of a run, as RunResult's
 * `series.latencyByRegion` holds it: how many answers, their mean and the
 * slowest, exact (no histogram bins), so a chart shows a herd's wait, a
 * purge's refill or a region moving to another edge as the run goes on.
 * Every engine counts with this one class.
 */
import type { RunResult } from './engine';

export type LatencyOverTime = RunResult['series']['latencyByRegion'][string];

/** Milliseconds kept to the microsecond in results (a mean of many answers has no use for more digits). */
function micro(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class LatencyBuckets {
  private readonly answers: number[] = [];
  private readonly sums: number[] = [];
  private readonly maxes: number[] = [];

  /** An answer in interval `bucket` (0-based) that took `ms`. */
  add(bucket: number, ms: number): void {
    const a = this.answers;
    while (a.length <= bucket) {
      a.push(0);
      this.sums.push(0);
      this.maxes.push(0);
    }
    a[bucket]++;
    this.sums[bucket] += ms;
    if (ms > this.maxes[bucket]) this.maxes[bucket] = ms;
  }

  /** Merges every `factor` consecutive intervals into one (the run's intervals widened). */
  coarsen(factor: number): void {
    const a = this.answers;
    const n = Math.ceil(a.length / factor);
    for (let j = 0; j < n; j++) {
      let k = 0;
      let sum = 0;
      let max = 0;
      for (let i = j * factor; i < Math.min(a.length, (j + 1) * factor); i++) {
        k += a[i];
        sum += this.sums[i];
        if (this.maxes[i] > max) max = this.maxes[i];
      }
      a[j] = k;
      this.sums[j] = sum;
      this.maxes[j] = max;
    }
    a.length = this.sums.length = this.maxes.length = n;
  }

  /** The first `n` intervals (padded with empty ones): mean and max are NaN where there were no answers. */
  result(n: number): LatencyOverTime {
    const out: LatencyOverTime = { answers: [], meanMs: [], maxMs: [] };
    for (let i = 0; i < n; i++) {
      const k = this.answers[i] ?? 0;
      out.answers.push(k);
      out.meanMs.push(k > 0 ? micro(this.sums[i] / k) : NaN);
      out.maxMs.push(k > 0 ? micro(this.maxes[i]) : NaN);
    }
    return out;
  }
}

/** A LatencyBuckets per client region (`byRegion`) and, by group index, the one of each group's region (`ofGroup`). */
export function latencyBucketsOf(clients: ReadonlyArray<{ region: string }>): { byRegion: Map<string, LatencyBuckets>; ofGroup: LatencyBuckets[] } {
  const byRegion = new Map<string, LatencyBuckets>();
  const ofGroup = clients.map((c) => {
    let b = byRegion.get(c.region);
    if (!b) byRegion.set(c.region, (b = new LatencyBuckets()));
    return b;
  });
  return { byRegion, ofGroup };
}

/** RunResult's `series.latencyByRegion`: the first `n` intervals of each region's, regions sorted (one without answers has empty intervals throughout). */
export function latencyByRegionRecord(byRegion: ReadonlyMap<string, LatencyBuckets>, n: number): RunResult['series']['latencyByRegion'] {
  const out: RunResult['series']['latencyByRegion'] = {};
  for (const region of [...byRegion.keys()].sort()) out[region] = byRegion.get(region)!.result(n);
  return out;
}
