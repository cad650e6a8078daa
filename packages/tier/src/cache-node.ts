/**
 * One cache tier's request handling, shared by the edge (HTTP in front) and
 * the regional and shield tiers (gRPC in front): look up, collapse, fetch
 * upstream, store, answer, and say what happened in Cache-Status.
 *
 * The HTTP semantics live in @cdnlab/core's HttpCache; this file adds what
 * needs I/O: the upstream call, the waiting list with real waiters, the one
 * background refresh of stale-while-revalidate, and cancellation.
 */
import {
  buildConditionalHeaders,
  formatCacheStatusMember,
  getAll,
  createCollapser,
  isUnsafeMethod,
  removeHeader,
  upstreamFillHeaders,
  type CacheEntry,
  type CacheLookup,
  type CacheStatusMember,
  type CollapseMode,
  type HeaderList,
  type HttpCache,
  type RequestHead,
  type ResponseHead,
  type Scheduler,
} from '@cdnlab/core';
import { CdnError } from '@cdnlab/rpc';
import { createSwitchableCollapser, type SwitchableCollapser } from './collapser-switch';

/** A request as a tier receives it. */
export interface NodeRequest {
  head: RequestHead;
  body?: Uint8Array;
  /** Purge-time rule from the child (0 when none). */
  notBefore: number;
  hops: number;
  /** Set by a waiter that gave up on a lock: do not store what you fetch for it. */
  noStore: boolean;
  requestId: string;
  /** Absolute deadline (ms, scheduler clock). */
  deadline: number;
  /** Fires when the client went away. */
  signal: AbortSignal;
}

/** An answer from upstream: head first, body as it arrives. */
export interface UpstreamResponse {
  head: ResponseHead;
  originFetchedAt: number;
  servedBy: string;
  body: AsyncIterable<Uint8Array>;
}

export interface UpstreamRequest {
  head: RequestHead;
  body?: Uint8Array;
  cacheKey: string;
  notBefore: number;
  hops: number;
  noStore: boolean;
  requestId: string;
  deadline: number;
  signal: AbortSignal;
}

/** Where a tier's misses go: its parents (with failover), or the origin. */
export interface Upstream {
  fetch(req: UpstreamRequest): Promise<UpstreamResponse>;
}

/** What a tier answers. */
export interface NodeResponse {
  head: ResponseHead;
  body: Uint8Array | AsyncIterable<Uint8Array>;
  originFetchedAt: number;
  storedAt: number;
  collapsed: boolean;
  /** This tier's own Cache-Status member (already appended to head). */
  status: CacheStatusMember;
  /**
   * Set when the answer is a stored head as it is: `head` is then exactly
   * `from`'s status and fields, then Age, then this tier's Cache-Status line
   * (no 304, no members from upstream). Lets a front door derive the fields
   * that never change once per stored head instead of once per request;
   * entries get a new head object when revalidated.
   */
  from?: ResponseHead;
}

export interface CollapsingOptions {
  mode: CollapseMode;
  lockTimeoutMs?: number;
  maxWaiters?: number;
  hitForMissMs?: number;
}

export interface CacheNodeEvents {
  /** One per answered request: `result` is hit, stale, miss, pass, error … */
  request?(result: string, bytes: number): void;
  upstreamFetch?(reason: string, ms: number, status: number | undefined): void;
  collapsed?(): void;
}

export interface CacheNodeOptions {
  id: string;
  cache: HttpCache;
  upstream: Upstream;
  scheduler: Scheduler;
  collapsing: CollapsingOptions;
  /** Largest body a tier buffers to store or share; larger ones stream through. */
  maxBufferBytes?: number;
  /** Loop guard: refuse requests that crossed more tiers than this. */
  maxHops?: number;
  events?: CacheNodeEvents;
}

/** The leader's answer, shared with waiters. */
interface Shared {
  head: ResponseHead;
  /** Cache-Status members of the tiers above us for this exchange. */
  upstreamStatus: string[];
  body: Uint8Array;
  originFetchedAt: number;
  storedAt: number;
  fwdStatus: number;
  stored: boolean;
  entry?: CacheEntry;
}

async function readAll(body: AsyncIterable<Uint8Array>, limit: number): Promise<{ bytes: Uint8Array } | { overflow: Uint8Array[]; rest: AsyncIterator<Uint8Array> }> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const it = body[Symbol.asyncIterator]();
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    parts.push(next.value);
    size += next.value.length;
    if (size > limit) return { overflow: parts, rest: it };
  }
  // A copy of our own, not views of the transport's buffers (which may be
  // slices of larger ones, kept alive by the cache); a Buffer, so that an
  // HTTP front door writes it without wrapping it on every hit.
  const out = Buffer.allocUnsafeSlow(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return { bytes: out };
}

async function* replay(first: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* first;
  for (;;) {
    const n = await rest.next();
    if (n.done) return;
    yield n.value;
  }
}

const EMPTY = new Uint8Array(0);
const NO_STATUS: readonly string[] = Object.freeze([]);

/**
 * Our Cache-Status member goes on a line of its own after the upstream ones:
 * a list field may be split over lines (RFC 9110 §5.3), and this way no tier
 * re-parses what the tiers above it wrote.
 */
function withStatus(head: ResponseHead, member: CacheStatusMember): ResponseHead {
  return { status: head.status, headers: [...head.headers, ['cache-status', formatCacheStatusMember(member)]] };
}

export class CacheNode {
  readonly id: string;
  readonly cache: HttpCache;
  private readonly upstream: Upstream;
  private readonly scheduler: Scheduler;
  private readonly collapser: SwitchableCollapser<Shared>;
  private readonly maxBuffer: number;
  private readonly maxHops: number;
  private readonly events: CacheNodeEvents;
  private inflight = 0;
  upstreamFetches = 0;
  /** Answered requests by result (hit, stale, miss, pass, revalidated, error). */
  readonly results: Record<string, number> = {};

  constructor(opts: CacheNodeOptions) {
    this.id = opts.id;
    this.cache = opts.cache;
    this.upstream = opts.upstream;
    this.scheduler = opts.scheduler;
    this.collapser = createSwitchableCollapser(createCollapser<Shared>({ scheduler: opts.scheduler, ...opts.collapsing }));
    this.maxBuffer = opts.maxBufferBytes ?? 64 * 1024 * 1024;
    this.maxHops = opts.maxHops ?? 8;
    this.events = opts.events ?? {};
  }

  get inFlight(): number {
    return this.inflight;
  }

  collapseStats() {
    return this.collapser.stats();
  }

  /** Run-time reconfiguration (TierAdmin): new requests collapse the new way; fetches in flight keep their waiters. */
  setCollapsing(collapsing: CollapsingOptions): void {
    this.collapser.switchTo(createCollapser<Shared>({ scheduler: this.scheduler, ...collapsing }));
  }

  /** Answers one request; the same as {@link serve}, always as a promise. */
  handle(req: NodeRequest): Promise<NodeResponse> {
    const res = this.serve(req);
    return res instanceof Promise ? res : Promise.resolve(res);
  }

  /**
   * Answers one request. A hit is answered at once, without a promise: it
   * needs nothing but memory, and a promise and its microtask per hit are a
   * measurable share of an edge's cost per request. Anything that waits
   * (a miss, a validation, a pass) comes back as a promise. Counters, events
   * and Cache-Status are the same either way. Never throws: failures come
   * back as a rejected promise.
   */
  serve(req: NodeRequest): NodeResponse | Promise<NodeResponse> {
    if (req.hops > this.maxHops) return Promise.reject(new CdnError('LOOP_DETECTED', `request crossed ${req.hops} tiers (limit ${this.maxHops}): check the parents in the topology`));
    const m = req.head.method;
    const method = m === 'GET' || m === 'HEAD' ? m : m.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      this.inflight++;
      return this.settle(this.pass(req));
    }
    let look: CacheLookup;
    try {
      const now = this.scheduler.now();
      look = this.cache.lookup(req.head, now, { notBefore: req.notBefore });
      if (look.kind === 'hit') {
        if (look.backgroundRefresh) this.refreshInBackground(req, look.entry);
        const ttl = this.cache.ttlSeconds(look.entry, now);
        const res = this.fromEntry(req, look.entry, { cacheName: this.id, hit: true, ttl, detail: look.stale ? 'stale-while-revalidate' : undefined }, false, NO_STATUS, now);
        this.count(res);
        return res;
      }
    } catch (err) {
      this.countError();
      return Promise.reject(err);
    }
    this.inflight++;
    return this.settle(this.afterLookup(req, look as Exclude<CacheLookup, { kind: 'hit' }>));
  }

  /** Counts an answer that took a promise; `inflight` was raised before its work started. */
  private async settle(pending: Promise<NodeResponse>): Promise<NodeResponse> {
    try {
      const res = await pending;
      this.count(res);
      return res;
    } catch (err) {
      this.countError();
      throw err;
    } finally {
      this.inflight--;
    }
  }

  private count(res: NodeResponse): void {
    const result = this.resultName(res.status);
    this.results[result] = (this.results[result] ?? 0) + 1;
    this.events.request?.(result, res.body instanceof Uint8Array ? res.body.length : 0);
  }

  private countError(): void {
    this.results.error = (this.results.error ?? 0) + 1;
    this.events.request?.('error', 0);
  }

  private resultName(m: CacheStatusMember): string {
    // A stored copy served because upstream failed is stale whatever its
    // ttl (a client's no-cache sends even a fresh copy to validation), and
    // a hit served stale says so in its detail: at the instant a copy
    // expires its ttl reads 0, which alone would count it as fresh.
    if (m.detail === 'stale-if-error' || m.detail === 'stale-while-revalidate') return 'stale';
    if (m.hit) return m.ttl !== undefined && m.ttl < 0 ? 'stale' : 'hit';
    if (m.fwd === 'method' || m.fwd === 'bypass') return 'pass';
    if (m.fwd === 'stale') return 'revalidated';
    return 'miss';
  }

  /** Everything but a hit, after the lookup. */
  private async afterLookup(req: NodeRequest, look: Exclude<CacheLookup, { kind: 'hit' }>): Promise<NodeResponse> {
    switch (look.kind) {
      case 'gateway-timeout': {
        const member: CacheStatusMember = { cacheName: this.id, fwd: 'request', detail: 'only-if-cached' };
        return { head: withStatus({ status: 504, headers: [['content-length', '0']] }, member), body: EMPTY, originFetchedAt: 0, storedAt: 0, collapsed: false, status: member };
      }
      case 'validate':
        return this.viaCollapser(req, look.entry.primaryKey, 'stale', look.entry, look.conditionalHeaders);
      case 'miss':
        return this.viaCollapser(req, look.primaryKey, look.fwd, undefined, undefined, look.detail);
    }
  }

  private fromEntry(req: NodeRequest, entry: CacheEntry, member: CacheStatusMember, collapsed = false, upstreamStatus: readonly string[] = NO_STATUS, now = this.scheduler.now()): NodeResponse {
    const stored = entry.head;
    let head = this.cache.responseHead(entry, req.head, now);
    // The stored head plus Age only (no 304, nothing from upstream): say so,
    // so that a front door can reuse what it derived once from `stored`.
    const asStored = upstreamStatus.length === 0 && head.status === stored.status && head.headers.length === stored.headers.length + 1;
    if (upstreamStatus.length) head = { status: head.status, headers: [...head.headers, ...upstreamStatus.map((v) => ['cache-status', v] as [string, string])] };
    const noBody = isHead(req.head.method) || head.status === 304;
    return {
      head: withStatus(head, member),
      body: noBody ? EMPTY : entry.body,
      originFetchedAt: entry.originFetchedAt,
      storedAt: entry.times.storedAt,
      collapsed,
      status: member,
      from: asStored ? stored : undefined,
    };
  }

  /** Unsafe and unusual methods go straight through, body and all; success invalidates (RFC 9111 §4.4). */
  private async pass(req: NodeRequest): Promise<NodeResponse> {
    const t0 = this.scheduler.now();
    const up = await this.fetchUpstream(req, req.head, this.cache.key(req.head), req.notBefore, req.noStore, 'method');
    if (isUnsafeMethod(req.head.method)) this.cache.invalidateAfterUnsafe(req.head, up.head);
    const member: CacheStatusMember = { cacheName: this.id, fwd: 'method', fwdStatus: up.head.status };
    this.events.upstreamFetch?.('method', this.scheduler.now() - t0, up.head.status);
    return { head: withStatus(up.head, member), body: up.body, originFetchedAt: up.originFetchedAt, storedAt: 0, collapsed: false, status: member };
  }

  private fetchUpstream(req: NodeRequest, head: RequestHead, cacheKey: string, notBefore: number, noStore: boolean, _why: string, signal = req.signal): Promise<UpstreamResponse> {
    this.upstreamFetches++;
    return this.upstream.fetch({
      head,
      body: req.body,
      cacheKey,
      notBefore,
      hops: req.hops + 1,
      noStore,
      requestId: req.requestId,
      deadline: req.deadline,
      signal,
    });
  }

  /** Misses and validations: one leader goes upstream, the rest wait for it. */
  private viaCollapser(req: NodeRequest, key: string, fwd: CacheStatusMember['fwd'] & string, stale: CacheEntry | undefined, conditional: HeaderList | undefined, detail?: string): Promise<NodeResponse> {
    return new Promise<NodeResponse>((resolve, reject) => {
      const joined = this.collapser.join(key, (outcome) => {
        req.signal.removeEventListener('abort', onAbort);
        switch (outcome.kind) {
          case 'result':
            this.events.collapsed?.();
            resolve(this.fromShared(req, outcome.result, fwd, true));
            return;
          case 'error':
            this.orStale(req, stale, outcome.error).then(resolve, reject);
            return;
          case 'uncacheable':
            this.solo(req, fwd, stale, conditional, false, detail).then(resolve, reject);
            return;
          case 'timeout':
            this.solo(req, fwd, stale, conditional, true, 'lock-timeout').then(resolve, reject);
            return;
        }
      });
      const onAbort = (): void => {
        if (joined.role === 'waiter') joined.cancel();
        reject(new CdnError('CANCELLED', 'the client went away'));
      };
      if (joined.role === 'waiter') {
        req.signal.addEventListener('abort', onAbort, { once: true });
        return;
      }
      if (joined.role === 'bypass') {
        this.solo(req, fwd, stale, conditional, false, joined.reason).then(resolve, reject);
        return;
      }
      this.lead(req, key, fwd, stale, conditional, detail).then(resolve, reject);
    });
  }

  /**
   * The leader's fetch runs on its own abort controller: if the leader's
   * client goes away, the fetch continues while anyone waits for it, and is
   * cancelled only when nobody does.
   */
  private async lead(req: NodeRequest, key: string, fwd: string, stale: CacheEntry | undefined, conditional: HeaderList | undefined, detail?: string): Promise<NodeResponse> {
    const upstreamAbort = new AbortController();
    const onClientGone = (): void => {
      if (this.collapser.waiterCount(key) === 0) upstreamAbort.abort();
    };
    req.signal.addEventListener('abort', onClientGone, { once: true });
    try {
      const outcome = await this.fetchAndStore(req, fwd, stale, conditional, req.noStore, upstreamAbort.signal, detail);
      if (outcome.shared) {
        this.collapser.complete(key, outcome.shared, { cacheable: outcome.shared.stored || outcome.shared.entry !== undefined });
      } else {
        // Streaming through (too large to share) or uncacheable: waiters go on their own.
        this.collapser.complete(key, undefined as unknown as Shared, { cacheable: false });
      }
      if (req.signal.aborted) throw new CdnError('CANCELLED', 'the client went away');
      return outcome.response;
    } catch (err) {
      if (this.collapser.inFlight(key)) this.collapser.fail(key, err);
      return this.orStale(req, stale, err);
    } finally {
      req.signal.removeEventListener('abort', onClientGone);
    }
  }

  /** A request that goes upstream on its own (bypass, uncacheable, lock timeout). */
  private async solo(req: NodeRequest, fwd: string, stale: CacheEntry | undefined, conditional: HeaderList | undefined, noStore: boolean, detail?: string): Promise<NodeResponse> {
    try {
      const outcome = await this.fetchAndStore(req, fwd, stale, conditional, noStore || req.noStore, req.signal, detail);
      return outcome.response;
    } catch (err) {
      return this.orStale(req, stale, err);
    }
  }

  private async fetchAndStore(
    req: NodeRequest,
    fwd: string,
    stale: CacheEntry | undefined,
    conditional: HeaderList | undefined,
    noStore: boolean,
    signal: AbortSignal,
    detail?: string,
  ): Promise<{ response: NodeResponse; shared?: Shared }> {
    // HEAD misses fetch the GET, so the object is stored for both (as Varnish
    // does). A validation asks for a copy that is fresh now (see upstreamFillHeaders).
    const headers = upstreamFillHeaders(req.head.headers, conditional);
    const head: RequestHead = { ...req.head, method: 'GET', headers };
    const notBefore = Math.max(req.notBefore, this.cache.notBeforeFor(req.head) ?? 0);
    const t0 = this.scheduler.now();
    let up = await this.fetchUpstream(req, head, this.cache.key(req.head), notBefore, noStore, fwd, signal);
    const t1 = this.scheduler.now();
    this.events.upstreamFetch?.(fwd, t1 - t0, up.head.status);

    // 304 to our validation: refresh the stored entry and serve it.
    if (stale && up.head.status === 304) {
      for await (const _ of up.body) { /* drain */ }
      const entry = this.cache.revalidated(stale, up.head, { requestTime: t0, responseTime: t1, originFetchedAt: up.originFetchedAt || t1 });
      // A 304 for another representation says nothing of ours (RFC 9111
      // §4.3.4): the entry is gone, and the object is fetched whole.
      if (!entry) return this.fetchAndStore(req, fwd, undefined, undefined, noStore, signal, detail);
      const member: CacheStatusMember = { cacheName: this.id, fwd: 'stale', fwdStatus: 304, stored: true, ttl: this.cache.ttlSeconds(entry, t1), detail };
      const upstreamStatus = getAll(up.head.headers, 'cache-status');
      const shared: Shared = { head: entry.head, upstreamStatus, body: entry.body, originFetchedAt: entry.originFetchedAt, storedAt: entry.times.storedAt, fwdStatus: 304, stored: true, entry };
      return { response: this.fromEntry(req, entry, member, false, upstreamStatus), shared };
    }
    // Upstream error with a stale copy allowed by stale-if-error.
    if (stale && this.cache.serveStaleOnError(stale, up.head.status, t1, req.head)) {
      for await (const _ of up.body) { /* drain */ }
      return { response: this.staleOnError(req, stale, up.head.status) };
    }

    const read = await readAll(up.body, this.maxBuffer);
    if ('overflow' in read) {
      const member: CacheStatusMember = { cacheName: this.id, fwd: fwd as CacheStatusMember['fwd'], fwdStatus: up.head.status, detail: 'too-large-to-store' };
      return { response: { head: withStatus(up.head, member), body: replay(read.overflow, read.rest), originFetchedAt: up.originFetchedAt, storedAt: 0, collapsed: false, status: member } };
    }
    const times = { requestTime: t0, responseTime: t1, originFetchedAt: up.originFetchedAt || t1 };
    let outcome = noStore ? ({ stored: false, reason: 'no-store-requested' } as const) : this.cache.store(head, up.head, read.bytes, times);
    if (!outcome.stored && outcome.reason === 'purged') {
      // Our parent handed back a copy older than a purge we applied: ask again,
      // telling it how recent a copy must be (the purge-time rule).
      const tags = parseTagsOf(up.head.headers);
      const again = Math.max(notBefore, this.cache.notBeforeFor(req.head, tags) ?? 0, t0);
      up = await this.fetchUpstream(req, head, this.cache.key(req.head), again, noStore, fwd, signal);
      const reread = await readAll(up.body, this.maxBuffer);
      if ('overflow' in reread) throw new CdnError('UPSTREAM_ERROR', 'object grew past the buffer limit on refetch');
      const t2 = this.scheduler.now();
      outcome = this.cache.store(head, up.head, reread.bytes, { requestTime: t1, responseTime: t2, originFetchedAt: up.originFetchedAt || t2 });
      read.bytes = reread.bytes;
    }
    const member: CacheStatusMember = {
      cacheName: this.id,
      fwd: fwd as CacheStatusMember['fwd'],
      fwdStatus: up.head.status,
      stored: outcome.stored || undefined,
      ttl: outcome.stored ? this.cache.ttlSeconds(outcome.entry, t1) : undefined,
      detail: detail ?? (outcome.stored ? undefined : `not-stored-${outcome.reason}`),
    };
    const upstreamStatus = getAll(up.head.headers, 'cache-status');
    const shared: Shared = {
      head: outcome.stored ? outcome.entry.head : { status: up.head.status, headers: removeHeader(up.head.headers, 'cache-status') },
      upstreamStatus,
      body: read.bytes,
      originFetchedAt: up.originFetchedAt,
      storedAt: outcome.stored ? outcome.entry.times.storedAt : 0,
      fwdStatus: up.head.status,
      stored: outcome.stored,
      entry: outcome.stored ? outcome.entry : undefined,
    };
    const response = outcome.stored ? this.fromEntry(req, outcome.entry, member, false, upstreamStatus) : this.fromShared(req, shared, fwd, false, member);
    return { response, shared: outcome.stored ? shared : undefined };
  }

  private fromShared(req: NodeRequest, s: Shared, fwd: string, collapsed: boolean, member?: CacheStatusMember): NodeResponse {
    const m: CacheStatusMember = member ?? {
      cacheName: this.id,
      fwd: fwd as CacheStatusMember['fwd'],
      fwdStatus: s.fwdStatus,
      collapsed: collapsed || undefined,
      ttl: s.entry ? this.cache.ttlSeconds(s.entry, this.scheduler.now()) : undefined,
    };
    if (s.entry) return this.fromEntry(req, s.entry, m, collapsed, s.upstreamStatus);
    const noBody = isHead(req.head.method);
    const head = { status: s.head.status, headers: [...s.head.headers, ...s.upstreamStatus.map((v) => ['cache-status', v] as [string, string])] };
    return { head: withStatus(head, m), body: noBody ? EMPTY : s.body, originFetchedAt: s.originFetchedAt, storedAt: s.storedAt, collapsed, status: m };
  }

  private staleOnError(req: NodeRequest, entry: CacheEntry, status: number | undefined): NodeResponse {
    const now = this.scheduler.now();
    return this.fromEntry(req, entry, {
      cacheName: this.id,
      hit: true,
      ttl: this.cache.ttlSeconds(entry, now),
      fwdStatus: status,
      detail: 'stale-if-error',
    });
  }

  /** Upstream failed: stale-if-error when allowed, else the error goes on. */
  private async orStale(req: NodeRequest, stale: CacheEntry | undefined, err: unknown): Promise<NodeResponse> {
    if (stale && !req.signal.aborted && this.cache.serveStaleOnError(stale, undefined, this.scheduler.now(), req.head)) {
      return this.staleOnError(req, stale, undefined);
    }
    throw err;
  }

  /** stale-while-revalidate: one conditional fetch, detached from the client that triggered it. */
  private refreshInBackground(req: NodeRequest, entry: CacheEntry): void {
    const controller = new AbortController();
    // Field by field, not a spread: a front door's request may compute some
    // fields on demand (getters), which a spread would drop or run early.
    const bg: NodeRequest = {
      head: { ...req.head, method: 'GET' },
      body: req.body,
      notBefore: req.notBefore,
      hops: req.hops,
      noStore: req.noStore,
      requestId: req.requestId,
      deadline: req.deadline,
      signal: controller.signal,
    };
    const key = entry.primaryKey;
    const joined = this.collapser.join(key, () => undefined);
    if (joined.role === 'waiter') {
      // A fetch for this key is already on its way: it will refresh the entry.
      joined.cancel();
      this.cache.refreshAbandoned(entry);
      return;
    }
    // Leader, or bypass (collapsing off, hit-for-miss): the entry's own
    // `refreshing` flag already guarantees one refresh per object.
    const leader = joined.role === 'leader';
    this.fetchAndStore(bg, 'stale', entry, buildConditionalHeaders(entry.head), false, controller.signal, 'background-refresh')
      .then((o) => {
        // Refreshed, replaced, or answered from the stale copy on an upstream
        // error: either way this refresh is over, and the next stale hit may
        // send another (else a failed refresh would leave the copy unrefreshed
        // for the rest of its stale window).
        this.cache.refreshAbandoned(entry);
        if (leader) this.collapser.complete(key, o.shared ?? (undefined as unknown as Shared), { cacheable: o.shared !== undefined });
      })
      .catch((err) => {
        this.cache.refreshAbandoned(entry);
        if (leader && this.collapser.inFlight(key)) this.collapser.fail(key, err);
      });
  }
}

/** Methods are case-sensitive (RFC 9110 §9.1), but tiers have always upper-cased them; the common spellings need no copy. */
function isHead(method: string): boolean {
  return method === 'HEAD' || (method !== 'GET' && method.toUpperCase() === 'HEAD');
}

function parseTagsOf(h: HeaderList): string[] {
  const out: string[] = [];
  for (const [n, v] of h) {
    if (n === 'surrogate-key') out.push(...v.split(/\s+/).filter(Boolean));
    else if (n === 'cache-tag') out.push(...v.split(',').map((x) => x.trim()).filter(Boolean));
  }
  return out;
}
