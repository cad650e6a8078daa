/**
 * Client latency by name (a region, a client group) in HdrHistograms: fixed
 * memory whatever the request count, three significant digits on every
 * percentile. Values are
 * recorded in microseconds so a same-region hit (well under a millisecond on
 * loopback) is not rounded to 0.
 */
import * as hdr from 'hdr-histogram-js';
import { NO_LATENCY, type LatencySummary } from '@cdnlab/scenario';

const MAX_US = 3_600_000_000;

export class LatencyRecorder {
  private readonly byName = new Map<string, hdr.JsHistogram>();

  record(name: string, ms: number): void {
    let h = this.byName.get(name);
    if (!h) {
      h = new hdr.Int32Histogram(1, MAX_US, 3);
      this.byName.set(name, h);
    }
    h.recordValue(Math.min(MAX_US, Math.max(0, Math.round(ms * 1000))));
  }

  /**
   * A summary for each name, NaN figures for one that recorded nothing.
   * Called while the load runs (an `at:` snapshot), on the thread that
   * sends the requests: each histogram is walked once (summarise), where
   * the library's mean and getValueAtPercentile walk it once per figure
   * (about 4 ms per name, 24 ms for six names, a pause in the load).
   */
  summary(names: readonly string[]): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const r of names) {
      const h = this.byName.get(r);
      out[r] = h && h.totalCount > 0 ? summarise(h) : { ...NO_LATENCY };
    }
    return out;
  }

  close(): void {
    for (const h of this.byName.values()) h.destroy();
    this.byName.clear();
  }
}

const PERCENTILES = [50, 90, 99] as const;

/**
 * count, mean, p50, p90, p99 and max of a non-empty histogram in one walk
 * of its counts, in milliseconds: the figures the library's `mean` and
 * `getValueAtPercentile` give (the tests compare them), which walk the
 * counts once each. A percentile is the highest value equivalent to the
 * first bucket at which the running count reaches ⌈p × total / 100⌉ (the
 * library computes that ceiling in floating point, guarded to come out
 * exact; here it is integer arithmetic); the mean weighs each bucket by
 * its median equivalent value.
 */
export function summarise(h: hdr.JsHistogram): LatencySummary {
  const total = h.totalCount;
  const ranks = PERCENTILES.map((p) => {
    const n = p * total; // an exact integer below 2^53
    return Math.max(1, (n - (n % 100)) / 100 + (n % 100 > 0 ? 1 : 0));
  });
  const at: number[] = [];
  const last = Math.min(h.countsArrayIndex(h.maxValue), h.countsArrayLength - 1);
  let running = 0;
  let sum = 0;
  for (let i = 0; i <= last; i++) {
    const c = h.getCountAtIndex(i);
    if (c === 0) continue;
    const value = h.valueFromIndex(i);
    running += c;
    sum += h.medianEquivalentValue(value) * c;
    while (at.length < ranks.length && running >= ranks[at.length]) at.push(h.highestEquivalentValue(value));
  }
  const ms = (us: number): number => Math.round(us) / 1000;
  return { count: total, mean: ms(sum / total), p50: ms(at[0]), p90: ms(at[1]), p99: ms(at[2]), max: ms(h.maxValue) };
}
