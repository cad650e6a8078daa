import { formatHttpDate, getFirst } from './headers';
import { createHttpCache, NO_HTTP_CACHE_STATS, type HttpCacheOptions } from './http-cache';
import type { HeaderList, RequestHead, ResponseHead } from './types';

const T0 = Date.UTC(2026, 0, 1, 12);
const req = (target: string, headers: HeaderList = [], method = 'GET'): RequestHead =>
  ({ method, scheme: 'http', host: 'cdn.test', target, headers });
const res = (status: number, headers: HeaderList, at = T0): ResponseHead =>
  ({ status, headers: [['date', formatHttpDate(at)], ...headers] });
const body = (s: string): Uint8Array => new TextEncoder().encode(s);
const make = (o: Partial<HttpCacheOptions> = {}) =>
  createHttpCache({ name: 'edge-1', capacityBytes: 1 << 20, defaultOrigin: 'http://cdn.test', ...o });
const at = (t: number) => ({ requestTime: t, responseTime: t });

describe('HttpCache', () => {
  it('counts from NO_HTTP_CACHE_STATS: a new cache reports exactly those fields, all zero', () => {
    expect(make().stats()).toEqual(NO_HTTP_CACHE_STATS);
  });

  it('misses, stores, then hits with a growing Age until the object expires', () => {
    const c = make();
    const first = c.lookup(req('/a'), T0);
    expect(first).toMatchObject({ kind: 'miss', fwd: 'uri-miss' });
    const out = c.store(req('/a'), res(200, [['cache-control', 'max-age=60'], ['etag', '"1"']]), body('hello'), at(T0));
    expect(out.stored).toBe(true);
    const hit = c.lookup(req('/a'), T0 + 10_000);
    expect(hit).toMatchObject({ kind: 'hit', stale: false });
    if (hit.kind !== 'hit') throw new Error();
    expect(getFirst(c.responseHead(hit.entry, req('/a'), T0 + 10_000).headers, 'age')).toBe('10');
    expect(c.ttlSeconds(hit.entry, T0 + 10_000)).toBe(50);
    // HEAD is answered from the stored GET.
    expect(c.lookup(req('/a', [], 'HEAD'), T0 + 1000).kind).toBe('hit');
    const later = c.lookup(req('/a'), T0 + 61_000);
    expect(later).toMatchObject({ kind: 'validate', reason: 'stale' });
    if (later.kind !== 'validate') throw new Error();
    expect(later.conditionalHeaders).toContainEqual(['if-none-match', '"1"']);
    expect(c.stats()).toMatchObject({ hits: 2, misses: 1, validations: 1, stores: 1, objects: 1 });
  });

  it('uses a key the caller already computed, for lookup and store alike', () => {
    const c = make({ key: { dropQueryParams: ['utm_source'], sortQuery: true } });
    const r = req('/a?utm_source=x&b=1');
    const key = c.key(r);
    expect(c.lookup(r, T0, { key })).toMatchObject({ kind: 'miss', primaryKey: key });
    const out = c.store(r, res(200, [['cache-control', 'max-age=60']]), body('x'), at(T0), key);
    expect(out.stored && out.entry.primaryKey).toBe(key);
    // Found again by a request that keys alike, with or without the known key.
    expect(c.lookup(req('/a?b=1&utm_source=y'), T0 + 1).kind).toBe('hit');
    expect(c.lookup(r, T0 + 1, { key }).kind).toBe('hit');
  });

  it('updates an entry from a 304 and serves it fresh again', () => {
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=10'], ['etag', '"1"'], ['x-v', 'old']]), body('x'), at(T0));
    const v = c.lookup(req('/a'), T0 + 20_000);
    if (v.kind !== 'validate') throw new Error(v.kind);
    c.revalidated(v.entry, res(304, [['cache-control', 'max-age=30'], ['etag', '"1"'], ['x-v', 'new']], T0 + 20_000), at(T0 + 20_000));
    const hit = c.lookup(req('/a'), T0 + 45_000);
    expect(hit.kind).toBe('hit');
    if (hit.kind !== 'hit') throw new Error();
    expect(getFirst(hit.entry.head.headers, 'x-v')).toBe('new');
    expect(new TextDecoder().decode(hit.entry.body)).toBe('x');
  });

  it('filters a 304 as it filters a stored response: Set-Cookie (unless stored on purpose) and private fields never reach the refreshed entry', () => {
    for (const storeSetCookie of [undefined, 'no', 'strip', 'yes'] as const) {
      for (const cc of ['max-age=30', 'max-age=30, private="x-user"']) {
        const c = make({ storeSetCookie });
        c.store(req('/a'), res(200, [['cache-control', 'max-age=10'], ['etag', '"1"']]), body('x'), at(T0));
        const v = c.lookup(req('/a'), T0 + 20_000);
        if (v.kind !== 'validate') throw new Error(v.kind);
        const refreshed = c.revalidated(v.entry, res(304, [['cache-control', cc], ['etag', '"1"'], ['set-cookie', 's=1'], ['x-user', 'u']], T0 + 20_000), at(T0 + 20_000));
        const names = refreshed!.head.headers.map(([n]) => n);
        // The entry is kept either way (it was stored); only what it would repeat to every client is dropped.
        expect({ storeSetCookie, cc, cookie: names.includes('set-cookie'), user: names.includes('x-user') }).toEqual({
          storeSetCookie,
          cc,
          cookie: storeSetCookie === 'yes',
          user: !cc.includes('private'),
        });
      }
    }
  });

  it('serves stale-while-revalidate with exactly one background refresh', () => {
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=1, stale-while-revalidate=30']]), body('x'), at(T0));
    const a = c.lookup(req('/a'), T0 + 5000);
    const b = c.lookup(req('/a'), T0 + 5001);
    expect(a).toMatchObject({ kind: 'hit', stale: true, backgroundRefresh: true });
    expect(b).toMatchObject({ kind: 'hit', stale: true, backgroundRefresh: false });
    if (a.kind !== 'hit') throw new Error();
    c.refreshAbandoned(a.entry);
    expect(c.lookup(req('/a'), T0 + 5002)).toMatchObject({ backgroundRefresh: true });
    expect(c.lookup(req('/a'), T0 + 40_000).kind).toBe('validate');
  });

  it('serves stale on upstream error only within stale-if-error', () => {
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=1, stale-if-error=60'], ['etag', '"e"']]), body('x'), at(T0));
    const v = c.lookup(req('/a'), T0 + 10_000);
    if (v.kind !== 'validate') throw new Error();
    expect(c.serveStaleOnError(v.entry, 503, T0 + 10_000, req('/a'))).toBe(true);
    expect(c.serveStaleOnError(v.entry, undefined, T0 + 10_000, req('/a'))).toBe(true);
    expect(c.serveStaleOnError(v.entry, 404, T0 + 10_000, req('/a'))).toBe(false);
    expect(c.serveStaleOnError(v.entry, 503, T0 + 70_000, req('/a'))).toBe(false);
  });

  it('keeps Vary variants apart and normalises Accept-Encoding', () => {
    const c = make();
    const h = [['cache-control', 'max-age=60'], ['vary', 'Accept-Encoding']] as HeaderList;
    c.store(req('/v', [['accept-encoding', 'gzip, deflate']]), res(200, h), body('gz'), at(T0));
    expect(c.lookup(req('/v', [['accept-encoding', 'gzip']]), T0).kind).toBe('hit');
    expect(c.lookup(req('/v', [['accept-encoding', 'br']]), T0)).toMatchObject({ kind: 'miss', fwd: 'vary-miss' });
  });

  it('forgets Vary variants that were evicted, stored before and after other evictions', () => {
    const c = make({ capacityBytes: 4000, eviction: 'lru' });
    const h = [['cache-control', 'max-age=60'], ['vary', 'Accept-Encoding']] as HeaderList;
    // Plain entries evicted before any Vary response is stored: nothing to forget.
    for (let i = 0; i < 6; i++) c.store(req(`/p/${i}`), res(200, [['cache-control', 'max-age=60']]), new Uint8Array(900), at(T0));
    c.store(req('/v', [['accept-encoding', 'gzip']]), res(200, h), new Uint8Array(900), at(T0));
    c.store(req('/v', [['accept-encoding', 'br']]), res(200, h), new Uint8Array(900), at(T0));
    expect(c.lookup(req('/v', [['accept-encoding', 'br']]), T0).kind).toBe('hit');
    expect(c.lookup(req('/v', [['accept-encoding', 'identity']]), T0)).toMatchObject({ kind: 'miss', fwd: 'vary-miss' });
    // Both variants evicted: the URL is no longer known to vary, so a miss is a plain one.
    for (let i = 0; i < 6; i++) c.store(req(`/q/${i}`), res(200, [['cache-control', 'max-age=60']]), new Uint8Array(900), at(T0));
    expect(c.lookup(req('/v', [['accept-encoding', 'br']]), T0)).toMatchObject({ kind: 'miss', fwd: 'uri-miss' });
  });

  it('refuses what a shared cache must not store, with the reason', () => {
    const c = make();
    expect(c.store(req('/p'), res(200, [['cache-control', 'private, max-age=60']]), body('x'), at(T0))).toEqual({ stored: false, reason: 'private' });
    expect(c.store(req('/c'), res(200, [['cache-control', 'max-age=60'], ['set-cookie', 's=1']]), body('x'), at(T0))).toEqual({ stored: false, reason: 'set-cookie' });
    expect(c.store(req('/n'), res(200, [['cache-control', 'no-store']]), body('x'), at(T0))).toEqual({ stored: false, reason: 'no-store' });
    expect(c.store(req('/z'), res(200, [['cache-control', 'max-age=0']]), body('x'), at(T0))).toEqual({ stored: false, reason: 'useless' });
    expect(make({ storeSetCookie: 'strip' }).store(req('/c'), res(200, [['cache-control', 'max-age=60'], ['set-cookie', 's=1']]), body('x'), at(T0)))
      .toMatchObject({ stored: true, entry: { head: { headers: expect.not.arrayContaining([['set-cookie', 's=1']]) } } });
  });

  it('obeys CDN-Cache-Control over Cache-Control (RFC 9213)', () => {
    const c = make();
    c.store(req('/t'), res(200, [['cache-control', 'max-age=5'], ['cdn-cache-control', 'max-age=600']]), body('x'), at(T0));
    expect(c.lookup(req('/t'), T0 + 60_000).kind).toBe('hit');
  });

  it('answers a client conditional with 304 from cache', () => {
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=60'], ['etag', '"7"']]), body('x'), at(T0));
    const hit = c.lookup(req('/a', [['if-none-match', '"7"']]), T0 + 1000);
    if (hit.kind !== 'hit') throw new Error();
    expect(c.responseHead(hit.entry, req('/a', [['if-none-match', '"7"']]), T0 + 1000).status).toBe(304);
    expect(c.responseHead(hit.entry, req('/a', [['if-none-match', '"8"']]), T0 + 1000).status).toBe(200);
  });

  it('answers a client conditional for a stored 404 with the 404 itself, never a 304 (RFC 9110 §13.2.1, RFC 9111 §4.3.2)', () => {
    const c = make();
    c.store(req('/gone'), res(404, [['cache-control', 'max-age=60'], ['etag', '"nf"']]), body('not found'), at(T0));
    const hit = c.lookup(req('/gone'), T0 + 1000);
    if (hit.kind !== 'hit') throw new Error(hit.kind);
    for (const cond of [['if-modified-since', formatHttpDate(T0 + 5000)], ['if-none-match', '"nf"']] as HeaderList) {
      const r = req('/gone', [cond]);
      expect(c.responseHead(hit.entry, r, T0 + 1000).status).toBe(404);
      expect(c.answerAge(hit.entry, r, T0 + 1000)).toBe('1');
    }
  });

  it('updates nothing from a 304 whose validator is not the stored one, and drops the entry (RFC 9111 §4.3.4)', () => {
    for (const [storedV, sentV] of [
      [['etag', '"1"'], ['etag', '"2"']],
      [['etag', 'W/"1"'], ['etag', 'W/"2"']],
      [['last-modified', formatHttpDate(T0 - 3_600_000)], ['last-modified', formatHttpDate(T0 - 1_800_000)]],
    ] as Array<[[string, string], [string, string]]>) {
      const c = make();
      c.store(req('/a'), res(200, [['cache-control', 'max-age=10'], storedV, ['x-v', 'old']]), body('x'), at(T0));
      const v = c.lookup(req('/a'), T0 + 20_000);
      if (v.kind !== 'validate') throw new Error(v.kind);
      // Nothing to answer with: the caller fetches the object whole.
      expect(c.revalidated(v.entry, res(304, [['cache-control', 'max-age=30'], sentV, ['x-v', 'new']], T0 + 20_000), at(T0 + 20_000))).toBeUndefined();
      // The stored head is not given another representation's validator, nor made fresh.
      const e = v.entry;
      expect({ sentV, v: getFirst(e.head.headers, storedV[0]), xv: getFirst(e.head.headers, 'x-v') }).toEqual({ sentV, v: storedV[1], xv: 'old' });
      expect(e.times.freshUntil).toBe(T0 + 10_000);
      expect(e.refreshing).toBe(false);
      // It is no longer served: the next request fetches it whole.
      expect({ sentV, next: c.lookup(req('/a'), T0 + 21_000) }).toMatchObject({ sentV, next: { kind: 'miss', fwd: 'uri-miss' } });
      expect(c.stats()).toMatchObject({ revalidated: 0, objects: 0 });
    }
  });

  it('answers with a 304 that forbids storing (no-store, private) and then keeps the entry no longer (RFC 9111 §3, §4.3.4)', () => {
    for (const cc of ['no-store', 'private, max-age=30', 'max-age=30, no-store']) {
      const c = make();
      c.store(req('/a'), res(200, [['cache-control', 'max-age=10'], ['etag', '"1"'], ['x-v', 'old']]), body('x'), at(T0));
      const v = c.lookup(req('/a'), T0 + 20_000);
      if (v.kind !== 'validate') throw new Error(v.kind);
      const e = c.revalidated(v.entry, res(304, [['cache-control', cc], ['etag', '"1"'], ['x-v', 'new']], T0 + 20_000), at(T0 + 20_000));
      if (!e) throw new Error('a selecting 304 answers with the entry');
      // The request in hand gets the stored body under the updated fields ...
      expect({ cc, v: getFirst(e.head.headers, 'x-v'), cacheControl: getFirst(e.head.headers, 'cache-control'), body: new TextDecoder().decode(e.body) }).toEqual({ cc, v: 'new', cacheControl: cc, body: 'x' });
      // ... and the next request fetches it again.
      expect({ cc, next: c.lookup(req('/a'), T0 + 21_000) }).toMatchObject({ cc, next: { kind: 'miss' } });
      expect(c.stats()).toMatchObject({ revalidated: 1, objects: 0 });
    }
    // A qualified private only strips the named field: the entry stays.
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=10'], ['etag', '"1"']]), body('x'), at(T0));
    const v = c.lookup(req('/a'), T0 + 20_000);
    if (v.kind !== 'validate') throw new Error(v.kind);
    c.revalidated(v.entry, res(304, [['cache-control', 'max-age=30, private="x-user"'], ['etag', '"1"'], ['x-user', 'u']], T0 + 20_000), at(T0 + 20_000));
    expect(c.lookup(req('/a'), T0 + 21_000).kind).toBe('hit');
  });

  it('stores a response that arrives stale without validators when stale-while-revalidate lets it be served (RFC 5861 §3)', () => {
    const c = make();
    const out = c.store(req('/a'), res(200, [['cache-control', 'max-age=60, stale-while-revalidate=600'], ['age', '90']]), body('x'), at(T0));
    expect(out.stored).toBe(true);
    expect(c.lookup(req('/a'), T0 + 1000)).toMatchObject({ kind: 'hit', stale: true, backgroundRefresh: true });
    // With no window to serve it in, still refused.
    expect(c.store(req('/b'), res(200, [['cache-control', 'max-age=60'], ['age', '90']]), body('x'), at(T0))).toEqual({ stored: false, reason: 'useless' });
  });

  it('stores by the same heuristically cacheable statuses it computes heuristic freshness for (freshness.heuristicStatuses)', () => {
    const lm = [['last-modified', formatHttpDate(T0 - 100_000)], ['date', formatHttpDate(T0)]] as HeaderList;
    // 302 is not heuristically cacheable by default (RFC 9110 §15.1): not stored.
    expect(make().store(req('/a'), res(302, lm), body('x'), at(T0)).stored).toBe(false);
    // Named in the option, it is stored and fresh for 10% of its age, as freshness computes.
    const c = make({ freshness: { heuristicStatuses: new Set([200, 302]) } });
    const out = c.store(req('/a'), res(302, lm), body('x'), at(T0));
    if (!out.stored) throw new Error(out.reason);
    expect(out.entry.times).toMatchObject({ heuristic: true, freshUntil: T0 + 10_000 });
    expect(c.store(req('/b'), res(404, lm), body('x'), at(T0)).stored).toBe(false);
  });

  it('method names are case-sensitive: a "get" is not answered from a stored GET (RFC 9110 §9.1)', () => {
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=60']]), body('x'), at(T0));
    expect(c.lookup(req('/a', [], 'get'), T0 + 1000)).toMatchObject({ kind: 'miss', fwd: 'method' });
    expect(c.lookup(req('/a', [], 'GET'), T0 + 1000).kind).toBe('hit');
  });

  it('purges by URL (full or path), tag and prefix; hard deletes, soft makes stale', () => {
    const c = make();
    const store = (p: string, tags: string) =>
      c.store(req(p), res(200, [['cache-control', 'max-age=600, stale-while-revalidate=60'], ['surrogate-key', tags]]), body(p), at(T0));
    ['/news/1', '/news/2', '/sport/1', '/static/a.css'].forEach((p, i) => store(p, i < 2 ? 'news' : 'other'));
    expect(c.purge({ kind: 'url', value: '/sport/1', mode: 'hard', at: T0 + 1 })).toBe(1);
    expect(c.lookup(req('/sport/1'), T0 + 2).kind).toBe('miss');
    expect(c.purge({ kind: 'tag', value: 'news', mode: 'soft', at: T0 + 3 })).toBe(2);
    expect(c.lookup(req('/news/1'), T0 + 4)).toMatchObject({ kind: 'hit', stale: true, backgroundRefresh: true });
    expect(c.purge({ kind: 'prefix', value: 'http://cdn.test/static/', mode: 'hard', at: T0 + 5 })).toBe(1);
    expect(c.lookup(req('/static/a.css'), T0 + 6).kind).toBe('miss');
    expect(c.purge({ kind: 'all', value: '', mode: 'hard', at: T0 + 7 })).toBe(2);
    expect(c.stats().objects).toBe(0);
    expect(() => c.purge({ kind: 'url', value: 'ftp://x/y', mode: 'hard', at: T0 })).toThrow('expected purge value');
  });

  it('does not take back a copy the origin produced before a purge (purge-time rule)', () => {
    const c = make();
    c.purge({ kind: 'url', value: '/a', mode: 'hard', at: T0 + 100 });
    // A parent still holds a copy fetched at T0: it must not come back.
    const old = c.store(req('/a'), res(200, [['cache-control', 'max-age=60']]), body('old'), { requestTime: T0 + 200, responseTime: T0 + 200, originFetchedAt: T0 });
    expect(old).toEqual({ stored: false, reason: 'purged' });
    expect(c.notBeforeFor(req('/a'))).toBe(T0 + 100);
    const fresh = c.store(req('/a'), res(200, [['cache-control', 'max-age=60']]), body('new'), { requestTime: T0 + 300, responseTime: T0 + 300, originFetchedAt: T0 + 250 });
    expect(fresh.stored).toBe(true);
    // And a child's notBefore makes our older copy a miss.
    expect(c.lookup(req('/a'), T0 + 400, { notBefore: T0 + 260 })).toMatchObject({ kind: 'miss', detail: 'purged' });
  });

  it('invalidates the target and same-origin Location after a successful unsafe method', () => {
    const c = make();
    for (const p of ['/items', '/items/9', '/other']) c.store(req(p), res(200, [['cache-control', 'max-age=60']]), body(p), at(T0));
    expect(c.invalidateAfterUnsafe(req('/items', [], 'POST'), res(500, []))).toBe(0);
    expect(c.invalidateAfterUnsafe(req('/items', [], 'POST'), res(201, [['location', '/items/9']]))).toBe(2);
    expect(c.lookup(req('/items'), T0).kind).toBe('miss');
    expect(c.lookup(req('/items/9'), T0).kind).toBe('miss');
    expect(c.lookup(req('/other'), T0).kind).toBe('hit');
  });

  it('evicts under capacity and keeps its indexes consistent', () => {
    const c = make({ capacityBytes: 4000, eviction: 'lru' });
    for (let i = 0; i < 20; i++) {
      c.store(req(`/o/${i}`), res(200, [['cache-control', 'max-age=60'], ['surrogate-key', 'all-objects']]), new Uint8Array(900), at(T0));
    }
    const st = c.stats();
    expect(st.bytes).toBeLessThanOrEqual(4000);
    expect(st.evictions).toBeGreaterThan(10);
    expect(c.lookup(req('/o/19'), T0).kind).toBe('hit');
    expect(c.lookup(req('/o/0'), T0).kind).toBe('miss');
    // The tag index forgot the evicted entries: the purge counts only live ones.
    expect(c.purge({ kind: 'tag', value: 'all-objects', mode: 'hard', at: T0 + 1 })).toBe(st.objects);
  });

  it('answers only-if-cached with a gateway timeout when nothing is usable', () => {
    const c = make();
    expect(c.lookup(req('/x', [['cache-control', 'only-if-cached']]), T0).kind).toBe('gateway-timeout');
    expect(make({ honourRequestCacheControl: false }).lookup(req('/x', [['cache-control', 'only-if-cached']]), T0).kind).toBe('miss');
  });

  it("applies a child's notBefore on a cache never purged itself", () => {
    const c = make();
    c.store(req('/a'), res(200, [['cache-control', 'max-age=60']]), body('x'), { requestTime: T0, responseTime: T0, originFetchedAt: T0 - 5 });
    expect(c.lookup(req('/a'), T0 + 1, { notBefore: T0 - 5 }).kind).toBe('hit');
    expect(c.lookup(req('/a'), T0 + 1, { notBefore: T0 - 4 })).toMatchObject({ kind: 'miss', detail: 'purged' });
    // The stale copy is gone, not only passed over.
    expect(c.lookup(req('/a'), T0 + 2)).toMatchObject({ kind: 'miss', fwd: 'uri-miss' });
  });

  it('refuses bad times when storing and when refreshing from a 304, naming the field, and changes nothing', () => {
    const c = make();
    const bad = { requestTime: T0, responseTime: T0, originFetchedAt: Number.NaN };
    expect(() => c.store(req('/a'), res(200, [['cache-control', 'max-age=1'], ['etag', '"1"']]), body('x'), bad)).toThrow('expected times.originFetchedAt to be a number, got NaN');
    expect(c.stats().objects).toBe(0);
    c.store(req('/a'), res(200, [['cache-control', 'max-age=1'], ['etag', '"1"']]), body('x'), at(T0));
    const v = c.lookup(req('/a'), T0 + 2000);
    if (v.kind !== 'validate') throw new Error(v.kind);
    expect(() => c.revalidated(v.entry, res(304, [['etag', '"1"']], T0 + 2000), { ...bad, requestTime: T0 + 2000, responseTime: T0 + 2000 })).toThrow('expected times.originFetchedAt to be a number, got NaN');
    expect(() => c.revalidated(v.entry, res(304, [['etag', '"1"'], ['x-new', '1']], T0 + 2000), { requestTime: T0 + 2000, responseTime: Number.POSITIVE_INFINITY })).toThrow('expected requestTime and responseTime to be finite numbers');
    // Nothing changed: still the stale copy, with its own head and times.
    expect(c.lookup(req('/a'), T0 + 2001)).toMatchObject({ kind: 'validate', reason: 'stale' });
    expect(v.entry.originFetchedAt).toBe(T0);
    expect(getFirst(v.entry.head.headers, 'x-new')).toBeUndefined();
    expect(c.stats().revalidated).toBe(0);
  });

  it('keeps nothing of the times it is given: one object may be changed and passed again', () => {
    const c = make();
    const times = { requestTime: T0, responseTime: T0, originFetchedAt: T0 };
    const a = c.store(req('/a'), res(200, [['cache-control', 'max-age=60'], ['etag', '"1"']]), body('a'), times);
    times.requestTime = times.responseTime = times.originFetchedAt = T0 + 30_000;
    const b = c.store(req('/b'), res(200, [['cache-control', 'max-age=60'], ['etag', '"1"']], T0 + 30_000), body('b'), times);
    if (!a.stored || !b.stored) throw new Error('not stored');
    expect([a.entry.times.storedAt, a.entry.originFetchedAt, c.ttlSeconds(a.entry, T0)]).toEqual([T0, T0, 60]);
    expect([b.entry.times.storedAt, b.entry.originFetchedAt, c.ttlSeconds(b.entry, T0 + 30_000)]).toEqual([T0 + 30_000, T0 + 30_000, 60]);
    const v = c.lookup(req('/a'), T0 + 61_000);
    if (v.kind !== 'validate') throw new Error(v.kind);
    times.requestTime = times.responseTime = times.originFetchedAt = T0 + 61_000;
    c.revalidated(v.entry, res(304, [['etag', '"1"']], T0 + 61_000), times);
    times.requestTime = times.responseTime = times.originFetchedAt = T0 + 999_000;
    expect([v.entry.times.storedAt, v.entry.originFetchedAt, c.ttlSeconds(v.entry, T0 + 61_000)]).toEqual([T0 + 61_000, T0 + 61_000, 60]);
    expect([b.entry.times.storedAt, c.ttlSeconds(b.entry, T0 + 30_000)]).toEqual([T0 + 30_000, 60]);
  });

  it('validates its options', () => {
    expect(() => make({ capacityBytes: -1 })).toThrow('expected opts.capacityBytes to be a positive integer, got -1');
    expect(() => make({ name: '' })).toThrow('expected opts.name to be a non-empty string');
    expect(() => make({ defaultOrigin: 'nope' })).toThrow('expected opts.defaultOrigin');
  });

  it('a URL moves between a plain entry and Vary variants, the other kind dropped each time', () => {
    const c = make();
    const plain: HeaderList = [['cache-control', 'max-age=60']];
    const varied: HeaderList = [['cache-control', 'max-age=60'], ['vary', 'accept-encoding']];
    const gz = req('/m', [['accept-encoding', 'gzip']]);
    const br = req('/m', [['accept-encoding', 'br']]);
    c.store(req('/m'), res(200, plain), body('plain'), at(T0));
    expect(c.lookup(br, T0)).toMatchObject({ kind: 'hit' });
    // Now the origin varies: the plain copy must go, or a br client would get it.
    c.store(gz, res(200, varied), body('gz'), at(T0 + 1));
    expect(c.stats().objects).toBe(1);
    expect(c.lookup(br, T0 + 2)).toMatchObject({ kind: 'miss', fwd: 'vary-miss' });
    c.store(br, res(200, varied), body('br'), at(T0 + 3));
    expect(c.stats().objects).toBe(2);
    // And back to no Vary: every variant goes, one entry serves everyone.
    c.store(gz, res(200, plain), body('plain again'), at(T0 + 4));
    expect(c.stats().objects).toBe(1);
    for (const r of [gz, br, req('/m')]) {
      const hit = c.lookup(r, T0 + 5);
      if (hit.kind !== 'hit') throw new Error(hit.kind);
      expect(new TextDecoder().decode(hit.entry.body)).toBe('plain again');
    }
    // An unsafe method removes whichever kind is stored.
    expect(c.invalidateAfterUnsafe(req('/m', [], 'POST'), res(200, []))).toBe(1);
    expect(c.lookup(req('/m'), T0 + 6)).toMatchObject({ kind: 'miss', fwd: 'uri-miss' });
  });

  it('keeps the purge index right for entries stored, evicted and replaced after the first purge', () => {
    const c = make({ capacityBytes: 6000 });
    const put = (p: string, tag: string, t = T0) => c.store(req(p), res(200, [['cache-control', 'max-age=600'], ['surrogate-key', tag]]), new Uint8Array(900), at(t));
    put('/a', 'x');
    put('/b', 'y');
    // The first purge indexes what is stored so far.
    expect(c.purge({ kind: 'tag', value: 'x', mode: 'hard', at: T0 + 1 })).toBe(1);
    for (let i = 0; i < 8; i++) put(`/n/${i}`, 'x', T0 + 2); // evicts /b and early /n/*
    put('/n/7', 'x', T0 + 3); // a replacement is indexed once
    const live = c.stats().objects;
    expect(c.lookup(req('/b'), T0 + 4).kind).toBe('miss');
    expect(c.purge({ kind: 'tag', value: 'y', mode: 'hard', at: T0 + 5 })).toBe(0);
    expect(c.purge({ kind: 'tag', value: 'x', mode: 'soft', at: T0 + 6 })).toBe(live);
    expect(c.purge({ kind: 'prefix', value: '/n/', mode: 'hard', at: T0 + 7 })).toBe(live);
    expect(c.stats().objects).toBe(0);
  });
});

describe('HttpCache entries a caller still holds', () => {
  // Callers hold entries across upstream fetches (a validation in flight, a
  // stale copy being served): an entry that leaves the cache meanwhile must
  // keep reading its own instants, and nothing done to it may reach the cache.
  const small = () => make({ capacityBytes: 400 });
  const times = (t: number) => ({ requestTime: t, responseTime: t, originFetchedAt: t - 5 });

  it('keep their own times after eviction, while a new entry takes their place', () => {
    const c = small();
    const a = c.store(req('/a'), res(200, [['cache-control', 'max-age=60']]), body('a'.repeat(150)), times(T0));
    if (!a.stored) throw new Error(a.reason);
    const before = { ...a.entry.times };
    // Enough others to evict /a, each with other instants.
    for (let i = 0; i < 6; i++) c.store(req(`/b${i}`), res(200, [['cache-control', 'max-age=5']], T0 + 99_000), body('b'.repeat(150)), times(T0 + 99_000));
    expect(c.lookup(req('/a'), T0 + 1).kind).toBe('miss');
    expect(a.entry.times).toEqual(before);
    expect(a.entry.originFetchedAt).toBe(T0 - 5);
    expect(getFirst(c.responseHead(a.entry, req('/a'), T0 + 30_000).headers, 'age')).toBe('30');
    // The survivors still read theirs.
    const b5 = c.lookup(req('/b5'), T0 + 100_000);
    if (b5.kind !== 'hit') throw new Error(b5.kind);
    expect(b5.entry.times.freshUntil).toBe(T0 + 104_000);
    expect(c.ttlSeconds(b5.entry, T0 + 100_000)).toBe(4);
  });

  it('keep their own times when replaced, and a late 304 for them changes nothing stored', () => {
    const c = make();
    const old = c.store(req('/a'), res(200, [['cache-control', 'max-age=10'], ['etag', '"1"']]), body('x'), times(T0));
    if (!old.stored) throw new Error(old.reason);
    const fresh = c.store(req('/a'), res(200, [['cache-control', 'max-age=100'], ['etag', '"2"']], T0 + 1000), body('y'), times(T0 + 1000));
    if (!fresh.stored) throw new Error(fresh.reason);
    expect(old.entry.times.freshUntil).toBe(T0 + 10_000);
    expect(fresh.entry.times.freshUntil).toBe(T0 + 101_000);
    c.revalidated(old.entry, res(304, [['cache-control', 'max-age=500'], ['etag', '"1"']], T0 + 2000), times(T0 + 2000));
    expect(old.entry.times.freshUntil).toBe(T0 + 502_000);
    const hit = c.lookup(req('/a'), T0 + 2000);
    if (hit.kind !== 'hit') throw new Error(hit.kind);
    expect(hit.entry).toBe(fresh.entry);
    expect(hit.entry.times.freshUntil).toBe(T0 + 101_000);
    expect(getFirst(hit.entry.head.headers, 'etag')).toBe('"2"');
  });

  it('keep their times after a hard purge; a soft purge moves only the purged entry', () => {
    const c = make();
    const a = c.store(req('/a'), res(200, [['cache-control', 'max-age=60, stale-while-revalidate=30']]), body('a'), times(T0));
    const b = c.store(req('/b'), res(200, [['cache-control', 'max-age=60, stale-while-revalidate=30']]), body('b'), times(T0));
    if (!a.stored || !b.stored) throw new Error();
    expect(c.purge({ kind: 'url', value: '/a', mode: 'soft', at: T0 + 10_000 })).toBe(1);
    expect(a.entry.times).toMatchObject({ freshUntil: T0 + 10_000, staleWhileRevalidateUntil: T0 + 40_000 });
    expect(b.entry.times).toMatchObject({ freshUntil: T0 + 60_000, staleWhileRevalidateUntil: T0 + 90_000 });
    expect(c.purge({ kind: 'url', value: '/b', mode: 'hard', at: T0 + 20_000 })).toBe(1);
    c.store(req('/c'), res(200, [['cache-control', 'max-age=1']]), body('c'), times(T0 + 20_000));
    expect(b.entry.times.freshUntil).toBe(T0 + 60_000);
  });

  it('refuses an entry it did not hand out', () => {
    const c = make();
    const fake = { storeKey: 'k', primaryKey: 'k', url: 'k', head: { status: 200, headers: [] }, body: body(''), times: {} as never, originFetchedAt: 0, tags: [], refreshing: false, size: 1 };
    expect(() => c.responseHead(fake, req('/a'), T0)).toThrow('expected an entry returned by an HttpCache');
  });
});
