import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeaderList, RequestHead, Scheduler } from '@cdnlab/core';
import {
  CdnError,
  createBearerAuth,
  createRpcServer,
  fetchRequestProblem,
  loadProtos,
  toServiceError,
  writeFetchReply,
  type FetchRequest__Output,
  type ResponseHead,
  type TierHandlers,
} from '@cdnlab/rpc';
import { purgeFromRequest, realScheduler } from '@cdnlab/tier';
import { createAdminHandlers } from './admin-service';
import { DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_UPSTREAM_TIMEOUT_MS, parseOriginConfig, type OriginConfig } from './config';
import { createCounters, type Counters } from './counters';
import { NO_FAULTS, setFault as nextFaultState, type Fault, type FaultState } from './faults';
import { createOriginHttpServer } from './http-server';
import { OriginMetrics } from './metrics';
import { createOriginHandler } from './origin-handler';
import { createSite, type Site, type SiteConfig } from './site';
import { createUpstreamProxy, type UpstreamProxy } from './upstream-proxy';

/**
 * The origin process's services: cdnlab.tier.v1.Tier (so a shield or any
 * tier calls it like a parent), cdnlab.origin.v1.OriginAdmin behind the
 * bearer token, grpc.health.v1, and optionally plain HTTP with /metrics.
 */

export interface StartOriginOptions {
  /** Clock and timers (latency, version schedule); real time by default. */
  scheduler?: Scheduler;
}

export interface OriginStats {
  /** Requests being served now (both transports). */
  inflight: number;
  /** Exchanges whose caller went away (deadline, cancel, disconnect) before the answer was complete. */
  cancelled: number;
}

export interface RunningOrigin {
  readonly config: OriginConfig;
  readonly grpcPort: number;
  /** Undefined when config.http is absent. */
  readonly httpPort: number | undefined;
  /** The synthetic site in force now (undefined in proxy mode). */
  readonly site: Site | undefined;
  /** Same as OriginAdmin.SetSite (config already validated): throws in proxy mode. */
  setSite(config: SiteConfig): Site;
  /** Same as OriginAdmin.Reset: every version back to the start, no fault; returns the fault entries cleared. */
  reset(): number;
  readonly proxy: UpstreamProxy | undefined;
  readonly counters: Counters;
  readonly metrics: OriginMetrics;
  /** Same as OriginAdmin.SetFault: `pattern` undefined means every path. */
  setFault(fault: Fault, pattern?: string): void;
  readonly faults: FaultState;
  stats(): OriginStats;
  /** NOT_SERVING, let calls finish for up to graceMs, then cut the rest; closes HTTP too. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A FetchRequest as the origin's RequestHead, or the reason it cannot be one.
 * The rules are every Fetch server's (fetchRequestProblem): a method token,
 * an origin-form target of visible ASCII (no control character or raw
 * non-ASCII can reach a header through the site's {path} substitution),
 * field lines Node's HTTP stack would send to a real upstream.
 */
export function toRequestHead(req: FetchRequest__Output): RequestHead | CdnError {
  const problem = fetchRequestProblem(req);
  if (problem) return problem;
  const headers: HeaderList = req.headers.map((h) => [h.name.toLowerCase(), h.value]);
  return {
    method: req.method.toUpperCase(),
    scheme: req.scheme === 'https' ? 'https' : 'http',
    host: req.authority,
    target: req.target,
    headers,
  };
}

function listenHttp(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`could not bind HTTP server to ${host}:${port}: ${error.message}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startOrigin(configInput: OriginConfig, options: StartOriginOptions = {}): Promise<RunningOrigin> {
  // Validate here too: callers in tests and the launcher pass objects, not files.
  const config = parseOriginConfig(configInput);
  const scheduler = options.scheduler ?? realScheduler;
  const startedAt = scheduler.now();
  const counters = createCounters();
  const metrics = new OriginMetrics({ id: config.id, region: config.region });
  // Replaced whole by setSite/reset; each request reads it once (origin-handler).
  let site = config.site ? createSite(config.site, startedAt) : undefined;
  const proxy = config.upstream
    ? createUpstreamProxy({ url: config.upstream, timeoutMs: config.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS, preserveHost: config.preserveHost })
    : undefined;
  let faults: FaultState = NO_FAULTS;
  let inflight = 0;
  let cancelledCount = 0;
  // Cancel hooks of the exchanges in progress. grpc-js and node:http report
  // the cancellations of a forced shutdown a little later; stop() runs what is
  // left, so it never resolves while timers or upstream exchanges are held.
  const live = new Set<() => void>();
  /** Track one exchange; `cancel` runs if the caller leaves or stop() cuts it. Returns `end`. */
  const begin = (cancel: () => void): (() => void) => {
    inflight++;
    metrics.inflight.inc();
    live.add(cancel);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      live.delete(cancel);
      inflight--;
      metrics.inflight.dec();
    };
  };
  const handler = createOriginHandler({ scheduler, counters, metrics, faults: () => faults, site: site ? () => site as Site : undefined, proxy });
  const setFault = (fault: Fault, pattern?: string): void => {
    faults = nextFaultState(faults, fault, pattern, scheduler.now());
  };
  const setSite = (next: SiteConfig): Site => {
    if (!site) throw new CdnError('BAD_REQUEST', `origin ${config.id} runs in proxy mode (config.upstream): it has no synthetic site to replace`);
    // Versions carry on from the old site: new rules are not a content deploy.
    site = createSite(next, scheduler.now(), { previous: site });
    return site;
  };
  const reset = (): number => {
    const cleared = faults.entries.length;
    faults = NO_FAULTS;
    // A fresh site on the same rules: every path at version 1 from now.
    if (site) site = createSite(site.config, scheduler.now());
    return cleared;
  };

  const tierHandlers: TierHandlers = {
    Fetch(call) {
      const head = toRequestHead(call.request);
      if (head instanceof CdnError) {
        call.emit('error', toServiceError(head));
        return;
      }
      const abort = new AbortController();
      const onCancelled = (): void => {
        if (abort.signal.aborted) return;
        cancelledCount++;
        abort.abort();
        end();
      };
      const end = begin(onCancelled);
      if (call.cancelled) {
        onCancelled();
        return;
      }
      call.once('cancelled', onCancelled);
      const finish = (): void => {
        call.off('cancelled', onCancelled);
        end();
      };
      handler
        .handle(head, call.request.body, 'grpc', abort.signal)
        .then(async (outcome) => {
          if (outcome.type === 'down') throw new CdnError('UPSTREAM_UNAVAILABLE', `origin ${config.id} is down (fault)`);
          const reply: ResponseHead = {
            status: outcome.head.status,
            headers: outcome.head.headers.map(([name, value]) => ({ name, value })),
            cacheStatus: [],
            originFetchedAtMs: outcome.generatedAtMs,
            storedAtMs: 0,
            ageSeconds: 0,
            servedBy: config.id,
            collapsed: false,
          };
          const body = head.method === 'HEAD' ? new Uint8Array(0) : outcome.body;
          if (head.method === 'HEAD' && !(outcome.body instanceof Uint8Array)) {
            // Drain the upstream's (empty) HEAD body so its connection is reused.
            for await (const _ of outcome.body) void _;
          }
          await writeFetchReply(call, reply, body);
        })
        .catch((error: unknown) => {
          if (abort.signal.aborted) return; // the caller is gone: nobody to tell
          call.emit('error', toServiceError(error));
        })
        .finally(finish);
    },
    Purge(call, callback) {
      // The origin caches nothing: acknowledge, so a purge that walks the tree
      // down to it succeeds; but a purge no tier would take is refused here too.
      try {
        purgeFromRequest(call.request, Date.now());
      } catch (error) {
        callback(toServiceError(error));
        return;
      }
      callback(null, { nodeId: config.id, appliedAtMs: scheduler.now(), objectsAffected: 0, forwarded: [] });
    },
    Stats(_call, callback) {
      callback(null, {
        nodeId: config.id,
        role: 'origin',
        region: config.region,
        counters: {
          hits: 0,
          misses: 0,
          staleServed: 0,
          revalidations: 0,
          collapsedWaiters: 0,
          evictions: 0,
          bytesStored: 0,
          objectsStored: 0,
          requests: counters.total,
          upstreamFetches: handler.upstreamFetches,
          inflight,
        },
        uptimeMs: scheduler.now() - startedAt,
      });
    },
  };

  const protos = loadProtos();
  const rpc = createRpcServer();
  rpc.addService(protos.tier.Tier.service, config.tierToken ? createBearerAuth(config.tierToken).protect(tierHandlers) : tierHandlers);
  rpc.addService(
    protos.origin.OriginAdmin.service,
    createBearerAuth(config.token).protect(createAdminHandlers({ scheduler, counters, site: () => site, setFault, setSite, reset })),
  );

  let httpServer: http.Server | undefined;
  let grpcPort: number;
  let httpPort: number | undefined;
  try {
    grpcPort = await rpc.listen(config.grpc.host, config.grpc.port);
    if (config.http) {
      httpServer = createOriginHttpServer({ handler, metrics, begin, onCancel: () => void cancelledCount++ });
      httpPort = await listenHttp(httpServer, config.http.host, config.http.port);
    }
  } catch (error) {
    await rpc.shutdown(0);
    proxy?.close();
    throw error;
  }
  rpc.setServing(true);

  let stopping: Promise<void> | undefined;
  return {
    config,
    grpcPort,
    httpPort,
    get site() {
      return site;
    },
    setSite,
    reset,
    proxy,
    counters,
    metrics,
    setFault,
    get faults() {
      return faults;
    },
    stats: () => ({ inflight, cancelled: cancelledCount }),
    stop(graceMs = config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS) {
      if (stopping) return stopping;
      const closeHttp = (): Promise<void> => {
        const server = httpServer;
        if (!server) return Promise.resolve();
        return new Promise<void>((resolve) => {
          // Hung and slow HTTP exchanges get the same grace as gRPC calls.
          const force = setTimeout(() => server.closeAllConnections(), graceMs);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
      };
      stopping = Promise.all([rpc.shutdown(graceMs), closeHttp()]).then(() => {
        for (const cancel of [...live]) cancel();
        proxy?.close();
      });
      return stopping;
    },
  };
}
