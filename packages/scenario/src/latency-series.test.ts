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
