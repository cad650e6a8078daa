/**
 * The HTTP front door on real sockets, in front of a CacheNode whose
 * upstream is in-process: the hit fast path against the general path,
 * request parsing, and the refusals (400, 414, 431, 501).
 */
import { once } from 'node:events';
import { Agent, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createHttpCache, type HeaderList, type Scheduler } from '@cdnlab/core';
import { CacheNode, type NodeRequest, type NodeResponse, type UpstreamResponse } from '@cdnlab/tier';
import { createHttpFront } from '../src/http-front';

const T0 = Date.UTC(2026, 0, 1);
/** Frozen time: Age, ttl and Date agree between the two fronts. */
const clock: Scheduler = { now: () => T0 + 7000, setTimer: () => ({ cancel: () => undefined }) };

/** Upstream answers by path, from a table the tests fill. */
const answers = new Map<string, HeaderList>();
const upstream = {
  fetch(req: { head: { target: string } }): Promise<UpstreamResponse> {
    const headers = answers.get(req.head.target) ?? [['cache-control', 'max-age=60']];
    const body = Buffer.from(`body of ${req.head.target}`);
    return Promise.resolve({
      head: { status: 200, headers: [['date', new Date(T0).toUTCString()], ['content-length', String(body.length)], ...headers] as HeaderList },
      originFetchedAt: T0,
      servedBy: 'origin',
      body: (async function* () {
        yield body;
      })(),
    });
  },
};

const node = new CacheNode({ id: 'edge-1', cache: createHttpCache({ name: 'edge-1', capacityBytes: 1 << 22 }), upstream, scheduler: clock, collapsing: { mode: 'wait' } });
/** The same node, its answers stripped of `from`: the front takes the general path for every answer. */
const generalNode = {
  id: node.id,
  serve(req: NodeRequest): NodeResponse | Promise<NodeResponse> {
    const strip = (o: NodeResponse): NodeResponse => ({ ...o, from: undefined });
    const out = node.serve(req);
    return out instanceof Promise ? out.then(strip) : strip(out);
  },
} as unknown as CacheNode;

/** A node that records what the front asked and answers at once. */
const asked: NodeRequest[] = [];
let readId = false;
const recordingNode = {
  id: 'edge-rec',
  serve(req: NodeRequest): NodeResponse {
    asked.push(req);
    const member = { cacheName: 'edge-rec', hit: true, ttl: 1 };
    if (readId) void req.requestId;
    return { head: { status: 200, headers: [['content-length', '2'], ['cache-status', 'edge-rec;hit;ttl=1']] }, body: Buffer.from('ok'), originFetchedAt: 0, storedAt: 0, collapsed: false, status: member };
  },
} as unknown as CacheNode;

const servers: Server[] = [];
async function listen(s: Server): Promise<number> {
  servers.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as AddressInfo).port;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
function get(port: number, path: string): Promise<{ status: number; raw: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { host: 'cdn.test' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

/** Sends raw bytes (the request should ask to close) and returns everything the server wrote. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.setTimeout(5000, () => s.destroy(new Error('timed out')));
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

let fastPort: number;
let generalPort: number;
let recPort: number;
let smallPort: number;
beforeAll(async () => {
  const opts = { scheduler: clock, hostnames: ['cdn.test', 'alias.test'], upstreamTimeoutMs: 5000 };
  fastPort = await listen(createHttpFront({ ...opts, node }));
  generalPort = await listen(createHttpFront({ ...opts, node: generalNode }));
  recPort = await listen(createHttpFront({ ...opts, node: recordingNode }));
  smallPort = await listen(createHttpFront({ ...opts, node: recordingNode, maxUrlBytes: 64, maxHeaderBytes: 1024 }));
});
afterAll(async () => {
  agent.destroy();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('the hit fast path', () => {
  // Field lines an origin may send: repeated ones, Via, hop-by-hop ones (which
  // the cache drops on storing), a Connection naming another field.
  const line = fc.oneof(
    fc.tuple(fc.constantFrom('content-type', 'etag', 'link', 'x-multi', 'surrogate-key', 'via', 'vary', 'x-frame-options'), fc.stringMatching(/^[!-~]([ !-~]{0,18}[!-~])?$/)),
    fc.constant<[string, string]>(['keep-alive', 'timeout=5']),
    fc.constant<[string, string]>(['te', 'trailers']),
    fc.constant<[string, string]>(['connection', 'x-multi']),
  );
  let run = 0;

  it('sends the same status, fields (names, values, order) and body as the general path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), async (lines) => {
        // `Vary: *` (alone or in a list) is never stored (RFC 9111 §4.1), so
        // the second request would be no hit; what is compared here is hits.
        fc.pre(!lines.some(([n, v]) => n === 'vary' && v.split(',').some((m) => m.trim() === '*')));
        const path = `/prop/${run++}`;
        answers.set(path, [['cache-control', 'max-age=600'], ...lines]);
        const first = await get(fastPort, path);
        const fast = await get(fastPort, path);
        const general = await get(generalPort, path);
        expect(first.status).toBe(200);
        expect(fast.raw).toContain('edge-1;hit;ttl=593');
        expect(fast.status).toBe(general.status);
        expect(fast.raw).toEqual(general.raw);
        expect(fast.body).toBe(general.body);
      }),
      { numRuns: 40 },
    );
  });

  it('answers a field value Node refuses to send with a 500, and stays up', async () => {
    answers.set('/bad-value', [['cache-control', 'max-age=600'], ['x-bad', 'a\u007fb']]);
    expect((await get(fastPort, '/bad-value')).status).toBe(500);
    const hit = await get(fastPort, '/bad-value');
    expect(hit.status).toBe(500);
    expect(hit.raw).toContain('x-cache');
    expect((await get(fastPort, '/fine')).status).toBe(200);
  });
});

describe('request parsing', () => {
  beforeEach(() => {
    asked.length = 0;
    readId = false;
  });

  it('gives the node lower-case fields without Host and hop-by-hop ones, in order, and the Host it serves', async () => {
    const out = await raw(recPort, [
      'GET /p?q=1 HTTP/1.1', 'Host: CDN.Test:8080', 'X-Custom: a', 'Connection: close, X-Secret', 'X-Secret: s', 'TE: trailers',
      'Accept: */*', 'X-Custom: b', 'X-Request-Id: r1', 'X-Request-Id: r2', '', '',
    ].join('\r\n'));
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
    expect(asked).toHaveLength(1);
    const h = asked[0].head;
    expect(h).toMatchObject({ method: 'GET', scheme: 'http', host: 'cdn.test:8080', target: '/p?q=1' });
    // No Accept-Encoding: the one the caches file the answer under (identity) is added.
    expect(h.headers).toEqual([['x-custom', 'a'], ['accept', '*/*'], ['x-custom', 'b'], ['x-request-id', 'r1'], ['x-request-id', 'r2'], ['accept-encoding', 'identity']]);
    // Repeated lines joined, as Node's req.headers does.
    expect(asked[0].requestId).toBe('r1, r2');
  });

  it('treats an unknown Host as the default property, and makes one stable request id when the client sent none', async () => {
    await raw(recPort, 'HEAD / HTTP/1.1\r\nHost: elsewhere.example\r\nConnection: close\r\n\r\n');
    expect(asked[0].head.host).toBe('cdn.test');
    expect(asked[0].head.method).toBe('HEAD');
    readId = true;
    await raw(recPort, 'GET / HTTP/1.1\r\nHost: alias.test\r\nConnection: close\r\n\r\n');
    expect(asked[1].head.host).toBe('alias.test');
    expect(asked[1].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(asked[1].requestId).toBe(asked[1].requestId);
  });

  it('accepts the absolute-form and takes the host from it, not from Host (RFC 9112 §3.2.2)', async () => {
    const close = 'Connection: close\r\n';
    expect(await raw(recPort, `GET http://ALIAS.test:8080/a%2Fb?q=1#frag HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(asked[0].head).toMatchObject({ method: 'GET', host: 'alias.test:8080', target: '/a%2Fb?q=1' });
    expect(await raw(recPort, `GET http://alias.test?x=1 HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(asked[1].head).toMatchObject({ host: 'alias.test', target: '/?x=1' });
    // An authority this CDN does not serve is the default property, as an unknown Host is.
    expect(await raw(recPort, `HEAD https://evil.example/x HTTP/1.1\r\nHost: alias.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(asked[2].head).toMatchObject({ method: 'HEAD', host: 'cdn.test', target: '/x' });
    expect(asked[2].head.headers.some(([n]) => n === 'host')).toBe(false);
  });

  it('answers OPTIONS * itself, and serves an HTTP/1.0 request without Host from the default property', async () => {
    const opts = await raw(recPort, 'OPTIONS * HTTP/1.1\r\nHost: cdn.test\r\nConnection: close\r\n\r\n');
    expect(opts).toMatch(/^HTTP\/1\.1 200 /);
    expect(opts).toMatch(/\r\nallow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS\r\n/);
    expect(asked).toHaveLength(0);
    expect(await raw(recPort, 'GET /old HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
    expect(asked[0].head).toMatchObject({ host: 'cdn.test', target: '/old' });
  });

  it('refuses what it cannot serve, with the status the RFCs name, and stays up', async () => {
    const close = 'Connection: close\r\n';
    const propfind = await raw(recPort, `PROPFIND / HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`);
    expect(propfind).toMatch(/^HTTP\/1\.1 501 /);
    expect(propfind).toMatch(/\r\nallow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS\r\n/);
    expect(await raw(smallPort, `GET /${'a'.repeat(80)} HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 414 /);
    expect(await raw(recPort, `GET ftp://cdn.test/x HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*absolute http URI/);
    expect(await raw(recPort, `GET http://user:pw@cdn.test/x HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*userinfo/);
    expect(await raw(recPort, `GET http:///x HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*valid host/);
    expect(await raw(recPort, `GET http://cdn.test/x HTTP/1.1\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*missing Host/);
    expect(await raw(recPort, `GET /x HTTP/1.1\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*missing Host/);
    expect(await raw(recPort, `GET /x HTTP/1.1\r\nHost:\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*empty Host/);
    expect(await raw(recPort, `GET /x HTTP/1.1\r\nHost: cdn.test\r\nHost: evil.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*more than one Host header/);
    for (const bad of ['[::1', 'a b', 'cdn.test:80x', 'cdn.test/x', 'u@cdn.test', 'cdn.test:123456']) {
      expect(await raw(recPort, `GET /x HTTP/1.1\r\nHost: ${bad}\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*Host header is not a valid host\[:port\]/);
    }
    // Invalid beside an absolute-form target too, although the target's host is the one used (RFC 9112 §3.2).
    expect(await raw(recPort, `GET http://cdn.test/x HTTP/1.1\r\nHost: a b\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*not a valid host/);
    // A tunnel is not something a CDN's front door makes: 501, not a silently closed connection.
    const connect = await raw(recPort, `CONNECT cdn.test:443 HTTP/1.1\r\nHost: cdn.test:443\r\n\r\n`);
    expect(connect).toMatch(/^HTTP\/1\.1 501 [^]*\r\nallow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS\r\n[^]*501 method CONNECT is not supported\n$/);
    expect(await raw(smallPort, `GET / HTTP/1.1\r\nHost: cdn.test\r\nX-Big: ${'b'.repeat(2000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    expect(await raw(recPort, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(asked).toHaveLength(0);
    expect((await get(recPort, '/still-up')).status).toBe(200);
  });

  it('names what is wrong when Node\'s parser refuses the bytes, in a body, and closes', async () => {
    const cases: Array<[string, RegExp]> = [
      ['GET / HTTP/1.1junk\r\nHost: cdn.test\r\n\r\n', /^HTTP\/1\.1 400 [^]*\r\n\r\n400 malformed request: Expected CRLF after version \(HPE_INVALID_VERSION\)\n$/],
      ['POST / HTTP/1.1\r\nHost: cdn.test\r\nContent-Length: 1e3\r\n\r\n', /^HTTP\/1\.1 400 [^]*400 malformed request: [^\n]*Content-Length[^\n]*\n$/],
      ['GET / HTTP/1.1\r\nHost: cdn.test\r\nX: a\0b\r\n\r\n', /^HTTP\/1\.1 400 [^]*400 malformed request: Invalid header value char/],
      ['POST / HTTP/1.1\r\nHost: cdn.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', /^HTTP\/1\.1 400 [^]*400 malformed request: /],
      // A method token llhttp does not know is not implemented (RFC 9110 §9.1), with what is.
      ['FOO / HTTP/1.1\r\nHost: cdn.test\r\n\r\n', /^HTTP\/1\.1 501 [^]*\r\nallow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS\r\n[^]*501 method "FOO" is not supported\n$/],
      ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', /^HTTP\/1\.1 505 [^]*505 HTTP\/2 is not supported/],
    ];
    for (const [text, expected] of cases) {
      const out = await raw(recPort, text);
      expect(out).toMatch(expected);
      expect(out).toMatch(/\r\nconnection: close\r\n/);
      expect(out).toMatch(/\r\ncontent-type: text\/plain; charset=utf-8\r\n/);
    }
    expect(await raw(smallPort, `GET / HTTP/1.1\r\nHost: cdn.test\r\nX-Big: ${'b'.repeat(2000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 [^]*431 request header section too large\n$/);
    expect(asked).toHaveLength(0);
  });

  it('answers the requests that came whole before bad bytes first, in order, then refuses and closes', async () => {
    // Misses: their answers wait for upstream while the parser already meets the bad bytes.
    const pipelined = await raw(fastPort, 'GET /pipe/1 HTTP/1.1\r\nHost: cdn.test\r\n\r\nGET /pipe/2 HTTP/1.1\r\nHost: cdn.test\r\n\r\nGET /x HTTP/1.1junk\r\n\r\n');
    expect(pipelined.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(pipelined).toMatch(/body of \/pipe\/1[^]*body of \/pipe\/2[^]*400 malformed request: /);
    // Bytes after a request that said Connection: close are ignored (RFC 9112 §9.6), not answered in its place.
    const closing = await raw(fastPort, 'GET /pipe/3 HTTP/1.1\r\nHost: cdn.test\r\nConnection: close\r\n\r\nGET /pipe/4 HTTP/1.1\r\nHost: cdn.test\r\n\r\n');
    expect(closing.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200']);
    expect(closing).toMatch(/body of \/pipe\/3$/);
    // Bad bytes in a body: that request is the one refused, at once.
    expect(await raw(recPort, 'POST /b HTTP/1.1\r\nHost: cdn.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 [^]*400 malformed request: Invalid character in chunk size/);
  });

  it('refuses request lines that are not HTTP/1.x (505) and an Expect other than 100-continue (417), naming them', async () => {
    const close = 'Connection: close\r\n';
    expect(await raw(recPort, `GET /x HTTP/2.0\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 505 [^]*505 HTTP\/2\.0 is not supported: this server speaks HTTP\/1\.1/);
    expect(await raw(recPort, 'GET /x\r\n\r\n')).toMatch(/^HTTP\/1\.1 505 [^]*505 HTTP\/0\.9 is not supported/);
    expect(await raw(recPort, `GET /x HTTP/1.1\r\nHost: cdn.test\r\nExpect: websocket\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 417 [^]*417 Expect "websocket" is not supported: only 100-continue is/);
    expect(asked).toHaveLength(0);
    expect(await raw(recPort, `GET /x HTTP/1.0\r\nHost: cdn.test\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
    expect(asked).toHaveLength(1);
  });

  it('forwards the normalised path the caches key on, so no origin answers one path under another\'s key', async () => {
    const close = 'Connection: close\r\n';
    const targets: Array<[string, string]> = [
      ['/static/../private/x', '/private/x'],
      ['/static/%2e%2e/private/x?q=%2e%2e', '/private/x?q=%2e%2e'],
      ['/priv%61te/x', '/private/x'],
      ['/./a/./b/../c', '/a/c'],
      ['/a%2fb', '/a%2Fb'],
      ['/../../x', '/x'],
      ['http://cdn.test/static/%2E%2E/x', '/x'],
      ['/plain?x=1', '/plain?x=1'],
    ];
    for (const [sent, forwarded] of targets) {
      expect(await raw(recPort, `GET ${sent} HTTP/1.1\r\nHost: cdn.test\r\n${close}\r\n`)).toMatch(/^HTTP\/1\.1 200 /);
      expect(asked.pop()?.head.target).toBe(forwarded);
    }
  });

  it('forwards the Accept-Encoding class the caches file the answer under, not the client\'s list', async () => {
    const close = 'Connection: close\r\n';
    const lists: Array<[string[], string]> = [
      [['gzip, deflate, br'], 'br'],
      [['gzip, evil'], 'gzip'],
      // The normaliser reads a weight it cannot parse as no weight (q=1): both count, br is preferred.
      [['gzip;q=NaN, br;q=1e3'], 'br'],
      [['gzip;q=2, br;q=0.5'], 'br'],
      [['identity;q=0, *;q=0'], '*;q=0'],
      [['deflate'], 'identity'],
      [['gzip;q=0.5', 'br;q=0.1'], 'gzip'],
      [[], 'identity'],
    ];
    for (const [lines, forwarded] of lists) {
      await raw(recPort, `GET /ae HTTP/1.1\r\nHost: cdn.test\r\n${lines.map((l) => `Accept-Encoding: ${l}\r\n`).join('')}${close}\r\n`);
      expect(asked.pop()?.head.headers.filter(([n]) => n === 'accept-encoding')).toEqual([['accept-encoding', forwarded]]);
    }
    // One that Connection names is no field of the request: the request has none.
    await raw(recPort, `GET /ae HTTP/1.1\r\nHost: cdn.test\r\nAccept-Encoding: gzip, evil\r\nConnection: close, accept-encoding\r\n\r\n`);
    expect(asked.pop()?.head.headers.filter(([n]) => n === 'accept-encoding')).toEqual([['accept-encoding', 'identity']]);
  });
});
