/**
 * A seeded, bounded fuzz of the control plane's HTTP API over real TCP, with
 * seven fake tier nodes on loopback behind it.
 *
 * What is sent: random bytes; valid requests mutated byte-wise; request
 * targets that are odd, long or not URLs at all; JSON bodies nested 10,000
 * deep, with __proto__ and constructor keys, odd unicode, huge numbers and
 * the wrong type in every field; missing, wrong and doubled tokens.
 *
 * What must hold: every answer is well-formed HTTP/1.1, a refusal is a 4xx
 * (or 501/505) whose JSON body names the problem, never a 500; a wrong or
 * missing token gets a 401 with its challenge and the token never appears
 * in an answer; the API keeps answering after every case, and nothing was
 * logged as a handler failure. An uncaught exception or unhandled rejection
 * fails the test (jest reports both against the running test).
 */
import { createRng, type Rng } from '@cdnlab/core';
import { checkCase, field, mutate, pick, randomBytes, seedFor, sendRaw, type WireResponse } from '@cdnlab/rpc/src/http-wire.test-fixture';
import { startControl, type ControlHandle } from '../src';
import { TREE, startFakeTier, type FakeTier } from './fake-tier';
import { baseConfig, captureLogger, get, treeNodes } from './support';

const SEED = 0x0c0ffee;

const fakes = new Map<string, FakeTier>();
let control: ControlHandle;
let logs: string[];
let port: number;
let token: string;

beforeAll(async () => {
  for (const n of TREE) fakes.set(n.id, await startFakeTier(n.id, { delayMs: 1 }));
  const captured = captureLogger();
  logs = captured.lines;
  control = await startControl(baseConfig(treeNodes(fakes)), { logger: captured.logger });
  port = control.httpPort;
  token = control.token;
});
afterAll(async () => {
  await control.stop();
  await Promise.all([...fakes.values()].map((f) => f.close()));
});

// ---------------------------------------------------------------- the oracle

const ALLOWED = new Set([200, 400, 401, 404, 405, 408, 413, 415, 417, 431, 501, 505]);

/** What is wrong with one answer of the API, or undefined. */
function problemOf(r: WireResponse, head: boolean): string | undefined {
  const text = r.body.toString('utf8');
  if (!ALLOWED.has(r.status)) return `status ${r.status}: ${text.slice(0, 200)}`;
  if (text.includes(token)) return 'the answer contains the token';
  if (r.status === 401 && !/^Bearer realm=/.test(field(r, 'www-authenticate') ?? '')) return '401 without a Bearer challenge';
  if (r.status === 405 && !field(r, 'allow')) return '405 without Allow';
  if (r.status >= 400 && !head) {
    let json: { error?: { status?: unknown; message?: unknown } };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      return `status ${r.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 100))}`;
    }
    if (json.error?.status !== r.status || typeof json.error.message !== 'string' || json.error.message.length < 8) return `status ${r.status} without an error naming the problem: ${text.slice(0, 200)}`;
  }
  return undefined;
}

async function expectAlive(label: string): Promise<void> {
  const health = await get(port, '/healthz');
  const topology = await get(port, '/topology', token);
  if (health.status !== 200 || topology.status !== 200) throw new Error(`${label}: the API no longer answers (healthz ${health.status}, topology ${topology.status})`);
}

/** Sends one case, then a normal request on the same connection, and checks every answer. */
const check = (label: string, bytes: Buffer | string, opts: { head?: boolean } = {}): Promise<WireResponse[]> =>
  checkCase({ port, follow: 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', problemOf, expectAlive }, label, bytes, opts.head === true);

// ---------------------------------------------------------------- generators

/** A request: the head as bytes (latin1), the body as UTF-8 with its Content-Length. */
const request = (method: string, target: string, lines: string[], body = ''): Buffer => {
  const content = Buffer.from(body, 'utf8');
  const length = body || method === 'POST' ? `Content-Length: ${content.length}\r\n` : '';
  return Buffer.concat([Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: x\r\n${lines.map((l) => `${l}\r\n`).join('')}${length}\r\n`, 'latin1'), content]);
};
const bearer = (): string => `Authorization: Bearer ${token}`;
const json = 'Content-Type: application/json';

const deep = (open: string, close: string, inner: string, depth = 10_000): string => open.repeat(depth) + inner + close.repeat(depth);
const VALUES: string[] = [
  '"all"', '"url"', '"/a"', 'null', 'true', '0', '-0', '1e999', '-1e999', '12345678901234567890123', '0.1', '[]', '{}', '""',
  '"\\u0000"', '"\\ud800"', '"\\ufeff/x"', '"é/ü"', '"😀"', '"\\n"', `"${'v'.repeat(8193)}"`, '"ftp://x/y"', '"http://["', '"javascript:x"',
  deep('[', ']', ''), deep('{"a":', '}', '1', 5000), '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}',
];
const KEYS = ['kind', 'value', 'mode', 'fanout', 'redeliver', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'é', 'kind '];

/** A JSON body for POST /purge: a valid one, a field with a value of the wrong kind, or something else entirely. */
function purgeBody(rng: Rng): string {
  switch (rng.nextInt(4)) {
    case 0:
      return pick(rng, ['{"kind":"all","redeliver":false}', '{"kind":"tag","value":"t","mode":"soft","fanout":"tree"}', '{"kind":"url","value":"/a","fanout":"direct"}']);
    case 1: {
      const fields = new Map<string, string>([['kind', '"tag"'], ['value', '"t"']]);
      fields.set(pick(rng, KEYS), pick(rng, VALUES));
      return `{${[...fields].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    }
    case 2:
      return pick(rng, VALUES);
    default:
      return pick(rng, ['', ' ', '{', '{"kind":"all"}x', '{"kind":"all","kind":"tag"}', '\ufeff{"kind":"all"}', '{"kind":"all"}'.repeat(2), 'nul', '{"a":1,}', "{'kind':'all'}"]);
  }
}

const AUTH = () => pick(rngForAuth, [bearer(), '', 'Authorization: Bearer wrong', `Authorization: bearer ${token}`, `Authorization: Basic ${token}`, `Authorization: Bearer  ${token}`, `Authorization: Bearer ${token} `, `${bearer()}\r\n${bearer()}`, `Authorization: Bearer ${'t'.repeat(8000)}`, 'Authorization:', 'Authorization: Bearer']);
let rngForAuth: Rng;

const TARGETS = [
  '/purges', '/purges/', '/purges/abc', '/purges/%zz', '/purges/%00', `/purges/${'a'.repeat(6000)}`, '/purges/a/b', '/stats?node=e1', `/stats?${'node=e1&'.repeat(800)}`, '/stats?node=nope',
  '/stats?node=%zz', '/topology', '/topology?x=%00', '/healthz', '/metrics', '/', '*', '//', `/${'p'.repeat(9000)}`, '/%', '/purge', '/events?type=BAD', '/events?type=%00',
  `/events?type=${'a'.repeat(100)}`, 'http://[', '//[', 'http://[/purges', 'http://a:99999/x', 'http://%zz/', 'http://evil.example/purges', 'http://u:p@x/topology', 'x:y',
];

// ---------------------------------------------------------------- the cases

describe('the control plane HTTP API under a seeded fuzz', () => {
  // One generator per test, seeded by its name: a test run alone (jest -t) sends what it sends in a full run.
  let rng: Rng;
  beforeEach(() => {
    rng = createRng(seedFor(SEED, expect.getState().currentTestName ?? ''));
    rngForAuth = createRng(seedFor(SEED, `auth ${expect.getState().currentTestName ?? ''}`));
  });

  it('answers random bytes and mutated requests with well-formed answers, and keeps answering', async () => {
    const valid = [
      request('POST', '/purge', [bearer(), json], '{"kind":"tag","value":"t","redeliver":false}'),
      request('GET', '/purges', [bearer()]),
      request('GET', '/stats?node=e1', [bearer()]),
      request('GET', '/topology', [bearer(), 'Accept: application/json']),
      request('GET', '/healthz', []),
    ];
    for (let i = 0; i < 50; i++) await check(`random #${i}`, rng.nextInt(2) === 0 ? randomBytes(rng, 1 + rng.nextInt(200)) : Buffer.concat([Buffer.from('POST /purge HTTP/1.1\r\n'), randomBytes(rng, 1 + rng.nextInt(200))]));
    for (let i = 0; i < 100; i++) await check(`mutated #${i}`, mutate(rng, pick(rng, valid)));
  });

  it('answers odd, long and unreadable request targets, with and without a token', async () => {
    for (let i = 0; i < 80; i++) {
      const method = pick(rng, ['GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']);
      await check(`target #${i}`, request(method, pick(rng, TARGETS), [AUTH()].filter(Boolean)), { head: method === 'HEAD' });
    }
  });

  it('refuses JSON bodies that are nested deep, prototype-shaped, oddly encoded or of the wrong type, naming the field', async () => {
    for (let i = 0; i < 120; i++) {
      const body = purgeBody(rng);
      const type = pick(rng, [json, json, json, 'Content-Type: application/merge-patch+json', 'Content-Type: text/plain', '', `Content-Type: application/${'+'.repeat(3000)}json`]);
      const [answer] = await check(`purge body #${i}`, request('POST', '/purge', [AUTH(), type].filter(Boolean), body));
      // Never a purge from a body that is not a purge command.
      if (answer?.status === 200) expect(body).toMatch(/^\{"kind":/);
    }
    // What the old stringify of a nested value did: a 500 where a 400 names the field.
    for (const body of [`{"kind":${deep('[', ']', '')}}`, `{"kind":"tag","value":${deep('{"a":', '}', '1', 5000)}}`, deep('[', ']', '', 20_000)]) {
      const [answer] = await check('deeply nested', request('POST', '/purge', [bearer(), json], body));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString()).error.message).toMatch(/^expected (body\.kind|body\.value|the body) to be .*, got an (array|object)$/);
    }
  });

  it('refuses URL purges that no node could apply, before any node is called', async () => {
    const before = (fakes.get('e1') as FakeTier).purges.length;
    for (const value of ['ftp://x/y', 'http://[', 'news/1', 'javascript:alert(1)', 'http:']) {
      const [answer] = await check(`url ${value}`, request('POST', '/purge', [bearer(), json], JSON.stringify({ kind: 'url', value, redeliver: false })));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString()).error.message).toMatch(/^expected body\.value to be (a path starting with "\/" or an absolute http\(s\) URL|an http\(s\) URL, not [a-z]+:) for kind "url"/);
    }
    expect((fakes.get('e1') as FakeTier).purges.length).toBe(before);
  });

  it('never serves a request target it cannot read as a URL by throwing in the request listener', async () => {
    for (const target of ['http://[', '//[', 'http://a:99999/x', 'http://%zz/', 'http://[::1/x']) {
      const [answer] = await check(`target ${target}`, request('GET', target, [bearer()]));
      expect({ target, status: answer.status }).toEqual({ target, status: 400 });
    }
  });

  it('refuses an event filter no event can match instead of a stream that stays silent', async () => {
    const [answer] = await check('events type', request('GET', '/events?type=purge.applied&type=Not%20A%20Type', [bearer()]));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString()).error.message).toMatch(/^types\[1\]: expected event type to be a dotted lower-case name/);
    // A good filter still streams; a reader that leaves mid-stream is let go.
    const ex = await sendRaw(port, request('GET', '/events?type=purge.issued', [bearer()]), { cutAfterFirstByteMs: 50, maxMs: 2000 });
    expect(ex.bytes.toString()).toMatch(/^HTTP\/1\.1 200 [^]*text\/event-stream[^]*: connected/);
    await expectAlive('after a reader left mid-stream');
  });

  it('logged no handler failure', () => {
    expect(logs.filter((l) => l.includes('http handler failed'))).toEqual([]);
  });
});
