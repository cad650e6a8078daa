/**
 * A tier's way upstream over gRPC: its parents ranked per cache key by
 * rendezvous hashing, failover to the next parent when one cannot be
 * reached, then the configured fallback (e.g. straight to the origin).
 * Each parent link carries the topology's one-way latency, jitter and loss.
 */
import { rankParents, type Scheduler } from '@cdnlab/core';
import { CdnError, Link, createTierClient, fromServiceError, type FetchReply__Output, type TierClient } from '@cdnlab/rpc';
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
  /** A parent that failed is tried last for this long. Default 2 s. */
  penaltyMs?: number;
  /** Seed for link jitter and loss, so runs repeat. */
  seed?: number;
}

export interface GrpcUpstream extends Upstream {
  /** Change one parent link's settings at run time (scenario `link` event). */
  setLink(parentId: string, settings: Partial<LinkConfig>): boolean;
  parentIds(): string[];
  close(): void;
}

function connect(cfg: ParentConfig, seed: number): ParentConn {
  const link = new Link({ latencyMs: cfg.link?.latencyMs ?? 0, jitterMs: cfg.link?.jitterMs ?? 0, loss: cfg.link?.loss ?? 0, seed });
  return { cfg, id: cfg.id, weight: cfg.weight ?? 1, client: createTierClient(cfg.address, { link }), link, failures: 0, lastFailureAt: -Infinity };
}

/** Errors that mean "this parent is not there": try another one. */
function isUnreachable(err: CdnError): boolean {
  return err.code === 'UPSTREAM_UNAVAILABLE';
}

export function createGrpcUpstream(opts: GrpcUpstreamOptions): GrpcUpstream {
  const seed = opts.seed ?? 1;
  const parents = opts.parents.map((p, i) => connect(p, seed + i));
  const fallback = (opts.fallback ?? []).map((p, i) => connect(p, seed + 1000 + i));
  const penaltyMs = opts.penaltyMs ?? 2000;

  const order = (key: string): ParentConn[] => {
    const now = opts.scheduler.now();
    const ranked = rankParents(key, parents);
    // Healthy-looking parents first, in hash order; recently failed ones after.
    const ok = ranked.filter((p) => now - p.lastFailureAt > penaltyMs);
    const bad = ranked.filter((p) => now - p.lastFailureAt <= penaltyMs);
    return [...ok, ...bad, ...fallback];
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
    const onAbort = (): void => call.cancel();
    req.signal.addEventListener('abort', onAbort, { once: true });
    const it = call[Symbol.asyncIterator]() as AsyncIterator<FetchReply__Output>;
    let first: IteratorResult<FetchReply__Output>;
    try {
      first = await it.next();
    } catch (err) {
      req.signal.removeEventListener('abort', onAbort);
      throw fromServiceError(err);
    }
    if (first.done || first.value.part !== 'head' || !first.value.head) {
      req.signal.removeEventListener('abort', onAbort);
      call.cancel();
      throw new CdnError('UPSTREAM_ERROR', `${p.id} answered without a response head`);
    }
    const h = first.value.head;
    async function* body(): AsyncIterable<Uint8Array> {
      try {
        for (;;) {
          let n: IteratorResult<FetchReply__Output>;
          try {
            n = await it.next();
          } catch (err) {
            throw fromServiceError(err);
          }
          if (n.done) return;
          if (n.value.part === 'chunk' && n.value.chunk) yield n.value.chunk;
          else throw new CdnError('UPSTREAM_ERROR', `${p.id} sent a second head`);
        }
      } finally {
        req.signal.removeEventListener('abort', onAbort);
      }
    }
    return {
      head: { status: h.status, headers: h.headers.map((x) => [x.name.toLowerCase(), x.value] as [string, string]) },
      originFetchedAt: h.originFetchedAtMs,
      servedBy: h.servedBy,
      body: body(),
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
      const p = [...parents, ...fallback].find((x) => x.id === parentId);
      if (!p) return false;
      p.link.update(settings);
      return true;
    },
    parentIds: () => [...parents, ...fallback].map((p) => p.id),
    close() {
      for (const p of [...parents, ...fallback]) p.client.close();
    },
  };
}
