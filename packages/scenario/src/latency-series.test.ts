import { LatencyBuckets, latencyBucketsOf, latencyByRegionRecord } from './latency-series';

describe('latency per interval', () => {
  it('counts answers, their mean and the slowest per interval, NaN where there were none', () => {
    const b = new LatencyBuckets();
    b.add(0, 10);
    b.add(0, 20.0004);
    b.add(2, 0);
    b.add(2, 7);
    expect(b.result(4)).toEqual({ answers: [2, 0, 2, 0], meanMs: [15, NaN, 3.5, NaN], maxMs: [20, NaN, 7, NaN] });
    // Cut to fewer intervals than it saw.
    expect(b.result(1)).toEqual({ answers: [2], meanMs: [15], maxMs: [20] });
  });

  it('merges intervals when they widen: counts and sums add up, the slowest stays the slowest', () => {
    const b = new LatencyBuckets();
    const wide = new LatencyBuckets();
    const answers: Array<[number, number]> = [[0, 10], [1, 30], [2, 4], [3, 1], [4, 8], [4, 2], [6, 5]];
    for (const [i, ms] of answers) {
      b.add(i, ms);
      wide.add(Math.floor(i / 3), ms);
    }
    b.coarsen(3);
    // The same as if the intervals had been three times as wide from the start.
    expect(b.result(4)).toEqual(wide.result(4));
    expect(b.result(3)).toEqual({ answers: [3, 3, 1], meanMs: [44 / 3, 11 / 3, 5].map((x) => Math.round(x * 1000) / 1000), maxMs: [30, 8, 5] });
    // Nothing is left past the last merged interval.
    expect(b.result(4).answers[3]).toBe(0);
  });

  it('lists every region asked for, once and sorted, a region without answers empty throughout', () => {
    const { byRegion, ofGroup } = latencyBucketsOf([{ region: 'na' }, { region: 'eu' }, { region: 'na' }]);
    // Groups of one region share its buckets.
    expect(ofGroup[2]).toBe(ofGroup[0]);
    ofGroup[0].add(1, 5);
    const r = latencyByRegionRecord(byRegion, 2);
    expect(Object.keys(r)).toEqual(['eu', 'na']);
    expect(r.eu).toEqual({ answers: [0, 0], meanMs: [NaN, NaN], maxMs: [NaN, NaN] });
    expect(r.na).toEqual({ answers: [0, 1], meanMs: [NaN, 5], maxMs: [NaN, 5] });
  });
});
