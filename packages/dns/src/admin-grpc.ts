/**
 * The DnsAdmin gRPC service: switch the steering policy and its parameters,
 * and change the anycast toy router's path costs (a route change), while the
 * DNS node runs. Scenario timelines (`dns-policy`, `route-change`), the
 * runner's reconfigure and `cdnlab dns` call it, with the cluster's token.
 * Bad values are INVALID_ARGUMENT naming the field.
 */
import {
  CdnError,
  quoteForMessage,
  createBearerAuth,
  createRpcServer,
  loadProtos,
  toServiceError,
  type DnsState,
  type RegionEdgeValue,
  type RpcServer,
  type SetPolicyRequest__Output,
  type SetRouteCostsReply,
  type SetRouteCostsRequest__Output,
} from '@cdnlab/rpc';
import type * as grpc from '@grpc/grpc-js';
import type { RouteCosts } from './anycast-router';
import { ConfigError } from './config';
import type { AnycastRouter } from './anycast-router';
import type { DnsServiceConfig } from './config';
import type { PolicyChange, PolicyState } from './policy-state';

/** What the admin service needs of the DNS server (server.ts implements it). */
export interface DnsAdminTarget {
  readonly config: DnsServiceConfig;
  readonly anycast: AnycastRouter | undefined;
  policyState(): PolicyState;
  configurePolicy(change: PolicyChange): PolicyState;
  setRouteCosts(costs: RouteCosts): { broken: number };
}

export interface DnsAdminRpc {
  /** Bind and serve; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

function cells(table: Record<string, Record<string, number>> | undefined): RegionEdgeValue[] {
  const out: RegionEdgeValue[] = [];
  for (const [region, row] of Object.entries(table ?? {})) for (const [edgeId, value] of Object.entries(row)) out.push({ region, edgeId, value });
  return out;
}

export function dnsStateMessage(s: PolicyState, now: number): DnsState {
  return {
    policy: s.policy,
    policies: s.policies,
    weights: Object.entries(s.weights).map(([edgeId, weight]) => ({ edgeId, weight })),
    latencyMs: cells(s.latencyMs),
    answers: s.answers,
    ttlSeconds: s.ttlSeconds,
    anycast: s.anycast,
    routeCosts: cells(s.routeCosts),
    appliedAtMs: now,
    health: Object.entries(s.health).map(([edgeId, state]) => ({ edgeId, state })),
  };
}

/**
 * Refuses a list longer than the cells it can name (one per edge, or per
 * region and edge) before anything is built from it: a request of 100,000
 * weights only repeats ids, and building and checking them all cost most of
 * a second of the node's event loop.
 */
function checkCount(field: string, count: number, max: number, what: string): void {
  if (count > max) throw new CdnError('BAD_REQUEST', `${field}: expected at most ${max} entries (${what}), got ${count}`);
}

/**
 * A SetPolicy request as a PolicyChange (the server validates the values);
 * `shape` bounds its lists by the node's regions and edges.
 */
export function policyChangeFromRequest(req: SetPolicyRequest__Output, shape?: { regions: number; edges: number }): PolicyChange {
  if (shape) {
    checkCount('weights', req.weights.length, shape.edges, 'one per edge');
    checkCount('latency_ms', req.latencyMs.length, shape.regions * shape.edges, 'one per region and edge');
  }
  const change: PolicyChange = {};
  if (req.policy !== '') change.policy = req.policy;
  if (req.weights.length > 0) change.weights = Object.fromEntries(req.weights.map((w) => [w.edgeId, w.weight]));
  if (req.latencyMs.length > 0) {
    const table: Record<string, Record<string, number>> = {};
    for (const c of req.latencyMs) (table[c.region] ??= {})[c.edgeId] = c.value;
    change.latencyMs = table;
  }
  if (req.answers !== undefined) change.answers = req.answers;
  if (req.ttlSeconds !== undefined) change.ttlSeconds = req.ttlSeconds;
  return change;
}

/** Current costs with the requested cells changed; throws BAD_REQUEST naming the cell. */
export function mergeRouteCosts(server: DnsAdminTarget, req: SetRouteCostsRequest__Output): RouteCosts {
  if (!server.anycast) throw new CdnError('BAD_REQUEST', 'costs: anycast is not enabled on this DNS node (topology dns.anycast.enabled)');
  if (req.costs.length === 0) throw new CdnError('BAD_REQUEST', 'costs: nothing to change');
  const regions = new Set(server.config.regions.map((r) => r.name));
  const edges = new Set(server.config.edges.map((e) => e.id));
  checkCount('costs', req.costs.length, regions.size * edges.size, 'one per region and edge');
  const costs = server.anycast.routeCosts();
  req.costs.forEach((c, i) => {
    if (!regions.has(c.region)) throw new CdnError('BAD_REQUEST', `costs[${i}].region: ${quoteForMessage(c.region)} is not a region; regions: ${[...regions].join(', ')}`);
    if (!edges.has(c.edgeId)) throw new CdnError('BAD_REQUEST', `costs[${i}].edge_id: ${quoteForMessage(c.edgeId)} is not an edge; edges: ${[...edges].join(', ')}`);
    if (typeof c.value !== 'number' || !Number.isFinite(c.value) || c.value < 0) throw new CdnError('BAD_REQUEST', `costs[${i}].value: expected a finite number >= 0, got ${String(c.value)}`);
    (costs[c.region] ??= {})[c.edgeId] = c.value;
  });
  return costs;
}

export function createDnsAdminRpc(server: DnsAdminTarget, token: string, now: () => number = Date.now): DnsAdminRpc {
  const auth = createBearerAuth(token);
  const unary = <Req, Res>(fn: (req: Req) => Res) => (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>): void => {
    let reply: Res;
    try {
      reply = fn(call.request);
    } catch (err) {
      cb(toServiceError(err instanceof ConfigError ? new CdnError('BAD_REQUEST', err.message, { cause: err }) : err));
      return;
    }
    cb(null, reply);
  };
  const handlers = auth.protect({
    GetState: unary(() => dnsStateMessage(server.policyState(), now())),
    SetPolicy: unary((req: SetPolicyRequest__Output) => dnsStateMessage(server.configurePolicy(policyChangeFromRequest(req, { regions: server.config.regions.length, edges: server.config.edges.length })), now())),
    SetRouteCosts: unary((req: SetRouteCostsRequest__Output): SetRouteCostsReply => {
      const { broken } = server.setRouteCosts(mergeRouteCosts(server, req));
      const state = server.policyState();
      return { broken, routes: Object.fromEntries(Object.entries(state.routes ?? {}).map(([r, e]) => [r, e ?? ''])), routeCosts: cells(state.routeCosts), appliedAtMs: now() };
    }),
  } as grpc.UntypedServiceImplementation);

  let rpc: RpcServer | undefined;
  return {
    async listen(host, port) {
      rpc = createRpcServer();
      rpc.addService(loadProtos().dns.DnsAdmin.service, handlers);
      const bound = await rpc.listen(host, port);
      rpc.setServing(true);
      return bound;
    },
    async close() {
      await rpc?.shutdown(1000);
      rpc = undefined;
    },
  };
}
