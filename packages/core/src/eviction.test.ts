import fc from 'fast-check';
import type { EvictionPolicy } from './eviction';
import { createEvictionPolicy, evictionPolicyNames, registerEvictionPolicy } from './eviction';
import { createStore } from './store';
import { zipfTrace } from './zipf';

// ---------------------------------------------------------------------------
// Reference models: each policy again, written as plainly as possible with
// arrays and linear scans (slow, obviously correct). The store must make the
// same hit/miss decisions and evict the same keys in the same order.
// ---------------------------------------------------------------------------

interface Reference {
  /** Called on a hit. */
  touch(key: number): void;
  /** Called when a new key has been stored. */
  admit(key: number, size: number): void;
  /** Chooses a victim and forgets it. */
  victim(): number;
  /** The key was deleted by the user. */
  forget(key: number): void;
}

class ReferenceCache {
  readonly sizes = new Map<number, number>();
  readonly policy: Reference;
  used = 0;
  constructor(
    readonly capacity: number,
    makePolicy: (cache: ReferenceCache) => Reference,
  ) {
    this.policy = makePolicy(this);
  }

  access(key: number, size: number): { hit: boolean; evicted: number[] } {
    if (this.sizes.has(key)) {
      this.policy.touch(key);
      return { hit: true, evicted: [] };
    }
    const evicted: number[] = [];
    if (size > this.capacity) return { hit: false, evicted };
    while (this.used + size > this.capacity) {
      const v = this.policy.victim();
      this.used -= this.sizes.get(v) as number;
      this.sizes.delete(v);
      evicted.push(v);
    }
    this.sizes.set(key, size);
    this.used += size;
    this.policy.admit(key, size);
    return { hit: false, evicted };
  }

  remove(key: number): boolean {
    if (!this.sizes.has(key)) return false;
    this.policy.forget(key);
    this.used -= this.sizes.get(key) as number;
    this.sizes.delete(key);
    return true;
  }
}

function without(list: number[], key: number): void {
  list.splice(list.indexOf(key), 1);
}

/** LRU: a list from least to most recently used. */
function refLru(): Reference {
  const order: number[] = [];
  return {
    touch: (k) => {
      without(order, k);
      order.push(k);
    },
    admit: (k) => order.push(k),
    victim: () => order.shift() as number,
    forget: (k) => without(order, k),
  };
}

/** FIFO: a list in insertion order. */
function refFifo(): Reference {
  const order: number[] = [];
  return {
    touch: () => {},
    admit: (k) => order.push(k),
    victim: () => order.shift() as number,
    forget: (k) => without(order, k),
  };
}

/** LFU: lowest count wins; among equals, the oldest last access or insertion. */
function refLfu(): Reference {
  const count = new Map<number, number>();
  const last = new Map<number, number>();
  let clock = 0;
  return {
    touch: (k) => {
      count.set(k, (count.get(k) as number) + 1);
      last.set(k, clock++);
    },
    admit: (k) => {
      count.set(k, 1);
      last.set(k, clock++);
    },
    victim: () => {
      let best = -1;
      for (const k of count.keys()) {
        const better =
          best < 0 ||
          (count.get(k) as number) < (count.get(best) as number) ||
          (count.get(k) === count.get(best) && (last.get(k) as number) < (last.get(best) as number));
        if (better) best = k;
      }
      count.delete(best);
      last.delete(best);
      return best;
    },
    forget: (k) => {
      count.delete(k);
      last.delete(k);
    },
  };
}

/** SIEVE: queue[0] is the oldest; the hand is an index, null = start at the oldest. */
function refSieve(): Reference {
  const queue: number[] = [];
  const visited = new Map<number, boolean>();
  let hand: number | null = null;
  return {
    touch: (k) => visited.set(k, true),
    admit: (k) => {
      queue.push(k);
      visited.set(k, false);
    },
    victim: () => {
      let i = hand ?? 0;
      while (visited.get(queue[i])) {
        visited.set(queue[i], false);
        i = i + 1 === queue.length ? 0 : i + 1;
      }
      const v = queue[i];
      queue.splice(i, 1);
      visited.delete(v);
      // The hand stays on the next newer entry, which has slid into index i.
      hand = i < queue.length ? i : null;
      return v;
    },
    forget: (k) => {
      const i = queue.indexOf(k);
      queue.splice(i, 1);
      visited.delete(k);
      if (hand !== null && i < hand) hand--;
      else if (hand !== null && i === hand && hand === queue.length) hand = null;
    },
  };
}

/** S3-FIFO, as documented in eviction-s3fifo.ts, with arrays (index 0 = oldest). */
function refS3Fifo(capacity: number, sizes: Map<number, number>): Reference {
  const smallTarget = Math.max(1, Math.floor(capacity * 0.1));
  const mainTarget = Math.max(0, capacity - smallTarget);
  const small: number[] = [];
  const main: number[] = [];
  const ghost: { key: number; size: number }[] = [];
  const freq = new Map<number, number>();
  const bytes = (list: number[]): number => list.reduce((a, k) => a + (sizes.get(k) as number), 0);
  const remember = (key: number, size: number): void => {
    if (mainTarget <= 0) return;
    const old = ghost.findIndex((g) => g.key === key);
    if (old >= 0) ghost.splice(old, 1);
    ghost.push({ key, size });
    while (ghost.reduce((a, g) => a + g.size, 0) > mainTarget) ghost.shift();
  };
  const evictSmall = (): number | undefined => {
    while (small.length > 0) {
      const t = small.shift() as number;
      if ((freq.get(t) as number) > 0) {
        freq.set(t, 0);
        main.push(t);
      } else {
        remember(t, sizes.get(t) as number);
        freq.delete(t);
        return t;
      }
    }
    return undefined;
  };
  const evictMain = (): number => {
    for (;;) {
      const t = main.shift() as number;
      const f = freq.get(t) as number;
      if (f === 0) {
        freq.delete(t);
        return t;
      }
      freq.set(t, f - 1);
      main.push(t);
    }
  };
  return {
    touch: (k) => freq.set(k, Math.min(3, (freq.get(k) as number) + 1)),
    admit: (k) => {
      freq.set(k, 0);
      const g = ghost.findIndex((e) => e.key === k);
      if (g >= 0) {
        ghost.splice(g, 1);
        main.push(k);
      } else small.push(k);
    },
    victim: () => {
      for (;;) {
        if (bytes(main) > mainTarget || small.length === 0) return evictMain();
        const v = evictSmall();
        if (v !== undefined) return v;
      }
    },
    forget: (k) => {
      if (small.includes(k)) without(small, k);
      else without(main, k);
      freq.delete(k);
    },
  };
}

const references: Record<string, (cache: ReferenceCache) => Reference> = {
  lru: () => refLru(),
  lfu: () => refLfu(),
  fifo: () => refFifo(),
  sieve: () => refSieve(),
  s3fifo: (cache) => refS3Fifo(cache.capacity, cache.sizes),
};

function referenceCache(policy: string, capacity: number): ReferenceCache {
  return new ReferenceCache(capacity, references[policy]);
}

/** Runs a trace through a store; returns hit flags and evicted keys in order. */
function storeRun(policy: string, capacity: number, trace: Array<[number, number]>): { hits: boolean[]; evicted: number[] } {
  const evicted: number[] = [];
  const store = createStore<number, undefined>({ capacityBytes: capacity, policy, onEvict: (k) => evicted.push(k) });
  return { hits: trace.map(([k, size]) => store.access(k, size)), evicted };
}

const unit = (keys: number[]): Array<[number, number]> => keys.map((k) => [k, 1]);

describe('eviction registry', () => {
  it('registers the built-in policies by name', () => {
    expect(evictionPolicyNames()).toEqual(expect.arrayContaining(['lru', 'lfu', 'fifo', 's3fifo', 'sieve']));
    for (const name of ['lru', 'lfu', 'fifo', 's3fifo', 'sieve']) expect(createEvictionPolicy(name, 100).name).toBe(name);
  });

  it('has a reference model for every built-in policy', () => {
    for (const name of ['lru', 'lfu', 'fifo', 's3fifo', 'sieve']) expect(references[name]).toBeDefined();
  });

  it('rejects unknown names, bad capacity hints and duplicate or malformed registrations', () => {
    expect(() => createEvictionPolicy('arc', 10)).toThrow(/^expected policy to be one of lru, lfu, fifo, s3fifo, sieve.*, got "arc"$/);
    expect(() => createEvictionPolicy('lru', 0)).toThrow('expected capacityHint to be a positive integer, got 0');
    expect(() => registerEvictionPolicy('lru', () => createEvictionPolicy('fifo', 1))).toThrow('eviction policy "lru" is already registered');
    expect(() => registerEvictionPolicy('Bad Name', () => createEvictionPolicy('fifo', 1))).toThrow(/expected name to be a lower-case policy name/);
    expect(() => registerEvictionPolicy('fine', 'nope' as unknown as () => EvictionPolicy)).toThrow(
      'expected factory for eviction policy "fine" to be a function, got string',
    );
  });

  it('lets a new policy plug into the Store by registering it', () => {
    // MRU: evict the most recently used entry. Built on the registry alone.
    class MruPolicy implements EvictionPolicy {
      readonly name = 'test-mru';
      readonly wantsKeyHash = false;
      private stack: number[] = [];
      grow(): void {}
      insert(slot: number): void {
        this.stack.push(slot);
      }
      hit(slot: number): void {
        this.remove(slot);
        this.stack.push(slot);
      }
      update(slot: number): void {
        this.hit(slot);
      }
      remove(slot: number): void {
        this.stack.splice(this.stack.indexOf(slot), 1);
      }
      evict(): number {
        return this.stack.pop() ?? -1;
      }
      clear(): void {
        this.stack = [];
      }
    }
    registerEvictionPolicy('test-mru', () => new MruPolicy());
    expect(evictionPolicyNames()).toContain('test-mru');
    const { hits, evicted } = storeRun('test-mru', 2, unit([1, 2, 1, 3, 2]));
    // 1, 2 fill; 1 hits (most recent = 1); 3 evicts 1; 2 hits.
    expect(hits).toEqual([false, false, true, false, true]);
    expect(evicted).toEqual([1]);
  });
});

describe('hand-computed traces (capacity 3, unit sizes)', () => {
  it('lru: A B C A D B E A B -> 7 misses, evicting B C A D', () => {
    // A B C fill [A B C] (oldest first); A hits -> [B C A]; D evicts B -> [C A D];
    // B evicts C -> [A D B]; E evicts A -> [D B E]; A evicts D -> [B E A]; B hits.
    const { hits, evicted } = storeRun('lru', 3, unit([1, 2, 3, 1, 4, 2, 5, 1, 2]));
    expect(hits.filter((h) => !h)).toHaveLength(7);
    expect(hits).toEqual([false, false, false, true, false, false, false, false, true]);
    expect(evicted).toEqual([2, 3, 1, 4]);
  });

  it('fifo: A B C A D B E A B -> 7 misses, evicting A B C D', () => {
    // A B C fill; A hits (no reorder); D evicts A -> [B C D]; B hits; E evicts B -> [C D E];
    // A evicts C -> [D E A]; B evicts D -> [E A B].
    const { hits, evicted } = storeRun('fifo', 3, unit([1, 2, 3, 1, 4, 2, 5, 1, 2]));
    expect(hits).toEqual([false, false, false, true, false, true, false, false, false]);
    expect(evicted).toEqual([1, 2, 3, 4]);
  });

  it('lfu: A A B C D B E -> 6 misses, A survives on its count', () => {
    // A(1) A(2) B(1) C(1): full. D: count-1 entries B, C; B is older -> evict B.
    // B: count-1 entries C, D -> evict C. E: count-1 entries D, B -> evict D. A (count 2) stays.
    const { hits, evicted } = storeRun('lfu', 3, unit([1, 1, 2, 3, 4, 2, 5]));
    expect(hits).toEqual([false, true, false, false, false, false, false]);
    expect(evicted).toEqual([2, 3, 4]);
  });

  it('sieve: A B C A D B E A -> 6 misses (LRU takes 7), evicting B C D', () => {
    // Queue oldest first [A B C]; A hit sets A's bit. D: the hand starts at the tail A,
    // clears its bit, moves on to B (bit clear) -> evict B; hand now at C; D joins -> [A C D].
    // B: hand at C, clear -> evict C; hand at D -> [A D B]. E: hand at D -> evict D -> [A B E].
    // A hits: it stayed although it is the oldest entry.
    const trace = unit([1, 2, 3, 1, 4, 2, 5, 1]);
    const { hits, evicted } = storeRun('sieve', 3, trace);
    expect(hits).toEqual([false, false, false, true, false, false, false, true]);
    expect(evicted).toEqual([2, 3, 4]);
    expect(storeRun('lru', 3, trace).hits.filter((h) => !h)).toHaveLength(7);
  });

  it('sieve: deleting the entry under the hand moves the hand to its newer neighbour', () => {
    // A B C, A hit; D evicts B (the hand clears A, stops at B) and leaves the hand on C: [A C D].
    // Delete C: the hand must move on to D, not stay on C's freed slot (which E reuses).
    // E fits: [A D E]. F: the hand is at D (bit clear) -> evict D. A stale hand would pick E.
    const evictedKeys: number[] = [];
    const store = createStore<number, undefined>({ capacityBytes: 3, policy: 'sieve', onEvict: (k) => evictedKeys.push(k) });
    for (const k of [1, 2, 3, 1, 4]) store.access(k, 1);
    expect(evictedKeys).toEqual([2]);
    expect(store.delete(3)).toBe(true);
    store.access(5, 1);
    store.access(6, 1);
    expect(evictedKeys).toEqual([2, 4]);
    expect([...store.keys()].sort()).toEqual([1, 5, 6]);
  });

  it('s3fifo: A B A C D B E -> 6 misses; B returns through the ghost into main', () => {
    // Capacity 3: small 1 byte, main 2, ghost 2. A B C land in small [A B C]; A hit (freq 1).
    // D: small is over its share, main (0) is not -> evict from small: A was hit, moves to
    //    main with freq 0; B was not -> evicted, its key enters the ghost [B]. D joins small.
    // B: main holds 1 <= 2 -> evict from small: C (freq 0) -> ghost [B C]. B is in the
    //    ghost -> taken out, inserted into main [A B]. Small [D].
    // E: main holds 2, not over 2 -> evict from small: D -> ghost [C D]. E joins small.
    const evictedKeys: number[] = [];
    const store = createStore<number, undefined>({ capacityBytes: 3, policy: 's3fifo', onEvict: (k) => evictedKeys.push(k) });
    const hits = [1, 2, 1, 3, 4, 2, 5].map((k) => store.access(k, 1));
    expect(hits).toEqual([false, false, true, false, false, false, false]);
    expect(evictedKeys).toEqual([2, 3, 4]);
    expect([...store.keys()].sort()).toEqual([1, 2, 5]);
    // Next: F evicts E from small (freq 0), not A or B from main.
    store.access(6, 1);
    expect(evictedKeys).toEqual([2, 3, 4, 5]);
  });
});

describe('policies match their reference models (fast-check)', () => {
  type Op = { del: boolean; key: number; size: number };
  const opsArb = (maxSize: number): fc.Arbitrary<Op[]> =>
    fc.array(
      fc.record({
        del: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
        key: fc.integer({ min: 0, max: 24 }),
        size: fc.integer({ min: 1, max: maxSize }),
      }),
      // size 'max': traces spread to 400 operations (by default fast-check makes at most 10).
      { maxLength: 400, size: 'max' },
    );

  for (const policy of ['lru', 'lfu', 'fifo', 'sieve', 's3fifo']) {
    for (const maxSize of [1, 4]) {
      it(`${policy}: same hits and evictions on random traces (sizes 1..${maxSize}, with deletes)`, () => {
        fc.assert(
          fc.property(fc.integer({ min: 1, max: 16 }), opsArb(maxSize), (capacity, ops) => {
            const evicted: number[] = [];
            const store = createStore<number, undefined>({ capacityBytes: capacity, policy, onEvict: (k) => evicted.push(k) });
            const model = referenceCache(policy, capacity);
            for (const op of ops) {
              if (op.del) {
                if (store.delete(op.key) !== model.remove(op.key)) return false;
                continue;
              }
              evicted.length = 0;
              const hit = store.access(op.key, op.size);
              const expected = model.access(op.key, op.size);
              if (hit !== expected.hit) return false;
              if (evicted.join() !== expected.evicted.join()) return false;
            }
            return true;
          }),
          { numRuns: 200 },
        );
      });
    }
  }
});

describe('golden miss counts on a fixed Zipf trace', () => {
  // Zipf alpha 0.9 over 10,000 objects, 200,000 requests, seed 42, unit sizes,
  // capacity 1,000 objects. Computed once with this code and pinned: a change
  // to any policy, to the store loop, to the RNG or to the sampler shows here.
  const trace = zipfTrace({ alpha: 0.9, n: 10_000, length: 200_000, seed: 42 });
  const CAPACITY = 1_000;
  const GOLDEN: Record<string, number> = {
    lru: 88_834,
    lfu: 74_922,
    fifo: 97_966,
    s3fifo: 73_940,
    sieve: 74_251,
  };

  const misses = (policy: string): number => {
    const store = createStore<number, undefined>({ capacityBytes: CAPACITY, policy });
    for (let i = 0; i < trace.length; i++) store.access(trace[i], 1);
    expect(store.stats.hits + store.stats.misses).toBe(trace.length);
    return store.stats.misses;
  };
  const measured: Record<string, number> = {};
  beforeAll(() => {
    for (const policy of Object.keys(GOLDEN)) measured[policy] = misses(policy);
  });

  for (const policy of Object.keys(GOLDEN)) {
    it(`${policy} misses ${GOLDEN[policy]}`, () => {
      expect(measured[policy]).toBe(GOLDEN[policy]);
    });
  }

  // The reference models are slow (linear scans) but 200 k requests at
  // capacity 1,000 stay within a second or two for all of them.
  for (const policy of Object.keys(GOLDEN)) {
    it(`the ${policy} count equals the reference ${policy} model on the same trace`, () => {
      const model = referenceCache(policy, CAPACITY);
      let modelMisses = 0;
      for (let i = 0; i < trace.length; i++) if (!model.access(trace[i], 1).hit) modelMisses++;
      expect(modelMisses).toBe(measured[policy]);
    });
  }

  it('S3-FIFO and SIEVE miss less than FIFO and LRU on Zipf, as their papers report', () => {
    expect(measured.s3fifo).toBeLessThan(measured.fifo);
    expect(measured.sieve).toBeLessThan(measured.fifo);
    expect(measured.s3fifo).toBeLessThan(measured.lru);
    expect(measured.sieve).toBeLessThan(measured.lru);
    expect(measured.lru).toBeLessThan(measured.fifo);
  });
});
