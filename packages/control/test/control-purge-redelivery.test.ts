import { createControlClient, callOptions, unaryCall, type PurgeReport__Output } from '@cdnlab/rpc';
import { startControl, type ControlEvent, type ControlHandle, type PurgeReportEntry } from '../src';
import { TREE, closedAddress, startFakeTier, type FakeTier } from './fake-tier';
import { baseConfig, captureLogger, get, postJson, treeNodes } from './support';

// Redelivery end to end: the control plane over real HTTP and gRPC, 7 fake
// tier nodes over real gRPC on loopback. A node that did not take a purge is
// called again 1 s after the failed call ended, then 2 s after the next
// failure, ... (the core's schedule), until it takes it or the purge is too
// old. Each test waits at most a few seconds of real time.

const fakes = new Map<string, FakeTier>();
const controls: ControlHandle[] = [];
/** Fakes a test starts itself (a node that comes up late). */
const extra: FakeTier[] = [];

beforeAll(async () => {
  for (const n of TREE) fakes.set(n.id, await startFakeTier(n.id));
});
// Stopped after each test: a pending redelivery must not call the next test's fakes.
afterEach(async () => {
  await Promise.all(controls.splice(0).map((c) => c.stop()));
  await Promise.all(extra.splice(0).map((f) => f.close()));
});
afterAll(async () => {
  await Promise.all([...fakes.values()].map((f) => f.close()));
});
beforeEach(() => {
  for (const f of fakes.values()) {
    f.purges.length = 0;
    f.hang = false;
    f.failWith = undefined;
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function control(
  opts: { addresses?: Record<string, string>; redeliveryWindowMs?: number; logger?: ReturnType<typeof captureLogger>['logger'] } = {},
): Promise<ControlHandle> {
  const c = await startControl(baseConfig(treeNodes(fakes, opts.addresses ?? {})), {
    logger: opts.logger ?? captureLogger().logger,
    redeliveryWindowMs: opts.redeliveryWindowMs,
  });
  controls.push(c);
  return c;
}

async function purge(c: ControlHandle, body: Record<string, unknown>): Promise<PurgeReportEntry> {
  const res = await postJson(c.httpPort, '/purge', body, c.token);
  expect(res.status).toBe(200);
  return res.json as PurgeReportEntry;
}

async function reportNow(c: ControlHandle, purgeId: string): Promise<PurgeReportEntry> {
  const res = await get(c.httpPort, `/purges/${purgeId}`, c.token);
  expect(res.status).toBe(200);
  return res.json as PurgeReportEntry;
}

const ack = (r: PurgeReportEntry, id: string) => {
  const a = r.acks.find((x) => x.nodeId === id);
  if (!a) throw new Error(`no ack for ${id}`);
  return a;
};

/** Poll `probe` until it returns a value, for at most `ms`. */
async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The control plane's events of `types`, as they arrive over SSE. */
async function watchEvents(c: ControlHandle, types: string[]): Promise<{ events: ControlEvent[]; stop(): void }> {
  const ac = new AbortController();
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/events?${types.map((t) => `type=${t}`).join('&')}`, {
    headers: { authorization: `Bearer ${c.token}` },
    signal: ac.signal,
  });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: ControlEvent[] = [];
  let connected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  void (async () => {
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          if (block.startsWith(': connected')) connected();
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as ControlEvent);
        }
      }
    } catch (err) {
      // The test ended the stream; anything else is a real failure.
      if (!ac.signal.aborted) throw err;
    }
  })();
  await ready;
  return { events, stop: () => ac.abort() };
}

async function metric(c: ControlHandle, name: 'purgeRedeliveries' | 'purgeRedeliveriesWaiting', labels: Record<string, string> = {}): Promise<number> {
  const { values } = await c.metrics[name].get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, string | number | undefined>)[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('purge redelivery', () => {
  it('calls a node that refused again until it takes the purge, and the report, events and metrics say so', async () => {
    const address = await closedAddress();
    const c = await control({ addresses: { e4: address } });
    const watch = await watchEvents(c, ['purge.applied', 'purge.failed']);
    const report = await purge(c, { kind: 'url', value: '/static/app.js' });

    // The answer is what the fan-out got: e4 refused its one call and is waiting for the next.
    expect(ack(report, 'e4')).toMatchObject({ error: expect.stringMatching(/^UPSTREAM_UNAVAILABLE: /), attempts: 1, appliedAtMs: 0 });
    expect(report).toMatchObject({ applied: 6, failed: 1, redelivering: 1 });
    expect(await metric(c, 'purgeRedeliveriesWaiting')).toBe(1);

    // e4 starts listening 1.5 s after the purge: call 2 (at ~1 s) is refused too, call 3 (~2 s later) lands.
    await sleep(report.purgeAtMs + 1500 - Date.now());
    const late = await startFakeTier('e4', { port: Number(address.slice(address.lastIndexOf(':') + 1)) });
    extra.push(late);
    const final = await until('e4 to take the purge', 6000, async () => {
      const r = await reportNow(c, report.purgeId);
      return ack(r, 'e4').error === '' ? r : undefined;
    });

    expect(final).toMatchObject({ purgeId: report.purgeId, applied: 7, failed: 0, redelivering: 0, durationMs: report.durationMs });
    const e4 = ack(final, 'e4');
    expect(e4.attempts).toBeGreaterThanOrEqual(2);
    expect(e4.delayMs).toBeGreaterThanOrEqual(1000);
    expect(e4.delayMs).toBe(e4.appliedAtMs - report.purgeAtMs);
    expect(e4).toMatchObject({ via: 'control', fallback: false, objectsAffected: 3 });
    // The original purge, alone: same id and issue time, so the node applies it by the purge-time rule.
    expect(late.purges).toHaveLength(1);
    expect(late.purges[0].request).toMatchObject({ purgeId: report.purgeId, purgeAtMs: report.purgeAtMs, value: '/static/app.js', forward: [] });
    // The nodes that took it the first time were not called again.
    for (const f of fakes.values()) expect(f.purges).toHaveLength(f.id === 'e4' ? 0 : 1);

    const applied = await until('the redelivered purge.applied event', 2000, () =>
      watch.events.find((e) => e.type === 'purge.applied' && e.nodeId === 'e4'),
    );
    expect(applied.detail).toEqual({ purgeId: report.purgeId, delayMs: e4.delayMs, objectsAffected: 3, via: 'control', fallback: false, redelivered: true, attempts: e4.attempts });
    expect(watch.events.filter((e) => e.type === 'purge.failed' && e.detail.gaveUp)).toEqual([]);
    watch.stop();

    // Every call after the first was a redelivery: the last applied, the ones between failed.
    expect(await metric(c, 'purgeRedeliveries', { outcome: 'applied' })).toBe(1);
    expect(await metric(c, 'purgeRedeliveries', { outcome: 'failed' })).toBe(e4.attempts - 2);
    expect(await metric(c, 'purgeRedeliveriesWaiting')).toBe(0);
  });

  it('calls a failing node once when redelivery is off (HTTP redeliver: false, gRPC no_redeliver)', async () => {
    (fakes.get('e2') as FakeTier).failWith = 'OVERLOADED';
    const c = await control();
    const viaHttp = await purge(c, { kind: 'tag', value: 'once', redeliver: false });
    expect(ack(viaHttp, 'e2')).toMatchObject({ error: expect.stringMatching(/^OVERLOADED: /), attempts: 1 });
    expect(viaHttp.redelivering).toBe(0);

    const client = createControlClient(`127.0.0.1:${c.grpcPort}`, { token: c.token });
    try {
      const viaGrpc = await unaryCall<PurgeReport__Output>((cb) =>
        client.Purge({ kind: 'PURGE_KIND_TAG', value: 'once', mode: 'PURGE_MODE_HARD', fanout: 'FANOUT_DIRECT', noRedeliver: true }, callOptions(3000), cb),
      );
      expect(viaGrpc.acks.find((a) => a.nodeId === 'e2')?.error).toMatch(/^OVERLOADED: /);
      // Past the moment the first redelivery would have started (1 s after the failed call).
      await sleep(viaGrpc.purgeAtMs + 1400 - Date.now());
      expect((fakes.get('e2') as FakeTier).purges).toHaveLength(2);
      for (const id of [viaHttp.purgeId, viaGrpc.purgeId]) {
        expect(await reportNow(c, id)).toMatchObject({ failed: 1, redelivering: 0, acks: expect.arrayContaining([expect.objectContaining({ nodeId: 'e2', attempts: 1 })]) });
      }
      expect(await metric(c, 'purgeRedeliveries')).toBe(0);
    } finally {
      client.close();
    }
  });

  it('gives up once the purge is too old, with a purge.failed gaveUp event, and calls no more', async () => {
    (fakes.get('e1') as FakeTier).failWith = 'OVERLOADED';
    const captured = captureLogger();
    // A 2 s window: call 2 starts ~1 s after the purge; call 3 would start ~3 s after it, too late.
    const c = await control({ redeliveryWindowMs: 2000, logger: captured.logger });
    const watch = await watchEvents(c, ['purge.failed']);
    const report = await purge(c, { kind: 'prefix', value: '/img/' });
    expect(report.redelivering).toBe(1);

    const gaveUp = await until('the gaveUp event', 3000, () => watch.events.find((e) => e.detail.gaveUp === true));
    watch.stop();
    expect(gaveUp).toMatchObject({
      nodeId: 'e1',
      type: 'purge.failed',
      detail: { purgeId: report.purgeId, error: expect.stringMatching(/^OVERLOADED: /), via: 'control', attempts: 2, gaveUp: true },
    });
    expect(await reportNow(c, report.purgeId)).toMatchObject({ applied: 6, failed: 1, redelivering: 0 });
    expect(ack(await reportNow(c, report.purgeId), 'e1')).toMatchObject({ attempts: 2, error: expect.stringMatching(/^OVERLOADED: /) });
    expect(await metric(c, 'purgeRedeliveriesWaiting')).toBe(0);
    expect(captured.lines.join('')).toContain('purge redelivery given up');

    // Past the moment call 3 would have started: still the fan-out's call and the one redelivery.
    await sleep(report.purgeAtMs + 3300 - Date.now());
    expect((fakes.get('e1') as FakeTier).purges).toHaveLength(2);
    expect(await metric(c, 'purgeRedeliveries', { outcome: 'failed' })).toBe(1);
  });

  it('stop cancels the pending redeliveries: no call after it', async () => {
    (fakes.get('e3') as FakeTier).failWith = 'OVERLOADED';
    const captured = captureLogger();
    const c = await control({ logger: captured.logger });
    const report = await purge(c, { kind: 'all' });
    expect(report.redelivering).toBe(1);
    expect(await metric(c, 'purgeRedeliveriesWaiting')).toBe(1);

    await c.stop();
    expect(await metric(c, 'purgeRedeliveriesWaiting')).toBe(0);
    expect(captured.lines.join('')).toContain('purge redeliveries cancelled');
    // Past the moment the first redelivery would have started.
    await sleep(report.purgeAtMs + 1400 - Date.now());
    expect((fakes.get('e3') as FakeTier).purges).toHaveLength(1);
  });
});

describe('GET /purges', () => {
  it('lists the recent reports newest first, finds one by id, and answers 404 naming an unknown id', async () => {
    const c = await control();
    const ids: string[] = [];
    for (const value of ['a', 'b', 'c']) ids.push((await purge(c, { kind: 'tag', value })).purgeId);

    const list = await get(c.httpPort, '/purges', c.token);
    expect(list.status).toBe(200);
    const purges = list.json.purges as PurgeReportEntry[];
    expect(purges.map((p) => p.purgeId)).toEqual([...ids].reverse());
    expect(purges.map((p) => p.value)).toEqual(['c', 'b', 'a']);
    for (const p of purges) expect(p).toMatchObject({ applied: 7, failed: 0, redelivering: 0 });

    const one = await get(c.httpPort, `/purges/${ids[0]}`, c.token);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(purges[2]);
    expect(one.json.acks.map((a: { attempts: number }) => a.attempts)).toEqual(TREE.map(() => 1));

    const unknown = await get(c.httpPort, '/purges/no-such-purge', c.token);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(/^no purge "no-such-purge" among the recent purges \(the control plane keeps the last 1000; GET \/purges lists them\)/);
    expect((await get(c.httpPort, '/purges/a/b', c.token)).json.error.message).toMatch(/no such endpoint "\/purges\/a\/b"/);

    const garbled = await get(c.httpPort, '/purges/%E0%A4%A', c.token);
    expect(garbled.status).toBe(400);
    expect(garbled.json.error.message).toBe('expected the last path segment to be URL-encoded, got "%E0%A4%A"');

    for (const path of ['/purges', `/purges/${ids[0]}`]) expect((await get(c.httpPort, path)).status).toBe(401);
    expect((await postJson(c.httpPort, '/purges', {}, c.token)).status).toBe(405);
    // One metric series for every id, named by the route.
    const byRoute = (await c.metrics.httpRequests.get()).values.filter((v) => String(v.labels.route).startsWith('/purges'));
    expect(new Set(byRoute.map((v) => v.labels.route))).toEqual(new Set(['/purges', '/purges/:id']));
  });
});
