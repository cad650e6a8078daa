import fc from 'fast-check';
import { createCacheKeyer, normalizeHost, normalizePath, removeDotSegments } from './cache-key';
import type { HeaderList, RequestHead } from './types';

function req(target: string, headers: HeaderList = [], host = 'Example.COM', scheme: 'http' | 'https' = 'https'): RequestHead {
  return { method: 'GET', scheme, host, target, headers };
}

describe('default key', () => {
  const key = createCacheKeyer();

  it('is scheme + lower-cased host + path + query', () => {
    expect(key(req('/a/b?x=1'))).toBe('https://example.com/a/b?x=1');
    expect(key(req('/a/b?x=1', [], 'example.com', 'http'))).toBe('http://example.com/a/b?x=1');
  });

  it('removes the default port only', () => {
    expect(key(req('/', [], 'example.com:443'))).toBe('https://example.com/');
    expect(key(req('/', [], 'example.com:80', 'http'))).toBe('http://example.com/');
    expect(key(req('/', [], 'example.com:80'))).toBe('https://example.com:80/');
    expect(key(req('/', [], 'example.com:'))).toBe('https://example.com/');
    expect(key(req('/', [], 'example.com:08080'))).toBe('https://example.com:8080/');
  });

  it('keeps IPv6 literals and their ports apart', () => {
    expect(normalizeHost('[::1]:443', 'https')).toBe('[::1]');
    expect(normalizeHost('[::1]:8443', 'https')).toBe('[::1]:8443');
    expect(normalizeHost('[::1]', 'https')).toBe('[::1]');
  });

  it('escapes separators in a hostile host so it cannot fake a path', () => {
    expect(key(req('/x', [], 'evil.com/a?b'))).toBe('https://evil.com%2Fa%3Fb/x');
    expect(key(req('/x', [], 'a%2Fb'))).not.toBe(key(req('/x', [], 'a/b')));
  });

  it('keeps a target that is not origin-form opaque, so it cannot alias host or path', () => {
    expect(key(req('b/x', [], 'a'))).not.toBe(key(req('/x', [], 'ab')));
    expect(key(req('x'))).not.toBe(key(req('/x')));
    expect(key(req('*'))).toBe('https://example.com t:*');
    expect(key(req('http://evil.test/x y'))).toBe('https://example.com t:http://evil.test/x%20y');
  });

  it('treats an empty query as no query and an empty path as /', () => {
    expect(key(req('/a?'))).toBe(key(req('/a')));
    expect(key(req(''))).toBe('https://example.com/');
  });

  it('does not lower-case the path unless asked', () => {
    expect(key(req('/A/B'))).toBe('https://example.com/A/B');
    expect(createCacheKeyer({ lowercasePath: true })(req('/A/%2f%C3%A9'))).toBe('https://example.com/a/%2F%C3%A9');
  });
});

describe('safe path normalisation (RFC 3986 §6.2.2)', () => {
  it('decodes unreserved escapes only', () => {
    expect(normalizePath('/%7Euser/%41%62%2D%2E%5F')).toBe('/~user/Ab-._');
  });

  it('never decodes %2F and upper-cases the hex of kept escapes', () => {
    expect(normalizePath('/a%2fb')).toBe('/a%2Fb');
    expect(normalizePath('/a%2Fb')).not.toBe(normalizePath('/a/b'));
    expect(normalizePath('/%c3%a9')).toBe('/%C3%A9');
  });

  it('removes dot-segments (§5.2.4 examples)', () => {
    expect(removeDotSegments('/a/b/c/./../../g')).toBe('/a/g');
    expect(removeDotSegments('mid/content=5/../6')).toBe('mid/6');
    expect(normalizePath('/a/b/../../../c')).toBe('/c');
    expect(normalizePath('/a/./b/.')).toBe('/a/b/');
    expect(normalizePath('/a/%2E%2E/b')).toBe('/b');
  });

  it('does not treat an encoded slash as a segment separator for dot removal', () => {
    expect(normalizePath('/a/..%2Fb')).toBe('/a/..%2Fb');
  });

  it('percent-encodes characters a path may not contain, and keeps stray % distinct', () => {
    expect(normalizePath('/a b/é')).toBe('/a%20b/%C3%A9');
    expect(normalizePath('/a%zz')).toBe('/a%zz');
    expect(normalizePath('/a%zz')).not.toBe(normalizePath('/a%25zz'));
    expect(normalizePath('/\ud800')).toBe('/%EF%BF%BD');
  });

  it('can be turned off, still escaping separators', () => {
    const raw = createCacheKeyer({ normalizePath: false });
    expect(raw(req('/a/../%7e b'))).toBe('https://example.com/a/../%7e%20b');
  });
});

describe('query options', () => {
  it('drops exact names and prefixes', () => {
    const key = createCacheKeyer({ dropQueryParams: ['utm_*', 'fbclid'] });
    expect(key(req('/p?id=7&utm_source=x&fbclid=1&utm_medium=y&fbclidx=2'))).toBe('https://example.com/p?id=7&fbclidx=2');
    expect(key(req('/p?utm_source=x'))).toBe('https://example.com/p');
  });

  it('matches names after percent normalisation (utm%5Fsource is utm_source)', () => {
    const key = createCacheKeyer({ dropQueryParams: ['utm_*'] });
    expect(key(req('/p?utm%5Fsource=x&a=1'))).toBe('https://example.com/p?a=1');
  });

  it('keeps only allow-listed params', () => {
    const key = createCacheKeyer({ keepOnlyQueryParams: ['id', 'v*'] });
    expect(key(req('/p?x=1&id=2&ver=3&y'))).toBe('https://example.com/p?id=2&ver=3');
  });

  it('sorts stably by name', () => {
    const key = createCacheKeyer({ sortQuery: true });
    expect(key(req('/p?b=2&a=1&b=1&&c'))).toBe('https://example.com/p?a=1&b=2&b=1&c');
    expect(key(req('/p?b=1&a=1'))).toBe(key(req('/p?a=1&b=1')));
  });

  it('can ignore the query entirely', () => {
    const key = createCacheKeyer({ ignoreQuery: true });
    expect(key(req('/p?a=1'))).toBe('https://example.com/p');
  });

  it('keeps + and %20 apart (the cache does not guess form decoding)', () => {
    const key = createCacheKeyer();
    expect(key(req('/p?q=a+b'))).not.toBe(key(req('/p?q=a%20b')));
  });
});

describe('headers and cookies in the key', () => {
  const key = createCacheKeyer({ includeHeaders: ['X-Device', 'accept-language'], includeCookies: ['session'] });

  it('adds named headers with normalised values, in a fixed order', () => {
    const k = key(req('/', [['accept-language', '  en-US ,  fr '], ['x-device', 'mobile']]));
    expect(k).toBe('https://example.com/ h:accept-language=en-US,fr h:x-device=mobile c:session');
    expect(key(req('/', [['accept-language', 'en-US'], ['accept-language', 'fr']]))).toBe(
      key(req('/', [['accept-language', 'en-US, fr']])),
    );
    expect(key.headerNames).toEqual(['accept-language', 'x-device']);
  });

  it('keeps absent and empty apart', () => {
    expect(key(req('/', [['x-device', '']]))).not.toBe(key(req('/')));
  });

  it('adds named cookies, ignoring the others', () => {
    const a = key(req('/', [['cookie', 'theme=dark; session=abc']]));
    const b = key(req('/', [['cookie', 'session=abc; tracking=123']]));
    expect(a).toBe(b);
    expect(a).toContain(' c:session=abc');
    expect(key(req('/', [['cookie', 'session=xyz']]))).not.toBe(a);
  });

  it('cannot be confused by a header value that imitates another key part', () => {
    const k1 = key(req('/', [['x-device', 'm c:session=abc']]));
    const k2 = key(req('/', [['x-device', 'm'], ['cookie', 'session=abc']]));
    expect(k1).not.toBe(k2);
    expect(k1.split(' ')).toHaveLength(4);
  });
});

describe('cache-poisoning defence', () => {
  it('an unkeyed header (X-Forwarded-Host etc.) does not change the key', () => {
    const key = createCacheKeyer({ includeHeaders: ['accept-language'] });
    const plain = key(req('/home', [['accept-language', 'en']]));
    const attack = key(
      req('/home', [
        ['accept-language', 'en'],
        ['x-forwarded-host', 'evil.example'],
        ['x-original-url', '/admin'],
        ['x-forwarded-scheme', 'nothttps'],
        ['cookie', 'anything=1'],
      ]),
    );
    expect(attack).toBe(plain);
  });

  it('property: headers not named in the config never change the key', () => {
    const key = createCacheKeyer({ includeHeaders: ['accept-language'], includeCookies: ['s'] });
    const unkeyedName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((n) => n !== 'accept-language' && n !== 'cookie');
    fc.assert(
      fc.property(fc.array(fc.tuple(unkeyedName, fc.string())), fc.string(), (extra, target) => {
        const base: HeaderList = [['accept-language', 'de'], ['cookie', 's=1']];
        expect(key(req(target, [...base, ...extra]))).toBe(key(req(target, base)));
      }),
    );
  });
});

describe('unambiguous keys', () => {
  it('property: different normalised inputs give different keys', () => {
    const key = createCacheKeyer({ includeHeaders: ['x-a', 'x-b'], includeCookies: ['c'] });
    const input = fc.record({
      host: fc.string({ maxLength: 6 }),
      path: fc.string({ maxLength: 8 }),
      a: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
      b: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
    });
    const build = (i: { host: string; path: string; a?: string; b?: string }): RequestHead => {
      const headers: HeaderList = [];
      if (i.a !== undefined) headers.push(['x-a', i.a]);
      if (i.b !== undefined) headers.push(['x-b', i.b]);
      return req(`/${i.path}`, headers, i.host);
    };
    fc.assert(
      fc.property(input, input, (x, y) => {
        const kx = key(build(x));
        const ky = key(build(y));
        const nx = createCacheKeyer()(build(x));
        const ny = createCacheKeyer()(build(y));
        const hv = (v: string | undefined) => (v === undefined ? undefined : v.replace(/[ \t]+/g, ' ').replace(/ ?, ?/g, ',').trim());
        const sameInputs = nx === ny && hv(x.a) === hv(y.a) && hv(x.b) === hv(y.b);
        expect(kx === ky).toBe(sameInputs);
      }),
      { numRuns: 500 },
    );
  });

  it('property: never throws; space only separates parts, never appears inside one', () => {
    const key = createCacheKeyer({ sortQuery: true, dropQueryParams: ['x*'], includeHeaders: ['x-a'] });
    const any = fc.string({ unit: 'binary' });
    fc.assert(
      fc.property(any, any, any, (host, target, value) => {
        const k = key(req(target, [['x-a', value]], host));
        const parts = k.split(' ');
        const originForm = target === '' || target.startsWith('/');
        expect(parts).toHaveLength(originForm ? 2 : 3);
        expect(parts[parts.length - 1].startsWith('h:x-a=')).toBe(true);
        for (const p of parts) expect(p).not.toMatch(/[\s\u0000-\u001f\u007f-\uffff]/);
      }),
    );
  });
});

describe('option validation', () => {
  it.each([
    [{ dropQueryParams: 'utm_*' }, /opts\.dropQueryParams to be an array/],
    [{ dropQueryParams: ['u*tm'] }, /opts\.dropQueryParams\[0\] to have '\*' only at the end/],
    [{ keepOnlyQueryParams: [''] }, /opts\.keepOnlyQueryParams\[0\]/],
    [{ includeHeaders: ['bad name'] }, /opts\.includeHeaders\[0\] to be a header field name/],
    [{ includeCookies: [3] }, /opts\.includeCookies\[0\]/],
    [{ sortQuery: 'yes' }, /opts\.sortQuery to be a boolean, got "yes"/],
    [{ ignoreQuery: true, sortQuery: true }, /opts\.ignoreQuery not to be combined/],
  ])('rejects %j', (opts, msg) => {
    expect(() => createCacheKeyer(opts as never)).toThrow(msg);
  });
});

describe('removeDotSegments fast path', () => {
  /** RFC 3986 §5.2.4 as the RFC writes it, with no shortcut. */
  function reference(path: string): string {
    let input = path;
    const out: string[] = [];
    while (input.length > 0) {
      if (input.startsWith('../')) input = input.slice(3);
      else if (input.startsWith('./')) input = input.slice(2);
      else if (input.startsWith('/./')) input = input.slice(2);
      else if (input === '/.') input = '/';
      else if (input.startsWith('/../')) {
        input = input.slice(3);
        out.pop();
      } else if (input === '/..') {
        input = '/';
        out.pop();
      } else if (input === '.' || input === '..') input = '';
      else {
        const next = input.indexOf('/', input.startsWith('/') ? 1 : 0);
        out.push(next === -1 ? input : input.slice(0, next));
        input = next === -1 ? '' : input.slice(next);
      }
    }
    return out.join('');
  }

  it('agrees with the RFC loop on any path made of dots, slashes and letters (property)', () => {
    const path = fc.array(fc.constantFrom('.', '/', 'a', '..', '...', '.a', 'a.'), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(fc.property(path, (p) => expect(removeDotSegments(p)).toBe(reference(p))), { numRuns: 2000 });
  });

  it('returns a path without dot-segments unchanged, dots in names included', () => {
    for (const p of ['/objects/1', '/a.b/c..d/...', '/.well-known/x', 'a/b', '//x']) expect(removeDotSegments(p)).toBe(reference(p));
    expect(removeDotSegments('/.well-known/x')).toBe('/.well-known/x');
    expect(removeDotSegments('/a/./b/../c')).toBe('/a/c');
  });
});

describe('keyer host memo', () => {
  it('gives each request the key of its own host and scheme when hosts alternate', () => {
    const k = createCacheKeyer();
    const r = (host: string, scheme: 'http' | 'https' = 'http'): RequestHead => ({ method: 'GET', scheme, host, target: '/x', headers: [] });
    expect(k(r('A.test:80'))).toBe('http://a.test/x');
    expect(k(r('b.test'))).toBe('http://b.test/x');
    expect(k(r('A.test:80'))).toBe('http://a.test/x');
    expect(k(r('A.test:80', 'https'))).toBe('https://a.test:80/x');
    expect(k(r('A.test:443', 'https'))).toBe('https://a.test/x');
  });
});
