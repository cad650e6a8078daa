import fc from 'fast-check';
import { formatHttpDate, get, getAll, getFirst, has, hopByHopNames, lowerCaseName, parseHttpDate, removeHeader, setHeader, splitList, stripHopByHop } from './headers';
import type { HeaderList } from './types';

/** Wall-clock time, for the tests that bound how long a parse of hostile input takes (the core itself never reads a clock). */
// eslint-disable-next-line no-restricted-properties -- a test measuring the code under test, not core code reading time
const wallClockMs = (): number => performance.now();

// RFC 9110 §5.6.7's own example instant, in its three forms.
const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('lowerCaseName', () => {
  it("is toLowerCase's answer for any string (that it makes no new string when nothing changes, JS cannot see: the bench does)", () => {
    const lower = 'if-none-match';
    expect(lowerCaseName(lower)).toBe(lower);
    expect(lowerCaseName('Cache-Control')).toBe('cache-control');
    expect(lowerCaseName('X-ÄÖ-Ü')).toBe('x-äö-ü');
    expect(lowerCaseName('İ')).toBe('İ'.toLowerCase());
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => lowerCaseName(s) === s.toLowerCase()), { numRuns: 500 });
  });
});

describe('reading fields', () => {
  const h: HeaderList = [
    ['vary', 'accept'],
    ['set-cookie', 'a=1'],
    ['vary', 'origin'],
    ['set-cookie', 'b=2'],
  ];

  it('getAll keeps one value per line in wire order, names in any case', () => {
    expect(getAll(h, 'Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect(getAll(h, 'x')).toEqual([]);
  });

  it('get joins repeated lines with ", " (RFC 9110 §5.3)', () => {
    expect(get(h, 'VARY')).toBe('accept, origin');
    expect(get(h, 'etag')).toBeUndefined();
  });

  it('getFirst and has', () => {
    expect(getFirst(h, 'vary')).toBe('accept');
    expect(has(h, 'Set-Cookie')).toBe(true);
    expect(has(h, 'etag')).toBe(false);
  });
});

describe('building lists', () => {
  const h: HeaderList = [
    ['a', '1'],
    ['b', '2'],
    ['a', '3'],
    ['c', '4'],
  ];

  it('setHeader replaces in place of the first line and drops the others', () => {
    expect(setHeader(h, 'A', 'x')).toEqual([
      ['a', 'x'],
      ['b', '2'],
      ['c', '4'],
    ]);
  });

  it('setHeader appends a new name', () => {
    expect(setHeader(h, 'D', 'y').at(-1)).toEqual(['d', 'y']);
  });

  it('removeHeader removes every line of the names, order kept', () => {
    expect(removeHeader(h, 'a', 'C')).toEqual([['b', '2']]);
  });

  it('never mutates the input', () => {
    const copy = structuredClone(h);
    setHeader(h, 'a', 'z');
    removeHeader(h, 'b');
    stripHopByHop(h);
    expect(h).toEqual(copy);
  });
});

describe('splitList (RFC 9110 §5.6.1)', () => {
  it('splits at commas, trims OWS, drops empty members', () => {
    expect(splitList(' a ,b,, ,\tc ')).toEqual(['a', 'b', 'c']);
    expect(splitList('')).toEqual([]);
  });

  it('does not split inside quoted strings, honouring escapes', () => {
    expect(splitList('no-cache="a, b", private, x="q\\"u,o"')).toEqual(['no-cache="a, b"', 'private', 'x="q\\"u,o"']);
  });

  it('takes linear time on a long run of spaces inside a member (a client can send 16 KiB of them)', () => {
    const spaces = ' '.repeat(64 * 1024);
    const t0 = wallClockMs();
    expect(splitList(`a${spaces}b, \t${spaces}c${spaces}`)).toEqual([`a${spaces}b`, 'c']);
    // Trimming with /[ \t]+$/ took about 8 s on this input.
    expect(wallClockMs() - t0).toBeLessThan(1000);
  });

  it('joining the members again keeps the same members (property)', () => {
    const member = fc.stringMatching(/^[a-z0-9=-]{1,8}("[a-z ,]{0,5}")?$/);
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (ms) => {
        expect(splitList(ms.join(' , '))).toEqual(ms);
      }),
    );
  });
});

describe('HTTP dates (RFC 9110 §5.6.7)', () => {
  it('parses IMF-fixdate', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(NOV_6_1994);
  });

  it('parses the obsolete rfc850-date', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(NOV_6_1994);
  });

  it('parses the obsolete asctime-date, day padded with a space', () => {
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(NOV_6_1994);
    expect(parseHttpDate('Thu Nov 24 08:49:37 1994')).toBe(Date.UTC(1994, 10, 24, 8, 49, 37));
  });

  it('is case-insensitive on names and trims whitespace', () => {
    expect(parseHttpDate('  sun, 06 NOV 1994 08:49:37 GMT ')).toBe(NOV_6_1994);
  });

  it.each([
    ['empty', ''],
    ['not a date', 'yesterday'],
    ['delta seconds', '0'],
    ['bad day name', 'Foo, 06 Nov 1994 08:49:37 GMT'],
    ['bad month', 'Sun, 06 Foo 1994 08:49:37 GMT'],
    ['31 April', 'Sun, 31 Apr 1994 08:49:37 GMT'],
    ['29 Feb in a non-leap year', 'Sun, 29 Feb 1995 08:49:37 GMT'],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['not GMT', 'Sun, 06 Nov 1994 08:49:37 PST'],
    ['one-digit day', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['ISO 8601', '1994-11-06T08:49:37Z'],
  ])('rejects %s', (_what, s) => {
    expect(parseHttpDate(s)).toBeUndefined();
  });

  it('accepts 29 Feb in a leap year and a leap second', () => {
    expect(parseHttpDate('Thu, 29 Feb 1996 00:00:00 GMT')).toBe(Date.UTC(1996, 1, 29));
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59));
  });

  it('handles non-strings without throwing', () => {
    expect(parseHttpDate(undefined)).toBeUndefined();
    expect(parseHttpDate(42 as unknown as string)).toBeUndefined();
  });

  it('rfc850 two-digit years: fixed pivot without now', () => {
    expect(parseHttpDate('Monday, 01-Jan-69 00:00:00 GMT')).toBe(Date.UTC(2069, 0, 1));
    expect(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT')).toBe(Date.UTC(1970, 0, 1));
  });

  it('rfc850 two-digit years: "more than 50 years in the future" rule with now', () => {
    const now = Date.UTC(2100, 0, 1);
    // 2169 is > 50 years after 2100, so 69 means 2069; 49 means 2149 (49 years ahead).
    expect(parseHttpDate('Tuesday, 01-Jan-69 00:00:00 GMT', now)).toBe(Date.UTC(2069, 0, 1));
    expect(parseHttpDate('Friday, 01-Jan-49 00:00:00 GMT', now)).toBe(Date.UTC(2149, 0, 1));
  });

  it('formats IMF-fixdate', () => {
    expect(formatHttpDate(NOV_6_1994 + 999)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('rejects times it cannot format', () => {
    expect(() => formatHttpDate(NaN)).toThrow(/expected ms to be a finite epoch time/);
    expect(() => formatHttpDate(Date.UTC(10000, 0, 1))).toThrow(TypeError);
  });

  it('format → parse round-trips to the second, and all three forms agree (property)', () => {
    const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2069, 11, 31) }), (ms) => {
        const sec = Math.floor(ms / 1000) * 1000;
        expect(parseHttpDate(formatHttpDate(ms))).toBe(sec);
        const d = new Date(sec);
        const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
        const rfc850 = `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${p2(d.getUTCFullYear() % 100)} ${hms} GMT`;
        const asctime = `${DAYS[d.getUTCDay()].slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms} ${d.getUTCFullYear()}`;
        expect(parseHttpDate(rfc850)).toBe(sec);
        expect(parseHttpDate(asctime)).toBe(sec);
      }),
    );
  });
});

describe('hop-by-hop fields (RFC 9110 §7.6.1)', () => {
  it('strips the fixed set and the names Connection lists', () => {
    const h: HeaderList = [
      ['connection', 'keep-alive, X-Secret'],
      ['keep-alive', 'timeout=5'],
      ['transfer-encoding', 'chunked'],
      ['x-secret', 'hop only'],
      ['content-type', 'text/plain'],
      ['upgrade', 'h2c'],
      ['te', 'trailers'],
      ['proxy-authenticate', 'Basic'],
      ['etag', '"1"'],
    ];
    expect(stripHopByHop(h)).toEqual([
      ['content-type', 'text/plain'],
      ['etag', '"1"'],
    ]);
  });

  it('hopByHopNames reads every Connection line', () => {
    const names = hopByHopNames([
      ['connection', 'a'],
      ['connection', 'B, c'],
    ]);
    expect(names.has('a') && names.has('b') && names.has('c') && names.has('te')).toBe(true);
    expect(names.has('content-type')).toBe(false);
  });
});

describe('parseHttpDate memo', () => {
  it('answers a repeated value like a fresh parse, and still applies nowMs to two-digit years', () => {
    const v = 'Sunday, 06-Nov-94 08:49:37 GMT';
    const once = parseHttpDate(v);
    expect(parseHttpDate(v)).toBe(once);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(once);
    expect(parseHttpDate('garbage')).toBeUndefined();
    expect(parseHttpDate('garbage')).toBeUndefined();
    // With nowMs the rfc850 pivot depends on the clock: never answered from the memo.
    expect(parseHttpDate('Sunday, 06-Nov-50 08:49:37 GMT', Date.UTC(2090, 0, 1))).toBe(Date.UTC(2050, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sunday, 06-Nov-50 08:49:37 GMT', Date.UTC(1990, 0, 1))).toBe(Date.UTC(1950, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sunday, 06-Nov-50 08:49:37 GMT')).toBe(Date.UTC(2050, 10, 6, 8, 49, 37));
  });
});
