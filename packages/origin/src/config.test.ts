import { OriginConfigError, parseOriginConfig, parseSiteConfig } from './config';

const base = {
  id: 'o1',
  region: 'eu',
  grpc: { host: '127.0.0.1', port: 0 },
  site: { paths: [{ match: '/**', sizeBytes: 10 }] },
  token: 'tok',
};

describe('parseOriginConfig', () => {
  it('accepts a site config and a proxy config', () => {
    expect(parseOriginConfig(base)).toEqual(base);
    const { site: _site, ...rest } = base;
    const proxy = parseOriginConfig({ ...rest, upstream: 'http://127.0.0.1:3000/app', preserveHost: true, upstreamTimeoutMs: 100, http: { host: '::1', port: 8080 } });
    expect(proxy.upstream).toBe('http://127.0.0.1:3000/app');
    expect(proxy.http).toEqual({ host: '::1', port: 8080 });
  });

  it.each([
    [null, 'expected config to be an object'],
    [{ ...base, id: '' }, 'expected config.id to be a non-empty string, got ""'],
    [{ ...base, grpc: { host: 'h', port: -1 } }, 'expected config.grpc.port to be an integer in [0, 65535], got -1'],
    [{ ...base, http: 'x' }, 'expected config.http to be an object'],
    [{ ...base, upstream: 'http://x' }, 'exactly one of config.site and config.upstream'],
    [{ ...base, site: undefined }, 'exactly one of config.site and config.upstream'],
    [{ ...base, site: undefined, upstream: 'ftp://x' }, 'expected config.upstream to be an http:// or https:// URL'],
    [{ ...base, site: undefined, upstream: 'http://x/?q=1' }, 'config.upstream to be a URL without query'],
    [{ ...base, site: { paths: [{ match: 'a' }] } }, 'expected config.site.paths[0].match to be a path glob starting with "/"'],
    [{ ...base, site: { paths: [{ match: '/a', status: 99 }] } }, 'config.site.paths[0].status'],
    [{ ...base, site: { paths: [{ match: '/a' }, { match: '/b', latencyMs: 'x' }] } }, 'config.site.paths[1].latencyMs'],
    [{ ...base, site: { paths: [{ match: '/a', headers: { 'Bad Name': 'x' } }] } }, 'config.site.paths[0].headers'],
    [{ ...base, site: { paths: [{ match: '/a', headers: { ok: 'a\r\nInjected: 1' } }] } }, 'config.site.paths[0].headers["ok"]'],
    [{ ...base, site: { paths: [{ match: '/a', vary: [1] }] } }, 'config.site.paths[0].vary'],
    [{ ...base, site: { paths: [{ match: '/a', colour: 'red' }] } }, 'unknown key "colour"'],
    [{ ...base, site: { paths: [], versionEveryMs: 0 } }, 'config.site.versionEveryMs'],
    [{ ...base, site: { paths: [], versionEvery: 10 } }, 'unknown field config.site.versionEvery'],
    [{ ...base, upstreamTimeoutMs: 1.5 }, 'config.upstreamTimeoutMs to be a positive integer'],
    [{ ...base, shutdownGraceMs: -1 }, 'config.shutdownGraceMs'],
    [{ ...base, extra: 1 }, 'unknown field config.extra'],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parseOriginConfig(input)).toThrow(message);
  });

  it('never echoes a token in its error', () => {
    expect(() => parseOriginConfig({ ...base, token: 'secret value' })).toThrow('expected config.token to be a non-empty string without whitespace');
    try {
      parseOriginConfig({ ...base, tierToken: 'other secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
      expect((e as Error).message).toContain('config.tierToken');
    }
    expect(() => parseOriginConfig({ ...base, tierToken: 'other secret' })).toThrow();
  });
});

describe('parseSiteConfig', () => {
  it('accepts what the config accepts and names the field it is given', () => {
    const site = { paths: [{ match: '/img/*', latencyMs: 5, headers: { 'Cache-Control': ['max-age=60', 'public'] } }], versionEveryMs: 1000 };
    expect(parseSiteConfig(site)).toEqual(site);
    expect(() => parseSiteConfig({ paths: [{ match: '/a' }, { match: '/b', sizeBytes: -1 }] })).toThrow('expected site.paths[1].sizeBytes to be an integer');
    expect(() => parseSiteConfig({ paths: 'nope' }, 'request.site')).toThrow('expected request.site.paths to be a list of path rules');
    expect(() => parseSiteConfig([])).toThrow(OriginConfigError);
  });
});
