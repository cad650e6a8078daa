import fc from 'fast-check';
import { evictionPolicyNames } from './eviction';
import { createStore } from './store';
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
          fc.array(opArb, { maxLength: 300 }),
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
