/**
 * The runner's handles on a running cluster's admin services: TierAdmin on
 * every cache tier node, OriginAdmin on every origin and DnsAdmin on the DNS
 * node, with the cluster's token. Every call has a deadline; a failure names
 * the node it came from.
 */
import {
  callOptions,
  createDnsAdminClient,
  createOriginAdminClient,
  createTierAdminClient,
  unaryCall,
  type ClearCacheReply__Output,
  type DnsAdminClient,
  type DnsState__Output,
  type OriginAdminClient,
  type SetCacheSettingsRequest,
  type SetLinksRequest,
  type SetPolicyRequest,
  type SetRouteCostsReply__Output,
  type SetRouteCostsRequest,
  type TierAdminClient,
  type TierState__Output,
} from '@cdnlab/rpc';

const CALL_MS = 10_000;

/** OriginAdmin.SetSite's reply (the rpc package exports no name for it). */
export interface OriginSiteReply {
  appliedAtMs: number;
  paths: number;
}

/** OriginAdmin.Reset's reply. */
export interface OriginResetReply {
  appliedAtMs: number;
  faultsCleared: number;
}

/** What the admin clients need to know of a cluster: a launcher plan has it. */
export interface AdminTargets {
  token: string;
  nodes: ReadonlyArray<{ id: string; role: string; grpc?: { host: string; port: number } }>;
  dns: { grpc?: { host: string; port: number } };
}

export interface ClusterAdmin {
  /** Ids of the cache tier nodes (edges, regionals, shields). */
  tierIds(): string[];
  tierState(id: string): Promise<TierState__Output>;
  setLinks(id: string, req: SetLinksRequest): Promise<TierState__Output>;
  setCacheSettings(id: string, req: SetCacheSettingsRequest): Promise<TierState__Output>;
  clearCache(id: string): Promise<ClearCacheReply__Output>;
  dnsState(): Promise<DnsState__Output>;
  setDnsPolicy(req: SetPolicyRequest): Promise<DnsState__Output>;
  setRouteCosts(req: SetRouteCostsRequest): Promise<SetRouteCostsReply__Output>;
  /** Ids of the origins. */
  originIds(): string[];
  /** Replace an origin's synthetic site (`site` as in its config: { paths, versionEveryMs? }). */
  setOriginSite(id: string, site: unknown): Promise<OriginSiteReply>;
  /** Every version of the origin back to the start, every fault cleared. */
  resetOrigin(id: string): Promise<OriginResetReply>;
  close(): void;
}

function address(e: { host: string; port: number }): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

const TIER_ROLES = new Set(['edge', 'regional', 'shield']);

export function createClusterAdmin(targets: AdminTargets): ClusterAdmin {
  const tiers = new Map<string, { address: string; client?: TierAdminClient }>();
  for (const n of targets.nodes) if (TIER_ROLES.has(n.role) && n.grpc) tiers.set(n.id, { address: address(n.grpc) });
  const origins = new Map<string, { address: string; client?: OriginAdminClient }>();
  for (const n of targets.nodes) if (n.role === 'origin' && n.grpc) origins.set(n.id, { address: address(n.grpc) });
  let dns: DnsAdminClient | undefined;

  const tier = (id: string): TierAdminClient => {
    const t = tiers.get(id);
    if (!t) throw new Error(`no cache node ${JSON.stringify(id)}; cache nodes: ${[...tiers.keys()].join(', ')}`);
    t.client ??= createTierAdminClient(t.address, { token: targets.token });
    return t.client;
  };
  const origin = (id: string): OriginAdminClient => {
    const o = origins.get(id);
    if (!o) throw new Error(`no origin ${JSON.stringify(id)}; origins: ${[...origins.keys()].join(', ')}`);
    o.client ??= createOriginAdminClient(o.address, { token: targets.token });
    return o.client;
  };
  const dnsClient = (): DnsAdminClient => {
    if (!targets.dns.grpc) throw new Error('the DNS node of this cluster has no admin (gRPC) address: it was started by an older cdnlab');
    dns ??= createDnsAdminClient(address(targets.dns.grpc), { token: targets.token });
    return dns;
  };
  const named = async <T>(who: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw new Error(`${who}: ${(err as Error).message}`, { cause: err });
    }
  };

  return {
    tierIds: () => [...tiers.keys()],
    tierState: (id) => named(id, () => unaryCall<TierState__Output>((cb) => tier(id).GetState({}, callOptions(CALL_MS), cb))),
    setLinks: (id, req) => named(id, () => unaryCall<TierState__Output>((cb) => tier(id).SetLinks(req, callOptions(CALL_MS), cb))),
    setCacheSettings: (id, req) => named(id, () => unaryCall<TierState__Output>((cb) => tier(id).SetCacheSettings(req, callOptions(CALL_MS), cb))),
    clearCache: (id) => named(id, () => unaryCall<ClearCacheReply__Output>((cb) => tier(id).ClearCache({}, callOptions(CALL_MS), cb))),
    dnsState: () => named('dns', () => unaryCall<DnsState__Output>((cb) => dnsClient().GetState({}, callOptions(CALL_MS), cb))),
    setDnsPolicy: (req) => named('dns', () => unaryCall<DnsState__Output>((cb) => dnsClient().SetPolicy(req, callOptions(CALL_MS), cb))),
    setRouteCosts: (req) => named('dns', () => unaryCall<SetRouteCostsReply__Output>((cb) => dnsClient().SetRouteCosts(req, callOptions(CALL_MS), cb))),
    originIds: () => [...origins.keys()],
    setOriginSite: (id, site) =>
      named(id, () => unaryCall<OriginSiteReply>((cb) => origin(id).SetSite({ siteJson: JSON.stringify(site) }, callOptions(CALL_MS), cb))),
    resetOrigin: (id) => named(id, () => unaryCall<OriginResetReply>((cb) => origin(id).Reset({}, callOptions(CALL_MS), cb))),
    close() {
      for (const t of tiers.values()) t.client?.close();
      for (const o of origins.values()) o.client?.close();
      dns?.close();
    },
  };
}
