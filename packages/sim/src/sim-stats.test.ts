import { LatencyBuckets } from '@cdnlab/scenario';
import { Buckets, chooseBucketMs, MAX_BUCKETS, Series, TARGET_BUCKETS, widerBucketMs } from './sim-stats';

describe('intervals that widen when a run outlasts its plan', () => {
  it('keeps the planned width while the run stays within MAX_BUCKETS intervals', () => {
    const b = new Buckets(chooseBucketMs(30_000));
    const s = new Series(b);
    s.add(0);
    s.add(30_000 + 5_000); // a drain past the planned end
    expect(b.widthMs).toBe(250);
    expect(s.padded(141)).toEqual([1, ...new Array(139).fill(0), 1]);
  });

  it('widens to a round multiple of the width and merges every series to match', () => {
    const b = new Buckets(1000);
    const early = new Series(b);
    const late = new Series(b);
    const latency = b.join(new LatencyBuckets());
    for (let t = 0; t < 10 * 60_000; t += 700) {
      early.add(t);
      latency.add(b.indexOf(t), t % 13);
    }
    // A month-long trace: one request a day after the first ten minutes.
    for (let day = 1; day <= 30; day++) late.add(day * 86_400_000);
    expect(Number.isInteger(b.widthMs / 1000)).toBe(true);
    expect(Math.floor((30 * 86_400_000) / b.widthMs)).toBeLessThan(MAX_BUCKETS);
    // Nothing lost, and each count in the interval the new width puts it in.
    const n = Math.floor((30 * 86_400_000) / b.widthMs) + 1;
    const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
    const earlyValues = early.padded(n);
    expect(sum(earlyValues)).toBe(Math.ceil((10 * 60_000) / 700));
    expect(earlyValues.slice(1).every((x) => x === 0)).toBe(true);
    expect(sum(late.padded(n))).toBe(30);
    const lr = latency.result(n);
    expect(lr.answers[0]).toBe(Math.ceil((10 * 60_000) / 700));
    expect(lr.maxMs[0]).toBe(12);
  });

  it('picks the smallest fitting width: round ones up to an hour, then hours doubled', () => {
    expect(widerBucketMs(1000, 399_999)).toBe(2000);
    expect(widerBucketMs(1000, 400_000)).toBe(5000); // 400 s in 2 s intervals is interval 200: one too many
    expect(widerBucketMs(1000, 2_000_000)).toBe(15_000);
    expect(widerBucketMs(250, 300_000)).toBe(2000);
    expect(widerBucketMs(60_000, 200 * 3_600_000)).toBe(2 * 3_600_000);
    expect(widerBucketMs(3 * 3_600_000, 1200 * 3_600_000)).toBe(12 * 3_600_000);
    for (const [w, at] of [[100, 1e5], [250, 1e7], [1000, 2.6e9], [15_000, 1e8], [7_200_000, 1e12]]) {
      const wider = widerBucketMs(w, at);
      expect(wider % w).toBe(0);
      expect(Math.floor(at / wider)).toBeLessThan(TARGET_BUCKETS);
    }
  });
});
