/**
 * A running cache tier: the core HttpCache behind a CacheNode, served over
 * gRPC (Tier.Fetch / Purge / Stats and grpc.health.v1), with /metrics on HTTP.
 * The edge adds its HTTP front door on top of the same node.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createHttpCache, hashKey, httpCacheOptionsFromSettings, type HttpCache, type Scheduler } from '@cdnlab/core';
import {
  CdnError,
  callOptions,
  createBearerAuth,
  createRpcServer,
  createTierClient,
  fetchRequestProblem,
  fromServiceError,
  loadProtos,
  seededRandom,
  toServiceError,
  unaryCall,
  writeFetchReply,
  type FetchServerCall,
  type PurgeAck,
  type PurgeReply,
  type PurgeRequest__Output,
  type RpcServer,
  type StatsReply,
  type TierClient,
} from '@cdnlab/rpc';
import type * as grpc from '@grpc/grpc-js';
import { CacheNode, type NodeRequest } from './cache-node';
import { createRuntimeCache, type RuntimeCache } from './runtime-cache';
import { createTierAdmin, type TierAdmin } from './tier-admin';
import { createNodeMetrics, type NodeMetrics } from './metrics';
import { purgeFromRequest } from './purge-request';
import type { TierNodeConfig } from './node-config';
import { realScheduler } from './real-scheduler';
import { createGrpcUpstream, type GrpcUpstream } from './upstream-grpc';

export interface RunningTierNode {
  config: TierNodeConfig;
  node: CacheNode;
  /** The node's cache; its settings change at run time through `admin`. */
  cache: RuntimeCache;
  /** The TierAdmin service's logic (links, cache settings, clear), also callable in-process. */
  admin: TierAdmin;
  upstream: GrpcUpstream;
  metrics: NodeMetrics;
  rpc: RpcServer;
  grpcPort: number;
  metricsPort?: number;
  stats(): StatsReply;
  stop(graceMs?: number): Promise<void>;
}

/** Share of our remaining deadline a forwarded purge may use, so we can still answer if a child hangs. */
const FORWARD_DEADLINE_SHARE = 0.8;

export function createCacheFor(cfg: TierNodeConfig): HttpCache {
  return createHttpCache(httpCacheOptionsFromSettings(cfg.id, cfg.cache, cfg.key, `http://${cfg.hostnames[0]}`));
}

/** Time left on a server call, in ms (Infinity without a deadline). */
function remainingMs(call: { getDeadline(): grpc.Deadline }): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms - Date.now() : Infinity;
}

export async function startTierNode(cfg: TierNodeConfig, opts: { scheduler?: Scheduler; defaultMetrics?: boolean } = {}): Promise<RunningTierNode> {
  const scheduler = opts.scheduler ?? realScheduler;
  const startedAt = Date.now();
  const cache = createRuntimeCache(cfg.id, cfg.cache, cfg.key, `http://${cfg.hostnames[0]}`);
  const metrics = createNodeMetrics({ node: cfg.id, role: cfg.role, region: cfg.region }, { defaultMetrics: opts.defaultMetrics });
  const upstream = createGrpcUpstream({ parents: cfg.parents, fallback: cfg.fallback, scheduler, region: cfg.region });
  const node = new CacheNode({
    id: cfg.id,
    cache,
    upstream,
    scheduler,
    collapsing: { mode: cfg.cache.collapsing, lockTimeoutMs: cfg.cache.lockTimeoutMs, maxWaiters: cfg.cache.maxWaiters > 0 ? cfg.cache.maxWaiters : undefined },
    maxBufferBytes: cfg.cache.maxObjectBytes,
    events: metrics.events,
  });
  metrics.bind(node);
  const upstreamTimeoutMs = cfg.upstreamTimeoutMs ?? 10_000;
  const auth = createBearerAuth(cfg.token);
  const children = new Map<string, TierClient>();
  const childClient = (address: string): TierClient => {
    let c = children.get(address);
    if (!c) {
      c = createTierClient(address, { token: cfg.token });
      children.set(address, c);
    }
    return c;
  };
  // Seeded by the node's id: jitter draws repeat from run to run.
  const controlRandom = seededRandom(hashKey(cfg.id));
  const controlDelay = (): number => {
    const l = cfg.controlLink;
    return l ? l.latencyMs + (l.jitterMs > 0 ? controlRandom() * l.jitterMs : 0) : 0;
  };
  // Opened once, at the first fetch: by then the children are up (they
  // start after their parents), where at start-up a refused connection would
  // put the channel into reconnect backoff and fail the first purge.
  let childrenWarmed = (cfg.children ?? []).length === 0;
  const warmChildren = (): void => {
    childrenWarmed = true;
    for (const address of cfg.children ?? []) childClient(address).getChannel().getConnectivityState(true);
  };
  // Recent purge ids: the control plane may re-send one (fallback after a tree hop failed).
  const recentPurges = new Map<string, PurgeReply>();
  const compactTimer = setInterval(() => cache.compact(scheduler.now()), 60_000);
  compactTimer.unref();

  const stats = (): StatsReply => {
    const s = cache.stats();
    const r = node.results;
    const hits = (r.hit ?? 0) + (r.stale ?? 0);
    return {
      nodeId: cfg.id,
      role: cfg.role,
      region: cfg.region,
      counters: {
        hits,
        misses: (r.miss ?? 0) + (r.revalidated ?? 0) + (r.pass ?? 0),
        staleServed: r.stale ?? 0,
        revalidations: s.revalidated,
        collapsedWaiters: node.collapseStats().served,
        evictions: s.evictions,
        bytesStored: s.bytes,
        objectsStored: s.objects,
        requests: Object.values(r).reduce((a, b) => a + b, 0),
        upstreamFetches: node.upstreamFetches,
        inflight: node.inFlight,
      },
      uptimeMs: Date.now() - startedAt,
    };
  };

  const applyPurge = async (req: PurgeRequest__Output, call: grpc.ServerUnaryCall<PurgeRequest__Output, PurgeReply>): Promise<PurgeReply> => {
    const { kind, mode, value, at } = purgeFromRequest(req, Date.now());
    const seen = req.purgeId ? recentPurges.get(req.purgeId) : undefined;
    if (seen) return seen;
    // The purge crossed a link to get here: from the parent that passed it
    // on (tree fan-out names it in our route), else from the control plane.
    // Loopback takes no time, so the distance is added here, where the
    // message is received, as the link interceptor does for content.
    const via = req.forward.find((r) => r.nodeId === cfg.id)?.via;
    const travel = via !== undefined ? (upstream.delayFrom(via) ?? 0) : controlDelay();
    if (travel > 0) await delay(travel);
    let affected: number;
    try {
      affected = cache.purge({ kind, value, mode, at: at || Date.now() });
    } catch (err) {
      throw new CdnError('BAD_REQUEST', (err as Error).message, { cause: err });
    }
    const appliedAt = Date.now();
    metrics.purgeApplied(kind, mode, affected);
    // Tree fan-out: pass the purge on to the routes that name us as their `via`.
    const forwarded: PurgeAck[] = [];
    const routes = req.forward.filter((r) => r.via === cfg.id);
    await Promise.all(routes.map(async (route) => {
      const budget = Math.floor(Math.min(remainingMs(call), upstreamTimeoutMs) * FORWARD_DEADLINE_SHARE);
      if (budget <= 5) {
        forwarded.push({ nodeId: route.nodeId, appliedAtMs: 0, objectsAffected: 0, error: 'UPSTREAM_TIMEOUT: no time left to forward' });
        return;
      }
      try {
        const client = childClient(route.address);
        const reply = await unaryCall<PurgeReply>((cb) => client.purge(req, callOptions(budget), cb));
        forwarded.push({ nodeId: route.nodeId, appliedAtMs: reply.appliedAtMs, objectsAffected: reply.objectsAffected, error: '' }, ...(reply.forwarded ?? []));
      } catch (err) {
        const e = err instanceof CdnError ? err : fromServiceError(err);
        forwarded.push({ nodeId: route.nodeId, appliedAtMs: 0, objectsAffected: 0, error: `${e.code}: ${e.message}` });
      }
    }));
    const reply: PurgeReply = { nodeId: cfg.id, appliedAtMs: appliedAt, objectsAffected: affected, forwarded };
    if (req.purgeId) {
      recentPurges.set(req.purgeId, reply);
      if (recentPurges.size > 256) recentPurges.delete(recentPurges.keys().next().value as string);
    }
    return reply;
  };

  const handlers = {
    Fetch(call: FetchServerCall) {
      if (!childrenWarmed) warmChildren();
      const r = call.request;
      // Checked before anything is looked up, stored or sent upstream: a
      // field Node's HTTP stack would refuse must not reach a cache entry,
      // the origin's upstream request or the edge's answer.
      const problem = fetchRequestProblem(r);
      if (problem) {
        call.emit('error', toServiceError(problem));
        return;
      }
      const abort = new AbortController();
      const onCancel = (): void => abort.abort();
      call.on('cancelled', onCancel);
      const scheme = r.scheme === 'https' ? 'https' : 'http';
      const nreq: NodeRequest = {
        head: { method: r.method, scheme, host: r.authority, target: r.target, headers: r.headers.map((h) => [h.name.toLowerCase(), h.value]) },
        body: r.body && r.body.length ? r.body : undefined,
        notBefore: r.notBeforeMs,
        hops: r.hops,
        noStore: r.noStoreAnswer,
        requestId: r.requestId || randomUUID(),
        deadline: scheduler.now() + Math.min(remainingMs(call), upstreamTimeoutMs),
        signal: abort.signal,
      };
      node.handle(nreq).then(
        (res) => writeFetchReply(call, {
          status: res.head.status,
          headers: res.head.headers.map(([name, value]) => ({ name, value })),
          originFetchedAtMs: res.originFetchedAt,
          storedAtMs: res.storedAt,
          servedBy: cfg.id,
          collapsed: res.collapsed,
        }, res.body),
      ).catch((err) => {
        if (!call.cancelled) call.emit('error', toServiceError(err));
      }).finally(() => call.off('cancelled', onCancel));
    },
    Purge(call: grpc.ServerUnaryCall<PurgeRequest__Output, PurgeReply>, cb: grpc.sendUnaryData<PurgeReply>) {
      const denied = auth.check(call.metadata);
      if (denied) return cb(toServiceError(denied));
      applyPurge(call.request, call).then((reply) => cb(null, reply), (err) => cb(toServiceError(err)));
    },
    Stats(call: grpc.ServerUnaryCall<unknown, StatsReply>, cb: grpc.sendUnaryData<StatsReply>) {
      const denied = auth.check(call.metadata);
      if (denied) return cb(toServiceError(denied));
      cb(null, stats());
    },
  };

  const rpc = createRpcServer();
  rpc.addService(loadProtos().tier.Tier.service, handlers as unknown as grpc.UntypedServiceImplementation);
  const admin = createTierAdmin({ config: cfg, node, cache, upstream, auth });
  rpc.addService(loadProtos().tier.TierAdmin.service, admin.handlers);
  const grpcPort = await rpc.listen(cfg.grpc.host, cfg.grpc.port);

  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  if (cfg.metrics) {
    metricsServer = createServer((req, res) => {
      if (req.url === '/metrics') {
        metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        }, () => { res.writeHead(500); res.end(); });
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      metricsServer!.once('error', reject);
      metricsServer!.listen(cfg.metrics!.port, cfg.metrics!.host, () => resolve());
    });
    const a = metricsServer.address();
    metricsPort = typeof a === 'object' && a ? a.port : undefined;
  }

  let stopped: Promise<void> | undefined;
  return {
    config: cfg,
    node,
    cache,
    admin,
    upstream,
    metrics,
    rpc,
    grpcPort,
    metricsPort,
    stats,
    stop(graceMs = cfg.shutdownGraceMs ?? 5000) {
      stopped ??= (async () => {
        clearInterval(compactTimer);
        await rpc.shutdown(graceMs);
        upstream.close();
        for (const c of children.values()) c.close();
        if (metricsServer) await new Promise<void>((r) => metricsServer!.close(() => r()));
      })();
      return stopped;
    },
  };
}
