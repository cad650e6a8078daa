/**
 * A seeded, bounded fuzz of the edge's HTTP front door over real TCP, in
 * front of a real topology (origin, shield, regional, edge on loopback).
 *
 * What is sent: random bytes; valid requests mutated byte-wise; odd request
 * lines (methods, targets, versions); the request fields a cache acts on
 * (Range, preconditions, Cache-Control, Pragma, Accept-Encoding, Cookie,
 * Host) with odd, huge or malformed values; Content-Length and chunked
 * framing gone wrong; pipelining, slow writers and clients that leave
 * mid-answer.
 *
 * What must hold: every byte the edge writes reads as well-formed HTTP/1.1
 * responses with a status the input allows (4xx naming the problem for bad
 * input; 200/206/304/412/416 where it is odd but legal); the edge serves a
 * normal request after every case; and, at the end, a normal request for
 * every object the fuzz touched gets exactly the origin's answer to a normal
 * request: nobody's odd request shaped what the cache keeps for others.
 * An uncaught exception or unhandled rejection in this process fails the
 * test (jest reports both against the running test).
 *
 * The seed is fixed: a failure names its case index and replays exactly.
 */
import { Agent, request } from 'node:http';
import { createRng, type Rng } from '@cdnlab/core';
import { makeBody, type SiteConfig } from '@cdnlab/origin';
import { checkCase, field, mutate, pick, randomBytes, readResponses, seedFor, sendRaw, type WireResponse } from '@cdnlab/rpc/src/http-wire.test-fixture';
import { startMini, type Mini } from './mini-topology';

const SEED = 0x0c0ffee;

const SIZES = { static: 300, private: 50, vary: 120, big: 400_000, slow: 80, other: 90 };
const site: SiteConfig = {
  paths: [
    { match: '/static/**', sizeBytes: SIZES.static, headers: { 'Cache-Control': 'max-age=3600' } },
    { match: '/private/**', sizeBytes: SIZES.private, headers: { 'Cache-Control': 'private' } },
    { match: '/v/**', sizeBytes: SIZES.vary, vary: ['accept-encoding'], headers: { 'Cache-Control': 'max-age=3600' } },
    { match: '/big/**', sizeBytes: SIZES.big, headers: { 'Cache-Control': 'max-age=3600' } },
    { match: '/slow/**', sizeBytes: SIZES.slow, latencyMs: 150, headers: { 'Cache-Control': 'max-age=3600' } },
    { match: '/**', sizeBytes: SIZES.other, headers: { 'Cache-Control': 'max-age=60' } },
  ],
};

/**
 * What a normal client must get for each object the fuzz aims at: the
 * origin's answer to a normal request. Warm ones are stored before the fuzz
 * (odd requests meet a stored copy); cold ones are left for the fuzz to fill
 * first, which is how a poisoned entry would get in.
 */
interface Victim {
  path: string;
  headers: Record<string, string>;
  body: string;
  cacheControl: string;
  warm: boolean;
}
const victim = (warm: boolean, path: string, size: number, cacheControl: string, headers: Record<string, string> = {}, variant = ''): Victim => ({
  path,
  headers,
  body: Buffer.from(makeBody(path, 1, variant, size)).toString('latin1'),
  cacheControl,
  warm,
});
const VICTIMS: Victim[] = [
  victim(true, '/static/a.css', SIZES.static, 'max-age=3600'),
  victim(false, '/static/cold.css', SIZES.static, 'max-age=3600'),
  victim(false, '/private/account', SIZES.private, 'private'),
  // The origin's body names the Accept-Encoding it was asked with: the edge asks with the class it files the answer under.
  victim(true, '/v/page', SIZES.vary, 'max-age=3600', { 'accept-encoding': 'gzip, deflate' }, 'accept-encoding:gzip'),
  victim(false, '/v/cold', SIZES.vary, 'max-age=3600', {}, 'accept-encoding:identity'),
  victim(false, '/v/cold-br', SIZES.vary, 'max-age=3600', { 'accept-encoding': 'br' }, 'accept-encoding:br'),
  victim(false, '/other/x', SIZES.other, 'max-age=60'),
];

let mini: Mini;
let port: number;
const agent = new Agent({ keepAlive: false });

/** A normal request through a normal client (node:http), bounded. */
function normalGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { host: 'cdn.test', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('latin1') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`normal GET ${path} timed out`)));
    req.end();
  });
}

async function expectAlive(label: string): Promise<void> {
  const r = await normalGet('/static/alive.txt');
  if (r.status !== 200 || r.body !== Buffer.from(makeBody('/static/alive.txt', 1, '', SIZES.static)).toString('latin1')) {
    throw new Error(`${label}: the edge no longer serves a normal request (status ${r.status})`);
  }
}

beforeAll(async () => {
  mini = await startMini(site, { upstreamTimeoutMs: 3000 });
  port = mini.edges[0].httpPort;
  // Every victim is in the cache before the fuzz starts, so odd requests
  // meet stored copies (hits, conditionals, ranges) as well as misses.
  for (const v of VICTIMS) if (v.warm) await normalGet(v.path, v.headers);
});
afterAll(async () => {
  agent.destroy();
  await mini.stop();
});

// ---------------------------------------------------------------- the oracle

/** Statuses the edge may send, and why. */
const ALLOWED = new Set([
  100, // Expect: 100-continue
  200, 201, 204, // served, passed (POST, OPTIONS)
  206, 304, 412, 416, // a stored copy and the client's Range or preconditions (RFC 9110 §13, §14)
  400, 404, 413, 414, 417, 431, // bad input (404: the origin has no rule; 417: an Expect other than 100-continue)
  501, 505, // a method or a version the edge does not serve
  504, // only-if-cached with nothing stored (RFC 9111 §5.2.1.7)
]);

/** What is wrong with one response of the edge (`head`: it answers a HEAD, so has no body), or undefined. */
function problemOf(r: WireResponse, head = false): string | undefined {
  if (!ALLOWED.has(r.status)) return `status ${r.status}: ${r.body.toString('latin1').slice(0, 200)}`;
  const xCache = field(r, 'x-cache');
  const ownError = r.status >= 400 && (xCache === undefined || xCache === 'ERROR');
  if (ownError && !head) {
    // The front's own refusals name what is wrong, in a text body.
    if (r.body.length < 8) return `status ${r.status} without a body naming the problem`;
    if (!/^text\/plain/.test(field(r, 'content-type') ?? '')) return `status ${r.status} body is not text/plain`;
  }
  if (r.status === 504 && !/only-if-cached/.test(field(r, 'cache-status') ?? '')) return '504 that is not only-if-cached';
  if (r.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(field(r, 'content-range') ?? '');
    if (!m) return `206 with Content-Range ${field(r, 'content-range')}`;
    const [first, last, length] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!(first <= last && last < length && r.body.length === last - first + 1)) return `206 ${m[0]} with ${r.body.length} bytes`;
  }
  if (r.status === 416 && !/^bytes \*\/\d+$/.test(field(r, 'content-range') ?? '')) return `416 with Content-Range ${field(r, 'content-range')}`;
  return undefined;
}

/**
 * Sends one case and checks what comes back. `sentinel` adds a normal
 * request after the case on the same connection, so input the edge waits on
 * (or reads as a body) still ends in an answer or a close.
 */
const check = (label: string, bytes: Buffer | string, opts: { sentinel?: boolean; head?: boolean } = {}): Promise<WireResponse[]> =>
  checkCase({ port, follow: opts.sentinel === false ? undefined : 'GET /static/alive.txt HTTP/1.1\r\nHost: cdn.test\r\nConnection: close\r\n\r\n', problemOf, expectAlive }, label, bytes, opts.head === true);

// ---------------------------------------------------------------- generators

const host = 'Host: cdn.test\r\n';
const req = (method: string, target: string, lines: string[] = [], version = 'HTTP/1.1', body = ''): string =>
  `${method} ${target} ${version}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n${body}`;

const VALID: string[] = [
  req('GET', '/static/a.css', [host.trim()]),
  req('HEAD', '/static/b.js', [host.trim(), 'Accept: */*']),
  req('GET', '/v/page', [host.trim(), 'Accept-Encoding: gzip, br', 'If-None-Match: "x"']),
  req('GET', '/static/a.css', [host.trim(), 'Range: bytes=0-10', 'Cache-Control: max-age=0']),
  req('POST', '/api/form', [host.trim(), 'Content-Type: text/plain', 'Content-Length: 5'], 'HTTP/1.1', 'hello'),
  req('PUT', '/api/chunk', [host.trim(), 'Transfer-Encoding: chunked'], 'HTTP/1.1', '5\r\nhello\r\n0\r\n\r\n'),
  req('OPTIONS', '*', [host.trim()]),
  req('GET', 'http://cdn.test/static/a.css?x=1', [host.trim(), 'Connection: keep-alive']),
];

const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'get', 'TRACE', 'PRI', 'CONNECT', 'FOO', 'G\x01T', 'M'.repeat(300), ''];
const TARGETS = [
  '*', '//', '///static/a.css', '/%00', '/%zz', '/..%2f', '/..%2F..%2Fetc', '/a/../../b', '/static/../private/account',
  '/static/%2e%2e/private/account', '/static/%2E%2E/%2e/private/account', '/priv%61te/account', '/./private/account',
  'http://u:p@cdn.test/x', 'http://@cdn.test/x', 'http://cdn.test', 'https://CDN.test:443/static/a.css?q#frag', 'http://cdn.test:99999999/x',
  'cdn.test:80', 'mailto:a@b', '/a b', '/a\tb', '/\xe9\xff', '/?%', '/#frag', '/static/a.css?' + '&'.repeat(50), `/${'a'.repeat(64 * 1024)}`,
  `/${'%2e%2e/'.repeat(200)}`, '/\\..\\private', '/static/a.css;jsessionid=x',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/3.0', 'HTTP/1.1junk', 'http/1.1', 'HTTP/11', 'HTTP/1.1 ', ''];

const DATES = ['Sun, 06 Nov 1994 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994', 'Mon, 31 Feb 2026 25:61:61 GMT', 'yesterday', '', '0', '-1', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT'];
const TAGS = ['"x"', '*', 'W/"x"', '"x", *', '*, *', 'x', '"unterminated', 'W/', '""', '"a,b"', 'W/"a", "b"', ',,,', `"${'t'.repeat(4000)}"`];

/** One header line a cache acts on, with an odd, huge or malformed value. */
function cacheField(rng: Rng): string {
  switch (rng.nextInt(12)) {
    case 0:
      return `Range: ${pick(rng, ['bytes=-0', 'bytes=0-0', 'bytes=0-0,0-0', `bytes=${Array(1000).fill('0-0').join(',')}`, 'bytes=99999999999999999999-', 'bytes=5-1', 'bytes=-99999999999999999999', 'bytes=1-2-3', 'items=0-1', 'bytes=', 'bytes= , ,', 'bytes=-1', 'bytes=0-', `bytes=${' '.repeat(6000)}x`, 'bytes=1e3-'])}`;
    case 1:
      return `If-None-Match: ${pick(rng, TAGS)}`;
    case 2:
      return `If-Match: ${pick(rng, TAGS)}`;
    case 3:
      return `If-Modified-Since: ${pick(rng, DATES)}`;
    case 4:
      return `If-Unmodified-Since: ${pick(rng, DATES)}`;
    case 5:
      return `If-Range: ${pick(rng, [...DATES, ...TAGS])}`;
    case 6:
      return `Cache-Control: ${pick(rng, ['max-age=1, max-age=2', 'max-age=99999999999999999999999', 'max-stale', 'max-stale=1e9', 'only-if-cached', 'no-cache, no-store', 'max-age="5"', 'max-age="', 'min-fresh=-1', '"', ',,,', `a${' '.repeat(6000)}b`, 'no-transform, private="x"', 'stale-if-error=99999999999'])}`;
    case 7:
      return `Pragma: ${pick(rng, ['no-cache', 'no-cache, x', '"', ''])}`;
    case 8:
      return `Accept-Encoding: ${pick(rng, ['gzip;q=NaN', 'br;q=1e3, gzip;q=-1', 'gzip, evil', '*;q=0', 'identity;q=0', Array(3000).fill('x').join(','), 'GZIP;Q=0.5', 'br;q=0.0001', ';;;', 'gzip;q=0.5;q=1'])}`;
    case 9:
      return `Cookie: ${pick(rng, ['a=b', `s=${'c'.repeat(8000)}`, ';;=;', '"=""'])}`;
    case 10:
      return `Connection: ${pick(rng, ['keep-alive', 'close, cache-control', 'range, if-none-match', `x${' '.repeat(6000)}y`, 'upgrade'])}`;
    default:
      return `${pick(rng, ['X-Forwarded-Host', 'Via', 'Age', 'Surrogate-Control', 'Expect', 'Upgrade', 'Max-Forwards'])}: ${pick(rng, ['evil.example', '100-continue', 'websocket', '0', '-1', ''])}`;
  }
}

const HOSTS = ['Host: cdn.test', 'Host: CDN.TEST', 'Host: cdn.test:80', 'Host: cdn.test:', 'Host: localhost', 'Host: evil.example', 'Host:', 'Host: [::1]', 'Host: [::1', 'Host: a b', 'Host: cdn.test, evil', 'Host: cdn.test:99999', 'Host: \xe9.test', '', 'Host: cdn.test\r\nHost: cdn.test'];

/** Content-Length and chunked framing gone wrong. */
function framing(rng: Rng): string {
  const method = pick(rng, ['POST', 'PUT', 'GET', 'PATCH']);
  switch (rng.nextInt(3)) {
    case 0: {
      const cl = pick(rng, ['-1', '+1', '1e3', '0x10', '5, 5', '5, 6', ' 5', '99999999999999999999', '4', '6', '', '9007199254740993']);
      return req(method, '/api/x', [host.trim(), `Content-Length: ${cl}`], 'HTTP/1.1', 'hello');
    }
    case 1:
      return req(method, '/api/x', [host.trim(), 'Content-Length: 3', 'Content-Length: 5'], 'HTTP/1.1', 'hello');
    default: {
      const size = pick(rng, ['zz', '-1', 'ffffffffffffffffff', '5;x=y', '5 ', '0x5', '', '5\n']);
      return req(method, '/api/x', [host.trim(), pick(rng, ['Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 5', 'Transfer-Encoding: identity'])], 'HTTP/1.1', `${size}\r\nhello\r\n0\r\n\r\n`);
    }
  }
}

// ---------------------------------------------------------------- the cases

describe('the edge under a seeded fuzz', () => {
  // One generator per test, seeded by its name: a test run alone (jest -t) sends what it sends in a full run.
  let rng: Rng;
  beforeEach(() => {
    rng = createRng(seedFor(SEED, expect.getState().currentTestName ?? ''));
  });

  it('answers random bytes and mutated requests with well-formed responses, and keeps serving', async () => {
    for (let i = 0; i < 60; i++) {
      const junk = randomBytes(rng, 1 + rng.nextInt(200));
      await check(`random #${i}`, rng.nextInt(2) === 0 ? junk : Buffer.concat([Buffer.from('GET /'), junk]));
    }
    for (let i = 0; i < 120; i++) {
      const base = pick(rng, VALID);
      await check(`mutated #${i}`, mutate(rng, Buffer.from(base, 'latin1')), { head: base.startsWith('HEAD') });
    }
  });

  it('answers odd request lines with the status the RFCs name, and keeps serving', async () => {
    for (let i = 0; i < 90; i++) {
      // Mostly one odd part in an otherwise normal line, so that part is what the answer is about.
      let [method, target, version] = ['GET', '/static/a.css', 'HTTP/1.1'];
      const odd = rng.nextInt(4);
      if (odd === 0 || odd === 3) method = pick(rng, METHODS);
      if (odd === 1 || odd === 3) target = pick(rng, TARGETS);
      if (odd === 2 || odd === 3) version = pick(rng, VERSIONS);
      const answers = await check(`request line #${i}`, req(method, target, [host.trim()], version), { head: method === 'HEAD' });
      // Only HTTP/1.x is spoken here: anything else is refused, not served as HTTP/1.1 (RFC 9110 §15.6.6).
      if (!['HTTP/1.0', 'HTTP/1.1'].includes(version)) {
        const status = answers[0]?.status;
        expect({ i, version, status, refused: status === undefined || [400, 431, 501, 505].includes(status) }).toEqual({ i, version, status, refused: true });
      }
    }
  });

  it('answers the fields a cache acts on, odd or huge, within RFC 9110/9111, and keeps serving', async () => {
    for (let i = 0; i < 140; i++) {
      const target = pick(rng, [...VICTIMS.map((v) => v.path), '/static/../private/account', '/static/%2e%2e/v/cold', '/priv%61te/account', '/v/%2E/cold-br', '/other/../static/cold.css', '/other/%2E%2E/static/a.css']);
      const lines = [pick(rng, HOSTS)].filter(Boolean);
      const n = 1 + rng.nextInt(4);
      for (let k = 0; k < n; k++) lines.push(cacheField(rng));
      const method = rng.nextInt(6) === 0 ? 'HEAD' : 'GET';
      const answers = await check(`cache fields #${i}`, req(method, target, lines), { head: method === 'HEAD' });
      // A status that answers a precondition or a range only where the request had one.
      const text = lines.join('\n').toLowerCase();
      const first = answers[0];
      if (first?.status === 206 || first?.status === 416) expect(text).toContain('range:');
      if (first?.status === 304) expect(text).toMatch(/if-none-match:|if-modified-since:/);
      if (first?.status === 412) expect(text).toMatch(/if-match:|if-unmodified-since:/);
    }
  });

  it('answers broken body framing with a 4xx or an answer, never a hang or a crash', async () => {
    for (let i = 0; i < 40; i++) await check(`framing #${i}`, framing(rng));
  });

  it('answers pipelined requests in order, and survives a client that sends many and leaves', async () => {
    const many: string[] = [];
    for (let i = 0; i < 100; i++) many.push(req(i % 7 === 3 ? 'HEAD' : 'GET', pick(rng, ['/static/a.css', '/static/b.js', `/static/p${i % 5}`, '/v/page']), [host.trim(), pick(rng, ['Accept: */*', 'Range: bytes=0-3', 'If-None-Match: "nope"', 'Accept-Encoding: gzip'])]));
    const heads = new Set(many.flatMap((r, i) => (r.startsWith('HEAD') ? [i] : [])));
    const ex = await sendRaw(port, many.join(''), { responses: many.length, mayBeHead: (i) => heads.has(i), idleMs: 1000, maxMs: 8000 });
    const read = readResponses(ex.bytes, (i) => heads.has(i));
    expect(read.problem).toBeUndefined();
    expect(read.responses).toHaveLength(many.length);
    read.responses.forEach((r, i) => expect(problemOf(r, heads.has(i))).toBeUndefined());
    // The same again, cut off right after writing.
    for (let k = 0; k < 5; k++) await sendRaw(port, many.join(''), { maxMs: 5, idleMs: 5 });
    await expectAlive('after abandoned pipelines');
  });

  it('keeps serving while slow writers hold connections with half a header section', async () => {
    const slow = [0, 1, 2, 3].map(() => sendRaw(port, Array.from('GET /static/a.css HTTP/1.1\r\nHost: cdn.test\r\nX-Slow: '), { gapMs: 10, idleMs: 2000, maxMs: 700 }));
    for (let i = 0; i < 5; i++) await expectAlive(`slow writers #${i}`);
    for (const ex of await Promise.all(slow)) expect(readResponses(ex.bytes).problem).toBeUndefined();
  });

  it('stores the whole object when the client that caused the fetch leaves mid-answer or before it', async () => {
    await sendRaw(port, req('GET', '/big/blob.bin', [host.trim()]), { cutAfterFirstByteMs: 0, maxMs: 3000 });
    await sendRaw(port, req('GET', '/slow/item', [host.trim()]), { maxMs: 20, idleMs: 20 });
    for (const [path, size] of [['/big/blob.bin', SIZES.big], ['/slow/item', SIZES.slow]] as const) {
      const r = await normalGet(path);
      expect(r.status).toBe(200);
      expect(r.body).toBe(Buffer.from(makeBody(path, 1, '', size)).toString('latin1'));
    }
  });

  it('spends no more than linear time on long runs of whitespace in the fields it parses', async () => {
    const started = Date.now();
    const spaces = ' '.repeat(15_500);
    for (const line of [`Cache-Control: a${spaces}b`, `If-None-Match: "a"${spaces}x`, `Range: bytes=${spaces}x`, `Connection: a${spaces}b`, `Pragma: a${spaces}b`]) {
      for (let i = 0; i < 3; i++) await check(`whitespace ${line.slice(0, 14)}`, req('GET', '/static/a.css', [host.trim(), line]));
    }
    // Quadratic parsing took about half a second per request here (over 6 s in all).
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('leaves every object it touched as a normal request would have stored it', async () => {
    for (const v of VICTIMS) {
      for (const agentHeaders of [v.headers, { ...v.headers, 'cache-control': 'only-if-cached' }]) {
        const r = await normalGet(v.path, agentHeaders);
        // only-if-cached: whatever is stored for a normal request (or a 504 for `private`, never stored).
        if (r.status === 504 && v.cacheControl === 'private') continue;
        expect({ path: v.path, status: r.status, cacheControl: r.headers['cache-control'] }).toEqual({ path: v.path, status: 200, cacheControl: v.cacheControl });
        expect(r.body).toBe(v.body);
      }
    }
  });
});
