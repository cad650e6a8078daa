import fc from 'fast-check';
import { acceptEncodingNormaliser, createVariantIndex, deviceClassNormaliser, secondaryKey, varyFieldNames } from './vary';
import type { HeaderList } from './types';

describe('varyFieldNames', () => {
  it('combines lines, lower-cases, dedupes and sorts', () => {
    expect(varyFieldNames([['vary', 'Accept-Encoding, User-Agent'], ['content-type', 'x'], ['vary', ' accept-encoding ,Origin,,']])).toEqual([
      'accept-encoding',
      'origin',
      'user-agent',
    ]);
  });

  it('detects * in any line', () => {
    expect(varyFieldNames([['vary', 'accept'], ['vary', 'Origin, *']])).toBe('*');
  });

  it('returns [] without Vary', () => {
    expect(varyFieldNames([['cache-control', 'max-age=1']])).toEqual([]);
  });
});

describe('secondaryKey', () => {
  it('is empty for no Vary names', () => {
    expect(secondaryKey([], [['accept', 'x']])).toBe('');
  });

  it('combines lines and normalises whitespace (RFC 9111 §4.1)', () => {
    const a = secondaryKey(['accept-language'], [['accept-language', 'en'], ['accept-language', 'fr']]);
    const b = secondaryKey(['accept-language'], [['accept-language', '  en ,   fr  ']]);
    expect(a).toBe(b);
    expect(a).toBe('accept-language=en,fr');
  });

  it('keeps absent distinct from empty', () => {
    expect(secondaryKey(['origin'], [])).not.toBe(secondaryKey(['origin'], [['origin', '']]));
  });

  it('ignores request headers not named in Vary', () => {
    expect(secondaryKey(['origin'], [['origin', 'a'], ['x-forwarded-host', 'evil']])).toBe(secondaryKey(['origin'], [['origin', 'a']]));
  });

  it('applies normalisers by name, and never an inherited property', () => {
    const ae = acceptEncodingNormaliser(['br', 'gzip', 'identity']);
    const k1 = secondaryKey(['accept-encoding'], [['accept-encoding', 'gzip, deflate, br']], { 'accept-encoding': ae });
    const k2 = secondaryKey(['accept-encoding'], [['accept-encoding', 'br;q=1.0, gzip;q=0.8, *;q=0.1']], { 'accept-encoding': ae });
    expect(k1).toBe('accept-encoding=br');
    expect(k2).toBe(k1);
    expect(secondaryKey(['constructor'], [['constructor', 'x']], {})).toBe('constructor=x');
  });

  it('rejects Vary: *', () => {
    expect(() => secondaryKey('*' as never, [])).toThrow(/Vary: \*/);
  });

  it('property: distinct value lists give distinct keys (no separator smuggling)', () => {
    const names = ['a', 'b'];
    // Whitespace (any that String.trim removes: field values are trimmed, RFC 9110 §5.5) and commas are list syntax, not value.
    const val = fc.option(fc.string({ unit: 'binary', maxLength: 6 }).map((s) => s.replace(/[\s,]/g, '')), { nil: undefined });
    fc.assert(
      fc.property(val, val, val, val, (a1, b1, a2, b2) => {
        const h = (a?: string, b?: string): HeaderList => [...(a === undefined ? [] : [['a', a] as [string, string]]), ...(b === undefined ? [] : [['b', b] as [string, string]])];
        const same = a1 === a2 && b1 === b2;
        expect(secondaryKey(names, h(a1, b1)) === secondaryKey(names, h(a2, b2))).toBe(same);
      }),
      { numRuns: 500 },
    );
  });
});

describe('acceptEncodingNormaliser', () => {
  const ae = acceptEncodingNormaliser(['br', 'gzip', 'identity']);

  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['GZIP;Q=0.5, BR;q=0.4', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['deflate', 'identity'],
    ['', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity;q=0, br;q=0, gzip;q=0', 'none'],
    ['*;q=0', 'none'],
    ['*;q=0, identity', 'identity'],
    ['br;q=2, gzip', 'gzip'],
  ])('%j → %s', (value, want) => {
    expect(ae(value)).toBe(want);
  });

  it('treats an absent field as identity', () => {
    expect(ae(undefined)).toBe('identity');
  });

  it('falls back to identity even if not configured', () => {
    expect(acceptEncodingNormaliser(['br'])('gzip')).toBe('identity');
  });

  it('validates its list', () => {
    expect(() => acceptEncodingNormaliser([])).toThrow(/non-empty array/);
    expect(() => acceptEncodingNormaliser(['gzip', 'b r'])).toThrow(/supported\[1\]/);
  });
});

describe('deviceClassNormaliser', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120 Mobile Safari/537.36', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 13; SM-X710) Chrome/120 Safari/537.36', 'tablet'],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)', 'tablet'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120', 'desktop'],
    [undefined, 'desktop'],
  ])('%s → %s', (ua, want) => {
    expect(deviceClassNormaliser(ua)).toBe(want);
  });

  it('collapses a vary explosion into at most three variants', () => {
    const uas = fc.sample(fc.string({ maxLength: 40 }), 300).concat(['iPhone', 'iPad', 'Android Mobile', 'Windows']);
    const keys = new Set(uas.map((ua) => secondaryKey(['user-agent'], [['user-agent', ua]], { 'user-agent': deviceClassNormaliser })));
    expect(keys).toEqual(new Set(['user-agent=mobile', 'user-agent=tablet', 'user-agent=desktop']));
  });
});

describe('VariantIndex', () => {
  it('validates its cap', () => {
    expect(() => createVariantIndex({ maxVariantsPerKey: 0 })).toThrow('expected opts.maxVariantsPerKey to be a positive integer, got 0');
  });

  it('tracks Vary names and variants per primary key', () => {
    const idx = createVariantIndex({ maxVariantsPerKey: 4 });
    expect(idx.varyOf('/a')).toBeUndefined();
    expect(idx.record('/a', ['accept-encoding'], 'ae=br')).toEqual([]);
    expect(idx.record('/a', ['accept-encoding'], 'ae=gzip')).toEqual([]);
    expect(idx.record('/a', ['accept-encoding'], 'ae=br')).toEqual([]);
    expect(idx.varyOf('/a')).toEqual(['accept-encoding']);
    expect(idx.variants('/a')).toEqual(['ae=gzip', 'ae=br']);
    expect(idx.size).toBe(1);
  });

  it('evicts the least recently used variant of that URL over the cap and reports it', () => {
    const idx = createVariantIndex({ maxVariantsPerKey: 2 });
    idx.record('/a', ['user-agent'], 'u1');
    idx.record('/a', ['user-agent'], 'u2');
    idx.record('/b', ['user-agent'], 'u1');
    expect(idx.touch('/a', 'u1')).toBe(true);
    expect(idx.record('/a', ['user-agent'], 'u3')).toEqual(['u2']);
    expect(idx.variants('/a')).toEqual(['u1', 'u3']);
    expect(idx.variants('/b')).toEqual(['u1']);
    expect(idx.touch('/a', 'u2')).toBe(false);
  });

  it('drops variants keyed with old Vary names when Vary changes', () => {
    const idx = createVariantIndex({ maxVariantsPerKey: 8 });
    idx.record('/a', ['accept-encoding'], 'x1');
    idx.record('/a', ['accept-encoding'], 'x2');
    expect(idx.record('/a', ['Accept-Encoding', 'origin'], 'y1')).toEqual(['x1', 'x2']);
    expect(idx.varyOf('/a')).toEqual(['accept-encoding', 'origin']);
    expect(idx.variants('/a')).toEqual(['y1']);
  });

  it('Vary: * drops everything', () => {
    const idx = createVariantIndex({ maxVariantsPerKey: 8 });
    idx.record('/a', ['origin'], 'o1');
    expect(idx.record('/a', '*', 'ignored')).toEqual(['o1']);
    expect(idx.varyOf('/a')).toBeUndefined();
  });

  it('remove and removeAll forget entries', () => {
    const idx = createVariantIndex({ maxVariantsPerKey: 8 });
    idx.record('/a', ['origin'], 'o1');
    idx.record('/a', ['origin'], 'o2');
    idx.remove('/a', 'o1');
    expect(idx.variants('/a')).toEqual(['o2']);
    idx.remove('/a', 'o2');
    expect(idx.size).toBe(0);
    idx.record('/b', ['origin'], 'o1');
    expect(idx.removeAll('/b')).toEqual(['o1']);
    expect(idx.removeAll('/b')).toEqual([]);
  });

  it('property: never holds more than the cap, and every dropped key was held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.constantFrom('/a', '/b'), fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5', 'v6'), fc.boolean())), (cap, ops) => {
        const idx = createVariantIndex({ maxVariantsPerKey: cap });
        const held = new Map<string, Set<string>>([['/a', new Set()], ['/b', new Set()]]);
        for (const [pk, sk, isTouch] of ops) {
          if (isTouch) {
            expect(idx.touch(pk, sk)).toBe(held.get(pk)!.has(sk));
            continue;
          }
          for (const d of idx.record(pk, ['origin'], sk)) {
            expect(held.get(pk)!.has(d)).toBe(true);
            held.get(pk)!.delete(d);
          }
          held.get(pk)!.add(sk);
          expect(new Set(idx.variants(pk))).toEqual(held.get(pk));
          expect(held.get(pk)!.size).toBeLessThanOrEqual(cap);
        }
      }),
    );
  });
});
