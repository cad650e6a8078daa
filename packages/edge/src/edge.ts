import type { Server } from 'node:http';
import { realScheduler, startTierNode, type RunningTierNode, type TierNodeConfig } from '@cdnlab/tier';
import { createHttpFront } from './http-front';

export interface RunningEdge extends RunningTierNode {
  http: Server;
  httpPort: number;
  stopAll(graceMs?: number): Promise<void>;
}

/** Starts the edge's HTTP front door on a running tier node. */
export async function addHttpFront(t: RunningTierNode): Promise<{ http: Server; httpPort: number; stop(): Promise<void> }> {
  const cfg = t.config;
  if (!cfg.http) throw new Error('config.http: an edge needs an HTTP listen address');
  // The front forwards paths the way the node's cache keys them (http-front.ts forwardedPath).
  const http = createHttpFront({ node: t.node, scheduler: realScheduler, hostnames: cfg.hostnames, upstreamTimeoutMs: cfg.upstreamTimeoutMs ?? 10_000, normalizePath: cfg.key.normalizePath });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(cfg.http!.port, cfg.http!.host, () => resolve());
  });
  const a = http.address();
  const httpPort = typeof a === 'object' && a ? a.port : cfg.http.port;
  return {
    http,
    httpPort,
    stop: () => new Promise<void>((r) => {
      http.close(() => r());
      http.closeIdleConnections();
    }),
  };
}

/** An edge in-process (tests, benchmarks): tier node + HTTP front. */
export async function startEdge(cfg: TierNodeConfig): Promise<RunningEdge> {
  const t = await startTierNode(cfg);
  const front = await addHttpFront(t);
  t.rpc.setServing(true);
  return {
    ...t,
    http: front.http,
    httpPort: front.httpPort,
    stopAll: async (graceMs) => {
      await front.stop();
      await t.stop(graceMs);
    },
  };
}
