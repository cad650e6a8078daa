import { zipfTrace } from '@cdnlab/core';
import fc from 'fast-check';
import { simulateSingleCache, simulateSingleCaches, type TraceRequest } from './single-cache';

/**
 * An obviously correct LRU, written for the test: a Map in recency order
 * (delete + set moves a key to the end), evict from the front until the new
 * object fits; an object larger than the cache is never admitted. These are
 * libCacheSim's LRU rules (cache_get_base: miss → evict until fits → insert).
 */
function referenceLruMisses(trace: TraceRequest[], capacity: number): number {
  const lru = new Map<string | number, number>();
  let used = 0;
  let misses = 0;
  for (const { key, sizeBytes } of trace) {
    const size = sizeBytes ?? 1;
    if (lru.has(key)) {
      const s = lru.get(key)!;
      lru.delete(key);
      lru.set(key, s);
      continue;
    }
    misses++;
    if (size > capacity) continue;
    while (used + size > capacity) {
      const [oldest, s] = lru.entries().next().value as [string | number, number];
      lru.delete(oldest);
      used -= s;
    }
    lru.set(key, size);
    used += size;
  }
  return misses;
}

describe('simulateSingleCache', () => {
  it('agrees with the reference LRU on a Zipf trace (unit sizes)', () => {
    const ids = zipfTrace({ alpha: 0.8, n: 5000, length: 50_000, seed: 3 });
    const trace = Array.from(ids, (key) => ({ key }));
    for (const capacity of [10, 100, 1000]) {
      const r = simulateSingleCache(ids, { capacity, policy: 'lru' });
      expect(r.misses).toBe(referenceLruMisses(trace, capacity));
      expect(simulateSingleCache(trace, { capacity }).misses).toBe(r.misses);
      expect(r.hits + r.misses).toBe(ids.length);
    }
  });

  it('agrees with the reference LRU on random traces with sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 40 }), sizeBytes: fc.integer({ min: 1, max: 60 }) }), { maxLength: 400, size: 'max' }),
        fc.integer({ min: 1, max: 300 }),
        (raw, capacity) => {
          // An object keeps one size, as in a real trace.
          const sizeOf = new Map<number, number>();
          const trace = raw.map((r) => {
            if (!sizeOf.has(r.key)) sizeOf.set(r.key, r.sizeBytes);
            return { key: r.key, sizeBytes: sizeOf.get(r.key)! };
          });
          const got = simulateSingleCache(trace, { capacity, policy: 'lru' });
          expect(got.misses).toBe(referenceLruMisses(trace, capacity));
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('counts bytes, and objects with ignoreSizes', () => {
    const trace = [
      { key: 'a', sizeBytes: 10 },
      { key: 'b', sizeBytes: 10 },
      { key: 'a', sizeBytes: 10 },
      { key: 'c', sizeBytes: 50 },
    ];
    const r = simulateSingleCache(trace, { capacity: 20 });
    expect(r).toMatchObject({ requests: 4, hits: 1, misses: 3, bytes: 80, missBytes: 70 });
    expect(simulateSingleCache(trace, { capacity: 3, ignoreSizes: true })).toMatchObject({ hits: 1, misses: 3, bytes: 4 });
  });

  it('runs several caches in one pass with the results each would get alone', () => {
    const ids = zipfTrace({ alpha: 0.9, n: 2000, length: 20_000, seed: 5 });
    const sized = Array.from(ids, (key) => ({ key, sizeBytes: 1 + (key % 7) }));
    const caches = [
      { capacity: 50, policy: 'lru' },
      { capacity: 200, policy: 's3fifo' },
      { capacity: 100, policy: 'sieve', ignoreSizes: true },
    ];
    expect(simulateSingleCaches(sized, caches)).toEqual(caches.map((c) => simulateSingleCache(sized, c)));
    expect(simulateSingleCaches(ids, caches)).toEqual(caches.map((c) => simulateSingleCache(ids, c)));
    expect(() => simulateSingleCaches(ids, [{ capacity: 1 }, { capacity: 1, policy: 'nope' }])).toThrow('expected caches[1].policy to be one of');
  });

  it('runs every registered policy and validates its options', () => {
    const ids = zipfTrace({ alpha: 1, n: 1000, length: 20_000, seed: 1 });
    const lru = simulateSingleCache(ids, { capacity: 100, policy: 'lru' }).missRatio;
    for (const policy of ['fifo', 'lfu', 's3fifo', 'sieve']) {
      const m = simulateSingleCache(ids, { capacity: 100, policy }).missRatio;
      expect(m).toBeGreaterThan(0);
      expect(m).toBeLessThan(1);
    }
    // On a Zipf trace a frequency-aware policy should not lose to LRU by much.
    expect(simulateSingleCache(ids, { capacity: 100, policy: 's3fifo' }).missRatio).toBeLessThan(lru + 0.02);
    expect(() => simulateSingleCache(ids, { capacity: 0 })).toThrow('expected opts.capacity to be a positive integer, got 0');
    expect(() => simulateSingleCache(ids, { capacity: 1, policy: 'nope' })).toThrow('expected opts.policy to be one of');
  });
});
