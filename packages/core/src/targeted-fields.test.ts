import { createEffectiveCacheControl, effectiveCacheControl, parseSurrogateControl, parseTargetedField, stripTargetedFields } from './targeted-fields';
import type { HeaderList } from './types';

const TARGETS = { targets: ['cdnlab-cache-control', 'cdn-cache-control'] };

describe('effectiveCacheControl (RFC 9213 §2.1)', () => {
  it('a present, valid targeted field wins; Cache-Control and Expires are ignored', () => {
    // RFC 9213 §3.1 example: browsers see max-age=60, CDNs cache for 600.
    const h: HeaderList = [
      ['cache-control', 'max-age=60, must-revalidate'],
      ['cdn-cache-control', 'max-age=600'],
      ['expires', 'Thu, 01 Jan 1970 00:00:00 GMT'],
    ];
    const e = effectiveCacheControl(h, TARGETS);
    expect(e.source).toBe('cdn-cache-control');
    expect(e.cc.maxAge).toBe(600);
    expect(e.cc.mustRevalidate).toBe(false);
    expect(e.ignoreExpires).toBe(true);
  });

  it('the first target of the list that is present wins', () => {
    const h: HeaderList = [
      ['cdn-cache-control', 'max-age=600'],
      ['cdnlab-cache-control', 'max-age=5'],
    ];
    expect(effectiveCacheControl(h, TARGETS)).toMatchObject({ source: 'cdnlab-cache-control', cc: { maxAge: 5 } });
  });

  it('an invalid targeted field is ignored as if absent (§2.2): the next applies', () => {
    const h: HeaderList = [
      ['cdnlab-cache-control', 'max-age=5, Bad-Key'], // upper case key: not an SF Dictionary
      ['cdn-cache-control', 'max-age=600'],
    ];
    expect(effectiveCacheControl(h, TARGETS).source).toBe('cdn-cache-control');
  });

  it('an empty targeted field is ignored; Cache-Control applies', () => {
    const h: HeaderList = [
      ['cdn-cache-control', ''],
      ['cache-control', 'max-age=7'],
    ];
    expect(effectiveCacheControl(h, TARGETS)).toMatchObject({ source: 'cache-control', cc: { maxAge: 7 }, ignoreExpires: false });
  });

  it("a field with only unknown directives is valid and still overrides (RFC 9213 §3.1's 'none' example)", () => {
    const h: HeaderList = [
      ['cache-control', 'no-store'],
      ['cdn-cache-control', 'none'],
    ];
    const e = effectiveCacheControl(h, TARGETS);
    expect(e.source).toBe('cdn-cache-control');
    expect(e.cc.noStore).toBe(false);
    expect(e.cc.extensions.get('none')).toBe(true);
  });

  it('targets not on the list are ignored', () => {
    const h: HeaderList = [['other-cdn-cache-control', 'max-age=1']];
    expect(effectiveCacheControl(h, TARGETS).source).toBe('cache-control');
  });

  it('validates options', () => {
    expect(() => effectiveCacheControl([], { targets: ['CDN-Cache-Control'] })).toThrow(/opts.targets\[0\] to be a lower-case field name/);
    expect(() => effectiveCacheControl([], { targets: 'x' } as never)).toThrow(/opts.targets/);
    expect(() => effectiveCacheControl([], { targets: ['cache-control'] })).toThrow(/fallback/);
  });
});

describe('parseTargetedField (SF Dictionary mapping, RFC 9213 §2.2)', () => {
  const parse = (v: string) => parseTargetedField([['cdn-cache-control', v]], 'cdn-cache-control');

  it('maps Booleans, Integers and Strings to directives', () => {
    const cc = parse('max-age=60, stale-while-revalidate=30, no-cache="set-cookie", private, s-maxage=10');
    expect(cc).toMatchObject({ maxAge: 60, staleWhileRevalidate: 30, noCache: true, noCacheFields: ['set-cookie'], private: true, sMaxAge: 10 });
  });

  it('ignores parameters on directives', () => {
    expect(parse('max-age=60;foo=bar, no-store;x')).toMatchObject({ maxAge: 60, noStore: true });
  });

  it('a decimal or negative max-age is not consumed as one (stale, listed invalid)', () => {
    const cc = parse('max-age=1.5');
    expect(cc?.maxAge).toBe(0);
    expect(cc?.invalid).toContain('max-age');
    expect(parse('max-age=-1')?.maxAge).toBe(0);
  });

  it('a Boolean false directive is not set', () => {
    expect(parse('no-store=?0, max-age=1')?.noStore).toBe(false);
  });

  it('combines several lines', () => {
    const cc = parseTargetedField(
      [
        ['cdn-cache-control', 'max-age=60'],
        ['cdn-cache-control', 'no-transform'],
      ],
      'cdn-cache-control',
    );
    expect(cc).toMatchObject({ maxAge: 60, noTransform: true });
  });

  it('returns undefined for absent, empty or malformed fields', () => {
    expect(parseTargetedField([], 'cdn-cache-control')).toBeUndefined();
    expect(parse('  ')).toBeUndefined();
    expect(parse('max-age=60,')).toBeUndefined();
    expect(parse('max-age="60')).toBeUndefined();
  });
});

describe('Surrogate-Control (Edge Architecture 1.0)', () => {
  it('reads max-age=N+M as max-age and a stale-if-error window', () => {
    const cc = parseSurrogateControl([['surrogate-control', 'content="ESI/1.0", max-age=300+60']]);
    expect(cc).toMatchObject({ maxAge: 300, staleIfError: 60 });
    expect(cc?.extensions.get('content')).toBe('ESI/1.0');
  });

  it('applies only untargeted directives and those for our device token', () => {
    const h: HeaderList = [['surrogate-control', 'max-age=10;edge1, no-store;shield, max-age=99']];
    expect(parseSurrogateControl(h, 'edge1')).toMatchObject({ maxAge: 10, noStore: false });
    expect(parseSurrogateControl(h, 'shield')).toMatchObject({ maxAge: 99, noStore: true });
    expect(parseSurrogateControl([['surrogate-control', 'max-age=5;other']])).toBeUndefined();
  });

  it('no-store-remote is no-store for a CDN tier', () => {
    expect(parseSurrogateControl([['surrogate-control', 'no-store-remote']])?.noStore).toBe(true);
  });

  it('takes part in the target list', () => {
    const h: HeaderList = [
      ['cache-control', 'no-store'],
      ['surrogate-control', 'max-age=30'],
    ];
    expect(effectiveCacheControl(h, { targets: ['cdn-cache-control', 'surrogate-control'] })).toMatchObject({ source: 'surrogate-control', cc: { maxAge: 30 } });
  });
});

describe('stripTargetedFields', () => {
  it('removes only the configured fields', () => {
    const h: HeaderList = [
      ['cdnlab-cache-control', 'max-age=1'],
      ['cdn-cache-control', 'max-age=2'],
      ['cache-control', 'max-age=3'],
    ];
    expect(stripTargetedFields(h, ['cdnlab-cache-control', 'surrogate-control'])).toEqual([
      ['cdn-cache-control', 'max-age=2'],
      ['cache-control', 'max-age=3'],
    ]);
    expect(stripTargetedFields(h, [])).toEqual(h);
  });
});

describe('createEffectiveCacheControl', () => {
  const lists: HeaderList[] = [
    [],
    [['cache-control', 'public, max-age=60']],
    [['cache-control', 'max-age=60'], ['cache-control', 'stale-if-error=30']],
    [['Cache-Control', 'no-store']],
    [['cache-control', 'max-age=5'], ['cdn-cache-control', 'max-age=600']],
    [['cache-control', 'max-age=5'], ['cdn-cache-control', '']],
    [['cache-control', 'max-age=5'], ['cdn-cache-control', 'max-age=1.5']],
    [['cdnlab-cache-control', 'no-store'], ['cdn-cache-control', 'max-age=600']],
    [['surrogate-control', 'max-age=30+60'], ['cache-control', 'max-age=5']],
    [['cache-control', 'private="set-cookie", max-age=60, max-age=10']],
  ];
  const targets = ['cdnlab-cache-control', 'cdn-cache-control', 'surrogate-control'];

  it('reads every header list as effectiveCacheControl does, twice (the second time from its memo)', () => {
    const of = createEffectiveCacheControl({ targets });
    for (const h of [...lists, ...lists]) expect(of(h)).toEqual(effectiveCacheControl(h, { targets }));
  });

  it('validates the targets when created, not on first use', () => {
    expect(() => createEffectiveCacheControl({ targets: ['cache-control'] })).toThrow('expected opts.targets not to contain cache-control');
    expect(() => createEffectiveCacheControl({ targets: ['CDN-Cache-Control'] })).toThrow('expected opts.targets[0] to be a lower-case field name');
  });
});
