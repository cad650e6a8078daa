/**
 * The engine's handles on a running cluster: the control plane's HTTP API
 * (purge, stats) with the bearer token, and every origin's OriginAdmin over
 * gRPC (versions, faults, the ground-truth counts). Every call has a
 * deadline; an answer that is not what we expect is an error naming the call.
 */
import http from 'node:http';
import {
  callOptions,
  createOriginAdminClient,
  unaryCall,
  type GetCountsReply__Output,
  type OriginAdminClient,
  type SetFaultReply__Output,
  type SetFaultRequest,
  type SetVersionReply__Output,
} from '@cdnlab/rpc';

export interface NodeCounters {
  hits: number;
  misses: number;
  staleServed: number;
  revalidations: number;
  collapsedWaiters: number;
  evictions: number;
  bytesStored: number;
  objectsStored: number;
  requests: number;
  upstreamFetches: number;
}

export interface StatsEntry {
  nodeId: string;
  role: string;
  region: string;
  counters: NodeCounters | null;
  /** How long the node had been up when read (0 when it did not answer). */
  uptimeMs?: number;
  error: string;
}

export interface PurgeAckJson {
  nodeId: string;
  role: string;
  appliedAtMs: number;
  delayMs: number;
  objectsAffected: number;
  error: string;
  /** Calls the control plane made to the node for this purge (more than 1: redelivered). */
  attempts: number;
}

/** A purge as the control plane's report has it now (POST /purge's answer, GET /purges/<id>). */
export interface PurgeReportJson {
  purgeId: string;
  acks: PurgeAckJson[];
  /** Nodes the control plane is still calling again. */
  redelivering: number;
}

export interface OriginCounts {
  total: number;
  byPath: Record<string, number>;
  byKind: Record<string, number>;
}

const CALL_MS = 10_000;

function split(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** One JSON exchange with the control plane. */
function controlCall<T>(address: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { host, port } = split(address);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = http.request(
      {
        host,
        port,
        method,
        path,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
        timeout: CALL_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`control ${method} ${path} answered ${res.statusCode}: ${text.trim().slice(0, 300)}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (err) {
            reject(new Error(`control ${method} ${path}: answer is not JSON: ${(err as Error).message}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`control ${method} ${path}: no answer within ${CALL_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface ClusterApi {
  purge(cmd: { kind: string; value: string; mode: 'hard' | 'soft'; fanout: string; redeliver: boolean }): Promise<PurgeReportJson>;
  /** Where a purge stands now: nodes its fan-out missed may have taken it since, from a redelivery. */
  purgeReport(purgeId: string): Promise<PurgeReportJson>;
  stats(): Promise<StatsEntry[]>;
  /** Summed over every origin. */
  originCounts(): Promise<OriginCounts>;
  /** Per origin id. */
  originCountsById(): Promise<Map<string, OriginCounts>>;
  resetOriginCounts(): Promise<void>;
  setVersion(originIds: readonly string[], pattern: string, version: number): Promise<void>;
  setFault(originIds: readonly string[], req: SetFaultRequest): Promise<void>;
  close(): void;
}

function countsOf(r: GetCountsReply__Output): OriginCounts {
  const byPath: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  for (const p of r.paths) {
    byPath[p.path] = (byPath[p.path] ?? 0) + Number(p.total);
    for (const [k, v] of Object.entries(p.byKind)) byKind[k] = (byKind[k] ?? 0) + Number(v);
  }
  return { total: Number(r.total), byPath, byKind };
}

export function createClusterApi(opts: { controlHttp: string; token: string; origins: ReadonlyArray<{ id: string; grpc: string }> }): ClusterApi {
  const admins = new Map<string, OriginAdminClient>(opts.origins.map((o) => [o.id, createOriginAdminClient(o.grpc, { token: opts.token })]));
  const admin = (id: string): OriginAdminClient => {
    const c = admins.get(id);
    if (!c) throw new Error(`no origin ${JSON.stringify(id)}; origins: ${[...admins.keys()].join(', ')}`);
    return c;
  };
  const byId = async (): Promise<Map<string, OriginCounts>> => {
    const entries = await Promise.all(
      [...admins].map(async ([id, c]) => [id, countsOf(await unaryCall<GetCountsReply__Output>((cb) => c.GetCounts({}, callOptions(CALL_MS), cb)))] as const),
    );
    return new Map(entries);
  };
  return {
    purge: (cmd) => controlCall(opts.controlHttp, opts.token, 'POST', '/purge', cmd),
    purgeReport: (purgeId) => controlCall(opts.controlHttp, opts.token, 'GET', `/purges/${encodeURIComponent(purgeId)}`),
    stats: async () => (await controlCall<{ nodes: StatsEntry[] }>(opts.controlHttp, opts.token, 'GET', '/stats')).nodes,
    originCountsById: byId,
    async originCounts() {
      const sum: OriginCounts = { total: 0, byPath: {}, byKind: {} };
      for (const c of (await byId()).values()) {
        sum.total += c.total;
        for (const [k, v] of Object.entries(c.byPath)) sum.byPath[k] = (sum.byPath[k] ?? 0) + v;
        for (const [k, v] of Object.entries(c.byKind)) sum.byKind[k] = (sum.byKind[k] ?? 0) + v;
      }
      return sum;
    },
    async resetOriginCounts() {
      await Promise.all([...admins.values()].map((c) => unaryCall((cb) => c.ResetCounts({}, callOptions(CALL_MS), cb))));
    },
    async setVersion(ids, pattern, version) {
      await Promise.all(
        ids.map((id) => unaryCall<SetVersionReply__Output>((cb) => admin(id).SetVersion(pattern === '/**' ? { all: true, version } : { pathPattern: pattern, version }, callOptions(CALL_MS), cb))),
      );
    },
    async setFault(ids, req) {
      await Promise.all(ids.map((id) => unaryCall<SetFaultReply__Output>((cb) => admin(id).SetFault(req, callOptions(CALL_MS), cb))));
    },
    close() {
      for (const c of admins.values()) c.close();
    },
  };
}
