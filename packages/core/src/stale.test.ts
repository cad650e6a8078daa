import { parseRequestCacheControl, parseResponseCacheControl } from './cache-control';
import { computeEntryTimes, type FreshnessOptions } from './freshness';
import { decideCacheUse, isStaleIfErrorTrigger, staleIfErrorAllowed } from './stale';

const T0 = 1_000_000;
const S = 1000;
function entry(cc: string, opts?: FreshnessOptions) {
  return computeEntryTimes(T0, T0, { status: 200, headers: [['cache-control', cc]] }, parseResponseCacheControl(cc), opts);
}
const decide = (cc: string, reqCc: string, now: number, opts?: FreshnessOptions) => decideCacheUse(entry(cc, opts), now, parseRequestCacheControl(reqCc)).kind;

describe('decideCacheUse', () => {
  it('fresh, then must-validate once stale (RFC 9111 §4.2)', () => {
    expect(decide('max-age=10', '', T0 + 9 * S)).toBe('fresh');
    expect(decideCacheUse(entry('max-age=10'), T0 + 10 * S, parseRequestCacheControl(''))).toEqual({ kind: 'must-validate', reason: 'stale' });
  });

  it('stale-while-revalidate serves stale during its window only (RFC 5861 §3)', () => {
    expect(decide('max-age=10, stale-while-revalidate=5', '', T0 + 12 * S)).toBe('stale-while-revalidate');
    expect(decide('max-age=10, stale-while-revalidate=5', '', T0 + 15 * S)).toBe('must-validate');
  });

  it('grace acts as stale-while-revalidate for origins that say nothing', () => {
    expect(decide('max-age=10', '', T0 + 30 * S, { graceMs: 60 * S })).toBe('stale-while-revalidate');
    expect(decide('max-age=10', '', T0 + 70 * S, { graceMs: 60 * S })).toBe('must-validate');
  });

  it.each(['must-revalidate', 'proxy-revalidate', 'no-cache'])('%s forbids every stale use (§4.2.4, §5.2.2.2)', (d) => {
    const cc = `max-age=10, ${d}, stale-while-revalidate=100`;
    expect(decide(cc, 'max-stale', T0 + 11 * S, { graceMs: 100 * S })).toBe('must-validate');
  });

  it('no-cache responses are validated even at age 0 (§5.2.2.4)', () => {
    expect(decide('no-cache, max-age=60', '', T0)).toBe('must-validate');
  });

  describe('client directives (§5.2.1)', () => {
    it('no-cache forces validation of a fresh response (§5.2.1.4)', () => {
      expect(decideCacheUse(entry('max-age=60'), T0, parseRequestCacheControl('no-cache'))).toEqual({ kind: 'must-validate', reason: 'request-no-cache' });
    });

    it('max-age=0 forces validation once the response has any age (§5.2.1.1)', () => {
      expect(decide('max-age=60', 'max-age=0', T0 + 1)).toBe('must-validate');
      expect(decide('max-age=60', 'max-age=30', T0 + 20 * S)).toBe('fresh');
    });

    it('max-age also rules out stale-while-revalidate', () => {
      expect(decide('max-age=10, stale-while-revalidate=50', 'max-age=5', T0 + 12 * S)).toBe('must-validate');
    });

    it('min-fresh: a fresh response with too little time left is validated (§5.2.1.3)', () => {
      expect(decideCacheUse(entry('max-age=60'), T0 + 50 * S, parseRequestCacheControl('min-fresh=20'))).toEqual({ kind: 'must-validate', reason: 'request-min-fresh' });
      expect(decide('max-age=60', 'min-fresh=5', T0 + 50 * S)).toBe('fresh');
      expect(decide('max-age=10, stale-while-revalidate=50', 'min-fresh=1', T0 + 12 * S)).toBe('must-validate');
    });

    it('max-stale serves stale without refresh when no SWR window is open (§5.2.1.2)', () => {
      expect(decide('max-age=10', 'max-stale=5', T0 + 14 * S)).toBe('stale-ok');
      expect(decide('max-age=10', 'max-stale=5', T0 + 16 * S)).toBe('must-validate');
      expect(decide('max-age=10, stale-while-revalidate=50', 'max-stale=5', T0 + 14 * S)).toBe('stale-while-revalidate');
    });

    it('max-stale does not apply to s-maxage responses (implied proxy-revalidate, §5.2.2.10)', () => {
      expect(decide('s-maxage=10', 'max-stale', T0 + 11 * S)).toBe('must-validate');
    });

    it('only-if-cached turns "validate" into 504 (§5.2.1.7), and serves what it can', () => {
      expect(decide('max-age=10', 'only-if-cached', T0 + 11 * S)).toBe('gateway-timeout');
      expect(decide('max-age=10', 'only-if-cached, no-cache', T0)).toBe('gateway-timeout');
      expect(decide('max-age=10', 'only-if-cached', T0 + 5 * S)).toBe('fresh');
      expect(decide('max-age=10', 'only-if-cached, max-stale', T0 + 100 * S)).toBe('stale-ok');
    });
  });
});

describe('stale-if-error (RFC 5861 §4)', () => {
  it('errors are 500, 502, 503, 504 and failed connections', () => {
    expect([500, 502, 503, 504, undefined].every(isStaleIfErrorTrigger)).toBe(true);
    expect([200, 404, 501, 429].some(isStaleIfErrorTrigger)).toBe(false);
  });

  it('the response directive opens a window', () => {
    const t = entry('max-age=10, stale-if-error=60');
    const none = parseRequestCacheControl('');
    expect(staleIfErrorAllowed(t, T0 + 69 * S, none)).toBe(true);
    expect(staleIfErrorAllowed(t, T0 + 70 * S, none)).toBe(false);
  });

  it('the request directive opens one too', () => {
    const t = entry('max-age=10');
    expect(staleIfErrorAllowed(t, T0 + 30 * S, parseRequestCacheControl('stale-if-error=20'))).toBe(true);
    expect(staleIfErrorAllowed(t, T0 + 31 * S, parseRequestCacheControl('stale-if-error=20'))).toBe(false);
    expect(staleIfErrorAllowed(t, T0 + 11 * S, parseRequestCacheControl(''))).toBe(false);
  });

  it('must-revalidate closes both', () => {
    const t = entry('max-age=10, must-revalidate, stale-if-error=60');
    expect(staleIfErrorAllowed(t, T0 + 11 * S, parseRequestCacheControl('stale-if-error=60'))).toBe(false);
  });

  it('a still-fresh response may always stand in for an error', () => {
    expect(staleIfErrorAllowed(entry('max-age=10, must-revalidate'), T0 + 5 * S, parseRequestCacheControl(''))).toBe(true);
  });
});
