/**
 * A small real topology in one test process: origin, shield, regionals and
 * edges, each a real gRPC server on 127.0.0.1 (edges also a real HTTP
 * server), wired exactly as the launcher wires separate processes.
 */
import { request, Agent } from 'node:http';
import { startOrigin, makeFault, type RunningOrigin, type SiteConfig } from '@cdnlab/origin';
import { startTierNode, type RunningTierNode, type TierCacheConfig, type TierNodeConfig } from '@cdnlab/tier';
import { startEdge, type RunningEdge } from '../src/edge';

export const TOKEN = 'test-token-0123456789abcdef';

export const cacheDefaults: TierCacheConfig = {
  capacityBytes: 64 << 20, maxObjectBytes: 8 << 20, eviction: 'lru', collapsing: 'wait', lockTimeoutMs: 5000, maxWaiters: 0,
  staleWhileRevalidate: true, staleIfError: true, graceMs: 0, defaultTtlMs: 0, minTtlMs: 0, maxTtlMs: 0, heuristicFraction: 0.1,
  storeSetCookie: false, variantCap: 16, targetedFields: ['cdn-cache-control'],
};

export interface Mini {
  origin: RunningOrigin;
  shield: RunningTierNode;
  regionals: RunningTierNode[];
  edges: RunningEdge[];
  all(): RunningTierNode[];
  stop(): Promise<void>;
}

export async function startMini(site: SiteConfig, opts: { regionals?: number; edgesPerRegional?: number; cache?: Partial<TierCacheConfig>; upstreamTimeoutMs?: number } = {}): Promise<Mini> {
  const origin = await startOrigin({ id: 'origin', region: 'na', grpc: { host: '127.0.0.1', port: 0 }, site, token: TOKEN });
  const base = (id: string, role: TierNodeConfig['role'], parents: Array<{ id: string; port: number }>): TierNodeConfig => ({
    id, role, region: 'na', grpc: { host: '127.0.0.1', port: 0 }, http: role === 'edge' ? { host: '127.0.0.1', port: 0 } : undefined,
    cache: { ...cacheDefaults, ...opts.cache }, key: {}, parents: parents.map((p) => ({ id: p.id, address: `127.0.0.1:${p.port}` })),
    token: TOKEN, hostnames: ['cdn.test', 'localhost'], upstreamTimeoutMs: opts.upstreamTimeoutMs ?? 5000, shutdownGraceMs: 200,
  });
  const shield = await startTierNode(base('shield', 'shield', [{ id: 'origin', port: origin.grpcPort }]));
  shield.rpc.setServing(true);
  const regionals: RunningTierNode[] = [];
  const edges: RunningEdge[] = [];
  for (let r = 0; r < (opts.regionals ?? 1); r++) {
    const reg = await startTierNode(base(`regional-${r + 1}`, 'regional', [{ id: 'shield', port: shield.grpcPort }]));
    reg.rpc.setServing(true);
    regionals.push(reg);
    for (let e = 0; e < (opts.edgesPerRegional ?? 1); e++) {
      edges.push(await startEdge(base(`edge-${r + 1}-${e + 1}`, 'edge', [{ id: reg.config.id, port: reg.grpcPort }])));
    }
  }
  return {
    origin, shield, regionals, edges,
    all: () => [shield, ...regionals, ...edges],
    async stop() {
      for (const e of edges) await e.stopAll(200);
      for (const r of regionals) await r.stop(200);
      await shield.stop(200);
      await origin.stop(200);
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent, headers: { host: 'cdn.test', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export { makeFault };
