import fc from 'fast-check';
import { formatHttpDate } from './headers';
import { createHttpCache, type CacheLookup, type HttpCache, type StoreOutcome } from './http-cache';
import { createKeyIds, type KeyIds } from './key-ids';
import { hashKey } from './store';
import type { HeaderList, RequestHead, ResponseHead } from './types';

const T0 = Date.UTC(2026, 0, 1, 12);

describe('createKeyIds', () => {
  it('gives each key one id for good, peeks without giving, and stops giving when full', () => {
    const ids = createKeyIds({ maxIds: 2 });
    expect(ids.peek('a')).toBeUndefined();
    expect(ids.size).toBe(0);
    expect(ids.idOf('a')).toBe(0);
    expect(ids.idOf('b')).toBe(1);
    expect(ids.idOf('a')).toBe(0);
    expect(ids.idOf('c')).toBeUndefined();
    expect(ids.peek('c')).toBeUndefined();
    expect(ids.peek('b')).toBe(1);
    expect(ids.keyOf(1)).toBe('b');
    expect(() => ids.keyOf(2)).toThrow('no key has id 2');
    expect(ids.size).toBe(2);
  });

  it('agrees with a Map of ids through growth, repeats and a full table', () => {
    const ids = createKeyIds({ maxIds: 3000 });
    const model = new Map<string, number>();
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      // Keys of a real simulation's shape, and a few others (empty, non-ASCII).
      const r = rand(5000);
      const key = r === 0 ? '' : r === 1 ? 'http://h.test/é' : `http://h.test/objects/${r}`;
      const expected = model.get(key) ?? (model.size < 3000 ? model.size : undefined);
      if (i % 3 === 0) expect(ids.peek(key)).toBe(model.get(key));
      expect(ids.idOf(key)).toBe(expected);
      if (expected !== undefined && !model.has(key)) model.set(key, expected);
    }
    expect(ids.size).toBe(3000);
    for (const [key, id] of model) {
      expect(ids.keyOf(id)).toBe(key);
      expect(ids.peek(key)).toBe(id);
    }
  });

  it('tells apart keys whose hashes are equal', () => {
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    // Random keys: two of them share a 30-bit hash within some 40 k.
    let x = 12345;
    for (let i = 0; pair === undefined && i < 1_000_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const k = `/k${x.toString(36)}${i.toString(36)}`;
      const h = hashKey(k);
      const other = seen.get(h);
      if (other !== undefined) pair = [other, k];
      else seen.set(h, k);
    }
    if (pair === undefined) throw new Error('no two of a million keys share a hash');
    const [a, b] = pair;
    expect(hashKey(a)).toBe(hashKey(b));
    const ids = createKeyIds();
    expect(ids.idOf(a)).toBe(0);
    expect(ids.peek(b)).toBeUndefined();
    expect(ids.idOf(b)).toBe(1);
    // Through the table's growth (ids are placed again by their hashes).
    for (let i = 0; i < 5000; i++) ids.idOf(`/other/${i}`);
    expect([ids.peek(a), ids.peek(b), ids.idOf(a), ids.idOf(b), ids.keyOf(0), ids.keyOf(1)]).toEqual([0, 1, 0, 1, a, b]);
  });

  it('refuses a capacity that is not an integer from 0 to 2^24, naming it', () => {
    for (const bad of [-1, 1.5, 2 ** 24 + 1, Number.NaN]) expect(() => createKeyIds({ maxIds: bad })).toThrow(`expected opts.maxIds to be an integer from 0 to 2^24, got ${bad}`);
    expect(createKeyIds({ maxIds: 0 }).idOf('a')).toBeUndefined();
  });
});

// What a cache answers must not depend on whether its entries are filed
// under key ids: the same operations on a cache with ids (shared with
// another cache, given with lookups or not, the table filling up midway)
// and on one without give the same answers, evictions and stats.
type Op =
  | { kind: 'get'; path: number; lang: number; withId: boolean; dt: number }
  | { kind: 'store'; path: number; lang: number; vary: boolean; tag: number; size: number; withId: boolean; dt: number }
  | { kind: 'purge'; how: 'url' | 'tag' | 'prefix' | 'all'; path: number; tag: number; soft: boolean; dt: number }
  | { kind: 'post'; path: number; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('get' as const), path: fc.nat(12), lang: fc.nat(2), withId: fc.boolean(), dt: fc.nat(3000) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('store' as const), path: fc.nat(12), lang: fc.nat(2), vary: fc.boolean(), tag: fc.nat(2), size: fc.integer({ min: 1, max: 200 }), withId: fc.boolean(), dt: fc.nat(3000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const), how: fc.constantFrom('url' as const, 'tag' as const, 'prefix' as const, 'all' as const), path: fc.nat(12), tag: fc.nat(2), soft: fc.boolean(), dt: fc.nat(3000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('post' as const), path: fc.nat(12), dt: fc.nat(3000) }) },
);

const pathOf = (n: number): string => (n % 2 === 0 ? `/a/${n}` : `/b/${n}`);
const reqOf = (path: number, lang: number, method = 'GET'): RequestHead => ({ method, scheme: 'http', host: 'h.test', target: pathOf(path), headers: [['accept-language', ['en', 'fr', 'de'][lang]]] });

function summary(look: CacheLookup): unknown {
  if (look.kind === 'hit' || look.kind === 'validate') return [look.kind, look.entry.storeKey, look.entry.size, look.kind === 'hit' ? look.stale : look.conditionalHeaders];
  return [look.kind, look.primaryKey, look.kind === 'miss' ? look.fwd : undefined];
}

function outcome(o: StoreOutcome): unknown {
  return o.stored ? ['stored', o.entry.storeKey, o.entry.size] : ['refused', o.reason];
}

describe('HttpCache with keyIds', () => {
  for (const eviction of ['lru', 's3fifo', 'sieve']) {
    it(`${eviction}: answers as the same cache without ids, also once the id table is full`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 20, maxLength: 200 }), fc.integer({ min: 0, max: 20 }), (ops, maxIds) => {
          const keyIds: KeyIds = createKeyIds({ maxIds });
          const opts = { capacityBytes: 1500, eviction, defaultOrigin: 'http://h.test' };
          const plain = createHttpCache({ ...opts, name: 'plain' });
          const withIds = createHttpCache({ ...opts, name: 'ids', keyIds });
          // Another cache sharing the table, as the simulator's tiers do.
          const other = createHttpCache({ ...opts, name: 'other', keyIds });
          let now = T0;
          const answers: unknown[][] = [[], []];
          for (const op of ops) {
            now += op.dt;
            [plain, withIds].forEach((cache: HttpCache, j) => {
              const out = answers[j];
              if (op.kind === 'get') {
                const r = reqOf(op.path, op.lang);
                const key = cache.key(r);
                const keyId = j === 1 && op.withId ? keyIds.idOf(key) : undefined;
                out.push(summary(cache.lookup(r, now, op.withId ? { key, keyId } : undefined)));
              } else if (op.kind === 'store') {
                const r = reqOf(op.path, op.lang);
                const headers: HeaderList = [['date', formatHttpDate(now)], ['cache-control', 'max-age=2'], ['etag', `"${op.path}"`], ['surrogate-key', `t${op.tag}`]];
                if (op.vary) headers.push(['vary', 'accept-language']);
                const res: ResponseHead = { status: 200, headers };
                const key = cache.key(r);
                const keyId = j === 1 && op.withId ? keyIds.idOf(key) : undefined;
                out.push(outcome(cache.store(r, res, new Uint8Array(op.size), { requestTime: now, responseTime: now }, op.withId ? key : undefined, keyId)));
              } else if (op.kind === 'purge') {
                const value = op.how === 'url' ? pathOf(op.path) : op.how === 'tag' ? `t${op.tag}` : op.how === 'prefix' ? '/a/' : '';
                out.push(cache.purge({ kind: op.how, value, mode: op.soft ? 'soft' : 'hard', at: now }));
              } else {
                out.push(cache.invalidateAfterUnsafe(reqOf(op.path, 0, 'POST'), { status: 200, headers: [] }));
              }
              const { lookups, hits, misses, stores, notStored, purged, evictions, objects, bytes } = cache.stats();
              out.push([lookups, hits, misses, stores, notStored, purged, evictions, objects, bytes]);
            });
            // The other cache gives ids to keys of its own meanwhile.
            if (op.kind === 'store') other.store(reqOf(op.path + 100, 0), { status: 200, headers: [['cache-control', 'max-age=60']] }, new Uint8Array(1), { requestTime: now, responseTime: now });
          }
          expect(answers[1]).toEqual(answers[0]);
          const entries = (c: HttpCache) => [...c.entries()].map((e) => [e.storeKey, e.size, e.times.freshUntil]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
          expect(entries(withIds)).toEqual(entries(plain));
        }),
        { numRuns: 40 },
      );
    });
  }
});
