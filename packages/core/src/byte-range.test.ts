import { contentRangeOf, decideRange } from './byte-range';
import type { HeaderList } from './types';

/** Wall-clock time, for the tests that bound how long a parse of hostile input takes (the core itself never reads a clock). */
// eslint-disable-next-line no-restricted-properties -- a test measuring the code under test, not core code reading time
const wallClockMs = (): number => performance.now();

// Date a minute after Last-Modified: the date is a strong validator for this cache (RFC 9110 §8.8.2.2).
const RES: HeaderList = [['etag', '"v1"'], ['last-modified', 'Tue, 01 Dec 2026 10:00:00 GMT'], ['date', 'Tue, 01 Dec 2026 10:01:00 GMT']];
const ask = (range: string, extra: HeaderList = []): ReturnType<typeof decideRange> => decideRange([['range', range], ...extra], RES, 1000);

describe('decideRange (RFC 9110 §14)', () => {
  it('serves one range as partial, clipped to the representation, with its Content-Range', () => {
    expect(ask('bytes=0-99')).toEqual({ kind: 'partial', first: 0, last: 99, length: 1000 });
    expect(ask('bytes=900-')).toEqual({ kind: 'partial', first: 900, last: 999, length: 1000 });
    expect(ask('bytes=990-5000')).toEqual({ kind: 'partial', first: 990, last: 999, length: 1000 });
    expect(ask('bytes=-10')).toEqual({ kind: 'partial', first: 990, last: 999, length: 1000 });
    expect(ask('bytes=-5000')).toEqual({ kind: 'partial', first: 0, last: 999, length: 1000 });
    expect(ask('BYTES = 5 - 6 ,')).toEqual({ kind: 'partial', first: 5, last: 6, length: 1000 });
    expect(contentRangeOf({ kind: 'partial', first: 5, last: 6, length: 1000 })).toBe('bytes 5-6/1000');
  });

  it('is unsatisfiable when no range overlaps (416 with bytes */length)', () => {
    expect(ask('bytes=1000-')).toEqual({ kind: 'unsatisfiable', length: 1000 });
    expect(ask('bytes=-0')).toEqual({ kind: 'unsatisfiable', length: 1000 });
    expect(ask('bytes=99999999999999999999-')).toEqual({ kind: 'unsatisfiable', length: 1000 });
    expect(decideRange([['range', 'bytes=0-1']], RES, 0)).toEqual({ kind: 'unsatisfiable', length: 0 });
    expect(contentRangeOf({ kind: 'unsatisfiable', length: 1000 })).toBe('bytes */1000');
  });

  it('serves the whole representation when Range is absent, not bytes, invalid, or a set of several', () => {
    expect(decideRange([], RES, 1000)).toEqual({ kind: 'whole' });
    expect(ask('items=0-1')).toEqual({ kind: 'whole' });
    expect(ask('bytes')).toEqual({ kind: 'whole' });
    expect(ask('bytes=5-2')).toEqual({ kind: 'whole' });
    expect(ask('bytes=a-b')).toEqual({ kind: 'whole' });
    expect(ask('bytes=-')).toEqual({ kind: 'whole' });
    expect(ask('bytes=0-1,5-9')).toEqual({ kind: 'whole' });
  });

  it('takes linear time on a long run of spaces in a range-spec (a client can send 16 KiB of them)', () => {
    const spaces = ' '.repeat(64 * 1024);
    const t0 = wallClockMs();
    expect(ask(`bytes=${spaces}x`)).toEqual({ kind: 'whole' });
    expect(ask(`bytes=${spaces}5${spaces}-${spaces}6${spaces}`)).toEqual({ kind: 'partial', first: 5, last: 6, length: 1000 });
    // /^\s*(\d*)\s*-/ took about 8 s on the first input.
    expect(wallClockMs() - t0).toBeLessThan(1000);
  });

  it('honours If-Range: a strong ETag or the exact Last-Modified date, never a weak tag', () => {
    expect(ask('bytes=0-1', [['if-range', '"v1"']]).kind).toBe('partial');
    expect(ask('bytes=0-1', [['if-range', '"v2"']]).kind).toBe('whole');
    expect(ask('bytes=0-1', [['if-range', 'W/"v1"']]).kind).toBe('whole');
    expect(ask('bytes=0-1', [['if-range', 'Tue, 01 Dec 2026 10:00:00 GMT']]).kind).toBe('partial');
    expect(ask('bytes=0-1', [['if-range', 'Tue, 01 Dec 2026 10:00:01 GMT']]).kind).toBe('whole');
    expect(decideRange([['range', 'bytes=0-1'], ['if-range', '"v1"']], [['etag', 'W/"v1"']], 10).kind).toBe('whole');
    expect(decideRange([['range', 'bytes=0-1'], ['if-range', '"v1"']], [], 10).kind).toBe('whole');
  });

  it('If-Range with a date is false unless Last-Modified is a strong validator: Date at least 60 s after it (RFC 9110 §13.1.5, §8.8.2.2)', () => {
    const lm = 'Tue, 01 Dec 2026 10:00:00 GMT';
    const withDate = (date: string | undefined): HeaderList => (date === undefined ? [['last-modified', lm]] : [['last-modified', lm], ['date', date]]);
    const asked = (date: string | undefined) => decideRange([['range', 'bytes=0-1'], ['if-range', lm]], withDate(date), 10).kind;
    expect(asked('Tue, 01 Dec 2026 10:01:00 GMT')).toBe('partial');
    // Changed twice within the second the date names, and the date could not show it.
    expect(asked('Tue, 01 Dec 2026 10:00:59 GMT')).toBe('whole');
    expect(asked('Tue, 01 Dec 2026 10:00:00 GMT')).toBe('whole');
    expect(asked(undefined)).toBe('whole');
  });
});
