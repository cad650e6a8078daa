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
  private readonly byName = new Map<string, hdr.Histogram>();

  record(name: string, ms: number): void {
    let h = this.byName.get(name);
    if (!h) {
      h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 3, autoResize: false, useWebAssembly: false });
      this.byName.set(name, h);
    }
    h.recordValue(Math.min(MAX_US, Math.max(0, Math.round(ms * 1000))));
  }

  /** A summary for each name, NaN figures for one that recorded nothing. */
  summary(names: readonly string[]): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    const ms = (us: number): number => Math.round(us) / 1000;
    for (const r of names) {
      const h = this.byName.get(r);
      if (!h || h.totalCount === 0) {
        out[r] = { ...NO_LATENCY };
        continue;
      }
      out[r] = { count: h.totalCount, mean: ms(h.mean), p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)), max: ms(h.maxValue) };
    }
    return out;
  }

  close(): void {
    for (const h of this.byName.values()) h.destroy();
    this.byName.clear();
  }
}
