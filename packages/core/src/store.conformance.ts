/**
 * The Store conformance suite (STYLE 4): what every eviction policy must
 * give the Store, whatever it evicts. `store.test.ts` runs it once per
 * registered policy, so a new policy is checked by registering it.
 *
 * The suite cannot know which entry a policy picks; it checks the contract
 * around the choice: capacity, bookkeeping, onEvict and stats. Victim order
 * is checked per policy against reference models in eviction.test.ts.
 */
import { createRng } from './rng';
import type { Store, StoreKey } from './store';
import { createStore } from './store';

interface Evicted<K> {
  key: K;
  value: unknown;
  size: number;
}

/** A cheap assertion for hot loops (expect() per step is slow over thousands of steps). */
function check(ok: boolean, what: () => string): void {
  if (!ok) throw new Error(`store conformance: ${what()}`);
}

function recordingStore<K extends StoreKey>(policy: string, capacityBytes: number, maxObjectBytes?: number) {
  const evicted: Evicted<K>[] = [];
  const store = createStore<K, string>({
    capacityBytes,
    maxObjectBytes,
    policy,
    onEvict: (key, value, size) => evicted.push({ key, value, size }),
  });
  return { store, evicted };
}

/**
 * Drives a store with random operations against a plain Map of what must be
 * live. Evictions are only known through onEvict, so the model drops exactly
 * what onEvict reports, and every check below would catch a store that
 * evicts silently, reports an entry it kept, or loses bytes.
 */
function randomWorkout<K extends StoreKey>(
  policy: string,
  seed: number,
  keyOf: (i: number) => K,
  opts: { capacityBytes: number; maxObjectBytes?: number; keys: number; maxSize: number; ops: number },
): void {
  const rng = createRng(seed);
  const { store, evicted } = recordingStore<K>(policy, opts.capacityBytes, opts.maxObjectBytes);
  const model = new Map<K, { value: string; size: number }>();
  const limit = Math.min(opts.maxObjectBytes ?? opts.capacityBytes, opts.capacityBytes);
  let gets = 0;
  let deletes = 0;
  let rejected = 0;
  let evictedSeen = 0;

  for (let op = 0; op < opts.ops; op++) {
    const key = keyOf(rng.nextInt(opts.keys));
    const roll = rng.nextInt(100);
    if (roll < 45) {
      const size = 1 + rng.nextInt(opts.maxSize);
      const value = `v${op}`;
      const ok = store.set(key, value, size);
      check(ok === size <= limit, () => `op ${op}: set(${String(key)}, size ${size}) returned ${ok}`);
      if (ok) model.set(key, { value, size });
      else {
        rejected++;
        if (model.delete(key)) deletes++;
      }
    } else if (roll < 75) {
      gets++;
      const got = store.get(key);
      check(got === model.get(key)?.value, () => `op ${op}: get(${String(key)}) returned ${got}`);
    } else if (roll < 85) {
      gets++;
      const size = 1 + rng.nextInt(opts.maxSize);
      const hit = store.access(key, size);
      check(hit === model.has(key), () => `op ${op}: access(${String(key)}) returned ${hit}`);
      if (!hit && size <= limit) model.set(key, { value: undefined as unknown as string, size });
      if (!hit && size > limit) rejected++;
    } else if (roll < 95) {
      const existed = model.delete(key);
      if (existed) deletes++;
      check(store.delete(key) === existed, () => `op ${op}: delete(${String(key)}) disagreed with the model`);
    } else {
      check(store.peek(key) === model.get(key)?.value, () => `op ${op}: peek(${String(key)}) disagreed with the model`);
      check(store.has(key) === model.has(key), () => `op ${op}: has(${String(key)}) disagreed with the model`);
    }

    // Whatever was evicted by this operation must have been live, with its size.
    for (; evictedSeen < evicted.length; evictedSeen++) {
      const e = evicted[evictedSeen];
      const live = model.get(e.key);
      check(live !== undefined, () => `op ${op}: onEvict reported ${String(e.key)}, which was not live`);
      check(e.size === live?.size && e.value === live?.value, () => `op ${op}: onEvict(${String(e.key)}) had size ${e.size}, value ${String(e.value)}`);
      model.delete(e.key);
    }

    let sum = 0;
    for (const entry of model.values()) sum += entry.size;
    check(store.bytes === sum, () => `op ${op}: bytes ${store.bytes}, live sizes sum to ${sum}`);
    check(store.bytes <= opts.capacityBytes, () => `op ${op}: bytes ${store.bytes} over capacity ${opts.capacityBytes}`);
    check(store.size === model.size, () => `op ${op}: size ${store.size}, model has ${model.size}`);
  }

  expect(new Set(store.keys())).toEqual(new Set(model.keys()));
  const stats = store.stats;
  expect(stats.hits + stats.misses).toBe(gets);
  expect(stats.evictions).toBe(evicted.length);
  expect(stats.evictedBytes).toBe(evicted.reduce((a, e) => a + e.size, 0));
  expect(stats.deletes).toBe(deletes);
  expect(stats.rejectedTooLarge).toBe(rejected);
  expect(stats.inserts - stats.evictions - stats.deletes).toBe(store.size);
}

export function runStoreConformance(policy: string): void {
  describe(`Store conformance: ${policy}`, () => {
    it('never exceeds capacity and keeps bytes, size, onEvict and stats consistent (integer keys)', () => {
      for (let seed = 1; seed <= 4; seed++) {
        randomWorkout<number>(policy, seed, (i) => i, { capacityBytes: 50, keys: 40, maxSize: 12, ops: 1500 });
      }
    });

    it('does the same with string keys and with maxObjectBytes below capacity', () => {
      randomWorkout<string>(policy, 7, (i) => `/obj/${i}`, { capacityBytes: 64, maxObjectBytes: 9, keys: 60, maxSize: 12, ops: 1500 });
    });

    it('does the same when keys switch from int32 to other numbers and strings mid-run', () => {
      const keyOf = (i: number): StoreKey => (i % 7 === 0 ? `k${i}` : i % 5 === 0 ? i + 0.5 : i % 3 === 0 ? -i - 2 ** 40 : i);
      randomWorkout<StoreKey>(policy, 11, keyOf, { capacityBytes: 40, keys: 50, maxSize: 6, ops: 1500 });
    });

    it('evicts exactly when the next unit object does not fit', () => {
      const { store, evicted } = recordingStore<number>(policy, 10);
      for (let k = 0; k < 10; k++) expect(store.access(k, 1)).toBe(false);
      expect(store.size).toBe(10);
      expect(store.bytes).toBe(10);
      expect(evicted).toHaveLength(0);
      store.set(10, 'x', 1);
      expect(evicted).toHaveLength(1);
      expect(evicted[0].key).toBeLessThan(10);
      expect(store.has(evicted[0].key)).toBe(false);
      expect(store.size).toBe(10);
    });

    it('evicts as many entries as a large object needs, and no more', () => {
      const { store, evicted } = recordingStore<number>(policy, 10);
      for (let k = 0; k < 10; k++) store.set(k, `v${k}`, 1);
      expect(store.set(100, 'big', 4)).toBe(true);
      expect(evicted).toHaveLength(4);
      expect(store.bytes).toBe(10);
      expect(store.get(100)).toBe('big');
    });

    it('refuses objects larger than maxObjectBytes or capacity and drops the old entry under that key', () => {
      const { store, evicted } = recordingStore<string>(policy, 100, 20);
      expect(store.maxObjectBytes).toBe(20);
      expect(store.set('a', 'small', 5)).toBe(true);
      expect(store.set('b', 'huge', 21)).toBe(false);
      expect(store.has('b')).toBe(false);
      expect(store.set('a', 'grown', 21)).toBe(false);
      expect(store.has('a')).toBe(false);
      expect(store.bytes).toBe(0);
      expect(store.access('c', 101)).toBe(false);
      expect(store.has('c')).toBe(false);
      expect(evicted).toHaveLength(0);
      expect(store.stats.rejectedTooLarge).toBe(3);
      expect(store.stats.deletes).toBe(1);

      const capped = createStore<string, string>({ capacityBytes: 10, maxObjectBytes: 50, policy });
      expect(capped.maxObjectBytes).toBe(10);
      expect(capped.set('x', 'y', 11)).toBe(false);
      expect(capped.set('x', 'y', 10)).toBe(true);
    });

    it('delete removes the entry and its bytes without calling onEvict', () => {
      const { store, evicted } = recordingStore<string>(policy, 100);
      store.set('a', '1', 30);
      store.set('b', '2', 20);
      expect(store.delete('a')).toBe(true);
      expect(store.delete('a')).toBe(false);
      expect(store.delete('zzz')).toBe(false);
      expect(store.bytes).toBe(20);
      expect(store.size).toBe(1);
      expect(store.get('a')).toBeUndefined();
      expect(evicted).toHaveLength(0);
      expect(store.stats.deletes).toBe(1);
      // The freed space is usable without eviction.
      store.set('c', '3', 80);
      expect(evicted).toHaveLength(0);
      expect(store.bytes).toBe(100);
    });

    it('an update replaces the value, adjusts bytes and is not an insert or an eviction', () => {
      const { store, evicted } = recordingStore<string>(policy, 100);
      store.set('a', 'one', 10);
      store.set('b', 'two', 10);
      expect(store.set('a', 'uno', 25)).toBe(true);
      expect(store.get('a')).toBe('uno');
      expect(store.entrySize('a')).toBe(25);
      expect(store.bytes).toBe(35);
      expect(store.set('a', 'eins', 5)).toBe(true);
      expect(store.bytes).toBe(15);
      expect(store.size).toBe(2);
      expect(evicted).toHaveLength(0);
      expect(store.stats).toMatchObject({ inserts: 2, updates: 2, evictions: 0 });
    });

    it('an update that outgrows the free space evicts other entries, never the one being written', () => {
      for (let target = 0; target < 5; target++) {
        const { store, evicted } = recordingStore<number>(policy, 10);
        for (let k = 0; k < 5; k++) store.set(k, `v${k}`, 2);
        store.get((target + 1) % 5);
        // 10 bytes full; growing target from 2 to 4 bytes needs one other entry out.
        expect(store.set(target, 'grown', 4)).toBe(true);
        expect(store.get(target)).toBe('grown');
        expect(store.bytes).toBe(10);
        expect(evicted).toHaveLength(1);
        expect(evicted[0].key).not.toBe(target);
        expect(store.stats.inserts - store.stats.evictions - store.stats.deletes).toBe(store.size);
      }
    });

    it('peek and has are invisible to stats', () => {
      const { store } = recordingStore<string>(policy, 10);
      store.set('a', '1', 1);
      const before = store.stats;
      expect(store.peek('a')).toBe('1');
      expect(store.peek('b')).toBeUndefined();
      expect(store.has('a')).toBe(true);
      expect(store.has('b')).toBe(false);
      expect(store.stats).toEqual(before);
    });

    it('counts hits and misses for get and access', () => {
      const { store } = recordingStore<number>(policy, 10);
      expect(store.get(1)).toBeUndefined();
      expect(store.access(1, 1)).toBe(false);
      expect(store.access(1, 1)).toBe(true);
      expect(store.get(1)).toBeUndefined(); // access stores no value
      expect(store.has(1)).toBe(true);
      expect(store.stats).toMatchObject({ hits: 2, misses: 2, inserts: 1 });
    });

    it('clear empties the store without onEvict and the store works afterwards', () => {
      const { store, evicted } = recordingStore<StoreKey>(policy, 20);
      for (let k = 0; k < 30; k++) store.set(k % 3 === 0 ? `s${k}` : k, `v${k}`, 1);
      const evictionsBefore = evicted.length;
      const sizeBefore = store.size;
      store.clear();
      expect(store.size).toBe(0);
      expect(store.bytes).toBe(0);
      expect([...store.keys()]).toEqual([]);
      expect(evicted).toHaveLength(evictionsBefore);
      expect(store.stats.deletes).toBe(sizeBefore);
      for (let k = 0; k < 25; k++) store.set(k, `w${k}`, 1);
      expect(store.size).toBe(20);
      expect(store.get(24)).toBe('w24');
      expect(evicted).toHaveLength(evictionsBefore + 5);
    });

    it('grows its slot arrays past the initial size', () => {
      const store: Store<number, number> = createStore({ capacityBytes: 5000, policy });
      for (let k = 0; k < 6000; k++) store.set(k, k * 2, 1);
      expect(store.size).toBe(5000);
      let found = 0;
      let wrong = 0;
      for (let k = 0; k < 6000; k++) {
        const v = store.peek(k);
        if (v !== undefined) found++;
        if (v !== undefined && v !== k * 2) wrong++;
      }
      expect(found).toBe(5000);
      expect(wrong).toBe(0);
    });

    it('refuses changes from inside onEvict', () => {
      const errors: unknown[] = [];
      const store: Store<string, string> = createStore<string, string>({
        capacityBytes: 2,
        policy,
        onEvict: (key) => {
          expect(store.has(key)).toBe(false); // already gone when notified
          try {
            store.set('again', 'x', 1);
          } catch (e) {
            errors.push(e);
          }
        },
      });
      store.set('a', '1', 1);
      store.set('b', '2', 1);
      store.set('c', '3', 1);
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/onEvict must not modify the store/);
      expect(store.has('again')).toBe(false);
      expect(store.size).toBe(2);
    });

    it('rejects sizes that are not positive integers, naming the argument', () => {
      const store = createStore<string, string>({ capacityBytes: 10, policy });
      expect(() => store.set('a', 'x', 0)).toThrow('expected sizeBytes to be a positive integer, got 0');
      expect(() => store.set('a', 'x', 1.5)).toThrow('expected sizeBytes to be a positive integer, got 1.5');
      expect(() => store.access('a', -1)).toThrow('expected sizeBytes to be a positive integer, got -1');
      expect(() => store.access('a', Number.NaN)).toThrow(/got NaN/);
      expect(store.size).toBe(0);
    });

    it('is deterministic: the same operations evict the same keys', () => {
      const run = (): StoreKey[] => {
        const { store, evicted } = recordingStore<number>(policy, 30);
        const rng = createRng(99);
        for (let i = 0; i < 2000; i++) store.access(rng.nextInt(80), 1 + rng.nextInt(3));
        return evicted.map((e) => e.key);
      };
      const first = run();
      expect(first.length).toBeGreaterThan(100);
      expect(run()).toEqual(first);
    });
  });
}
