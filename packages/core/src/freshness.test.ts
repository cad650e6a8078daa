import fc from 'fast-check';
import { parseRequestCacheControl, parseResponseCacheControl } from './cache-control';
import {
  ageAt,
  ageHeaderValue,
  ageValue,
  checkFreshnessOptions,
  computeEntryTimes,
  explicitLifetimeMs,
  freshnessLifetime,
  heuristicLifetimeMs,
  initialAgeMs,
  isFresh,
  requestFreshness,
  ttlAt,
  type FreshnessOptions,
} from './freshness';
import { formatHttpDate } from './headers';
import type { HeaderList, ResponseHead } from './types';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const S = 1000;
const date = (ms: number) => formatHttpDate(ms);
function res(headers: HeaderList, status = 200): ResponseHead {
  return { status, headers };
}
function times(headers: HeaderList, opts?: FreshnessOptions, status = 200) {
  const r = res(headers, status);
  return computeEntryTimes(T0, T0, r, parseResponseCacheControl(r.headers), opts);
}

describe('age (RFC 9111 §4.2.3, §5.1)', () => {
  it('follows the corrected_initial_age algorithm', () => {
    // Sent at T0, received at T0+2s; origin Date T0+1s; an upstream cache says Age: 10.
    const r = res([
      ['date', date(T0 + 1 * S)],
      ['age', '10'],
    ]);
    // apparent_age = 1s; corrected_age_value = 10s + 2s delay = 12s → 12s.
    expect(initialAgeMs(T0, T0 + 2 * S, r)).toBe(12 * S);
    // resident time adds on.
    const t = computeEntryTimes(T0, T0 + 2 * S, r, parseResponseCacheControl(r.headers));
    expect(ageAt(t, T0 + 7 * S)).toBe(17 * S);
    expect(ageHeaderValue(t, T0 + 7 * S + 999)).toBe('17');
  });

  it('apparent age wins when the Date is far in the past (clock skew or a slow path)', () => {
    const r = res([['date', date(T0 - 100 * S)]]);
    expect(initialAgeMs(T0, T0, r)).toBe(100 * S);
  });

  it('a Date in the future gives apparent age 0, never negative', () => {
    expect(initialAgeMs(T0, T0, res([['date', date(T0 + 100 * S)]]))).toBe(0);
  });

  it('no Date: the receipt time stands in (RFC 9110 §6.6.1)', () => {
    expect(initialAgeMs(T0, T0 + 300, res([]))).toBe(300);
  });

  it('Age: first member of a list; invalid values are ignored (§5.1)', () => {
    expect(ageValue(res([['age', '5, 7']]))).toBe(5);
    expect(ageValue(res([['age', '-5']]))).toBeUndefined();
    expect(ageValue(res([['age', 'soon']]))).toBeUndefined();
    expect(ageValue(res([['age', '99999999999']]))).toBe(2 ** 31);
  });
});

describe('freshness lifetime (RFC 9111 §4.2.1)', () => {
  const lifetime = (h: HeaderList, opts?: FreshnessOptions) => freshnessLifetime(res(h), parseResponseCacheControl(h), T0, opts).lifetimeMs;

  it('s-maxage > max-age > Expires at a shared cache', () => {
    const expires: HeaderList = [
      ['date', date(T0)],
      ['expires', date(T0 + 30 * S)],
    ];
    expect(lifetime([...expires, ['cache-control', 'max-age=20, s-maxage=10']])).toBe(10 * S);
    expect(lifetime([...expires, ['cache-control', 'max-age=20']])).toBe(20 * S);
    expect(lifetime(expires)).toBe(30 * S);
  });

  it('Expires is relative to Date, not to our clock', () => {
    const h: HeaderList = [
      ['date', date(T0 - 3600 * S)],
      ['expires', date(T0 - 3540 * S)],
    ];
    expect(lifetime(h)).toBe(60 * S);
  });

  it('invalid Expires (e.g. "0") means already expired (§5.3)', () => {
    expect(lifetime([['expires', '0']])).toBe(0);
    expect(explicitLifetimeMs(res([['expires', '-1']]), parseResponseCacheControl(''), T0)).toBe(0);
  });

  it('Expires in the past of Date gives 0', () => {
    expect(lifetime([['date', date(T0)], ['expires', date(T0 - S)]])).toBe(0);
  });

  it('ignoreExpires drops Expires (RFC 9213 §2.1)', () => {
    expect(explicitLifetimeMs(res([['expires', date(T0 + S)]]), parseResponseCacheControl(''), T0, true)).toBeUndefined();
  });

  it('no-cache responses are never fresh, even with a min TTL', () => {
    expect(lifetime([['cache-control', 'no-cache, max-age=60']], { minTtlMs: 10 * S })).toBe(0);
  });
});

describe('heuristic freshness (RFC 9111 §4.2.2)', () => {
  const lm: HeaderList = [
    ['date', date(T0)],
    ['last-modified', date(T0 - 1000 * S)],
  ];

  it('is 10% of Date − Last-Modified by default, configurable', () => {
    expect(heuristicLifetimeMs(res(lm), parseResponseCacheControl(''), T0)).toBe(100 * S);
    expect(heuristicLifetimeMs(res(lm), parseResponseCacheControl(''), T0, { heuristicFraction: 0.5 })).toBe(500 * S);
    expect(heuristicLifetimeMs(res(lm), parseResponseCacheControl(''), T0, { maxHeuristicMs: 7 * S })).toBe(7 * S);
  });

  it('applies only to heuristically cacheable statuses, or public', () => {
    expect(heuristicLifetimeMs(res(lm, 302), parseResponseCacheControl(''), T0)).toBeUndefined();
    expect(heuristicLifetimeMs(res(lm, 302), parseResponseCacheControl('public'), T0)).toBe(100 * S);
    expect(heuristicLifetimeMs(res(lm, 404), parseResponseCacheControl(''), T0)).toBe(100 * S);
  });

  it('needs a valid Last-Modified earlier than Date', () => {
    expect(heuristicLifetimeMs(res([['date', date(T0)]]), parseResponseCacheControl(''), T0)).toBeUndefined();
    expect(heuristicLifetimeMs(res([['last-modified', date(T0 + S)]]), parseResponseCacheControl(''), T0)).toBeUndefined();
  });

  it('is not used when there is explicit freshness', () => {
    const t = times([...lm, ['cache-control', 'max-age=5']]);
    expect(t).toMatchObject({ lifetimeMs: 5 * S, heuristic: false });
    expect(times(lm)).toMatchObject({ lifetimeMs: 100 * S, heuristic: true });
  });
});

describe('tier policy (CDN overrides beyond the RFC)', () => {
  it('defaultTtlMs when nothing else applies', () => {
    expect(times([], { defaultTtlMs: 42 * S })).toMatchObject({ lifetimeMs: 42 * S, heuristic: true });
    expect(times([['cache-control', 'max-age=1']], { defaultTtlMs: 42 * S }).lifetimeMs).toBe(S);
  });

  it('min/max TTL clamp every lifetime', () => {
    expect(times([['cache-control', 'max-age=1']], { minTtlMs: 10 * S }).lifetimeMs).toBe(10 * S);
    expect(times([['cache-control', 'max-age=1000']], { maxTtlMs: 10 * S }).lifetimeMs).toBe(10 * S);
  });

  it('validates options', () => {
    expect(() => times([], { minTtlMs: -1 })).toThrow(/expected opts.minTtlMs to be a non-negative number, got -1/);
    expect(() => times([], { heuristicFraction: 2 })).toThrow(/heuristicFraction/);
    expect(() => times([], { minTtlMs: 5, maxTtlMs: 1 })).toThrow(/minTtlMs \(5\) to be <= opts.maxTtlMs \(1\)/);
    expect(() => computeEntryTimes(NaN, T0, res([]), parseResponseCacheControl(''))).toThrow(/finite/);
  });

  it('checks options once: checkFreshnessOptions refuses what the functions refuse, and its copy gives the same instants', () => {
    expect(() => checkFreshnessOptions({ minTtlMs: -1 })).toThrow('expected opts.minTtlMs to be a non-negative number, got -1');
    expect(() => checkFreshnessOptions({ minTtlMs: 5, maxTtlMs: 1 })).toThrow('expected opts.minTtlMs (5) to be <= opts.maxTtlMs (1)');
    const plain: FreshnessOptions = { defaultTtlMs: 7 * S, graceMs: 3 * S, maxTtlMs: 100 * S, ignoreExpires: true };
    const checked = checkFreshnessOptions(plain);
    expect(Object.isFrozen(checked)).toBe(true);
    expect({ ...checked }).toEqual(plain);
    for (const h of [[], [['cache-control', 'max-age=1000']], [['expires', date(T0 + 50 * S)]]] as HeaderList[]) {
      expect(times(h, checked)).toEqual(times(h, plain));
    }
    // A frozen object that was not checked is checked on every call.
    const bad = Object.freeze({ minTtlMs: -1 });
    expect(() => times([], bad)).toThrow('expected opts.minTtlMs');
    expect(() => times([], bad)).toThrow('expected opts.minTtlMs');
  });
});

describe('computeEntryTimes', () => {
  it('freshUntil accounts for the initial age', () => {
    const t = times([
      ['cache-control', 'max-age=60'],
      ['age', '20'],
    ]);
    expect(t.initialAgeMs).toBe(20 * S);
    expect(t.freshUntil).toBe(T0 + 40 * S);
    expect(isFresh(t, T0 + 40 * S - 1)).toBe(true);
    expect(isFresh(t, T0 + 40 * S)).toBe(false);
    expect(ttlAt(t, T0 + 50 * S)).toBe(-10 * S);
  });

  it('stale-while-revalidate / stale-if-error windows (RFC 5861)', () => {
    const t = times([['cache-control', 'max-age=10, stale-while-revalidate=20, stale-if-error=300']]);
    expect(t.staleWhileRevalidateUntil).toBe(T0 + 30 * S);
    expect(t.staleIfErrorUntil).toBe(T0 + 310 * S);
    expect(t.clientMayServeStale).toBe(true);
  });

  it.each(['must-revalidate', 'proxy-revalidate', 'no-cache'])('%s closes every stale window (§4.2.4)', (d) => {
    const t = times([['cache-control', `max-age=10, ${d}, stale-while-revalidate=20, stale-if-error=30`]], { graceMs: 99 * S });
    expect(t.staleWhileRevalidateUntil).toBe(t.freshUntil);
    expect(t.staleIfErrorUntil).toBe(t.freshUntil);
    expect(t.clientMayServeStale).toBe(false);
  });

  it('grace applies only when the origin says nothing about staleness', () => {
    const quiet = times([['cache-control', 'max-age=10']], { graceMs: 60 * S });
    expect(quiet.staleWhileRevalidateUntil).toBe(T0 + 70 * S);
    expect(quiet.staleIfErrorUntil).toBe(T0 + 70 * S);
    const swr = times([['cache-control', 'max-age=10, stale-while-revalidate=5']], { graceMs: 60 * S });
    expect(swr.staleWhileRevalidateUntil).toBe(T0 + 15 * S);
    expect(swr.staleIfErrorUntil).toBe(T0 + 10 * S);
  });

  it('s-maxage implies proxy-revalidate (§5.2.2.10) but an explicit SWR is honoured', () => {
    const plain = times([['cache-control', 's-maxage=10']], { graceMs: 60 * S });
    expect(plain.staleWhileRevalidateUntil).toBe(plain.freshUntil);
    expect(plain.clientMayServeStale).toBe(false);
    const swr = times([['cache-control', 's-maxage=10, stale-while-revalidate=30']]);
    expect(swr.staleWhileRevalidateUntil).toBe(T0 + 40 * S);
    expect(swr.clientMayServeStale).toBe(false);
  });

  it('fresh ⇔ current_age < freshness_lifetime, for any times (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        (maxAge, age, delay, dateSkewMs, later) => {
          const sent = T0;
          const received = T0 + delay;
          const h: HeaderList = [
            ['cache-control', `max-age=${maxAge}`],
            ['age', String(age)],
            ['date', date(received + dateSkewMs)],
          ];
          const t = computeEntryTimes(sent, received, res(h), parseResponseCacheControl(h));
          const now = received + later;
          expect(isFresh(t, now)).toBe(ageAt(t, now) < t.lifetimeMs);
          expect(t.staleWhileRevalidateUntil).toBeGreaterThanOrEqual(t.freshUntil);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('request constraints (RFC 9111 §5.2.1)', () => {
  const t = times([['cache-control', 'max-age=100']]);
  const rf = (cc: string, now: number) => requestFreshness(t, now, parseRequestCacheControl(cc));

  it('max-age: too old when current_age exceeds it (§5.2.1.1)', () => {
    expect(rf('max-age=10', T0 + 10 * S).tooOld).toBe(false);
    expect(rf('max-age=10', T0 + 10 * S + 1)).toMatchObject({ tooOld: true, acceptableFresh: false });
    expect(rf('max-age=0', T0 + 1).acceptableFresh).toBe(false);
  });

  it('min-fresh: needs that much freshness left (§5.2.1.3)', () => {
    expect(rf('min-fresh=50', T0 + 49 * S).acceptableFresh).toBe(true);
    expect(rf('min-fresh=50', T0 + 50 * S).acceptableFresh).toBe(false);
  });

  it('max-stale: accepts that much staleness (§5.2.1.2)', () => {
    expect(rf('max-stale=10', T0 + 110 * S)).toMatchObject({ acceptableFresh: false, acceptableStale: true });
    expect(rf('max-stale=10', T0 + 110 * S + 1).acceptableStale).toBe(false);
    expect(rf('max-stale', T0 + 1e9).acceptableStale).toBe(true);
    expect(rf('', T0 + 110 * S).acceptableStale).toBe(false);
  });

  it('max-stale cannot release what the origin forbade', () => {
    const mr = times([['cache-control', 'max-age=1, must-revalidate']]);
    expect(requestFreshness(mr, T0 + 2 * S, parseRequestCacheControl('max-stale')).acceptableStale).toBe(false);
  });
});

describe('tier switches for RFC 5861', () => {
  it('closes the stale windows when the tier does not honour them', () => {
    const { computeEntryTimes: cet } = jest.requireActual('./freshness') as typeof import('./freshness');
    const { parseResponseCacheControl: p } = jest.requireActual('./cache-control') as typeof import('./cache-control');
    const res = { status: 200, headers: [['date', new Date(0).toUTCString()]] as Array<[string, string]> };
    const cc = p('max-age=10, stale-while-revalidate=30, stale-if-error=60');
    const on = cet(0, 0, res, cc);
    expect(on.staleWhileRevalidateUntil).toBe(40_000);
    expect(on.staleIfErrorUntil).toBe(70_000);
    const off = cet(0, 0, res, cc, { honourStaleWhileRevalidate: false, honourStaleIfError: false });
    expect(off.staleWhileRevalidateUntil).toBe(10_000);
    expect(off.staleIfErrorUntil).toBe(10_000);
  });
});
