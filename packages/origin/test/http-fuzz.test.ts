/**
 * A seeded, bounded fuzz of the origin's plain HTTP port over real TCP.
 *
 * What is sent: random bytes; valid requests mutated byte-wise; odd request
 * lines; the conditional and range fields the origin reads with garbage in
 * them; request fields its site reflects into answers ({header:NAME});
 * Content-Length and chunked framing gone wrong; pipelining, and clients
 * that leave mid-answer.
 *
 * What must hold: every answer is well-formed HTTP/1.1 with a status the
 * input allows, a refusal names the problem in its body, never a 500; the
 * origin keeps answering a normal request after every case. An uncaught
 * exception or unhandled rejection fails the test (jest reports both
 * against the running test).
 */
import { createRng, type Rng } from '@cdnlab/core';
import { checkCase, field, mutate, pick, randomBytes, readResponses, seedFor, sendRaw, type WireResponse } from '@cdnlab/rpc/src/http-wire.test-fixture';
import { makeBody } from '../src/site';
import { startOrigin, type RunningOrigin } from '../src/origin-service';
import { httpRequest, siteConfig } from './support';

const SEED = 0x0c0ffee;

let origin: RunningOrigin;
let port: number;

beforeAll(async () => {
  origin = await startOrigin(
    siteConfig({
      id: 'origin-fuzz',
      site: {
        paths: [
          { match: '/static/**', sizeBytes: 300, headers: { 'Cache-Control': 'max-age=3600', Link: '<https://{header:X-Forwarded-Host|shop.example}/app.js>; rel=preload' } },
          { match: '/big/**', sizeBytes: 200_000, headers: { 'Cache-Control': 'max-age=60' } },
          { match: '/v/**', sizeBytes: 100, vary: ['accept-encoding', 'x-device'] },
          { match: '/**', sizeBytes: 120, headers: { 'Cache-Control': 'max-age=10' } },
        ],
      },
    }),
  );
  port = origin.httpPort!;
});
afterAll(async () => {
  await origin.stop(500);
});

// ---------------------------------------------------------------- the oracle

const ALLOWED = new Set([100, 200, 201, 204, 304, 400, 404, 408, 413, 417, 431, 501, 505]);

function problemOf(r: WireResponse, head: boolean): string | undefined {
  if (!ALLOWED.has(r.status)) return `status ${r.status}: ${r.body.toString('latin1').slice(0, 200)}`;
  if (r.status >= 400 && r.status !== 404 && !head) {
    if (!/^text\/plain/.test(field(r, 'content-type') ?? '')) return `status ${r.status} without a text body`;
    if (!/^cdnlab origin: .{8,}/.test(r.body.toString('utf8'))) return `status ${r.status} without a body naming the problem: ${JSON.stringify(r.body.toString('latin1').slice(0, 100))}`;
  }
  return undefined;
}

async function expectAlive(label: string): Promise<void> {
  const r = await httpRequest(port, 'GET', '/static/alive.css', { host: 'origin.test' });
  if (r.status !== 200 || Buffer.compare(r.body, Buffer.from(makeBody('/static/alive.css', 1, '', 300))) !== 0) {
    throw new Error(`${label}: the origin no longer answers a normal request (status ${r.status})`);
  }
}

const check = (label: string, bytes: Buffer | string, opts: { head?: boolean } = {}): Promise<WireResponse[]> =>
  checkCase({ port, follow: 'GET /static/alive.css HTTP/1.1\r\nHost: origin.test\r\nConnection: close\r\n\r\n', problemOf, expectAlive }, label, bytes, opts.head === true);

// ---------------------------------------------------------------- generators

const req = (method: string, target: string, lines: string[] = ['Host: origin.test'], version = 'HTTP/1.1', body = ''): string =>
  `${method} ${target} ${version}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n${body}`;

const VALID = [
  req('GET', '/static/a.css'),
  req('HEAD', '/big/blob'),
  req('GET', '/v/page', ['Host: origin.test', 'Accept-Encoding: gzip', 'X-Device: mobile', 'If-None-Match: "v1-x"']),
  req('POST', '/api/form', ['Host: origin.test', 'Content-Length: 5'], 'HTTP/1.1', 'hello'),
  req('PUT', '/api/chunk', ['Host: origin.test', 'Transfer-Encoding: chunked'], 'HTTP/1.1', '5\r\nhello\r\n0\r\n\r\n'),
  req('GET', '/metrics'),
  req('GET', 'http://origin.test/static/a.css?x=1'),
];
const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'PROPFIND', 'TRACE', 'FOO', 'get', 'G\x01T', ''];
const TARGETS = ['*', '//', '/%00', '/%zz', '/..%2f', '/static/../x', 'http://u:p@origin.test/x', 'http://[', 'ftp://x/y', 'http://origin.test', '/a b', '/\xe9', '/metrics?x', `/${'a'.repeat(20_000)}`, 'x'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1junk', ''];
const DATES = ['Sun, 06 Nov 1994 08:49:37 GMT', 'garbage', '', 'Fri, 31 Dec 9999 23:59:59 GMT', '-1', '1e999'];

function oddField(rng: Rng): string {
  switch (rng.nextInt(7)) {
    case 0:
      return `If-None-Match: ${pick(rng, ['*', '"x", *', 'W/', '"', `"${'t'.repeat(5000)}"`, ',,,'])}`;
    case 1:
      return `If-Modified-Since: ${pick(rng, DATES)}`;
    case 2:
      return `Range: ${pick(rng, ['bytes=-0', `bytes=${Array(800).fill('0-0').join(',')}`, 'bytes=99999999999999999999-'])}`;
    case 3:
      return `X-Forwarded-Host: ${pick(rng, ['evil.example', '', '\xe9\xff', 'a'.repeat(6000), '"><script>'])}`;
    case 4:
      return `Accept-Encoding: ${pick(rng, ['gzip;q=NaN', Array(3000).fill('x').join(','), ''])}`;
    case 5:
      return `X-Device: ${pick(rng, ['mobile', '', '\t'])}`;
    default:
      return `${pick(rng, ['Expect', 'Connection', 'Upgrade', 'Cookie'])}: ${pick(rng, ['100-continue', 'websocket', 'close, x', `s=${'c'.repeat(6000)}`])}`;
  }
}

function framing(rng: Rng): string {
  const method = pick(rng, ['POST', 'PUT', 'GET']);
  if (rng.nextInt(2) === 0) {
    const cl = pick(rng, ['-1', '+1', '1e3', '5, 6', '4', '6', '99999999999999999999', '5000000']);
    return req(method, '/api/x', ['Host: origin.test', `Content-Length: ${cl}`], 'HTTP/1.1', 'hello');
  }
  const size = pick(rng, ['zz', '-1', 'ffffffffffffffffff', '5;x=y', '0x5', '']);
  return req(method, '/api/x', ['Host: origin.test', pick(rng, ['Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 5'])], 'HTTP/1.1', `${size}\r\nhello\r\n0\r\n\r\n`);
}

// ---------------------------------------------------------------- the cases

describe('the origin HTTP port under a seeded fuzz', () => {
  let rng: Rng;
  beforeEach(() => {
    rng = createRng(seedFor(SEED, expect.getState().currentTestName ?? ''));
  });

  it('answers random bytes and mutated requests with well-formed answers, and keeps answering', async () => {
    for (let i = 0; i < 40; i++) await check(`random #${i}`, randomBytes(rng, 1 + rng.nextInt(200)));
    for (let i = 0; i < 100; i++) {
      const base = pick(rng, VALID);
      await check(`mutated #${i}`, mutate(rng, Buffer.from(base, 'latin1')), { head: base.startsWith('HEAD') });
    }
  });

  it('answers odd request lines with the status they call for', async () => {
    for (let i = 0; i < 70; i++) {
      let [method, target, version] = ['GET', '/static/a.css', 'HTTP/1.1'];
      const odd = rng.nextInt(4);
      if (odd === 0 || odd === 3) method = pick(rng, METHODS);
      if (odd === 1 || odd === 3) target = pick(rng, TARGETS);
      if (odd === 2 || odd === 3) version = pick(rng, VERSIONS);
      const answers = await check(`request line #${i}`, req(method, target, ['Host: origin.test'], version), { head: method === 'HEAD' });
      if (!['HTTP/1.0', 'HTTP/1.1'].includes(version)) {
        const status = answers[0]?.status;
        expect({ i, version, status, refused: status === undefined || [400, 431, 501, 505].includes(status) }).toEqual({ i, version, status, refused: true });
      }
    }
  });

  it('answers odd conditional, range and reflected fields without failing', async () => {
    for (let i = 0; i < 80; i++) {
      const lines = [pick(rng, ['Host: origin.test', 'Host: origin.test', '', 'Host: a\r\nHost: b'])].filter(Boolean);
      for (let k = 0; k < 1 + rng.nextInt(3); k++) lines.push(oddField(rng));
      const method = rng.nextInt(5) === 0 ? 'HEAD' : 'GET';
      await check(`fields #${i}`, req(method, pick(rng, ['/static/a.css', '/v/page', '/big/blob', '/metrics']), lines), { head: method === 'HEAD' });
    }
  });

  it('answers broken body framing with a 4xx or an answer', async () => {
    for (let i = 0; i < 30; i++) await check(`framing #${i}`, framing(rng));
  });

  it('answers pipelined requests in order, and lets clients leave mid-answer', async () => {
    const many = Array.from({ length: 60 }, (_, i) => req(i % 5 === 2 ? 'HEAD' : 'GET', `/static/p${i % 7}.css`));
    const ex = await sendRaw(port, many.join(''), { responses: many.length, mayBeHead: (i) => i % 5 === 2, idleMs: 1000, maxMs: 8000 });
    const read = readResponses(ex.bytes, (i) => i % 5 === 2);
    expect(read.problem).toBeUndefined();
    expect(read.responses.map((r) => r.status)).toEqual(many.map(() => 200));
    // A malformed request after good ones: the good ones are answered first, in order, then the refusal.
    const mixed = await sendRaw(port, [req('GET', '/static/one.css'), req('GET', '/static/two.css'), 'GET /x HTTP/1.1junk\r\n\r\n'].join(''), { maxMs: 3000 });
    const after = readResponses(mixed.bytes);
    expect(after.problem).toBeUndefined();
    expect(after.responses.map((r) => r.status)).toEqual([200, 200, 400]);
    for (let k = 0; k < 5; k++) await sendRaw(port, req('GET', `/big/blob${k}`), { cutAfterFirstByteMs: 0, maxMs: 2000 });
    await expectAlive('after clients left mid-answer');
  });
});
