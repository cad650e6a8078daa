import fc from 'fast-check';
import { evictionPolicyNames } from './eviction';
import { createStore, hashKey, type Store } from './store';
import type { StoreKey } from './store';
import { runStoreConformance } from './store.conformance';

// STYLE 4: every registered policy runs the whole conformance suite.
for (const policy of evictionPolicyNames()) runStoreConformance(policy);

describe('createStore options', () => {
  it('validates every option with a message naming it', () => {
    const make = (opts: unknown) => () => createStore(opts as Parameters<typeof createStore>[0]);
    expect(make(undefined)).toThrow('expected opts to be an object, got undefined');
    expect(make({ capacityBytes: -1, policy: 'lru' })).toThrow('expected opts.capacityBytes to be a positive integer, got -1');
    expect(make({ capacityBytes: 1.5, policy: 'lru' })).toThrow('expected opts.capacityBytes to be a positive integer, got 1.5');
    expect(make({ capacityBytes: '10', policy: 'lru' })).toThrow('expected opts.capacityBytes to be a positive integer, got "10"');
    expect(make({ capacityBytes: 10, maxObjectBytes: 0, policy: 'lru' })).toThrow('expected opts.maxObjectBytes to be a positive integer, got 0');
    expect(make({ capacityBytes: 10, policy: 'nope' })).toThrow(/^expected opts\.policy to be one of lru, lfu, fifo, s3fifo, sieve.*, got "nope"$/);
    expect(make({ capacityBytes: 10 })).toThrow(/expected opts\.policy to be one of .*, got undefined/);
    expect(make({ capacityBytes: 10, policy: 'lru', onEvict: 5 })).toThrow('expected opts.onEvict to be a function, got number');
    expect(make({ capacityBytes: 10, policy: 'lru', mapLimit: 0 })).toThrow('expected opts.mapLimit to be a positive integer, got 0');
  });

  it('exposes its configuration', () => {
    const store = createStore<string, string>({ capacityBytes: 1000, maxObjectBytes: 100, policy: 'sieve' });
    expect(store.capacityBytes).toBe(1000);
    expect(store.maxObjectBytes).toBe(100);
    expect(store.policyName).toBe('sieve');
  });
});

describe('Store properties (fast-check)', () => {
  type Op = { kind: 'set' | 'access' | 'get' | 'delete'; key: number; size: number } | { kind: 'clear' };
  const keyArb = fc.integer({ min: 0, max: 30 });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArb, size: fc.integer({ min: 1, max: 25 }) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('access' as const), key: keyArb, size: fc.integer({ min: 1, max: 25 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), key: keyArb, size: fc.constant(1) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb, size: fc.constant(1) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  );

  for (const policy of evictionPolicyNames()) {
    it(`${policy}: random operations never exceed capacity and bytes is the sum of live sizes`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 60 }),
          fc.boolean(),
          fc.array(opArb, { maxLength: 300, size: 'max' }),
          (capacityBytes, stringKeys, ops) => {
            const live = new Map<StoreKey, number>();
            const store = createStore<StoreKey, string>({
              capacityBytes,
              policy,
              onEvict: (key, _value, size) => {
                if (live.get(key) !== size) throw new Error(`evicted ${String(key)} with size ${size}, model has ${live.get(key)}`);
                live.delete(key);
              },
            });
            const k = (key: number): StoreKey => (stringKeys ? `/k/${key}` : key);
            for (const op of ops) {
              if (op.kind === 'clear') {
                store.clear();
                live.clear();
              } else if (op.kind === 'set') {
                if (store.set(k(op.key), 'v', op.size)) live.set(k(op.key), op.size);
                else live.delete(k(op.key));
              } else if (op.kind === 'access') {
                if (!store.access(k(op.key), op.size) && op.size <= capacityBytes) live.set(k(op.key), op.size);
              } else if (op.kind === 'get') {
                store.get(k(op.key));
              } else if (store.delete(k(op.key)) !== live.delete(k(op.key))) {
                return false;
              }
              let sum = 0;
              for (const size of live.values()) sum += size;
              if (store.bytes > capacityBytes || store.bytes !== sum || store.size !== live.size) return false;
            }
            return true;
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe('store keyHash option', () => {
  it('gives policies that remember keys the hash the caller chooses, and is validated', () => {
    const hashed: string[] = [];
    const store = createStore<string, number>({ capacityBytes: 10, policy: 's3fifo', keyHash: (k) => (hashed.push(k), 7) });
    store.set('a', 1, 1);
    store.access('b', 1);
    expect(hashed).toEqual(['a', 'b']);
    createStore<string, number>({ capacityBytes: 10, policy: 'lru', keyHash: (k) => (hashed.push(k), 7) }).set('c', 1, 1);
    expect(hashed).toEqual(['a', 'b']); // LRU remembers no key: no hash asked
    expect(() => createStore({ capacityBytes: 10, policy: 'lru', keyHash: 5 as unknown as () => number })).toThrow('expected opts.keyHash to be a function, got number');
  });
});

describe('a store past one Map of keys', () => {
  // V8 refuses a Map more than 2^24 entries; past mapLimit (that by
  // default) the index splits over many Maps. A small mapLimit shows the
  // split without 16.7 million keys.
  type Op = [kind: 'set' | 'access' | 'get' | 'delete' | 'clear', key: number, size: number];
  // Clear is rare (1 in 40), so the index fills past mapLimit between clears.
  const kinds: Op[0][] = [...Array<Op[0]>(10).fill('set'), ...Array<Op[0]>(20).fill('access'), ...Array<Op[0]>(5).fill('get'), ...Array<Op[0]>(4).fill('delete'), 'clear'];
  const opArb: fc.Arbitrary<Op> = fc.tuple(fc.constantFrom(...kinds), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 4 }));

  for (const policy of evictionPolicyNames()) {
    it(`${policy}: answers every operation as a store with one Map does, int keys first or strings from the start`, () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(opArb, { minLength: 200, maxLength: 600 }), (intsFirst, ops) => {
          const evicted: Array<[string, StoreKey]> = [];
          const make = (name: string, mapLimit?: number) => createStore<StoreKey, number>({ capacityBytes: 500, policy, onEvict: (key) => evicted.push([name, key]), ...(mapLimit ? { mapLimit } : {}) });
          const one = make('one');
          const split = make('split', 8);
          const answers: unknown[][] = [[], []];
          ops.forEach(([kind, n, size], i) => {
            // Int keys while intsFirst and in the first half: the int index, then the switch to Maps.
            const key: StoreKey = intsFirst && i < ops.length / 2 ? n : `/k/${n}`;
            [one, split].forEach((store, j) => {
              if (kind === 'clear') store.clear();
              else if (kind === 'set') answers[j].push(store.set(key, n, size));
              else if (kind === 'access') answers[j].push(store.access(key, size));
              else if (kind === 'get') answers[j].push(store.get(key));
              else answers[j].push(store.delete(key));
              answers[j].push(store.size, store.bytes);
            });
          });
          expect(answers[1]).toEqual(answers[0]);
          expect(evicted.filter(([name]) => name === 'split').map(([, key]) => key)).toEqual(evicted.filter(([name]) => name === 'one').map(([, key]) => key));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('holds int32 keys and other keys at once, each in its own index, as a store of strings standing for them does', () => {
    // An HTTP cache with key ids files most entries under int ids and some
    // under strings. 5 and '5' are different keys; 2^40, 1.5 and NaN are
    // numbers that are not int32s (the Map's); -0 is 0.
    const keyArb = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }).map(String), fc.constantFrom(2 ** 40, 1.5, Number.NaN, -0, 2 ** 31, -(2 ** 31)));
    const mixedOp = fc.tuple(fc.constantFrom(...kinds), keyArb, fc.integer({ min: 1, max: 4 }));
    const standFor = (k: StoreKey): string => `${typeof k}:${Object.is(k, -0) ? 0 : String(k)}`;
    const original = (s: string): StoreKey => (s.startsWith('number:') ? Number(s.slice(7)) : s.slice(7));
    for (const policy of evictionPolicyNames()) {
      fc.assert(
        fc.property(fc.array(mixedOp, { minLength: 100, maxLength: 400 }), (ops) => {
          const evicted: string[][] = [[], []];
          const mixed: Store<StoreKey, number> = createStore<StoreKey, number>({ capacityBytes: 60, policy, mapLimit: 8, onEvict: (key) => evicted[0].push(standFor(key)) });
          const strings = createStore<StoreKey, number>({ capacityBytes: 60, policy, keyHash: (k) => hashKey(original(k as string)), onEvict: (key) => evicted[1].push(key as string) });
          ops.forEach(([kind, key, size], i) => {
            const answers = [mixed, strings].map((store, j) => {
              const k = j === 0 ? key : standFor(key);
              if (kind === 'clear') store.clear();
              const r = kind === 'clear' ? undefined : kind === 'set' ? store.set(k, i, size) : kind === 'access' ? store.access(k, size) : kind === 'get' ? store.get(k) : store.delete(k);
              return [r, store.size, store.bytes, store.has(k)];
            });
            expect(answers[0]).toEqual(answers[1]);
          });
          expect(evicted[0]).toEqual(evicted[1]);
          expect([...mixed.keys()].map(standFor).sort()).toEqual([...strings.keys()].map(String).sort());
        }),
        { numRuns: 25 },
      );
    }
  });

  it('holds more keys than mapLimit, each found again after the split, and starts over with one Map after clear', () => {
    const store = createStore<string, number>({ capacityBytes: 10_000, policy: 'lru', mapLimit: 100 });
    for (let i = 0; i < 1000; i++) store.set(`/k/${i}`, i, 1);
    expect(store.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(store.get(`/k/${i}`)).toBe(i);
    for (let i = 0; i < 1000; i += 2) expect(store.delete(`/k/${i}`)).toBe(true);
    expect(store.size).toBe(500);
    expect(store.get('/k/2')).toBeUndefined();
    expect(store.get('/k/3')).toBe(3);
    store.clear();
    for (let i = 0; i < 150; i++) store.set(`/k/${i}`, i, 1);
    expect(store.get('/k/149')).toBe(149);
    expect(store.size).toBe(150);
  });
});

