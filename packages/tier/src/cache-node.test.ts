import { createHttpCache, formatCacheStatusMember, type HeaderList, type RequestHead, type Scheduler } from '@cdnlab/core';
import { CacheNode, type NodeRequest, type NodeResponse, type UpstreamRequest, type UpstreamResponse } from './cache-node';

/** A clock the test moves by hand, so Age and ttl are exact. */
function manualClock(start = 1_700_000_000_000): Scheduler & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    setTimer: () => ({ cancel: () => undefined }),
    advance(ms) {
      t += ms;
    },
  };
}

const BODY = Buffer.from('x'.repeat(100));

function setup(headers: HeaderList = [['cache-control', 'max-age=60'], ['etag', '"v1"'], ['content-type', 'text/plain'], ['content-length', '100']]) {
  const clock = manualClock();
  const seen: UpstreamRequest[] = [];
  const events: Array<[string, number]> = [];
  const upstream = {
    fetch(req: UpstreamRequest): Promise<UpstreamResponse> {
      seen.push(req);
      return Promise.resolve({
        head: { status: 200, headers: [['date', new Date(clock.now()).toUTCString()], ...headers] as HeaderList },
        originFetchedAt: clock.now(),
        servedBy: 'origin',
        body: (async function* () {
          yield BODY;
        })(),
      });
    },
  };
  const cache = createHttpCache({ name: 'edge', capacityBytes: 1 << 20 });
  const node = new CacheNode({ id: 'edge', cache, upstream, scheduler: clock, collapsing: { mode: 'wait' }, events: { request: (r, n) => events.push([r, n]) } });
  return { clock, seen, events, cache, node };
}

/** An edge whose upstream answers every fetch with `origin.status` (200 until changed), this Cache-Control and an ETag. */
function withSettableStatus(cacheControl: string) {
  const clock = manualClock();
  const seen: UpstreamRequest[] = [];
  const origin = { status: 200 };
  const upstream = {
    fetch(req: UpstreamRequest): Promise<UpstreamResponse> {
      seen.push(req);
      return Promise.resolve({
        head: { status: origin.status, headers: [['date', new Date(clock.now()).toUTCString()], ['cache-control', cacheControl], ['etag', '"v1"']] as HeaderList },
        originFetchedAt: clock.now(),
        servedBy: 'origin',
        body: (async function* () {
          yield BODY;
        })(),
      });
    },
  };
  const cache = createHttpCache({ name: 'edge', capacityBytes: 1 << 20 });
  const node = new CacheNode({ id: 'edge', cache, upstream, scheduler: clock, collapsing: { mode: 'wait' } });
  return { clock, seen, cache, node, origin };
}

function request(target: string, extra: Partial<RequestHead> = {}): NodeRequest {
  return {
    head: { method: 'GET', scheme: 'http', host: 'cdn.test', target, headers: [], ...extra },
    notBefore: 0,
    hops: 0,
    noStore: false,
    requestId: 'req-1',
    deadline: Date.now() + 5000,
    signal: new AbortController().signal,
  };
}

describe('CacheNode.serve', () => {
  it('answers a hit at once, without a promise, and counts it like handle()', async () => {
    const { node, clock, events } = setup();
    const miss = node.serve(request('/a'));
    expect(miss).toBeInstanceOf(Promise);
    await miss;
    clock.advance(3000);
    const hit = node.serve(request('/a'));
    expect(hit).not.toBeInstanceOf(Promise);
    const viaHandle = await node.handle(request('/a'));
    expect((hit as NodeResponse).head).toEqual(viaHandle.head);
    expect(node.results).toEqual({ miss: 1, hit: 2 });
    expect(events).toEqual([['miss', 100], ['hit', 100], ['hit', 100]]);
    expect(node.inFlight).toBe(0);
  });

  it('marks a hit as a stored head plus Age and our Cache-Status line, exactly', async () => {
    const { node, clock, cache } = setup();
    await node.handle(request('/a'));
    clock.advance(5000);
    const hit = node.serve(request('/a')) as NodeResponse;
    const entry = [...cache.entries()][0];
    expect(hit.from).toBe(entry.head);
    const member = formatCacheStatusMember({ cacheName: 'edge', hit: true, ttl: 55 });
    expect(hit.head.status).toBe(entry.head.status);
    expect(hit.head.headers).toEqual([...entry.head.headers, ['age', '5'], ['cache-status', member]]);
    // The same as the general rule: the cache's own response head, then our member.
    const general = cache.responseHead(entry, request('/a').head, clock.now());
    expect(hit.head.headers).toEqual([...general.headers, ['cache-status', member]]);
    expect(hit.body).toBe(entry.body);
  });

  it('answers HEAD from the stored GET without a body, still as a stored head', async () => {
    const { node } = setup();
    await node.handle(request('/a'));
    const head = node.serve(request('/a', { method: 'HEAD' })) as NodeResponse;
    expect(head.body).toHaveLength(0);
    expect(head.from).toBeDefined();
    expect(head.head.headers.find(([n]) => n === 'content-length')).toEqual(['content-length', '100']);
  });

  it('gives no `from` for a 304 to a matching If-None-Match (the head is not the stored one)', async () => {
    const { node } = setup();
    await node.handle(request('/a'));
    const nm = node.serve(request('/a', { headers: [['if-none-match', '"v1"']] })) as NodeResponse;
    expect(nm.head.status).toBe(304);
    expect(nm.from).toBeUndefined();
    expect(nm.body).toHaveLength(0);
    const other = node.serve(request('/a', { headers: [['if-none-match', '"v0"']] })) as NodeResponse;
    expect(other.head.status).toBe(200);
    expect(other.from).toBeDefined();
  });

  it('stores bodies as Buffers of their own', async () => {
    const { node } = setup();
    const res = await node.handle(request('/a'));
    expect(Buffer.isBuffer(res.body)).toBe(true);
    expect(res.body).not.toBe(BODY);
    expect(Buffer.from(res.body as Uint8Array).equals(BODY)).toBe(true);
  });

  it('sends a stale-while-revalidate refresh with the request id, even when the request computes it on demand', async () => {
    const { node, clock, seen } = setup([['cache-control', 'max-age=1, stale-while-revalidate=60'], ['etag', '"v1"']]);
    await node.handle(request('/swr'));
    clock.advance(2000);
    let asked = 0;
    // As the HTTP front door makes it: the id is a getter on the prototype,
    // which an object spread would silently drop.
    class LazyRequest implements NodeRequest {
      head = request('/swr').head;
      notBefore = 0;
      hops = 0;
      noStore = false;
      deadline = Date.now() + 5000;
      signal = new AbortController().signal;
      get requestId(): string {
        asked++;
        return 'lazy-id';
      }
    }
    const req = new LazyRequest();
    const stale = node.serve(req) as NodeResponse;
    expect(stale).not.toBeInstanceOf(Promise);
    expect(stale.status).toMatchObject({ hit: true, detail: 'stale-while-revalidate' });
    await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(2);
    expect(seen[1].requestId).toBe('lazy-id');
    expect(seen[1].head.method).toBe('GET');
    expect(seen[1].head.headers).toContainEqual(['if-none-match', '"v1"']);
    expect(asked).toBe(1);
  });

  it('validates in the background with the same conditionals as in the foreground (Date stands in for a missing Last-Modified)', async () => {
    // No Last-Modified, a second ETag line with an unreadable value: the
    // simulator's refresh sends core buildConditionalHeaders(entry.head), so
    // must the testbed's, else the two engines' origins see different asks.
    const stored: HeaderList = [['etag', '"v1"'], ['etag', 'not-a-tag'], ['content-length', '100']];
    const conditionalsOf = (r: UpstreamRequest) => r.head.headers.filter(([n]) => n.startsWith('if-'));
    const bgRun = setup([['cache-control', 'max-age=1, stale-while-revalidate=60'], ...stored]);
    const fgRun = setup([['cache-control', 'max-age=1'], ...stored]);
    for (const { node, clock } of [bgRun, fgRun]) {
      await node.handle(request('/v'));
      clock.advance(2000);
    }
    expect((bgRun.node.serve(request('/v')) as NodeResponse).status).toMatchObject({ detail: 'stale-while-revalidate' });
    await new Promise((r) => setImmediate(r));
    await fgRun.node.handle(request('/v'));
    expect(bgRun.seen).toHaveLength(2);
    expect(fgRun.seen).toHaveLength(2);
    const date = new Date(bgRun.clock.now() - 2000).toUTCString();
    expect(conditionalsOf(bgRun.seen[1])).toEqual([['if-none-match', '"v1"'], ['if-modified-since', date]]);
    expect(conditionalsOf(bgRun.seen[1])).toEqual(conditionalsOf(fgRun.seen[1]));
  });

  it('sends another background refresh after one that the origin failed (the stale copy answered it)', async () => {
    const { clock, seen, cache, node, origin } = withSettableStatus('max-age=1, stale-while-revalidate=60, stale-if-error=60');
    await node.handle(request('/swr'));
    clock.advance(2000);
    origin.status = 503;
    expect((node.serve(request('/swr')) as NodeResponse).status).toMatchObject({ detail: 'stale-while-revalidate' });
    await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(2);
    // The origin is back: the next stale hit refreshes again instead of
    // serving the copy unrefreshed for the rest of its stale window.
    origin.status = 304;
    clock.advance(1000);
    node.serve(request('/swr'));
    await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(3);
    expect(seen[2].head.headers).toContainEqual(['if-none-match', '"v1"']);
    expect(seen[2].head.headers).toContainEqual(['cache-control', 'min-fresh=0']);
    expect(cache.ttlSeconds([...cache.entries()][0], clock.now())).toBe(1);
  });

  it('fetches the object whole when a validation is answered by a 304 for another representation (RFC 9111 §4.3.4)', async () => {
    const clock = manualClock();
    const seen: UpstreamRequest[] = [];
    // The parent's copy changed between the two fetches, but it says 304 with its own, other ETag.
    const answers: Array<[number, string, string]> = [
      [200, '"v1"', 'old'],
      [304, '"v2"', ''],
      [200, '"v2"', 'new'],
    ];
    const upstream = {
      fetch(req: UpstreamRequest): Promise<UpstreamResponse> {
        const [status, etag, text] = answers[seen.length];
        seen.push(req);
        return Promise.resolve({
          head: { status, headers: [['date', new Date(clock.now()).toUTCString()], ['cache-control', 'max-age=1'], ['etag', etag]] as HeaderList },
          originFetchedAt: clock.now(),
          servedBy: 'origin',
          body: (async function* () {
            if (text) yield Buffer.from(text);
          })(),
        });
      },
    };
    const cache = createHttpCache({ name: 'edge', capacityBytes: 1 << 20 });
    const node = new CacheNode({ id: 'edge', cache, upstream, scheduler: clock, collapsing: { mode: 'wait' } });
    await node.handle(request('/r'));
    clock.advance(2000);
    const res = await node.handle(request('/r'));
    const chunks: Uint8Array[] = [];
    if (res.body instanceof Uint8Array) chunks.push(res.body);
    else for await (const c of res.body) chunks.push(c);
    // Not the old body under either tag: the new one, fetched without preconditions, and stored.
    expect({ status: res.head.status, etag: res.head.headers.find(([n]) => n === 'etag')?.[1], body: Buffer.concat(chunks).toString() }).toEqual({ status: 200, etag: '"v2"', body: 'new' });
    expect(seen.map((r) => r.head.headers.some(([n]) => n === 'if-none-match'))).toEqual([false, true, false]);
    expect((node.serve(request('/r')) as NodeResponse).status).toMatchObject({ hit: true });
  });

  it('counts a copy served on an upstream error as stale even when it is fresh, and a copy served at the instant it expires as stale', async () => {
    const { clock, node, origin } = withSettableStatus('max-age=60, stale-while-revalidate=60, stale-if-error=600');
    await node.handle(request('/f'));
    // Fresh, but the client asks for validation and the origin fails: the stored copy answers.
    origin.status = 503;
    const res = await node.handle(request('/f', { headers: [['cache-control', 'no-cache']] }));
    expect(res.status).toMatchObject({ hit: true, detail: 'stale-if-error' });
    expect(res.status.ttl).toBeGreaterThan(0);
    // At the very instant it expires (ttl 0), the copy is stale and served so.
    clock.advance(60_000);
    const edge = node.serve(request('/f')) as NodeResponse;
    expect(edge.status).toMatchObject({ hit: true, ttl: 0, detail: 'stale-while-revalidate' });
    expect(node.results).toEqual({ miss: 1, stale: 2 });
  });

  it('fails with a rejected promise, never a throw, and counts errors', async () => {
    const { node } = setup();
    const looped = node.serve({ ...request('/a'), hops: 99 });
    await expect(looped).rejects.toMatchObject({ code: 'LOOP_DETECTED' });
    const broken = new CacheNode({
      id: 'edge',
      cache: { ...createHttpCache({ name: 'edge', capacityBytes: 1 << 20 }), lookup: () => { throw new Error('lookup broke'); } },
      upstream: { fetch: () => Promise.reject(new Error('unused')) },
      scheduler: manualClock(),
      collapsing: { mode: 'wait' },
    });
    const out = broken.serve(request('/a'));
    await expect(out).rejects.toThrow('lookup broke');
    expect(broken.results).toEqual({ error: 1 });
  });

  it('forwards the request headers untouched when they carry no precondition', async () => {
    const { node, seen } = setup();
    const headers: HeaderList = [['accept', '*/*'], ['user-agent', 'test']];
    await node.handle(request('/h', { headers }));
    expect(seen[0].head.headers).toBe(headers);
    await node.handle(request('/h2', { headers: [['if-match', '"x"'], ['accept', '*/*']] }));
    expect(seen[1].head.headers).toEqual([['accept', '*/*']]);
  });
});
