/**
 * A tier's way upstream over gRPC: its parents ranked per cache key by
 * rendezvous hashing, failover to the next parent when one cannot be
 * reached, then the configured fallback (e.g. straight to the origin).
 * Each parent link carries the topology's one-way latency, jitter and loss.
 */
import { PARENT_PENALTY_MS, preferHealthy, rankParents, type Scheduler } from '@cdnlab/core';
import { CdnError, Link, createTierClient, fromServiceError, responseHeadProblem, type FetchReply__Output, type TierClient } from '@cdnlab/rpc';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { LinkConfig, ParentConfig } from './node-config';
import type { Upstream, UpstreamRequest, UpstreamResponse } from './cache-node';

interface ParentConn {
  cfg: ParentConfig;
  id: string;
  weight: number;
  client: TierClient;
  link: Link;
  /** Consecutive connection failures; a parent that keeps failing is tried last. */
  failures: number;
  lastFailureAt: number;
}

export interface GrpcUpstreamOptions {
  parents: ParentConfig[];
  fallback?: ParentConfig[];
  scheduler: Scheduler;
  /** Client region, passed on for logs and statistics. */
  region: string;
  /** A parent that failed is tried last for this long. Default PARENT_PENALTY_MS (2 s). */
  penaltyMs?: number;
  /** Seed for link jitter and loss, so runs repeat. */
  seed?: number;
}

export interface GrpcUpstream extends Upstream {
  /** Change one parent link's settings at run time (scenario `link` event). */
  setLink(parentId: string, settings: Partial<LinkConfig>): boolean;
  /**
   * One draw of the delay a message from `parentId` takes over its link
   * (latency, jitter, loss as they are now), for what a parent sends on its
   * own (a tree purge); undefined for a node that is not a parent.
   */
  delayFrom(parentId: string): number | undefined;
  parentIds(): string[];
  close(): void;
}

function connect(cfg: ParentConfig, seed: number): ParentConn {
  const link = new Link({ latencyMs: cfg.link?.latencyMs ?? 0, jitterMs: cfg.link?.jitterMs ?? 0, loss: cfg.link?.loss ?? 0, seed });
  return { cfg, id: cfg.id, weight: cfg.weight ?? 1, client: createTierClient(cfg.address, { link }), link, failures: 0, lastFailureAt: -Infinity };
}

/** A purge request is one small message: one TCP segment for the loss model. */
const PURGE_MESSAGE_BYTES = 200;

/** Errors that mean "this parent is not there": try another one. */
function isUnreachable(err: CdnError): boolean {
  return err.code === 'UPSTREAM_UNAVAILABLE';
}

/**
 * A parent's origin_fetched_at_ms as this tier keeps it. A copy cannot come
 * from the future: a later instant would outlive every purge issued before
 * it (the purge-time rule compares the two), so it is taken as now. A
 * negative or non-integer one says nothing: 0, as when absent.
 */
function originTimeOf(ms: number, now: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0) return 0;
  return Math.min(ms, now);
}

/** Replies a FetchReader holds before it pauses the stream (back-pressure on the parent). */
const READ_AHEAD = 8;

/**
 * One Fetch call to a parent, read through the stream's events: the head
 * with `read()`, then the body chunks by iterating the reader itself. On
 * every miss this is cheaper than the stream's own async iterator, and it
 * makes no named closure per call (each costs a defineProperty under tsx).
 * The client's abort signal cancels the call; so does leaving the body
 * early (`return()`), since nobody will read the rest.
 */
class FetchReader implements AsyncIterableIterator<Uint8Array> {
  private readonly queue: FetchReply__Output[] = [];
  private ended = false;
  private failure: CdnError | undefined = undefined;
  private waiter: { resolve(m: FetchReply__Output | undefined): void; reject(e: unknown): void } | undefined = undefined;
  private paused = false;
  private closed = false;

  constructor(
    private readonly call: ClientReadableStream<FetchReply__Output>,
    private readonly signal: AbortSignal,
    private readonly parentId: string,
  ) {
    call.on('data', (m: FetchReply__Output) => this.onData(m));
    call.on('end', () => this.onEnd());
    // Always listened to: an error after we stopped reading must not go unhandled.
    call.on('error', (err: unknown) => this.onError(err));
    signal.addEventListener('abort', this, { once: true });
  }

  /** The client went away (the reader is the signal's listener object). */
  handleEvent(): void {
    this.call.cancel();
  }

  /** The next reply, or undefined once the stream ended. */
  read(): Promise<FetchReply__Output | undefined> {
    const m = this.queue.shift();
    if (m !== undefined) {
      if (this.paused && this.queue.length < READ_AHEAD / 2) {
        this.paused = false;
        this.call.resume();
      }
      return Promise.resolve(m);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Stops listening to the client's signal (the call itself is left as it is). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal.removeEventListener('abort', this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    let m: FetchReply__Output | undefined;
    try {
      m = await this.read();
    } catch (err) {
      this.close();
      throw err;
    }
    if (m === undefined) {
      this.close();
      return { done: true, value: undefined };
    }
    if (m.part === 'chunk' && m.chunk) return { done: false, value: m.chunk };
    this.close();
    this.call.cancel();
    throw new CdnError('UPSTREAM_ERROR', `${this.parentId} sent a second head`);
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.ended && !this.failure) this.call.cancel();
    this.close();
    return { done: true, value: undefined };
  }

  private onData(m: FetchReply__Output): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(m);
      return;
    }
    this.queue.push(m);
    if (!this.paused && this.queue.length >= READ_AHEAD) {
      this.paused = true;
      this.call.pause();
    }
  }

  private onEnd(): void {
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve(undefined);
  }

  private onError(err: unknown): void {
    this.failure ??= fromServiceError(err);
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }
}

export function createGrpcUpstream(opts: GrpcUpstreamOptions): GrpcUpstream {
  const seed = opts.seed ?? 1;
  const parents = opts.parents.map((p, i) => connect(p, seed + i));
  const fallback = (opts.fallback ?? []).map((p, i) => connect(p, seed + 1000 + i));
  const parentById = (id: string): ParentConn | undefined => parents.find((x) => x.id === id) ?? fallback.find((x) => x.id === id);
  const penaltyMs = opts.penaltyMs ?? PARENT_PENALTY_MS;

  // With fewer than two parents there is nothing to rank (the common case
  // for a tier whose parent is one shield): the order is fixed.
  const fixedOrder = parents.length < 2 ? [...parents, ...fallback] : undefined;
  const order = (key: string): ParentConn[] => {
    if (fixedOrder) return fixedOrder;
    // Healthy-looking parents first, in hash order; recently failed ones after.
    const ranked = preferHealthy(rankParents(key, parents), (p) => p.lastFailureAt, opts.scheduler.now(), penaltyMs);
    return fallback.length === 0 ? ranked : [...ranked, ...fallback];
  };

  const fetchFrom = async (p: ParentConn, req: UpstreamRequest): Promise<UpstreamResponse> => {
    const timeoutMs = req.deadline - opts.scheduler.now();
    if (timeoutMs <= 0) throw new CdnError('UPSTREAM_TIMEOUT', `no time left to ask ${p.id}`);
    if (req.signal.aborted) throw new CdnError('CANCELLED', 'the client went away');
    const call: ClientReadableStream<FetchReply__Output> = p.client.fetch(
      {
        method: req.head.method,
        scheme: req.head.scheme,
        authority: req.head.host,
        target: req.head.target,
        headers: req.head.headers.map(([name, value]) => ({ name, value })),
        body: req.body,
        cacheKey: req.cacheKey,
        notBeforeMs: req.notBefore,
        clientRegion: opts.region,
        hops: req.hops,
        noStoreAnswer: req.noStore,
        requestId: req.requestId,
      },
      { deadline: Date.now() + timeoutMs },
    );
    const reader = new FetchReader(call, req.signal, p.id);
    let first: FetchReply__Output | undefined;
    try {
      first = await reader.read();
    } catch (err) {
      reader.close();
      throw err;
    }
    if (first === undefined || first.part !== 'head' || !first.head) {
      reader.close();
      call.cancel();
      throw new CdnError('UPSTREAM_ERROR', `${p.id} answered without a response head`);
    }
    const h = first.head;
    // A parent is a peer on the network like any other: what it sends is
    // stored and passed on to every child, so a head that is not valid HTTP
    // is refused here, once, instead of being served from the cache.
    const problem = responseHeadProblem(h);
    if (problem) {
      reader.close();
      call.cancel();
      throw new CdnError('UPSTREAM_ERROR', `${p.id} sent an invalid response head: ${problem}`);
    }
    return {
      head: { status: h.status, headers: h.headers.map((x) => [x.name.toLowerCase(), x.value] as [string, string]) },
      originFetchedAt: originTimeOf(h.originFetchedAtMs, opts.scheduler.now()),
      servedBy: h.servedBy,
      body: reader,
    };
  };

  return {
    async fetch(req) {
      let lastError: CdnError | undefined;
      for (const p of order(req.cacheKey)) {
        try {
          const res = await fetchFrom(p, req);
          p.failures = 0;
          return res;
        } catch (err) {
          const e = err instanceof CdnError ? err : fromServiceError(err);
          if (!isUnreachable(e)) throw e;
          p.failures++;
          p.lastFailureAt = opts.scheduler.now();
          lastError = e;
        }
      }
      throw lastError ?? new CdnError('UPSTREAM_UNAVAILABLE', 'no parent configured');
    },
    setLink(parentId, settings) {
      const p = parentById(parentId);
      if (!p) return false;
      p.link.update(settings);
      return true;
    },
    delayFrom: (parentId) => parentById(parentId)?.link.sampleDelayMs(PURGE_MESSAGE_BYTES),
    parentIds: () => [...parents, ...fallback].map((p) => p.id),
    close() {
      for (const p of [...parents, ...fallback]) p.client.close();
    },
  };
}
