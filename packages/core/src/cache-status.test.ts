import fc from 'fast-check';
import { appendCacheStatus, formatCacheStatusMember, parseCacheStatus, type CacheStatusFwd, type CacheStatusMember } from './cache-status';
import type { HeaderList } from './types';

describe('formatCacheStatusMember (RFC 9211 §2)', () => {
  it('writes the RFC examples', () => {
    // RFC 9211 §3 examples.
    expect(formatCacheStatusMember({ cacheName: 'ExampleCache', hit: true, ttl: 376 })).toBe('ExampleCache;hit;ttl=376');
    expect(formatCacheStatusMember({ cacheName: 'ExampleCache', fwd: 'uri-miss', stored: true })).toBe('ExampleCache;fwd=uri-miss;stored');
    expect(formatCacheStatusMember({ cacheName: 'ExampleCache', fwd: 'stale', fwdStatus: 304 })).toBe('ExampleCache;fwd=stale;fwd-status=304');
  });

  it('quotes names and details that are not tokens, escaping per RFC 8941', () => {
    expect(formatCacheStatusMember({ cacheName: 'edge 1', detail: 'say "hi"\\' })).toBe('"edge 1";detail="say \\"hi\\"\\\\"');
    expect(formatCacheStatusMember({ cacheName: '1edge', detail: 'ok' })).toBe('"1edge";detail=ok');
    expect(formatCacheStatusMember({ cacheName: 'e', key: 'https://a/x' })).toBe('e;key="https://a/x"');
  });

  it('writes ttl as an integer, negative when stale, floored', () => {
    expect(formatCacheStatusMember({ cacheName: 'e', ttl: -12.5 })).toBe('e;ttl=-13');
    expect(formatCacheStatusMember({ cacheName: 'e', ttl: 0.9 })).toBe('e;ttl=0');
  });

  it('leaves false booleans out', () => {
    expect(formatCacheStatusMember({ cacheName: 'e', hit: false, stored: false, collapsed: true })).toBe('e;collapsed');
  });

  it('rejects what cannot be represented, naming the field', () => {
    expect(() => formatCacheStatusMember({ cacheName: '' })).toThrow(/member.cacheName/);
    expect(() => formatCacheStatusMember({ cacheName: 'é' })).toThrow(/member.cacheName/);
    expect(() => formatCacheStatusMember({ cacheName: 'e', fwd: 'nope' as CacheStatusFwd })).toThrow(/member.fwd/);
    expect(() => formatCacheStatusMember({ cacheName: 'e', fwdStatus: 42 })).toThrow(/member.fwdStatus/);
    expect(() => formatCacheStatusMember({ cacheName: 'e', ttl: Infinity })).toThrow(/member.ttl/);
    expect(() => formatCacheStatusMember({ cacheName: 'e', key: 'ключ' })).toThrow(/member.key/);
  });
});

describe('appendCacheStatus', () => {
  it('appends after the upstream members: origin-side first, edge last', () => {
    let h: HeaderList = [['content-type', 'text/plain']];
    h = appendCacheStatus(h, { cacheName: 'shield', fwd: 'uri-miss', stored: true });
    h = appendCacheStatus(h, { cacheName: 'regional', hit: true });
    h = appendCacheStatus(h, { cacheName: 'edge', hit: true, ttl: 5 });
    expect(h).toEqual([
      ['content-type', 'text/plain'],
      ['cache-status', 'shield;fwd=uri-miss;stored, regional;hit, edge;hit;ttl=5'],
    ]);
    expect(parseCacheStatus(h[1][1]).map((m) => m.cacheName)).toEqual(['shield', 'regional', 'edge']);
  });

  it('combines several upstream lines into one, keeping them as received', () => {
    const h: HeaderList = [
      ['cache-status', 'OriginCache; hit'],
      ['x', 'y'],
      ['cache-status', 'Other'],
    ];
    expect(appendCacheStatus(h, 'mine')).toEqual([
      ['cache-status', 'OriginCache; hit, Other, mine'],
      ['x', 'y'],
    ]);
  });
});

describe('parseCacheStatus', () => {
  it('reads the RFC 9211 §3 multi-cache example', () => {
    expect(parseCacheStatus('OriginCache; hit; ttl=1100, "CDN Company Here"; hit; ttl=545')).toEqual([
      { cacheName: 'OriginCache', hit: true, ttl: 1100 },
      { cacheName: 'CDN Company Here', hit: true, ttl: 545 },
    ]);
  });

  it('reads detail as token or string and drops unknown or mistyped parameters', () => {
    expect(parseCacheStatus('C; fwd=bypass; detail=uncacheable; foo=1; hit=2; ttl="x"')).toEqual([{ cacheName: 'C', fwd: 'bypass', detail: 'uncacheable' }]);
    expect(parseCacheStatus('C; key="k"; detail="a b"; collapsed')).toEqual([{ cacheName: 'C', key: 'k', detail: 'a b', collapsed: true }]);
  });

  it('a malformed field yields nothing (RFC 8941: ignore the whole field), never throws', () => {
    expect(parseCacheStatus('C; hit,')).toEqual([]);
    expect(parseCacheStatus('"unterminated')).toEqual([]);
    expect(parseCacheStatus(undefined)).toEqual([]);
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseCacheStatus(s);
      }),
    );
  });

  it('format → parse round-trips (property)', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
    const member: fc.Arbitrary<CacheStatusMember> = fc
      .record(
        {
          cacheName: fc.oneof(fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/._-]{0,12}$/), printable.filter((s) => s.length > 0)),
          hit: fc.constant(true),
          fwd: fc.constantFrom<CacheStatusFwd>('bypass', 'method', 'uri-miss', 'vary-miss', 'miss', 'request', 'stale', 'partial'),
          fwdStatus: fc.integer({ min: 100, max: 599 }),
          ttl: fc.integer({ min: -1e9, max: 1e9 }),
          stored: fc.constant(true),
          collapsed: fc.constant(true),
          key: printable,
          detail: printable,
        },
        { requiredKeys: ['cacheName'] },
      );
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 4 }), (members) => {
        let h: HeaderList = [];
        for (const m of members) h = appendCacheStatus(h, m);
        expect(parseCacheStatus(h[0][1])).toEqual(members);
      }),
      { numRuns: 300 },
    );
  });
});
