import type { RequestHead } from '@cdnlab/core';
import { createSite, makeBody } from './site';

const T0 = Date.UTC(2026, 0, 1);
const get = (target: string, headers: Array<[string, string]> = [], method = 'GET'): RequestHead =>
  ({ method, scheme: 'http', host: 'cdn.cdnlab.test', target, headers });
const header = (h: Array<[string, string]>, name: string): string | undefined => h.find(([n]) => n === name)?.[1];
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('synthetic site', () => {
  const site = () => createSite({
    paths: [
      { match: '/static/**', sizeBytes: 2000, headers: { 'Cache-Control': 'max-age=3600', 'Surrogate-Key': 'static {path}' } },
      { match: '/api/*', sizeBytes: 100, vary: ['Accept-Encoding'], latencyMs: 50, headers: { 'Cache-Control': 's-maxage=5' } },
      { match: '/private', setCookie: true, headers: { 'Cache-Control': 'private' } },
    ],
    versionEveryMs: 10_000,
  }, T0);

  it('renderBody: false gives the same head and says how long the body would be', () => {
    for (const [target, hdrs, method] of [['/static/a?x=1', [], 'GET'], ['/api/a', [['accept-encoding', 'gzip']], 'GET'], ['/static/a', [], 'HEAD'], ['/nothing', [], 'GET']] as const) {
      const s = site();
      const list = hdrs.map(([n, v]): [string, string] => [n, v]);
      const full = s.answer(get(target, list, method), undefined, T0 + 1234);
      const bare = s.answer(get(target, list, method), undefined, T0 + 1234, { renderBody: false });
      expect(bare.head).toEqual(full.head);
      expect(bare.bodyBytes).toBe(full.body.length);
      expect(full.bodyBytes).toBe(full.body.length);
      if (full.head.status === 200) expect(bare.body.length).toBe(0);
    }
  });

  it('serves bodies of exactly the configured size that name path and version', () => {
    const a = site().answer(get('/static/x/y.css?q=1'), undefined, T0);
    expect(a.head.status).toBe(200);
    expect(a.body.length).toBe(2000);
    expect(text(a.body)).toMatch(/^cdnlab origin: \/static\/x\/y\.css\?q=1 version=1\n/);
    expect(header(a.head.headers, 'content-length')).toBe('2000');
    expect(header(a.head.headers, 'surrogate-key')).toBe('static /static/x/y.css');
    expect(header(a.head.headers, 'cache-control')).toBe('max-age=3600');
    expect(a.kind).toBe('get');
    // Deterministic: the same inputs give the same bytes.
    expect(makeBody('/p', 3, '', 500)).toEqual(makeBody('/p', 3, '', 500));
    expect(makeBody('/p', 3, '', 500)).not.toEqual(makeBody('/p', 4, '', 500));
  });

  it('advances versions on schedule, by bump and by pin, per pattern', () => {
    const s = site();
    expect(s.versionOf('/static/a', T0 + 9_999)).toBe(1);
    expect(s.versionOf('/static/a', T0 + 10_000)).toBe(2);
    s.bumpVersion(T0 + 12_000, '/api/*');
    expect(s.versionOf('/api/x', T0 + 12_000)).toBe(3);
    expect(s.versionOf('/static/a', T0 + 12_000)).toBe(2);
    s.setVersion(7, T0 + 15_000);
    expect(s.versionOf('/static/a', T0 + 15_000)).toBe(7);
    expect(s.versionOf('/static/a', T0 + 25_000)).toBe(8);
    const a = s.answer(get('/static/a'), undefined, T0 + 25_000);
    expect(header(a.head.headers, 'last-modified')).toBe(new Date(T0 + 25_000).toUTCString());
  });

  it('answers conditionals with 304 when the validator still matches', () => {
    const s = site();
    const first = s.answer(get('/static/a'), undefined, T0);
    const etag = header(first.head.headers, 'etag')!;
    const lm = header(first.head.headers, 'last-modified')!;
    const byTag = s.answer(get('/static/a', [['if-none-match', `W/${etag}`]]), undefined, T0 + 1000);
    expect(byTag.head.status).toBe(304);
    expect(byTag.kind).toBe('not-modified');
    expect(byTag.body.length).toBe(0);
    expect(s.answer(get('/static/a', [['if-modified-since', lm]]), undefined, T0 + 1000).head.status).toBe(304);
    // After a version change the validator no longer matches.
    const later = s.answer(get('/static/a', [['if-none-match', etag]]), undefined, T0 + 10_000);
    expect(later.head.status).toBe(200);
    expect(later.kind).toBe('conditional');
  });

  it('varies bodies and ETags by the Vary request headers, and says Vary', () => {
    const s = site();
    const gz = s.answer(get('/api/a', [['accept-encoding', 'gzip']]), undefined, T0);
    const br = s.answer(get('/api/a', [['accept-encoding', 'br']]), undefined, T0);
    expect(header(gz.head.headers, 'vary')).toBe('accept-encoding');
    expect(header(gz.head.headers, 'etag')).not.toBe(header(br.head.headers, 'etag'));
    expect(text(gz.body)).toContain('variant=accept-encoding:gzip');
    expect(gz.latencyMs).toBe(50);
  });

  it('handles HEAD, unknown paths, cookies and unsafe methods', () => {
    const s = site();
    const head = s.answer(get('/static/a', [], 'HEAD'), undefined, T0);
    expect(head.body.length).toBe(0);
    expect(header(head.head.headers, 'content-length')).toBe('2000');
    expect(s.answer(get('/nope'), undefined, T0).head.status).toBe(404);
    expect(header(s.answer(get('/private'), undefined, T0).head.headers, 'set-cookie')).toMatch(/^session=/);
    const post = s.answer(get('/api/a', [], 'POST'), new Uint8Array(12), T0);
    expect(post.head.status).toBe(201);
    expect(post.kind).toBe('post');
    expect(header(post.head.headers, 'cache-control')).toBe('no-store');
    expect(text(post.body)).toContain('accepted 12 bytes');
  });

  it('sends Expires relative to the answer date when configured (RFC 9111 §5.3)', () => {
    const s = createSite({ paths: [{ match: '/e', expiresInSeconds: 60 }, { match: '/past', expiresInSeconds: -1 }] }, T0);
    expect(header(s.answer(get('/e'), undefined, T0 + 1500).head.headers, 'expires')).toBe(new Date(T0 + 1000 + 60_000).toUTCString());
    expect(header(s.answer(get('/past'), undefined, T0).head.headers, 'expires')).toBe(new Date(T0 - 1000).toUTCString());
    expect(header(site().answer(get('/static/a'), undefined, T0).head.headers, 'expires')).toBeUndefined();
  });

  it('reflects a request header into a response header with {header:NAME} (the cache-poisoning origin), else the fallback or nothing', () => {
    const site = createSite({ paths: [{ match: '/**', headers: { Link: '<https://{header:X-Forwarded-Host}/app.js>; rel=preload', 'X-Page': '{path} v{version}', 'X-Host': '{header:x-forwarded-host|shop.example}' } }] }, T0);
    const poisoned = site.answer(get('/home', [['x-forwarded-host', 'evil.example']]), undefined, T0);
    expect(header(poisoned.head.headers, 'link')).toBe('<https://evil.example/app.js>; rel=preload');
    expect(header(poisoned.head.headers, 'x-page')).toBe('/home v1');
    expect(header(poisoned.head.headers, 'x-host')).toBe('evil.example');
    const plain = site.answer(get('/home'), undefined, T0).head.headers;
    expect(header(plain, 'link')).toBe('<https:///app.js>; rel=preload');
    expect(header(plain, 'x-host')).toBe('shop.example');
  });

  it('rejects bad configuration with the field named', () => {
    expect(() => createSite({ paths: [{ match: '/a', status: 999 }] }, T0)).toThrow('site.paths[0].status');
    expect(() => createSite({ paths: [], versionEveryMs: -1 }, T0)).toThrow('site.versionEveryMs');
  });

  describe('replacing a site (previous)', () => {
    const rules = { paths: [{ match: '/**', sizeBytes: 40, headers: { 'Cache-Control': 'max-age=1' } }] };

    it('carries every path on from the version and Last-Modified it had when replaced', () => {
      const old = createSite({ ...rules, versionEveryMs: 10_000 }, T0);
      old.setVersion(7, T0 + 1_000, '/pinned');
      old.bumpVersion(T0 + 2_000, '/bumped');
      const at = T0 + 25_000; // two ticks of the old schedule for unpinned paths
      const next = createSite({ paths: [{ match: '/**', sizeBytes: 40, headers: { 'Cache-Control': 'max-age=99' } }] }, at, { previous: old });
      expect(next.versionOf('/plain', at)).toBe(3);
      expect(next.versionOf('/pinned', at)).toBe(9); // 7 at +1s, ticks at +11s and +21s
      expect(next.versionOf('/bumped', at)).toBe(4);
      // No schedule in the new site: the versions stay where they were.
      expect(next.versionOf('/plain', at + 60_000)).toBe(3);
      expect(next.versionState('/plain', at)).toEqual(old.versionState('/plain', at));
      const a = next.answer(get('/plain'), undefined, at);
      expect(header(a.head.headers, 'cache-control')).toBe('max-age=99');
      expect(header(a.head.headers, 'x-origin-version')).toBe('3');
      expect(header(a.head.headers, 'last-modified')).toBe(new Date(T0 + 20_000).toUTCString());
    });

    it('ticks on the new schedule from the switch, and later pins and bumps apply as usual', () => {
      const old = createSite(rules, T0);
      const next = createSite({ ...rules, versionEveryMs: 1_000 }, T0 + 5_000, { previous: old });
      expect(next.versionOf('/x', T0 + 5_000)).toBe(1);
      expect(next.versionOf('/x', T0 + 7_500)).toBe(3);
      next.setVersion(20, T0 + 8_000, '/x');
      expect(next.versionOf('/x', T0 + 8_000)).toBe(20);
      next.bumpVersion(T0 + 8_100);
      expect(next.versionOf('/x', T0 + 8_200)).toBe(21);
      expect(next.versionOf('/y', T0 + 8_200)).toBe(5);
    });

    it('stays one level deep however often it is replaced without version commands (no recursion per replacement)', () => {
      // Each site ticks once before the next replaces it: after n replacements every path is at 1 + n.
      const n = 100_000;
      let site = createSite({ ...rules, versionEveryMs: 1_000 }, T0);
      for (let i = 1; i <= n; i++) site = createSite({ ...rules, versionEveryMs: 1_000 }, T0 + i * 1_500, { previous: site });
      const at = T0 + n * 1_500;
      expect(site.versionState('/x', at)).toEqual({ version: 1 + n, since: T0 + (n - 1) * 1_500 + 1_000 });
      expect(header(site.answer(get('/x'), undefined, at).head.headers, 'x-origin-version')).toBe(String(1 + n));
      expect(site.historyAt(at + 1).site).toBeUndefined(); // nothing to consult but the folded ticks
    });

    it('folds ticks of command-less sites around sites that had commands, path by path', () => {
      const a = createSite({ ...rules, versionEveryMs: 10_000 }, T0);
      a.bumpVersion(T0 + 1_000, '/bumped');
      const b = createSite(rules, T0 + 25_000, { previous: a }); // a ticked twice: /x 3, /bumped 4
      const c = createSite({ ...rules, versionEveryMs: 5_000 }, T0 + 30_000, { previous: b });
      const d = createSite(rules, T0 + 41_000, { previous: c }); // c ticked twice more, at +35 s and +40 s
      expect(d.historyAt(T0 + 50_000).site).toBe(a);
      expect(d.versionState('/x', T0 + 50_000)).toEqual({ version: 5, since: T0 + 40_000 });
      expect(d.versionState('/bumped', T0 + 50_000)).toEqual({ version: 6, since: T0 + 40_000 });
      d.setVersion(1, T0 + 42_000, '/x');
      expect(d.versionOf('/x', T0 + 50_000)).toBe(1);
      expect(d.versionOf('/bumped', T0 + 50_000)).toBe(6);
      expect(d.historyAt(T0 + 50_000).site).toBe(d);
    });

    it('leaves the replaced site as it was (requests in flight still use it)', () => {
      const old = createSite(rules, T0);
      const next = createSite({ paths: [{ match: '/**', sizeBytes: 10 }] }, T0 + 1, { previous: old });
      next.setVersion(5, T0 + 2);
      expect(old.versionOf('/a', T0 + 3)).toBe(1);
      expect(old.answer(get('/a'), undefined, T0 + 3).body.length).toBe(40);
      expect(next.answer(get('/a'), undefined, T0 + 3).body.length).toBe(10);
      expect(next.config.paths[0].sizeBytes).toBe(10);
    });
  });
});
