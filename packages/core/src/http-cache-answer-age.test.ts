import fc from 'fast-check';
import { formatHttpDate } from './headers';
import { createHttpCache, type CacheEntry, type HttpCache } from './http-cache';
import type { HeaderList, RequestHead, ResponseHead } from './types';

// A tier that answers from its cache may hand the next cache its stored head
// as is, with the Age value apart (HttpCache.answerAge, StoreTimes.age),
// instead of responseHead's copy with an Age line at its end. The next
// cache must store exactly what it would have stored from the copy.

const T0 = Date.UTC(2026, 0, 1, 12);
const BODY = new Uint8Array(10);

const reqOf = (target: string, headers: HeaderList = []): RequestHead => ({ method: 'GET', scheme: 'http', host: 'h.test', target, headers });

function entryOf(cache: HttpCache, req: RequestHead, res: ResponseHead, at: number, age?: string): CacheEntry {
  const out = cache.store(req, res, BODY, { requestTime: at - 5, responseTime: at, age });
  if (!out.stored) throw new Error(`expected the response to be stored, got ${out.reason}`);
  return out.entry;
}

/** What a cache holds for an entry, and says of it over time. */
function view(cache: HttpCache, e: CacheEntry, req: RequestHead, at: number): unknown {
  const later = [0, 1_000, 30_000, 400_000, 5_000_000].map((dt) => {
    const look = cache.lookup(req, at + dt);
    return look.kind === 'hit' ? ['hit', look.stale, cache.responseHead(look.entry, req, at + dt)] : look.kind === 'validate' ? ['validate', look.conditionalHeaders] : [look.kind];
  });
  return { head: e.head, size: e.size, times: e.times, storeKey: e.storeKey, later };
}

const linesArb: fc.Arbitrary<HeaderList> = fc
  .record({
    cc: fc.constantFrom('max-age=60', 's-maxage=30, max-age=5', 'no-cache', 'max-age=600, stale-while-revalidate=30', 'public', 'private', 'max-age=0, must-revalidate', ''),
    dateOffsetS: fc.integer({ min: -3600, max: 60 }),
    etag: fc.boolean(),
    lastModified: fc.boolean(),
    setCookie: fc.boolean(),
    vary: fc.boolean(),
    connection: fc.boolean(),
  })
  .map((r) => {
    const h: HeaderList = [['date', formatHttpDate(T0 + r.dateOffsetS * 1000)]];
    if (r.cc) h.push(['cache-control', r.cc]);
    if (r.etag) h.push(['etag', '"v1"']);
    if (r.lastModified) h.push(['last-modified', formatHttpDate(T0 - 86_400_000)]);
    if (r.setCookie) h.push(['set-cookie', 'a=b']);
    if (r.vary) h.push(['vary', 'accept-language']);
    if (r.connection) h.push(['connection', 'x-hop'], ['x-hop', '1']);
    h.push(['content-length', '10']);
    return h;
  });

describe('HttpCache.answerAge and StoreTimes.age', () => {
  it('a head handed over without its Age line, the value apart, is stored as responseHead\'s copy would be', () => {
    fc.assert(
      fc.property(
        linesArb,
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.constantFrom<'strip' | 'yes' | 'no'>('strip', 'yes', 'no'),
        fc.constantFrom<HeaderList>([], [['accept-language', 'fr']]),
        (lines, laterMs, storeSetCookie, reqHeaders) => {
          const req = reqOf('/x', reqHeaders);
          // The parent stores what the origin said (keeping Set-Cookie, so every case reaches the child).
          const parent = createHttpCache({ name: 'parent', capacityBytes: 1 << 20, storeSetCookie: 'yes' });
          const out = parent.store(req, { status: 200, headers: lines }, BODY, { requestTime: T0 - 5, responseTime: T0 });
          if (!out.stored) return;
          const at = T0 + laterMs;
          const age = parent.answerAge(out.entry, req, at);
          const whole = parent.responseHead(out.entry, req, at);
          expect(age).toBeDefined();
          // answerAge's value is responseHead's last line, and the rest is the stored head.
          expect(whole).toEqual({ status: out.entry.head.status, headers: [...out.entry.head.headers, ['age', age]] });

          const viaCopy = createHttpCache({ name: 'child', capacityBytes: 1 << 20, storeSetCookie });
          const viaParts = createHttpCache({ name: 'child', capacityBytes: 1 << 20, storeSetCookie });
          const a = viaCopy.store(req, whole, BODY, { requestTime: at - 5, responseTime: at });
          const b = viaParts.store(req, out.entry.head, BODY, { requestTime: at - 5, responseTime: at, age });
          expect(b.stored).toBe(a.stored);
          if (!a.stored || !b.stored) {
            expect(b).toEqual(a);
            return;
          }
          expect(view(viaParts, b.entry, req, at)).toEqual(view(viaCopy, a.entry, req, at));
          expect(viaParts.stats()).toEqual(viaCopy.stats());
        },
      ),
      { numRuns: 400 },
    );
  });

  it('shares the stored list when it has nothing to drop, and reads the Age value as an Age line', () => {
    const cache = createHttpCache({ name: 'c', capacityBytes: 1 << 20 });
    const lines: HeaderList = [['date', formatHttpDate(T0)], ['cache-control', 'max-age=100']];
    const shared = entryOf(cache, reqOf('/a'), { status: 200, headers: lines }, T0 + 1000, '70');
    expect(shared.head.headers).toBe(lines);
    // Age 70 of max-age 100: fresh for 30 s more, less the 5 ms the request took.
    expect(shared.times.freshUntil).toBe(T0 + 1000 + 30_000 - 5);
    expect(cache.responseHead(shared, reqOf('/a'), T0 + 3000)?.headers.at(-1)).toEqual(['age', '72']);
    // A list value is read as an Age line's is (its first member); nonsense as no Age at all.
    expect(entryOf(cache, reqOf('/b'), { status: 200, headers: lines }, T0 + 1000, '40, 50').times.freshUntil).toBe(T0 + 1000 + 60_000 - 5);
    expect(entryOf(cache, reqOf('/c'), { status: 200, headers: lines }, T0 + 1000, 'soon').times.freshUntil).toBe(T0 + 100_000);
    // A head that has an Age line of its own: that line is the one read (as if the value were appended after it).
    const own = entryOf(cache, reqOf('/d'), { status: 200, headers: [...lines, ['age', '10']] }, T0 + 1000, '90');
    expect(own.times.freshUntil).toBe(T0 + 1000 + 90_000 - 5);
    expect(own.head.headers).toEqual(lines);
  });

  it('is undefined when the answer is a 304 to the request\'s preconditions', () => {
    const cache = createHttpCache({ name: 'c', capacityBytes: 1 << 20 });
    const e = entryOf(cache, reqOf('/a'), { status: 200, headers: [['date', formatHttpDate(T0)], ['cache-control', 'max-age=100'], ['etag', '"v1"']] }, T0);
    const conditional = reqOf('/a', [['if-none-match', '"v1"']]);
    expect(cache.answerAge(e, conditional, T0 + 4000)).toBeUndefined();
    expect(cache.responseHead(e, conditional, T0 + 4000)).toMatchObject({ status: 304 });
    expect(cache.responseHead(e, conditional, T0 + 4000).headers.at(-1)).toEqual(['age', '4']);
    expect(cache.answerAge(e, reqOf('/a', [['if-none-match', '"v2"']]), T0 + 4000)).toBe('4');
    // Past the first hour too (those values are not shared).
    expect(cache.answerAge(e, reqOf('/a'), T0 + 7_200_000)).toBe('7200');
    expect(cache.responseHead(e, reqOf('/a'), T0 + 7_200_000).headers.at(-1)).toEqual(['age', '7200']);
  });
});
