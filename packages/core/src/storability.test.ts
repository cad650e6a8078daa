import { parseResponseCacheControl } from './cache-control';
import { checkStorabilityOptions, isStorable, prepareForStorage, type StorabilityOptions } from './storability';
import type { HeaderList, RequestHead, ResponseHead } from './types';

function req(headers: HeaderList = [], method = 'GET'): RequestHead {
  return { method, scheme: 'https', host: 'a.test', target: '/x', headers };
}
function res(status: number, headers: HeaderList): ResponseHead {
  return { status, headers };
}
function check(rq: RequestHead, rs: ResponseHead, opts?: StorabilityOptions) {
  return isStorable(rq, rs, parseResponseCacheControl(rs.headers), opts);
}
const fresh: HeaderList = [['cache-control', 'max-age=60']];

describe('isStorable (RFC 9111 §3)', () => {
  it('stores a GET 200 with max-age', () => {
    expect(check(req(), res(200, fresh))).toEqual({ storable: true, stripFields: [] });
  });

  it('hands out one frozen decision per plain outcome (a cache decides at every tier, for every response)', () => {
    const a = check(req(), res(200, fresh));
    expect(check(req(), res(200, [['cache-control', 'public, max-age=5']]))).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.stripFields)).toBe(true);
    const refused = check(req([], 'POST'), res(200, fresh));
    expect(check(req([], 'PUT'), res(200, fresh))).toBe(refused);
    expect(Object.isFrozen(refused)).toBe(true);
    // A decision that strips fields is the response's own.
    const p = check(req(), res(200, [['cache-control', 'max-age=60, private="x-user"']]));
    expect(p.stripFields).toEqual(['x-user']);
    expect(p).not.toBe(a);
  });

  it.each(['HEAD', 'POST', 'PUT', 'DELETE', 'get'])('does not store %s responses (reason method)', (m) => {
    expect(check(req([], m), res(200, fresh)).reason).toBe('method');
  });

  it.each([100, 101, 206, 304, 99, 1000])('does not store status %i', (s) => {
    expect(check(req(), res(s, fresh)).reason).toBe('status');
  });

  it('stores a non-heuristic status only with explicit freshness', () => {
    expect(check(req(), res(302, [])).reason).toBe('no-explicit-freshness');
    expect(check(req(), res(302, fresh)).storable).toBe(true);
    expect(check(req(), res(500, [['expires', 'Sun, 06 Nov 1994 08:49:37 GMT']])).storable).toBe(true);
  });

  it.each([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])('stores heuristically cacheable status %i without explicit freshness (RFC 9110 §15.1)', (s) => {
    expect(check(req(), res(s, [])).storable).toBe(true);
  });

  it('public makes any status storable (§3, §5.2.2.9)', () => {
    expect(check(req(), res(302, [['cache-control', 'public']])).storable).toBe(true);
  });

  it('defaultTtlMs (CDN override) makes responses without freshness storable', () => {
    expect(check(req(), res(302, []), { defaultTtlMs: 1000 }).storable).toBe(true);
  });

  it('ignoreExpires (a targeted field won) removes Expires as a reason to store', () => {
    const r = res(302, [['expires', 'Sun, 06 Nov 1994 08:49:37 GMT']]);
    expect(check(req(), r, { ignoreExpires: true }).reason).toBe('no-explicit-freshness');
  });

  it('no-store (§5.2.2.5) and request no-store (§5.2.1.5)', () => {
    expect(check(req(), res(200, [['cache-control', 'no-store, max-age=60']])).reason).toBe('no-store');
    expect(check(req([['cache-control', 'no-store']]), res(200, fresh)).reason).toBe('request-no-store');
    expect(check(req([['cache-control', 'no-store']]), res(200, fresh), { honourRequestNoStore: false }).storable).toBe(true);
  });

  it('must-understand overrides no-store for an understood status only (§5.2.2.3)', () => {
    const mu: HeaderList = [['cache-control', 'must-understand, no-store, max-age=60']];
    expect(check(req(), res(200, mu)).storable).toBe(true);
    expect(check(req(), res(299, mu)).reason).toBe('status');
    expect(check(req(), res(299, fresh)).storable).toBe(true); // without must-understand, unknown statuses are fine
  });

  it('no-cache responses are stored (they are revalidated on use, §5.2.2.4)', () => {
    expect(check(req(), res(200, [['cache-control', 'no-cache']])).storable).toBe(true);
  });

  it('unqualified private is not stored by a shared cache (§5.2.2.7)', () => {
    expect(check(req(), res(200, [['cache-control', 'private, max-age=60']])).reason).toBe('private');
  });

  it('qualified private: stored without the listed fields', () => {
    const r = res(200, [
      ['cache-control', 'private="x-user", max-age=60'],
      ['x-user', 'alice'],
      ['etag', '"1"'],
    ]);
    const d = check(req(), r);
    expect(d).toEqual({ storable: true, stripFields: ['x-user'] });
    expect(prepareForStorage(r, d).headers.map(([n]) => n)).toEqual(['cache-control', 'etag']);
  });

  describe('Authorization (§3.5)', () => {
    const auth: HeaderList = [['authorization', 'Bearer x']];
    it('is not stored by default', () => {
      expect(check(req(auth), res(200, fresh)).reason).toBe('authorization');
    });
    it.each(['public', 'must-revalidate', 's-maxage=10'])('is stored with %s', (d) => {
      expect(check(req(auth), res(200, [['cache-control', `max-age=60, ${d}`]])).storable).toBe(true);
    });
  });

  it('Vary: * is not stored (§4.1: it never matches)', () => {
    expect(check(req(), res(200, [...fresh, ['vary', 'accept, *']])).reason).toBe('vary-star');
  });

  describe('Set-Cookie policy', () => {
    const withCookie = res(200, [...fresh, ['set-cookie', 'sid=1'], ['set-cookie', 'x=2']]);
    it('is not stored by default', () => {
      expect(check(req(), withCookie).reason).toBe('set-cookie');
    });
    it("'strip' stores without Set-Cookie", () => {
      const d = check(req(), withCookie, { storeSetCookie: 'strip' });
      expect(d).toEqual({ storable: true, stripFields: ['set-cookie'] });
      expect(prepareForStorage(withCookie, d).headers).toEqual(fresh);
    });
    it("'yes' stores as is", () => {
      expect(check(req(), withCookie, { storeSetCookie: 'yes' })).toEqual({ storable: true, stripFields: [] });
    });
  });

  it('reports the first reason in a fixed order', () => {
    const r = res(200, [
      ['cache-control', 'no-store, private'],
      ['set-cookie', 'a'],
    ]);
    expect(check(req([], 'POST'), r).reason).toBe('method');
    expect(check(req(), r).reason).toBe('no-store');
  });

  it('validates options', () => {
    expect(() => check(req(), res(200, fresh), { storeSetCookie: 'maybe' as never })).toThrow(/opts.storeSetCookie/);
    expect(() => check(req(), res(200, fresh), { defaultTtlMs: -1 })).toThrow(/expected opts.defaultTtlMs to be a non-negative number, got -1/);
  });

  it('checks options once: checkStorabilityOptions refuses what isStorable refuses, and its copy decides the same', () => {
    expect(() => checkStorabilityOptions({ storeSetCookie: 'maybe' as never })).toThrow(`expected opts.storeSetCookie to be 'no', 'yes' or 'strip', got "maybe"`);
    expect(() => checkStorabilityOptions({ defaultTtlMs: -1 })).toThrow('expected opts.defaultTtlMs to be a non-negative number, got -1');
    for (const plain of [{ storeSetCookie: 'strip' }, { storeSetCookie: 'no', defaultTtlMs: 5000 }, { honourRequestNoStore: false, ignoreExpires: true }] as StorabilityOptions[]) {
      const checked = checkStorabilityOptions(plain);
      expect(Object.isFrozen(checked)).toBe(true);
      for (const [rq, rs] of [
        [req(), res(200, [...fresh, ['set-cookie', 'a=1']])],
        [req([['cache-control', 'no-store']]), res(200, fresh)],
        [req(), res(404, [['expires', 'Thu, 01 Jan 2099 00:00:00 GMT']])],
        [req(), res(299, [])],
      ] as Array<[RequestHead, ResponseHead]>) {
        expect(check(rq, rs, checked)).toEqual(check(rq, rs, plain));
      }
    }
  });
});
