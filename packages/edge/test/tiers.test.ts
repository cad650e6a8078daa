import type { SiteConfig } from '@cdnlab/origin';
import { parseCacheStatus } from '@cdnlab/core';
import { agent, get, makeFault, startMini, type Mini } from './mini-topology';

const site: SiteConfig = {
  paths: [
    { match: '/static/**', sizeBytes: 3000, headers: { 'Cache-Control': 'public, max-age=300', 'Surrogate-Key': 'static' } },
    { match: '/news/**', sizeBytes: 500, headers: { 'Cache-Control': 'max-age=60', 'Surrogate-Key': 'news' } },
    // max-age=3: a refreshed copy must stay fresh while the test checks the
    // origin count; with 1 s, a loaded machine (jest workers side by side) let
    // the shield's refreshed copy expire before a late edge refresh reached
    // it, and the origin saw a second, legitimate refresh.
    { match: '/swr/**', sizeBytes: 100, headers: { 'Cache-Control': 'max-age=3, stale-while-revalidate=30' } },
    { match: '/sie/**', sizeBytes: 100, headers: { 'Cache-Control': 'max-age=1, stale-if-error=60' } },
    { match: '/slow/**', sizeBytes: 100, latencyMs: 500, headers: { 'Cache-Control': 'max-age=60' } },
    { match: '/private/**', sizeBytes: 100, latencyMs: 100, headers: { 'Cache-Control': 'private' } },
    { match: '/api/**', sizeBytes: 100, headers: { 'Cache-Control': 'no-store' } },
  ],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const originCount = (m: Mini, path: string) => m.origin.counters.get(path)?.total ?? 0;

describe('a real topology: origin, shield, regionals, edges over gRPC', () => {
  let m: Mini;
  beforeAll(async () => {
    m = await startMini(site, { regionals: 2, edgesPerRegional: 2 });
  });
  afterAll(async () => {
    await m.stop();
    agent.destroy();
  });

  it('goes MISS through every tier, then HITs at the edge with a growing Age', async () => {
    const edge = m.edges[0].httpPort;
    const first = await get(edge, '/static/app.js');
    expect(first.status).toBe(200);
    expect(first.body).toMatch(/^cdnlab origin: \/static\/app\.js version=1/);
    const chain = parseCacheStatus(first.headers['cache-status'] as string);
    // Nearest the origin first (RFC 9211 §2): shield, regional, edge.
    expect(chain.map((c) => c.cacheName)).toEqual(['shield', 'regional-1', 'edge-1-1']);
    expect(chain.every((c) => c.fwd === 'uri-miss' && c.stored)).toBe(true);
    expect(first.headers['x-cache']).toBe('MISS, MISS, MISS');
    expect(first.headers['x-served-by']).toBe('shield, regional-1, edge-1-1');
    expect(first.headers.via).toContain('edge-1-1');

    await sleep(1100);
    const second = await get(edge, '/static/app.js');
    expect(second.body).toBe(first.body);
    const last = parseCacheStatus(second.headers['cache-status'] as string).at(-1)!;
    expect(last).toMatchObject({ cacheName: 'edge-1-1', hit: true });
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(1);
    expect(second.headers['x-cache']).toMatch(/HIT$/);

    // The sibling edge misses at the edge and hits at the shared regional.
    const sibling = await get(m.edges[1].httpPort, '/static/app.js');
    const sib = parseCacheStatus(sibling.headers['cache-status'] as string);
    expect(sib.at(-2)).toMatchObject({ cacheName: 'regional-1', hit: true });
    // The other region's edge hits at the shield.
    const far = parseCacheStatus((await get(m.edges[2].httpPort, '/static/app.js')).headers['cache-status'] as string);
    expect(far.at(-3)).toMatchObject({ cacheName: 'shield', hit: true });
    expect(originCount(m, '/static/app.js')).toBe(1);
  });

  it('serves byte ranges from the whole cached object: the fill asks for all of it (RFC 9110 §14)', async () => {
    const edge = m.edges[3].httpPort;
    const path = '/static/ranged.bin';
    // A cold Range request: every tier fills with the whole object, the client gets its slice.
    const part = await get(edge, path, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/3000');
    expect(part.headers['content-length']).toBe('10');
    expect(part.headers['accept-ranges']).toBe('bytes');
    const whole = await get(edge, path);
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['x-cache']).toMatch(/HIT$/);
    expect(whole.body.length).toBe(3000);
    expect(part.body).toBe(whole.body.slice(10, 20));
    // A suffix range, If-Range with the current ETag, and one with another: the whole body.
    expect((await get(edge, path, { range: 'bytes=-5' })).body).toBe(whole.body.slice(-5));
    const etag = whole.headers.etag as string;
    expect((await get(edge, path, { range: 'bytes=0-0', 'if-range': etag })).status).toBe(206);
    expect((await get(edge, path, { range: 'bytes=0-0', 'if-range': '"other"' })).status).toBe(200);
    const beyond = await get(edge, path, { range: 'bytes=3000-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */3000');
    expect(beyond.body).toBe('');
    // HEAD says ranges are served; a set of several ranges gets the whole body.
    expect((await get(edge, path, {}, 'HEAD')).headers['accept-ranges']).toBe('bytes');
    expect((await get(edge, path, { range: 'bytes=0-1,5-6' })).status).toBe(200);
    expect(originCount(m, path)).toBe(1);
  });

  it('collapses a thundering herd on a cold, slow object into one origin request', async () => {
    const n = 2000;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => get(m.edges[i % m.edges.length].httpPort, '/slow/hot')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(originCount(m, '/slow/hot')).toBe(1);
  });

  it('releases waiters at once for an uncacheable answer (no serial queue)', async () => {
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(m.edges[0].httpPort, '/private/me')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // 20 requests x 100 ms origin latency would take 2 s one by one.
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(originCount(m, '/private/me')).toBeGreaterThan(1);
  });

  it('serves stale-while-revalidate at once and refreshes exactly once', async () => {
    await get(m.edges[0].httpPort, '/swr/a');
    await sleep(3300);
    const before = originCount(m, '/swr/a');
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(m.edges[0].httpPort, '/swr/a')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.some((a) => String(a.headers['x-cache']).endsWith('STALE'))).toBe(true);
    await sleep(300);
    // One background refresh from the edge; the tiers above it collapse too.
    expect(originCount(m, '/swr/a') - before).toBe(1);
  });

  it('serves stale-if-error when the origin is down, and 502 quickly for uncached paths', async () => {
    await get(m.edges[0].httpPort, '/sie/a');
    await sleep(1200);
    m.origin.setFault(makeFault('down'));
    try {
      const stale = await get(m.edges[0].httpPort, '/sie/a');
      expect(stale.status).toBe(200);
      expect(stale.headers['cache-status']).toContain('detail=stale-if-error');
      const t0 = Date.now();
      const cold = await get(m.edges[0].httpPort, '/news/never-cached');
      expect(cold.status).toBe(502);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      m.origin.setFault(makeFault('none'));
    }
  });

  it('forwards unsafe methods with their bodies and invalidates the target', async () => {
    await get(m.edges[0].httpPort, '/news/post-me');
    const post = await get(m.edges[0].httpPort, '/news/post-me', { 'content-type': 'text/plain' }, 'POST', 'hello world');
    expect(post.status).toBe(201);
    expect(post.body).toContain('accepted 11 bytes');
    const after = await get(m.edges[0].httpPort, '/news/post-me');
    expect(parseCacheStatus(after.headers['cache-status'] as string).at(-1)).toMatchObject({ cacheName: 'edge-1-1', fwd: 'uri-miss' });
  });

  it('refuses malformed requests and stays up', async () => {
    const net = await import('node:net');
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(m.edges[0].httpPort, '127.0.0.1', () => s.write('GARBAGE / HTTP/1.1\r\n\r\n'));
      let out = '';
      s.on('data', (d) => (out += d.toString()));
      s.on('close', () => resolve(out));
    });
    // A method token nobody implements is not implemented (RFC 9110 §9.1), said with the reason.
    expect(raw).toMatch(/^HTTP\/1\.1 501 [^]*method "GARBAGE" is not supported/);
    expect((await get(m.edges[0].httpPort, '/static/app.js')).status).toBe(200);
  });
});

describe('stale-while-revalidate with collapsing switched off', () => {
  let m: Mini;
  beforeAll(async () => {
    m = await startMini(site, { cache: { collapsing: 'off' } });
  });
  afterAll(async () => {
    await m.stop();
  });

  it('still sends exactly one background refresh per stale object', async () => {
    await get(m.edges[0].httpPort, '/swr/off');
    await sleep(3300);
    const before = originCount(m, '/swr/off');
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(m.edges[0].httpPort, '/swr/off')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await sleep(300);
    // The edge refreshes once; the regional and shield hold stale copies too
    // and are asked for a fresh one, so the origin sees exactly one request.
    expect(originCount(m, '/swr/off') - before).toBe(1);
  });
});

describe('an nginx-style lock timeout shorter than the origin latency', () => {
  let m: Mini;
  beforeAll(async () => {
    m = await startMini(site, { regionals: 1, edgesPerRegional: 2, cache: { collapsing: 'lock-timeout', lockTimeoutMs: 100 } });
  });
  afterAll(async () => {
    await m.stop();
  });

  it('lets waiters through to the origin once the lock times out, and they do not store', async () => {
    const n = 200;
    // The origin takes 500 ms; waiters give up after 100 ms at every tier.
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => get(m.edges[i % 2].httpPort, '/slow/locked')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const hits = originCount(m, '/slow/locked');
    expect(hits).toBeGreaterThan(1);
    expect(hits).toBeLessThanOrEqual(n);
    const timedOut = answers.filter((a) => String(a.headers['cache-status']).includes('detail=lock-timeout'));
    expect(timedOut.length).toBeGreaterThan(0);
    // The lock holder's answer was stored: the next request is a hit.
    const after = await get(m.edges[0].httpPort, '/slow/locked');
    expect(String(after.headers['x-cache'])).toMatch(/HIT$/);
  });
});
