import * as http from 'node:http';
import { makeBody } from '../src/site';
import { startOrigin, type RunningOrigin } from '../src/origin-service';
import { eventually, httpRequest, siteConfig } from './support';

// The origin's plain HTTP port, as curl reaches it: same site, same counts, same faults.

let origin: RunningOrigin;
let port: number;

beforeAll(async () => {
  origin = await startOrigin(siteConfig({ id: 'origin-http' }));
  port = origin.httpPort!;
});
afterAll(async () => {
  await origin.stop(500);
});
afterEach(() => origin.setFault({ kind: 'none' }));

const get = (raw: string[], name: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) out.push(raw[i + 1]);
  return out;
};

describe('origin over plain HTTP', () => {
  it('serves the site bytes and headers, HEAD without a body, POST accepted, counted by kind', async () => {
    origin.counters.reset();
    const r = await httpRequest(port, 'GET', '/static/a.css');
    expect(r.status).toBe(200);
    expect(Buffer.compare(r.body, Buffer.from(makeBody('/static/a.css', 1, '', 150_000)))).toBe(0);
    expect(get(r.rawHeaders, 'surrogate-key')).toEqual(['static /static/a.css']);
    const etag = get(r.rawHeaders, 'etag')[0];

    const head = await httpRequest(port, 'HEAD', '/static/a.css');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(get(head.rawHeaders, 'content-length')).toEqual(['150000']);

    const cond = await httpRequest(port, 'GET', '/static/a.css', { 'if-none-match': etag });
    expect(cond.status).toBe(304);

    const post = await httpRequest(port, 'POST', '/static/a.css', { 'content-type': 'text/plain' }, Buffer.from('12345'));
    expect(post.status).toBe(201);
    expect(post.body.toString()).toContain('accepted 5 bytes');

    const cookie = await httpRequest(port, 'GET', '/cookie');
    expect(get(cookie.rawHeaders, 'set-cookie')).toHaveLength(1);

    expect(origin.counters.get('/static/a.css')?.byKind).toEqual({ get: 1, head: 1, conditional: 1, 'not-modified': 1, post: 1 });
  });

  it('accepts an absolute-form target as the same path, and names what is wrong with a bad one (RFC 9112 §3.2.2)', async () => {
    origin.counters.reset();
    const abs = await httpRequest(port, 'GET', 'http://origin.test/static/abs.css?v=1');
    expect(abs.status).toBe(200);
    expect(abs.body.toString()).toContain('/static/abs.css?v=1');
    expect(origin.counters.get('/static/abs.css')?.byKind).toEqual({ get: 1 });
    const bad = await httpRequest(port, 'GET', 'http://user@origin.test/x');
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toMatch(/userinfo/);
  });

  it('exposes Prometheus metrics on /metrics, not counted as a site request', async () => {
    const before = origin.counters.total;
    await httpRequest(port, 'GET', '/m1');
    const r = await httpRequest(port, 'GET', '/metrics');
    expect(r.status).toBe(200);
    const text = r.body.toString();
    expect(text).toMatch(/cdnlab_origin_requests_total\{kind="get",transport="http",node="origin-http",region="eu"\} \d+/);
    expect(text).toContain('cdnlab_origin_generation_seconds_bucket');
    expect(origin.counters.total).toBe(before + 1);
  });

  it('error fault answers the status over HTTP', async () => {
    origin.setFault({ kind: 'error', status: 502 }, '/e');
    const r = await httpRequest(port, 'GET', '/e');
    expect(r.status).toBe(502);
  });

  it('down fault cuts the connection without a status line', async () => {
    origin.setFault({ kind: 'down' });
    const e = await httpRequest(port, 'GET', '/d').catch((x: unknown) => x as NodeJS.ErrnoException);
    // Errors from node:http come from another realm under jest: check the shape, not the class.
    expect(e).toMatchObject({ code: 'ECONNRESET' });
  });

  it('hang fault holds the request until the client leaves, then frees it', async () => {
    origin.setFault({ kind: 'hang' });
    const cancelledBefore = origin.stats().cancelled;
    const req = http.request({ host: '127.0.0.1', port, path: '/h', agent: false });
    req.on('error', () => undefined);
    req.end();
    await eventually(() => origin.stats().inflight === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(origin.stats().inflight).toBe(1); // still held
    req.destroy();
    await eventually(() => origin.stats().inflight === 0);
    expect(origin.stats().cancelled).toBe(cancelledBefore + 1);
    expect(origin.counters.get('/h')?.byKind).toEqual({ get: 1, 'fault:hang': 1 });
  });

  it('refuses a body over the cap with 413 and survives garbage on the socket', async () => {
    const big = await httpRequest(port, 'POST', '/up', { 'content-type': 'application/octet-stream' }, Buffer.alloc(4 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    const net = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await httpRequest(port, 'GET', '/still-up')).status).toBe(200);
  });
});
