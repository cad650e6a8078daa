import { FileErrors } from '@cdnlab/scenario';
import { parseSiteText, siteJson } from './origin';

describe('site files (cdnlab origin site)', () => {
  it("read a topology's site: block, YAML or JSON, with units normalised as a topology's are", () => {
    const yaml = [
      'paths:',
      '  - match: /static/**',
      '    size: 10KiB',
      '    latency: 20ms',
      '    headers:',
      '      Cache-Control: public, max-age=60',
      '',
      '  - match: /api/*',
      'versionEvery: 1m',
    ].join('\n');
    const site = parseSiteText(yaml, 'site.yaml');
    expect(site.versionEveryMs).toBe(60_000);
    expect(site.paths.map((p) => [p.match, p.sizeBytes, p.latencyMs, p.headers])).toEqual([
      ['/static/**', 10_240, 20, { 'Cache-Control': 'public, max-age=60' }],
      ['/api/*', 1024, 0, {}],
    ]);
    const json = parseSiteText('{"paths": [{"match": "/a", "size": 5, "status": 404}]}', 'site.json');
    expect(json.paths[0]).toMatchObject({ match: '/a', sizeBytes: 5, status: 404 });
    expect(json.versionEveryMs).toBeUndefined();
  });

  it('the JSON sent to SetSite is in the origin config shape, without versionEveryMs when unset', () => {
    const site = parseSiteText('paths: [{ match: /x, size: 1KiB }]', 's.yaml');
    expect(JSON.parse(siteJson(site))).toEqual({ paths: [{ match: '/x', status: 200, sizeBytes: 1024, headers: {}, etag: true, lastModified: true, latencyMs: 0, vary: [], setCookie: false }] });
  });

  it('errors point at the line, column and field in the file itself', () => {
    const text = ['paths:', '  - match: /ok', '  - match: /bad', '    size: lots'].join('\n');
    let err: unknown;
    try {
      parseSiteText(text, 'mine.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileErrors);
    const [first, ...rest] = (err as FileErrors).errors;
    expect(rest).toEqual([]);
    expect(first.message).toMatch(/^mine\.yaml:4:11: paths\[1\]\.size: bad size "lots"/);
  });

  it('refuses what is not a site, naming the field', () => {
    expect(() => parseSiteText('paths: []\ncolour: red', 's.yaml')).toThrow(/s\.yaml:\d+:\d+: .*colour/);
    expect(() => parseSiteText('- /a\n- /b', 's.yaml')).toThrow(FileErrors);
    expect(() => parseSiteText('paths: [', 's.yaml')).toThrow(/^s\.yaml:1:/);
  });
});
