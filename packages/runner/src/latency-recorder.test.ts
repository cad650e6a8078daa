import * as hdr from 'hdr-histogram-js';
import { LatencyRecorder, summarise } from './latency-recorder';

/** The library's own figures, each from its own walk: what summarise must equal. */
function libraryFigures(h: hdr.JsHistogram): Record<string, number> {
  const ms = (us: number): number => Math.round(us) / 1000;
  return { count: h.totalCount, mean: ms(h.mean), p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)), max: ms(h.maxValue) };
}

/** A small seeded generator, so a failure names a case that can be run again. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('LatencyRecorder', () => {
  it('summarises in one walk exactly what the library computes in one walk per figure', () => {
    // Totals around the percentile ranks' rounding edges (1, 99, 100, 101, ...) and
    // shapes from one repeated value to a long tail over several powers of two.
    const totals = [1, 2, 3, 9, 10, 11, 99, 100, 101, 199, 200, 201, 999, 1000, 1001, 12_345, 100_000];
    for (const [ti, total] of totals.entries()) {
      for (const shape of ['constant', 'uniform', 'tail'] as const) {
        const rnd = lcg(ti * 7 + shape.length);
        const h = new hdr.Int32Histogram(1, 3_600_000_000, 3);
        for (let i = 0; i < total; i++) {
          const us = shape === 'constant' ? 1234 : shape === 'uniform' ? 1 + Math.floor(rnd() * 200_000) : Math.floor(50 * Math.exp(rnd() * 14));
          h.recordValue(us);
        }
        expect({ total, shape, ...summarise(h) }).toEqual({ total, shape, ...libraryFigures(h) });
      }
    }
  });

  it('keeps one histogram per name, in milliseconds with microsecond resolution; a name without samples has NaN figures', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) r.record('eu', i * 0.25); // 0.25 .. 25 ms
    r.record('us', 3.5);
    const s = r.summary(['eu', 'us', 'ap']);
    expect(s.eu.count).toBe(100);
    expect(s.eu.p50).toBeCloseTo(12.5, 1);
    expect(s.eu.p99).toBeCloseTo(24.75, 1);
    expect(s.eu.max).toBeCloseTo(25, 1);
    expect(s.eu.mean).toBeCloseTo(12.625, 1);
    // One sample: every figure is it, to the histogram's three significant digits.
    expect(s.us.count).toBe(1);
    for (const f of [s.us.mean, s.us.p50, s.us.p90, s.us.p99, s.us.max]) expect(Math.abs(f - 3.5)).toBeLessThanOrEqual(0.0035);
    expect(s.ap.count).toBe(0);
    expect(s.ap.p50).toBeNaN();
    r.close();
  });

  it('clamps what it cannot hold: below 0 to 0, past an hour to an hour', () => {
    const r = new LatencyRecorder();
    r.record('eu', -5);
    r.record('eu', 10 * 3_600_000);
    const s = r.summary(['eu']).eu;
    expect(s.count).toBe(2);
    expect(s.p50).toBe(0);
    expect(s.max).toBeGreaterThanOrEqual(3_600_000 * 0.999);
    r.close();
  });
});
