import fc from 'fast-check';
import { formatHttpDate } from './headers';
import type { HeaderList, RequestHead, ResponseHead } from './types';
import {
  buildConditionalHeaders,
  buildNotModifiedHead,
  evaluateClientConditional,
  isStrongLastModified,
  mergeNotModified,
  parseEntityTag,
  upstreamFillHeaders,
  selectStoredForUpdate,
  strongMatch,
  weakMatch,
} from './validation';

const T0 = Date.UTC(2024, 0, 1);
const S = 1000;
const D = (ms: number) => formatHttpDate(ms);
const resp = (headers: HeaderList, status = 200): ResponseHead => ({ status, headers });
const req = (headers: HeaderList, method = 'GET'): RequestHead => ({ method, scheme: 'https', host: 'a.test', target: '/', headers });

describe('entity tags (RFC 9110 §8.8.3)', () => {
  it('parses strong, weak and (leniently) unquoted tags', () => {
    expect(parseEntityTag('"xyzzy"')).toEqual({ weak: false, opaque: '"xyzzy"' });
    expect(parseEntityTag('W/"xyzzy"')).toEqual({ weak: true, opaque: '"xyzzy"' });
    expect(parseEntityTag('""')).toEqual({ weak: false, opaque: '""' });
    expect(parseEntityTag('abc')).toEqual({ weak: false, opaque: '"abc"' });
    expect(parseEntityTag('"a"b"')).toBeUndefined();
    expect(parseEntityTag('W/abc')).toBeUndefined();
  });

  // The comparison table of RFC 9110 §8.8.3.2.
  it.each([
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', '"1"', true, true],
  ])('%s vs %s: strong %s, weak %s', (a, b, strong, weak) => {
    const ta = parseEntityTag(a)!;
    const tb = parseEntityTag(b)!;
    expect(strongMatch(ta, tb)).toBe(strong);
    expect(weakMatch(ta, tb)).toBe(weak);
  });
});

describe('buildConditionalHeaders (RFC 9111 §4.3.1)', () => {
  it('sends the ETag as If-None-Match and Last-Modified as If-Modified-Since', () => {
    const lm = D(T0 - 3600 * S);
    expect(
      buildConditionalHeaders(
        resp([
          ['etag', 'W/"v1"'],
          ['last-modified', lm],
          ['date', D(T0)],
        ]),
      ),
    ).toEqual([
      ['if-none-match', 'W/"v1"'],
      ['if-modified-since', lm],
    ]);
  });

  it('falls back to Date without Last-Modified, unless turned off', () => {
    const r = resp([['date', D(T0)]]);
    expect(buildConditionalHeaders(r)).toEqual([['if-modified-since', D(T0)]]);
    expect(buildConditionalHeaders(r, { dateFallback: false })).toEqual([]);
  });

  it('ignores unreadable validators', () => {
    expect(buildConditionalHeaders(resp([['last-modified', 'yesterday'], ['etag', 'W/x']]), { dateFallback: false })).toEqual([]);
  });

  it('several stored responses: every ETag, no If-Modified-Since', () => {
    const a = resp([['etag', '"a"'], ['last-modified', D(T0)]]);
    const b = resp([['etag', '"b"']]);
    expect(buildConditionalHeaders([a, b, a])).toEqual([['if-none-match', '"a", "b"']]);
  });

  it('one stored response: agrees with a plain reading of §4.3.1 on any head', () => {
    // The first ETag line, if readable, as If-None-Match (weakness kept);
    // the first Last-Modified if it is a date, else (when allowed) the first Date.
    const isDate = (v: string | undefined) => v !== undefined && !Number.isNaN(Date.parse(v)) && /GMT$/.test(v);
    const model = (h: HeaderList, dateFallback: boolean): HeaderList => {
      const first = (n: string) => h.find(([k]) => k === n)?.[1];
      const out: HeaderList = [];
      const tag = parseEntityTag(first('etag'));
      if (tag) out.push(['if-none-match', (tag.weak ? 'W/' : '') + tag.opaque]);
      if (isDate(first('last-modified'))) out.push(['if-modified-since', first('last-modified')!]);
      else if (dateFallback && isDate(first('date'))) out.push(['if-modified-since', first('date')!]);
      return out;
    };
    const line = fc.oneof(
      fc.tuple(fc.constant('etag'), fc.constantFrom('"a"', 'W/"b"', ' "c" ', 'plain', 'W/bad', '"x"y"', '')),
      fc.tuple(fc.constantFrom('last-modified', 'date'), fc.constantFrom(D(T0), D(T0 - 60 * S), 'yesterday', '')),
      fc.tuple(fc.constantFrom('cache-control', 'x-a'), fc.constant('1')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), fc.boolean(), (h, dateFallback, asList) => {
        const r = resp(h);
        expect(buildConditionalHeaders(asList ? [r] : r, { dateFallback })).toEqual(model(h, dateFallback));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('upstreamFillHeaders: what a tier sends up when it fills', () => {
  const client: HeaderList = [['accept', '*/*'], ['if-none-match', '"c"'], ['range', 'bytes=0-9'], ['if-modified-since', D(T0)], ['cache-control', 'no-cache']];

  it("leaves out the client's preconditions and Range, and hands back the same list when there are none", () => {
    expect(upstreamFillHeaders(client, undefined)).toEqual([['accept', '*/*'], ['cache-control', 'no-cache']]);
    const plain: HeaderList = [['accept', '*/*']];
    expect(upstreamFillHeaders(plain, undefined)).toBe(plain);
    expect(client).toHaveLength(5); // not changed in place
  });

  it('a validation adds its own conditionals and min-fresh=0, said once however many tiers validate in a row', () => {
    const edge = upstreamFillHeaders(client, [['if-none-match', '"v1"']]);
    expect(edge).toEqual([['accept', '*/*'], ['cache-control', 'no-cache'], ['if-none-match', '"v1"'], ['cache-control', 'min-fresh=0']]);
    const regional = upstreamFillHeaders(edge, [['if-none-match', '"v2"'], ['if-modified-since', D(T0)]]);
    const shield = upstreamFillHeaders(regional, [['if-none-match', '"v3"']]);
    expect(shield).toEqual([['accept', '*/*'], ['cache-control', 'no-cache'], ['cache-control', 'min-fresh=0'], ['if-none-match', '"v3"']]);
  });
});

describe('selectStoredForUpdate (RFC 9111 §4.3.4)', () => {
  const a = resp([['etag', '"a"'], ['date', D(T0)]]);
  const aWeak = resp([['etag', 'W/"a"'], ['date', D(T0 + S)]]);
  const b = resp([['etag', '"b"'], ['date', D(T0 + 2 * S)]]);

  it('a strong ETag selects every stored response with that strong ETag', () => {
    expect(selectStoredForUpdate([a, b, a], resp([['etag', '"a"']], 304))).toEqual([0, 2]);
  });

  it('a strong ETag matching nothing updates nothing', () => {
    expect(selectStoredForUpdate([a, b], resp([['etag', '"c"']], 304))).toEqual([]);
    expect(selectStoredForUpdate([aWeak], resp([['etag', '"a"']], 304))).toEqual([]);
  });

  it('a weak ETag selects the most recent weak match', () => {
    expect(selectStoredForUpdate([a, aWeak, b], resp([['etag', 'W/"a"']], 304))).toEqual([1]);
  });

  it('Last-Modified without ETag: strong if 60 s before Date (RFC 9110 §8.8.2.2)', () => {
    const lm = D(T0 - 3600 * S);
    const stored = [resp([['last-modified', lm]]), resp([['last-modified', D(T0)]]), resp([['last-modified', lm]])];
    const strong = resp([['last-modified', lm], ['date', D(T0)]], 304);
    expect(isStrongLastModified(strong)).toBe(true);
    expect(selectStoredForUpdate(stored, strong)).toEqual([0, 2]);
    const weak = resp([['last-modified', lm], ['date', D(T0 - 3590 * S)]], 304);
    expect(isStrongLastModified(weak)).toBe(false);
    expect(selectStoredForUpdate(stored, weak)).toEqual([2]); // most recent of equal Dates: the later one
  });

  it('no validator at all: the single stored response (documented leniency), else none', () => {
    expect(selectStoredForUpdate([a], resp([], 304))).toEqual([0]);
    expect(selectStoredForUpdate([a, b], resp([], 304))).toEqual([]);
  });
});

describe('mergeNotModified (RFC 9111 §4.3.4, §3.2)', () => {
  const stored = resp([
    ['date', D(T0)],
    ['cache-control', 'max-age=60'],
    ['content-length', '1234'],
    ['content-type', 'text/html'],
    ['etag', '"v1"'],
    ['age', '30'],
    ['x-a', '1'],
    ['x-a', '2'],
  ]);

  it('replaces updated fields in place, keeps the rest, appends new ones', () => {
    const nm = resp(
      [
        ['date', D(T0 + 100 * S)],
        ['cache-control', 'max-age=300'],
        ['x-a', 'new'],
        ['x-b', 'b'],
      ],
      304,
    );
    expect(mergeNotModified(stored, nm)).toEqual(
      resp([
        ['date', D(T0 + 100 * S)],
        ['cache-control', 'max-age=300'],
        ['content-length', '1234'],
        ['content-type', 'text/html'],
        ['etag', '"v1"'],
        ['x-a', 'new'],
        ['x-b', 'b'],
      ]),
    );
  });

  it('never takes Content-Length, hop-by-hop fields or excluded names from the 304', () => {
    const nm = resp(
      [
        ['date', D(T0)],
        ['content-length', '0'],
        ['connection', 'x-hop'],
        ['x-hop', 'h'],
        ['keep-alive', 'timeout=5'],
        ['set-cookie', 'sid=1'],
      ],
      304,
    );
    const merged = mergeNotModified(stored, nm, { exclude: ['Set-Cookie'] });
    const names = merged.headers.map(([n]) => n);
    expect(merged.headers).toContainEqual(['content-length', '1234']);
    expect(names).not.toEqual(expect.arrayContaining(['connection']));
    for (const n of ['connection', 'x-hop', 'keep-alive', 'set-cookie']) expect(names).not.toContain(n);
  });

  it("Age and Date describe the 304: the stored Age is dropped, a missing Date is the 304's receipt time", () => {
    const withAge = mergeNotModified(stored, resp([['age', '3'], ['date', D(T0)]], 304));
    expect(withAge.headers.filter(([n]) => n === 'age')).toEqual([['age', '3']]);
    const noDate = mergeNotModified(stored, resp([], 304), { responseTime: T0 + 500 * S });
    expect(noDate.headers.filter(([n]) => n === 'date')).toEqual([['date', D(T0 + 500 * S)]]);
    expect(noDate.headers.some(([n]) => n === 'age')).toBe(false);
    expect(mergeNotModified(stored, resp([], 304)).headers.some(([n]) => n === 'date')).toBe(false);
  });

  it('keeps the stored status', () => {
    expect(mergeNotModified(resp([], 404), resp([], 304)).status).toBe(404);
  });

  it('agrees with a plain model of §3.2 on any heads', () => {
    // The rule spelled out with a Map and Sets, as directly as it reads.
    const model = (st: ResponseHead, nm: ResponseHead, exclude: string[], responseTime: number | undefined): ResponseHead => {
      const skip = new Set(['content-length', 'content-range', 'age', 'connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'trailer']);
      for (const [n, v] of nm.headers) if (n === 'connection') for (const m of v.split(',')) if (m.trim()) skip.add(m.trim().toLowerCase());
      for (const n of exclude) skip.add(n.toLowerCase());
      const updates = new Map<string, string[]>();
      for (const [n, v] of nm.headers) if (!skip.has(n)) updates.set(n, [...(updates.get(n) ?? []), v]);
      const out: HeaderList = [];
      const done = new Set<string>();
      for (const [n, v] of st.headers) {
        if (n === 'age') continue;
        if (!updates.has(n)) out.push([n, v]);
        else if (!done.has(n)) {
          done.add(n);
          for (const u of updates.get(n)!) out.push([n, u]);
        }
      }
      for (const [n, vs] of updates) if (!done.has(n)) for (const u of vs) out.push([n, u]);
      const age = nm.headers.find(([n]) => n === 'age');
      if (age) out.push(['age', age[1]]);
      if (nm.headers.some(([n]) => n === 'date')) return { status: st.status, headers: out };
      if (responseTime === undefined) return { status: st.status, headers: out.filter(([n]) => n !== 'date') };
      const i = out.findIndex(([n]) => n === 'date');
      const dated = out.filter(([n], j) => n !== 'date' || j === i).map(([n, v]): [string, string] => (n === 'date' ? [n, D(responseTime)] : [n, v]));
      return { status: st.status, headers: i === -1 ? [...dated, ['date', D(responseTime)]] : dated };
    };
    const name = fc.constantFrom('date', 'age', 'etag', 'cache-control', 'content-length', 'content-range', 'keep-alive', 'x-a', 'x-b', 'x-c', 'set-cookie', 'vary');
    const line = fc.tuple(name, fc.constantFrom('1', '2', 'v', D(T0)));
    const connection = fc.tuple(fc.constant('connection'), fc.constantFrom('x-a', 'X-B, keep-alive', 'close', ' x-c ,'));
    const lines = (withConnection: boolean) => fc.array(withConnection ? fc.oneof(line, connection) : line, { maxLength: 12 });
    fc.assert(
      fc.property(lines(false), lines(true), fc.subarray(['Set-Cookie', 'x-b', 'VARY']), fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: undefined }), (st, nm, exclude, t) => {
        const stored = resp(st);
        const notModified = resp(nm, 304);
        const at = t === undefined ? undefined : T0 + t * S;
        expect(mergeNotModified(stored, notModified, { exclude, responseTime: at })).toEqual(model(stored, notModified, exclude, at));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluateClientConditional (RFC 9110 §13.2.2, RFC 9111 §4.3.2)', () => {
  const lm = T0 - 3600 * S;
  const stored = resp([
    ['etag', '"v1"'],
    ['last-modified', D(lm)],
    ['date', D(T0)],
  ]);

  it('If-None-Match uses weak comparison and lists', () => {
    expect(evaluateClientConditional(req([['if-none-match', 'W/"v1"']]), stored)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-none-match', '"x", "v1"']]), stored)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-none-match', '"x"'], ['if-none-match', '"v1"']]), stored)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-none-match', '"x"']]), stored)).toBe('proceed');
  });

  it("If-None-Match: * matches any stored representation", () => {
    expect(evaluateClientConditional(req([['if-none-match', '*']]), stored)).toBe('not-modified');
  });

  it('If-None-Match takes precedence over If-Modified-Since (§13.1.3)', () => {
    const r = req([
      ['if-none-match', '"other"'],
      ['if-modified-since', D(T0)],
    ]);
    expect(evaluateClientConditional(r, stored)).toBe('proceed');
  });

  it('If-Modified-Since compares with Last-Modified', () => {
    expect(evaluateClientConditional(req([['if-modified-since', D(lm)]]), stored)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-modified-since', D(lm - S)]]), stored)).toBe('proceed');
    expect(evaluateClientConditional(req([['if-modified-since', 'garbage']]), stored)).toBe('proceed');
  });

  it('If-Modified-Since falls back to Date, then to storedAt (RFC 9111 §4.3.2)', () => {
    expect(evaluateClientConditional(req([['if-modified-since', D(T0)]]), resp([['date', D(T0)]]))).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-modified-since', D(T0)]]), resp([]), T0 - S)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-modified-since', D(T0)]]), resp([]))).toBe('proceed');
  });

  it('If-Modified-Since applies to GET and HEAD only', () => {
    expect(evaluateClientConditional(req([['if-modified-since', D(T0)]], 'HEAD'), stored)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-modified-since', D(T0)]], 'POST'), stored)).toBe('proceed');
  });

  it('If-Match (strong) and If-Unmodified-Since come first and give 412', () => {
    expect(evaluateClientConditional(req([['if-match', 'W/"v1"']]), stored)).toBe('precondition-failed');
    expect(evaluateClientConditional(req([['if-match', '"v1"'], ['if-none-match', '"v1"']]), stored)).toBe('not-modified');
    expect(evaluateClientConditional(req([['if-match', '*']]), stored)).toBe('proceed');
    expect(evaluateClientConditional(req([['if-unmodified-since', D(lm - S)]]), stored)).toBe('precondition-failed');
    expect(evaluateClientConditional(req([['if-unmodified-since', D(lm)]]), stored)).toBe('proceed');
    // If-Match present: If-Unmodified-Since is not evaluated.
    expect(evaluateClientConditional(req([['if-match', '"v1"'], ['if-unmodified-since', D(lm - S)]]), stored)).toBe('proceed');
  });

  it('agrees with a plain reading of §13.2.2 on any preconditions, lists and tags with commas included', () => {
    const members = (lines: string[]): string[] | '*' => {
      // List members split at commas outside quotes (RFC 9110 §5.6.1).
      const out: string[] = [];
      for (const line of lines) {
        let cur = '';
        let quoted = false;
        for (let i = 0; i < line.length; i++) {
          const c = line[i];
          if (quoted && c === '\\') {
            cur += c + (line[i + 1] ?? '');
            i++;
            continue;
          }
          if (c === '"') quoted = !quoted;
          if (c === ',' && !quoted) {
            out.push(cur.trim());
            cur = '';
          } else cur += c;
        }
        out.push(cur.trim());
      }
      const kept = out.filter((m) => m !== '');
      return kept.includes('*') ? '*' : kept;
    };
    const model = (r: RequestHead, st: ResponseHead): string => {
      const all = (h: HeaderList, n: string) => h.filter(([k]) => k === n).map(([, v]) => v);
      const etag = parseEntityTag(all(st.headers, 'etag')[0]);
      const lmv = all(st.headers, 'last-modified')[0];
      const lm = lmv === undefined ? undefined : Date.parse(lmv);
      const safe = r.method === 'GET' || r.method === 'HEAD';
      const im = all(r.headers, 'if-match');
      if (im.length > 0) {
        const m = members(im);
        if (!(m === '*' || (etag !== undefined && m.some((x) => { const t = parseEntityTag(x); return t !== undefined && !t.weak && !etag.weak && t.opaque === etag.opaque; })))) return 'precondition-failed';
      } else {
        const ius = all(r.headers, 'if-unmodified-since')[0];
        if (ius !== undefined && lm !== undefined && !Number.isNaN(lm) && !Number.isNaN(Date.parse(ius)) && lm > Date.parse(ius)) return 'precondition-failed';
      }
      const inm = all(r.headers, 'if-none-match');
      if (inm.length > 0) {
        const m = members(inm);
        const matched = m === '*' || (etag !== undefined && m.some((x) => parseEntityTag(x)?.opaque === etag.opaque));
        return matched ? (safe ? 'not-modified' : 'precondition-failed') : 'proceed';
      }
      const ims = all(r.headers, 'if-modified-since')[0];
      if (safe && ims !== undefined && !Number.isNaN(Date.parse(ims))) {
        const modified = lm ?? Date.parse(all(st.headers, 'date')[0] ?? 'x');
        if (!Number.isNaN(modified) && modified <= Date.parse(ims)) return 'not-modified';
      }
      return 'proceed';
    };
    const tag = fc.constantFrom('"v1"', 'W/"v1"', '"v2"', 'v1', '"a,b"', '"a', 'b"', '*', '', ' "v1" ', '"q\\"x"');
    const tagLine = fc.array(tag, { minLength: 1, maxLength: 3 }).map((ts) => ts.join(', '));
    const reqLine = fc.oneof(
      fc.tuple(fc.constant('if-none-match'), fc.oneof(tag, tagLine)),
      fc.tuple(fc.constant('if-match'), fc.oneof(tag, tagLine)),
      fc.tuple(fc.constantFrom('if-modified-since', 'if-unmodified-since'), fc.constantFrom(D(lm - S), D(lm), D(T0), 'garbage')),
      fc.tuple(fc.constantFrom('if-range', 'accept'), fc.constant('x')),
    );
    const storedLine = fc.oneof(
      fc.tuple(fc.constant('etag'), tag),
      fc.tuple(fc.constantFrom('last-modified', 'date'), fc.constantFrom(D(lm), D(T0))),
    );
    fc.assert(
      fc.property(fc.array(reqLine, { maxLength: 4 }), fc.array(storedLine, { maxLength: 4 }), fc.constantFrom('GET', 'HEAD', 'POST'), (rl, sl, method) => {
        const r = req(rl, method);
        const st = resp(sl);
        expect(evaluateClientConditional(r, st)).toBe(model(r, st));
      }),
      { numRuns: 3000 },
    );
  });

  it('no conditionals: proceed', () => {
    expect(evaluateClientConditional(req([]), stored)).toBe('proceed');
  });

  it('evaluates nothing against a stored response that is not a 2xx (RFC 9110 §13.2.1, RFC 9111 §4.3.2)', () => {
    for (const status of [301, 404, 410, 501]) {
      const st = resp(stored.headers, status);
      expect({ status, r: evaluateClientConditional(req([['if-none-match', '"v1"']]), st) }).toEqual({ status, r: 'proceed' });
      expect({ status, r: evaluateClientConditional(req([['if-modified-since', D(T0)]]), st) }).toEqual({ status, r: 'proceed' });
      expect({ status, r: evaluateClientConditional(req([['if-match', '"other"']]), st) }).toEqual({ status, r: 'proceed' });
      expect({ status, r: evaluateClientConditional(req([['if-modified-since', D(T0)]]), resp([], status), T0 - S) }).toEqual({ status, r: 'proceed' });
    }
    // A 2xx other than 200 is still evaluated.
    expect(evaluateClientConditional(req([['if-none-match', '"v1"']]), resp(stored.headers, 203))).toBe('not-modified');
  });
});

describe('buildNotModifiedHead (RFC 9110 §15.4.5)', () => {
  it('keeps the listed fields in wire order, drops content metadata', () => {
    const stored = resp([
      ['content-type', 'text/html'],
      ['etag', '"1"'],
      ['content-length', '10'],
      ['cache-control', 'max-age=1'],
      ['vary', 'accept'],
      ['last-modified', D(T0)],
      ['cdn-cache-control', 'max-age=9'],
      ['date', D(T0)],
    ]);
    expect(buildNotModifiedHead(stored, ['CDN-Cache-Control'])).toEqual({
      status: 304,
      headers: [
        ['etag', '"1"'],
        ['cache-control', 'max-age=1'],
        ['vary', 'accept'],
        ['cdn-cache-control', 'max-age=9'],
        ['date', D(T0)],
      ],
    });
  });

  it('includes Last-Modified when there is no ETag', () => {
    const head = buildNotModifiedHead(resp([['last-modified', D(T0)], ['content-encoding', 'gzip']]));
    expect(head.headers).toEqual([['last-modified', D(T0)]]);
  });
});
