import type { NodeCounters, StatsEntry } from './cluster-api';
import { CounterTally, countersFrom, readingOf } from './counter-tally';

const counters = (requests: number, hits: number): NodeCounters => ({
  hits,
  misses: requests - hits,
  staleServed: 0,
  revalidations: 0,
  collapsedWaiters: 0,
  evictions: 0,
  bytesStored: 100 * hits,
  objectsStored: hits,
  requests,
  upstreamFetches: requests - hits,
});
const entry = (nodeId: string, c: NodeCounters | null, uptimeMs?: number): StatsEntry => ({ nodeId, role: 'edge', region: 'eu', counters: c, ...(uptimeMs !== undefined ? { uptimeMs } : {}), error: c ? '' : 'UPSTREAM_UNAVAILABLE: down' });

describe('CounterTally', () => {
  it('sums the differences of readings; a node that stops answering keeps its counts up to its last reading', () => {
    const base = new Map([['a', readingOf(entry('a', counters(10, 5), 1_000))]]);
    const tally = new CounterTally(base);
    const deltas: Array<[string, number]> = [];
    tally.add([entry('a', counters(30, 20), 1_500)], 500, (s, d) => deltas.push([s.nodeId, d.requests]));
    tally.add([entry('a', null, 0)], 1_000, (s, d) => deltas.push([s.nodeId, d.requests]));
    expect(deltas).toEqual([['a', 20]]);
    expect(tally.of('a')).toEqual({ counters: { ...counters(20, 15), bytesStored: 2_000, objectsStored: 20 }, atMs: 500 });
  });

  it('counts a restart from 0, told by the uptime even when the node already answered more than before', () => {
    const tally = new CounterTally(new Map([['a', readingOf(entry('a', counters(10, 5), 60_000))]]));
    // Killed and back within one interval: 40 requests since, more than the 10 before.
    tally.add([entry('a', counters(40, 30), 400)], 500, () => undefined);
    expect(tally.of('a')?.counters.requests).toBe(40);
    expect(tally.of('a')?.counters.hits).toBe(30);
    // Without uptimes only a count that went down tells it; 40 > 10 would read as 30 more.
    const blind = new CounterTally(new Map([['a', readingOf(entry('a', counters(10, 5)))]]));
    blind.add([entry('a', counters(40, 30))], 500, () => undefined);
    expect(blind.of('a')?.counters.requests).toBe(30);
    blind.add([entry('a', counters(4, 1))], 1_000, () => undefined);
    expect(blind.of('a')?.counters.requests).toBe(34);
  });
});

describe('countersFrom', () => {
  it('gives each node its counts since the baseline, and nothing for a node without a reading', () => {
    const base = new Map([
      ['a', readingOf(entry('a', counters(10, 5), 5_000))],
      ['b', readingOf(entry('b', counters(50, 5), 5_000))],
    ]);
    const of = countersFrom([entry('a', counters(25, 15), 6_000), entry('b', counters(60, 6), 200), entry('c', null)], base);
    expect(of('a')?.requests).toBe(15);
    expect(of('a')?.hits).toBe(10);
    expect(of('b')?.requests).toBe(60);
    expect(of('c')).toBeUndefined();
  });
});
