import fc from 'fast-check';
import {
  DELTA_SECONDS_MAX,
  formatRequestCacheControl,
  formatResponseCacheControl,
  parseDeltaSeconds,
  parseRequestCacheControl,
  ParseMemo,
  requestCacheControlOf,
  parseResponseCacheControl,
  type RequestCacheControl,
  type ResponseCacheControl,
} from './cache-control';
import type { HeaderList } from './types';

describe('parseResponseCacheControl (RFC 9111 §5.2.2)', () => {
  it('reads every directive', () => {
    const cc = parseResponseCacheControl(
      'max-age=60, s-maxage=120, no-cache, no-store, no-transform, must-revalidate, must-understand, proxy-revalidate, public, private, immutable, stale-while-revalidate=30, stale-if-error=600',
    );
    expect(cc).toEqual({
      maxAge: 60,
      sMaxAge: 120,
      noCache: true,
      noStore: true,
      noTransform: true,
      mustRevalidate: true,
      mustUnderstand: true,
      proxyRevalidate: true,
      public: true,
      private: true,
      immutable: true,
      staleWhileRevalidate: 30,
      staleIfError: 600,
      extensions: new Map(),
      invalid: [],
    });
  });

  it('is case-insensitive on names (§5.2) and tolerates whitespace', () => {
    const cc = parseResponseCacheControl('  Max-Age=5 ,PUBLIC,,  S-MaxAge=7');
    expect(cc.maxAge).toBe(5);
    expect(cc.sMaxAge).toBe(7);
    expect(cc.public).toBe(true);
  });

  it('accepts quoted arguments where a token is specified (§5.2)', () => {
    expect(parseResponseCacheControl('max-age="60"').maxAge).toBe(60);
  });

  it('reads qualified no-cache / private field lists (§5.2.2.4, §5.2.2.7)', () => {
    const cc = parseResponseCacheControl('no-cache="Set-Cookie, X-Foo", private="Authorization"');
    expect(cc.noCache).toBe(true);
    expect(cc.noCacheFields).toEqual(['set-cookie', 'x-foo']);
    expect(cc.private).toBe(true);
    expect(cc.privateFields).toEqual(['authorization']);
  });

  it('an unqualified no-cache / private anywhere wins over a qualified one', () => {
    const cc = parseResponseCacheControl('private="x", no-cache="a", private, no-cache');
    expect(cc.private).toBe(true);
    expect(cc.privateFields).toBeUndefined();
    expect(cc.noCacheFields).toBeUndefined();
  });

  it('a malformed field list reads as unqualified (the restrictive side)', () => {
    const cc = parseResponseCacheControl('private="a b"');
    expect(cc.private).toBe(true);
    expect(cc.privateFields).toBeUndefined();
    expect(cc.invalid).toContain('private');
  });

  it('combines several header lines (RFC 9110 §5.3)', () => {
    const cc = parseResponseCacheControl([
      ['cache-control', 'public'],
      ['content-type', 'x'],
      ['Cache-Control', 'max-age=10'],
    ]);
    expect(cc.public).toBe(true);
    expect(cc.maxAge).toBe(10);
    expect(parseResponseCacheControl(['no-store', 'max-age=1']).noStore).toBe(true);
  });

  it('duplicates: the first occurrence wins and the name is listed invalid (§4.2.1)', () => {
    const cc = parseResponseCacheControl('max-age=60, max-age=10, s-maxage=5, s-maxage=500');
    expect(cc.maxAge).toBe(60);
    expect(cc.sMaxAge).toBe(5);
    expect(cc.invalid).toEqual(['max-age', 's-maxage']);
  });

  it.each(['abc', '-1', '1.5', '', '"1', '+5', '0x10'])('invalid max-age=%s reads as 0: stale (§4.2.1)', (arg) => {
    // Parsed apart: an unterminated quote would swallow the rest of the value.
    const a = parseResponseCacheControl(`max-age=${arg}`);
    const b = parseResponseCacheControl(`s-maxage=${arg}`);
    expect(a.maxAge).toBe(0);
    expect(b.sMaxAge).toBe(0);
    expect([...a.invalid, ...b.invalid]).toEqual(expect.arrayContaining(['max-age', 's-maxage']));
  });

  it('max-age without an argument is invalid too (stale)', () => {
    expect(parseResponseCacheControl('max-age').maxAge).toBe(0);
  });

  it('invalid stale-while-revalidate / stale-if-error grant nothing', () => {
    const cc = parseResponseCacheControl('stale-while-revalidate=x, stale-if-error=-3');
    expect(cc.staleWhileRevalidate).toBeUndefined();
    expect(cc.staleIfError).toBeUndefined();
  });

  it('delta-seconds overflow clamps to 2^31 (§1.2.2)', () => {
    expect(parseResponseCacheControl('max-age=99999999999999999999999').maxAge).toBe(DELTA_SECONDS_MAX);
    expect(parseDeltaSeconds('2147483648')).toBe(2147483648);
    expect(parseDeltaSeconds('2147483649')).toBe(2147483648);
    expect(parseDeltaSeconds('007')).toBe(7);
  });

  it('keeps unknown directives as extensions, unquoted (§5.2.3)', () => {
    const cc = parseResponseCacheControl('community="UCI", foo, bar=baz');
    expect(cc.extensions).toEqual(
      new Map<string, string | true>([
        ['community', 'UCI'],
        ['foo', true],
        ['bar', 'baz'],
      ]),
    );
  });

  it('drops members whose name is not a token', () => {
    const cc = parseResponseCacheControl('"quoted"=1, max-age=3, =4');
    expect(cc.maxAge).toBe(3);
    expect(cc.extensions.size).toBe(0);
    expect(cc.invalid.length).toBe(2);
  });

  it('empty and absent input give an empty set', () => {
    for (const v of ['', undefined, null, []]) {
      const cc = parseResponseCacheControl(v);
      expect(cc.maxAge).toBeUndefined();
      expect(cc.noStore).toBe(false);
    }
  });
});

describe('parseRequestCacheControl (RFC 9111 §5.2.1)', () => {
  it('reads every directive', () => {
    expect(parseRequestCacheControl('max-age=5, max-stale=10, min-fresh=2, no-cache, no-store, no-transform, only-if-cached, stale-if-error=30')).toEqual({
      maxAge: 5,
      maxStale: 10,
      minFresh: 2,
      noCache: true,
      noStore: true,
      noTransform: true,
      onlyIfCached: true,
      staleIfError: 30,
      extensions: new Map(),
      invalid: [],
    });
  });

  it('max-stale without a value accepts any staleness (§5.2.1.2)', () => {
    expect(parseRequestCacheControl('max-stale').maxStale).toBe(Infinity);
  });

  it('ignores invalid arguments in requests', () => {
    const cc = parseRequestCacheControl('max-age=x, min-fresh=-1, max-stale=1.5');
    expect(cc.maxAge).toBeUndefined();
    expect(cc.minFresh).toBeUndefined();
    expect(cc.maxStale).toBeUndefined();
    expect(cc.invalid).toEqual(['max-age', 'min-fresh', 'max-stale']);
  });

  it('reads the header list form', () => {
    expect(parseRequestCacheControl([['cache-control', 'no-cache']]).noCache).toBe(true);
  });
});

// ---------------------------------------------------------------- properties

const KNOWN = new Set([
  'max-age', 's-maxage', 'no-cache', 'no-store', 'no-transform', 'must-revalidate', 'must-understand', 'private', 'proxy-revalidate', 'public',
  'immutable', 'stale-while-revalidate', 'stale-if-error', 'max-stale', 'min-fresh', 'only-if-cached',
]);
const seconds = fc.integer({ min: 0, max: DELTA_SECONDS_MAX });
const fieldName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const extName = fc.stringMatching(/^[a-z][a-z0-9!#$%&'*+.^_`|~-]{0,10}$/).filter((n) => !KNOWN.has(n));
const extValue = fc.oneof(fc.constant(true as const), fc.string({ unit: fc.constantFrom('a', 'B', '1', ' ', ',', '"', '\\', '=', ';', '-') }));
const extensions = fc.uniqueArray(fc.tuple(extName, extValue), { selector: ([n]) => n, maxLength: 4 }).map((es) => new Map(es));
const fieldList = fc.option(fc.uniqueArray(fieldName, { minLength: 1, maxLength: 3 }), { nil: undefined });

const responseCc: fc.Arbitrary<ResponseCacheControl> = fc
  .record({
    maxAge: fc.option(seconds, { nil: undefined }),
    sMaxAge: fc.option(seconds, { nil: undefined }),
    noCache: fc.boolean(),
    noCacheFields: fieldList,
    noStore: fc.boolean(),
    noTransform: fc.boolean(),
    mustRevalidate: fc.boolean(),
    mustUnderstand: fc.boolean(),
    private: fc.boolean(),
    privateFields: fieldList,
    proxyRevalidate: fc.boolean(),
    public: fc.boolean(),
    immutable: fc.boolean(),
    staleWhileRevalidate: fc.option(seconds, { nil: undefined }),
    staleIfError: fc.option(seconds, { nil: undefined }),
    extensions,
  })
  .map((r) => {
    const cc: ResponseCacheControl = { ...r, invalid: [] };
    // Normal form: fields only with their flag; no undefined-valued keys.
    if (!cc.noCache) delete cc.noCacheFields;
    if (!cc.private) delete cc.privateFields;
    for (const k of Object.keys(cc) as (keyof ResponseCacheControl)[]) if (cc[k] === undefined) delete cc[k];
    return cc;
  });

const requestCc: fc.Arbitrary<RequestCacheControl> = fc
  .record({
    maxAge: fc.option(seconds, { nil: undefined }),
    maxStale: fc.option(fc.oneof(seconds, fc.constant(Infinity)), { nil: undefined }),
    minFresh: fc.option(seconds, { nil: undefined }),
    noCache: fc.boolean(),
    noStore: fc.boolean(),
    noTransform: fc.boolean(),
    onlyIfCached: fc.boolean(),
    staleIfError: fc.option(seconds, { nil: undefined }),
    extensions,
  })
  .map((r) => {
    const cc: RequestCacheControl = { ...r, invalid: [] };
    for (const k of Object.keys(cc) as (keyof RequestCacheControl)[]) if (cc[k] === undefined) delete cc[k];
    return cc;
  });

describe('properties', () => {
  it('the parsers never throw, whatever the input', () => {
    const anything = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('max-age', 'no-cache', '=', '"', '\\', ',', ' ', '1', '-', 'private', 'max-stale', ';', '\u0000', '\u00ff') }),
      fc.array(fc.tuple(fc.constantFrom('cache-control', 'Cache-Control', 'x'), fc.string())),
      fc.anything(),
    );
    fc.assert(
      fc.property(anything, (s) => {
        parseResponseCacheControl(s as string);
        parseRequestCacheControl(s as string);
      }),
      { numRuns: 1000 },
    );
  });

  it('response directives: format → parse round-trips', () => {
    fc.assert(
      fc.property(responseCc, (cc) => {
        expect(parseResponseCacheControl(formatResponseCacheControl(cc))).toEqual(cc);
      }),
      { numRuns: 500 },
    );
  });

  it('request directives: format → parse round-trips', () => {
    fc.assert(
      fc.property(requestCc, (cc) => {
        expect(parseRequestCacheControl(formatRequestCacheControl(cc))).toEqual(cc);
      }),
      { numRuns: 500 },
    );
  });

  it('splitting a value over several header lines changes nothing', () => {
    fc.assert(
      fc.property(responseCc, fc.nat(), (cc, cut) => {
        const members = formatResponseCacheControl(cc).split(/, (?=[a-z])/);
        const at = members.length === 0 ? 0 : cut % (members.length + 1);
        const lines: [string, string][] = [
          ['cache-control', members.slice(0, at).join(', ')],
          ['cache-control', members.slice(at).join(', ')],
        ];
        expect(parseResponseCacheControl(lines)).toEqual(parseResponseCacheControl(members.join(', ')));
      }),
      { numRuns: 200 },
    );
  });
});

describe('formatting', () => {
  it('rejects fractional or negative seconds with a clear message', () => {
    expect(() => formatResponseCacheControl({ maxAge: 1.5 })).toThrow(/expected delta-seconds to be a non-negative integer, got 1.5/);
    expect(() => formatRequestCacheControl({ minFresh: -1 })).toThrow(TypeError);
  });

  it('writes field lists quoted and max-stale bare for Infinity', () => {
    expect(formatResponseCacheControl({ private: true, privateFields: ['set-cookie', 'x'], maxAge: 5 })).toBe('private="set-cookie, x", max-age=5');
    expect(formatRequestCacheControl({ maxStale: Infinity })).toBe('max-stale');
  });
});

describe('requestCacheControlOf', () => {
  it('reads a header list as parseRequestCacheControl does, sharing one empty set when there is no Cache-Control', () => {
    const none: HeaderList = [['accept', '*/*'], ['host', 'x']];
    expect(requestCacheControlOf(none)).toEqual(parseRequestCacheControl(none));
    expect(requestCacheControlOf([])).toBe(requestCacheControlOf(none));
    expect(Object.isFrozen(requestCacheControlOf([]))).toBe(true);
    for (const h of [[['cache-control', 'no-cache, max-age=5']], [['Cache-Control', 'only-if-cached']], [['cache-control', 'max-stale'], ['cache-control', 'no-store']]] as HeaderList[]) {
      expect(requestCacheControlOf(h)).toEqual(parseRequestCacheControl(h));
    }
  });

  it('parses one line once per value: the same frozen set for every request that says it', () => {
    const a = requestCacheControlOf([['cache-control', 'min-fresh=0'], ['if-none-match', '"x"']]);
    expect(requestCacheControlOf([['Cache-Control', 'min-fresh=0']])).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.minFresh).toBe(0);
    // Two lines are one list, read afresh.
    const two = requestCacheControlOf([['cache-control', 'min-fresh=0'], ['cache-control', 'no-cache']]);
    expect(two).not.toBe(a);
    expect([two.minFresh, two.noCache]).toEqual([0, true]);
  });
});

describe('ParseMemo', () => {
  it('parses each distinct value once, remembers undefined results, and empties itself when full', () => {
    const seen: string[] = [];
    const memo = new ParseMemo<number | undefined>((v) => {
      seen.push(v);
      return v === 'none' ? undefined : v.length;
    }, 2);
    expect([memo.get('ab'), memo.get('ab'), memo.get('none'), memo.get('none')]).toEqual([2, 2, undefined, undefined]);
    expect(seen).toEqual(['ab', 'none']);
    expect(memo.get('abc')).toBe(3); // full: emptied, then filed
    expect(memo.get('ab')).toBe(2);
    expect(seen).toEqual(['ab', 'none', 'abc', 'ab']);
  });
});
