import { invalidationTargets, isUnsafeMethod } from './invalidation';
import type { HeaderList, RequestHead } from './types';

const req = (method: string, target = '/a/b?x=1', host = 'shop.test', scheme: 'http' | 'https' = 'https'): RequestHead => ({ method, scheme, host, target, headers: [] });
const hrefs = (r: RequestHead, status: number, headers: HeaderList = []) => invalidationTargets(r, { status, headers }).map((t) => t.href);

describe('invalidationTargets (RFC 9111 §4.4)', () => {
  it('safe methods invalidate nothing (RFC 9110 §9.2.1)', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) expect(hrefs(req(m), 200)).toEqual([]);
  });

  it('unsafe and unknown methods invalidate the target URI on 2xx/3xx', () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'PURGE-ISH', 'get']) {
      expect(isUnsafeMethod(m)).toBe(true);
      expect(hrefs(req(m), 204)).toEqual(['https://shop.test/a/b?x=1']);
    }
    expect(hrefs(req('POST'), 303)).toEqual(['https://shop.test/a/b?x=1']);
  });

  it('error and interim statuses invalidate nothing', () => {
    for (const s of [100, 400, 404, 500, 503]) expect(hrefs(req('POST'), s)).toEqual([]);
  });

  it('adds Location and Content-Location of the same origin, resolving relative references', () => {
    const out = invalidationTargets(req('POST'), {
      status: 201,
      headers: [
        ['location', '../c/d'],
        ['content-location', 'https://SHOP.test:443/e'],
      ],
    });
    expect(out).toEqual([
      { scheme: 'https', host: 'shop.test', target: '/a/b?x=1', href: 'https://shop.test/a/b?x=1', source: 'target-uri' },
      { scheme: 'https', host: 'shop.test', target: '/c/d', href: 'https://shop.test/c/d', source: 'location' },
      { scheme: 'https', host: 'shop.test', target: '/e', href: 'https://shop.test/e', source: 'content-location' },
    ]);
  });

  it('never invalidates another origin: host, scheme or port differ', () => {
    for (const loc of ['https://victim.test/a', 'http://shop.test/a', 'https://shop.test:8443/a', '//victim.test/x']) {
      expect(hrefs(req('PUT'), 200, [['location', loc]])).toEqual(['https://shop.test/a/b?x=1']);
    }
  });

  it('ignores unparseable references and drops duplicates', () => {
    expect(hrefs(req('PUT'), 200, [['location', 'http://[bad']])).toEqual(['https://shop.test/a/b?x=1']);
    expect(hrefs(req('PUT'), 200, [['location', '/a/b?x=1'], ['content-location', '']])).toEqual(['https://shop.test/a/b?x=1']);
  });

  it('keeps an explicit non-default port of the target', () => {
    expect(hrefs(req('DELETE', '/x', 'shop.test:8080', 'http'), 200, [['location', '/y']])).toEqual(['http://shop.test:8080/x', 'http://shop.test:8080/y']);
  });

  it('a malformed host gives nothing rather than throwing', () => {
    expect(hrefs(req('POST', '/x', 'bad host'), 200)).toEqual([]);
  });
});
