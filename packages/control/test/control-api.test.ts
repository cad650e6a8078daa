import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import {
  callOptions,
  createControlClient,
  fromServiceError,
  unaryCall,
  type ControlClient,
  type Event__Output,
  type PurgeReport__Output,
  type StatsReport__Output,
  type TopologyReply__Output,
} from '@cdnlab/rpc';
import { startControl, type ControlHandle } from '../src';
import { TREE, closedAddress, startFakeTier, type FakeTier } from './fake-tier';
import { baseConfig, captureLogger, get, postJson, treeNodes } from './support';

// The two APIs of one control plane (token generated at start): auth on
// every admin call, input checking, stats, topology, events, metrics, and
// what reaches the logs.

const fakes = new Map<string, FakeTier>();
let control: ControlHandle;
let logs: string[];
const clients: grpc.Client[] = [];
const WRONG = 'not-the-token-0123456789';

function grpcClient(token?: string): ControlClient {
  const c = createControlClient(`127.0.0.1:${control.grpcPort}`, token ? { token } : {});
  clients.push(c);
  return c;
}

beforeAll(async () => {
  for (const n of TREE) fakes.set(n.id, await startFakeTier(n.id, { delayMs: 5 }));
  const captured = captureLogger();
  logs = captured.lines;
  // e4 is down: stats and purges must report it, not fail as a whole.
  control = await startControl(
    baseConfig(treeNodes(fakes, { e4: await closedAddress() }), { maxBodyBytes: 1024, rpcTimeoutMs: 1500 }),
    { logger: captured.logger },
  );
});
afterAll(async () => {
  for (const c of clients) c.close();
  await control.stop();
  await Promise.all([...fakes.values()].map((f) => f.close()));
});

describe('auth', () => {
  it('generates a token when none is configured', () => {
    expect(control.tokenGenerated).toBe(true);
    expect(control.token).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it.each(['/topology', '/stats', '/events'])('HTTP GET %s: 401 with a Bearer challenge without or with a wrong token', async (path) => {
    const none = await get(control.httpPort, path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const wrong = await get(control.httpPort, path, WRONG);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(wrong.text).not.toContain(control.token);
  });

  it('HTTP POST /purge: 401 without the token, and nothing is purged', async () => {
    const before = (fakes.get('e1') as FakeTier).purges.length;
    expect((await postJson(control.httpPort, '/purge', { kind: 'all' })).status).toBe(401);
    expect((await postJson(control.httpPort, '/purge', { kind: 'all' }, WRONG)).status).toBe(401);
    expect((fakes.get('e1') as FakeTier).purges.length).toBe(before);
  });

  it('healthz and metrics need no token', async () => {
    expect(await get(control.httpPort, '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect((await get(control.httpPort, '/metrics')).status).toBe(200);
  });

  it('gRPC: UNAUTHENTICATED without or with a wrong token, OK with it', async () => {
    for (const client of [grpcClient(), grpcClient(WRONG)]) {
      const err = await unaryCall<TopologyReply__Output>((cb) => client.Topology({}, callOptions(2000), cb)).catch((e: unknown) => e);
      expect(fromServiceError(err).code).toBe('UNAUTHENTICATED');
      const stream = client.Events({}, callOptions(2000));
      const streamErr = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      expect(streamErr.code).toBe(grpc.status.UNAUTHENTICATED);
    }
    const ok = await unaryCall<TopologyReply__Output>((cb) => grpcClient(control.token).Topology({}, callOptions(2000), cb));
    expect(ok.nodes.map((n) => n.id)).toEqual([...TREE.map((n) => n.id), 'control']);
  });
});

describe('HTTP input checking', () => {
  const cases: Array<[string, number, string, RegExp]> = [
    ['malformed JSON', 400, '{"kind": "url", ', /not valid JSON/],
    ['an empty body', 400, '', /empty body/],
    ['a JSON array', 400, '[1]', /expected the body to be a JSON object/],
    ['an unknown kind', 400, '{"kind":"everything"}', /body\.kind.*url, tag, prefix, all.*"everything"/],
    ['an unknown mode', 400, '{"kind":"all","mode":"gentle"}', /body\.mode.*hard, soft/],
    ['an unknown fanout', 400, '{"kind":"all","fanout":"gossip"}', /body\.fanout.*direct, tree/],
    ['a missing value', 400, '{"kind":"tag"}', /body\.value.*non-empty string.*"tag"/],
    ['an unknown field', 400, '{"kind":"all","fanOut":"tree"}', /unknown field body\.fanOut/],
    ['a body over the cap', 413, JSON.stringify({ kind: 'tag', value: 'x'.repeat(2000) }), /1024-byte limit/],
  ];
  it.each(cases)('%s gets %i with a message, and the server stays up', async (_name, status, raw, message) => {
    const res = await postJson(control.httpPort, '/purge', undefined, control.token, raw);
    expect(res.status).toBe(status);
    expect(res.json.error.message).toMatch(message);
    expect((await get(control.httpPort, '/healthz')).status).toBe(200);
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await fetch(`http://127.0.0.1:${control.httpPort}/purge`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${control.token}` },
      body: 'kind=all',
    });
    expect(res.status).toBe(415);
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    expect((await get(control.httpPort, '/nope', control.token)).status).toBe(404);
    const res = await get(control.httpPort, '/purge', control.token);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('survives a broken request line', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(control.httpPort, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      let data = '';
      socket.on('data', (c: Buffer) => (data += c));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await get(control.httpPort, '/healthz')).status).toBe(200);
  });
});

describe('stats, topology, purge over gRPC', () => {
  it('HTTP /stats asks every node and reports the down one with its error', async () => {
    const res = await get(control.httpPort, '/stats', control.token);
    expect(res.status).toBe(200);
    const nodes = res.json.nodes as Array<{ nodeId: string; error: string; counters: { hits: number } | null }>;
    expect(nodes.map((n) => n.nodeId)).toEqual(TREE.map((n) => n.id));
    expect(nodes.find((n) => n.nodeId === 'e4')).toMatchObject({ counters: null, error: expect.stringMatching(/UPSTREAM_UNAVAILABLE/) });
    expect(nodes.find((n) => n.nodeId === 'e1')).toMatchObject({ error: '', counters: { hits: 10 } });
    expect((await get(control.httpPort, '/stats?node=r1&node=e2', control.token)).json.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(['r1', 'e2']);
    expect((await get(control.httpPort, '/stats?node=zz', control.token)).status).toBe(400);
  });

  it('gRPC Stats and Purge', async () => {
    const client = grpcClient(control.token);
    const stats = await unaryCall<StatsReport__Output>((cb) => client.Stats({ nodeIds: ['s1', 'e4'] }, callOptions(3000), cb));
    expect(stats.nodes.map((n) => [n.nodeId, n.counters?.hits ?? null])).toEqual([['s1', 10], ['e4', null]]);

    const report = await unaryCall<PurgeReport__Output>((cb) =>
      client.Purge({ kind: 'PURGE_KIND_URL', value: '/a', mode: 'PURGE_MODE_HARD', fanout: 'FANOUT_TREE' }, callOptions(3000), cb),
    );
    expect(report.acks).toHaveLength(7);
    expect(report.acks.find((a) => a.nodeId === 'e4')?.error).toMatch(/UPSTREAM_UNAVAILABLE/);
    expect(report.acks.find((a) => a.nodeId === 'e1')).toMatchObject({ role: 'edge', error: '', objectsAffected: 3 });
    expect((fakes.get('e1') as FakeTier).purges.at(-1)?.caller).toBe('r1');

    const bad = await unaryCall<PurgeReport__Output>((cb) => client.Purge({ kind: 'PURGE_KIND_UNSPECIFIED' }, callOptions(3000), cb)).catch((e: unknown) => e);
    expect(fromServiceError(bad)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/expected kind/) });
  });
});

describe('events', () => {
  it('SSE /events receives purge events and posted ones, filtered by type', async () => {
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${control.httpPort}/events?type=purge.issued&type=purge.applied&type=lab.note`, {
      headers: { authorization: `Bearer ${control.token}` },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (pred: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!pred() && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    };
    await until(() => text.includes(': connected'));
    const purge = await postJson(control.httpPort, '/purge', { kind: 'tag', value: 'sse-tag' }, control.token);
    control.emit({ type: 'lab.note', detail: { hello: 'world' } });
    await until(() => text.includes('event: lab.note'));
    ac.abort();

    const events = text
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .map((b) => JSON.parse(b.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    expect(events[0]).toMatchObject({ type: 'purge.issued', nodeId: 'control', detail: { purgeId: purge.json.purgeId, value: 'sse-tag' } });
    const applied = events.filter((e) => e.type === 'purge.applied').map((e) => e.nodeId);
    expect(applied.sort()).toEqual(['e1', 'e2', 'e3', 'r1', 'r2', 's1']);
    expect(events.some((e) => e.type === 'purge.completed')).toBe(false); // filtered out
    expect(events.at(-1)).toMatchObject({ type: 'lab.note', detail: { hello: 'world' } });
  });

  it('gRPC Events streams events and the subscriber is cleaned up on cancel', async () => {
    const gauge = async () => (await control.metrics.eventSubscribers.get()).values.find((v) => v.labels.transport === 'grpc')?.value ?? 0;
    const before = await gauge();
    const stream = grpcClient(control.token).Events({ types: ['node.down'] }, callOptions(10_000));
    const got = new Promise<Event__Output>((resolve) => stream.on('data', resolve));
    stream.on('error', () => undefined); // the cancel below ends it with CANCELLED
    // Wait for the subscription to exist before posting.
    for (let i = 0; i < 100 && (await gauge()) === before; i++) await new Promise((r) => setTimeout(r, 10));
    control.emit({ type: 'purge.ignored-by-filter' });
    control.emit({ type: 'node.down', nodeId: 'e2', detail: { reason: 'killed' } });
    const event = await got;
    expect(event).toMatchObject({ type: 'node.down', nodeId: 'e2' });
    expect(JSON.parse(event.detailJson)).toEqual({ reason: 'killed' });
    stream.cancel();
    for (let i = 0; i < 100 && (await gauge()) !== before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await gauge()).toBe(before);
  });

  it('gRPC Events refuses a filter no event can match (INVALID_ARGUMENT), as GET /events does (400)', async () => {
    const stream = grpcClient(control.token).Events({ types: ['node.down', 'Not A Type'] }, callOptions(5_000));
    const err = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^types\[1\]: expected event type to be a dotted lower-case name/);
    const http = await get(control.httpPort, '/events?type=Not%20A%20Type', control.token);
    expect(http.status).toBe(400);
    expect(http.json.error.message).toMatch(/^types\[0\]: expected event type/);
  });

  it('emit refuses a malformed type', () => {
    expect(() => control.emit({ type: 'Has Spaces' })).toThrow(/expected event type/);
  });
});

describe('metrics and logs', () => {
  it('/metrics counts purges by kind, mode and fan-out and has the delay histogram', async () => {
    const series = async (): Promise<Map<string, number>> => {
      const text = (await get(control.httpPort, '/metrics')).text;
      return new Map(
        text
          .split('\n')
          .filter((l) => l.startsWith('cdnlab_'))
          .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
      );
    };
    const before = await series();
    await postJson(control.httpPort, '/purge', { kind: 'prefix', value: '/p/', mode: 'soft', fanout: 'direct' }, control.token);
    const after = await series();
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(delta('cdnlab_control_purges_total{kind="prefix",mode="soft",fanout="direct"}')).toBe(1);
    // 3 edges applied it (e4 is down), 2 regionals, 1 shield.
    expect(delta('cdnlab_control_purge_delay_ms_count{fanout="direct",role="edge"}')).toBe(3);
    expect(delta('cdnlab_control_purge_delay_ms_count{fanout="direct",role="regional"}')).toBe(2);
    expect(delta('cdnlab_control_purge_node_errors_total{fanout="direct",role="edge"}')).toBe(1);
  });

  it('never logs the token, the wrong tokens, or the Authorization header', async () => {
    // Make sure every kind of line has been produced at least once.
    await get(control.httpPort, '/topology', control.token);
    await get(control.httpPort, '/topology', WRONG);
    const all = logs.join('');
    expect(all).toContain('purge completed');
    expect(all).toContain('"path":"/topology"');
    expect(all).not.toContain(control.token);
    expect(all).not.toContain(WRONG);
    expect(all.toLowerCase()).not.toContain('bearer');
  });
});

describe('stop', () => {
  it('ends open SSE and gRPC event streams at once instead of waiting out the grace period', async () => {
    const c = await startControl(baseConfig(treeNodes(fakes), { shutdownGraceMs: 5_000 }), { logger: captureLogger().logger });
    const sse = await fetch(`http://127.0.0.1:${c.httpPort}/events`, { headers: { authorization: `Bearer ${c.token}` } });
    const sseText = sse.text(); // resolves when the server ends the stream
    const client = createControlClient(`127.0.0.1:${c.grpcPort}`, { token: c.token });
    const stream = client.Events({}, callOptions(30_000));
    const grpcEnded = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('error', () => resolve());
    });
    stream.on('data', () => undefined);
    const subscribers = async () => (await c.metrics.eventSubscribers.get()).values.reduce((sum, v) => sum + v.value, 0);
    for (let i = 0; i < 100 && (await subscribers()) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await subscribers()).toBe(2);

    const t0 = Date.now();
    await c.stop();
    await Promise.all([sseText, grpcEnded]);
    expect(Date.now() - t0).toBeLessThan(2_000);
    client.close();
  });
});
