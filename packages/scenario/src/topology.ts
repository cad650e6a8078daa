/**
 * The loaded topology: what the loader hands to the launcher, the services and
 * the simulator. Every default is applied, every unit is a number (ms, bytes),
 * generated edges are listed like any other node and every parent/child and
 * client/edge hop has its link resolved, so consumers never interpret the file
 * format. Plain data, JSON-serialisable: it is passed to child processes.
 */
import type { TierCacheSettings } from '@cdnlab/core';
import { CACHE_ROLES, type CacheRole, type Role } from './schema-topology';

export interface Region {
  name: string;
  cidrs: string[];
  location?: { lat: number; lon: number };
}

/** A tier's cache settings, loaded and defaulted: the core's shape, with the eviction names a file may use. */
export type CacheSettings = Omit<TierCacheSettings, 'eviction' | 'honourRequestCacheControl'> & {
  eviction: 'lru' | 'lfu' | 'fifo' | 's3fifo' | 'sieve';
  /** Always stated in a loaded topology (the file's default is true, as the core's). */
  honourRequestCacheControl: boolean;
};

/** Field names follow `CacheKeyOptions` in @cdnlab/core so it can be passed straight to `createCacheKeyer`. */
export interface KeySettings {
  dropQueryParams: string[];
  /** Absent: keep every parameter not dropped. */
  keepOnlyQueryParams?: string[];
  sortQuery: boolean;
  ignoreQuery: boolean;
  lowercasePath: boolean;
  normalizePath: boolean;
  includeHeaders: string[];
  includeCookies: string[];
}

/** Fixed addresses; whatever is absent the launcher chooses. */
export interface ListenSettings {
  host?: string;
  httpPort?: number;
  grpcPort?: number;
  metricsPort?: number;
}

export interface CacheNode {
  id: string;
  role: CacheRole;
  region: string;
  /** In preference order; several = consistent hashing with failover. */
  parents: string[];
  weight: number;
  cache: CacheSettings;
  key: KeySettings;
  listen: ListenSettings;
  /** Made by the `edges:` generator rather than listed. */
  generated: boolean;
}

/** Field names follow `SitePathRule` in @cdnlab/origin. */
export interface SitePath {
  match: string;
  status: number;
  sizeBytes: number;
  headers: Record<string, string | string[]>;
  etag: boolean;
  lastModified: boolean;
  latencyMs: number;
  vary: string[];
  setCookie: boolean;
}

export interface Site {
  paths: SitePath[];
  versionEveryMs?: number;
}

export interface OriginNode {
  id: string;
  role: 'origin';
  region: string;
  parents: [];
  listen: ListenSettings;
  /** Exactly one of site and upstream is set. */
  site?: Site;
  upstream?: string;
  generated: false;
}

export type TopologyNode = CacheNode | OriginNode;

/** What a link does to a message going one way. */
export interface LinkValues {
  latencyMs: number;
  jitterMs: number;
  loss: number;
}

/** One direction of one hop. `from`/`to` are node ids, or `client@<region>` for the clients of a region. */
export interface Link extends LinkValues {
  from: string;
  to: string;
}

/** Both directions of one client<->edge hop. */
export interface ClientHop {
  /** From the clients to the edge. */
  out: LinkValues;
  /** From the edge back to the clients. */
  back: LinkValues;
}

/**
 * The hops between every region's clients and every edge, kept by kind
 * rather than listed: listed, they are regions x edges x 2 links (6 million
 * for 99,000 edges in 30 regions: 14 s to resolve and 2 GB to keep before a
 * simulation starts). A hop's figures depend on the edge's id only when some
 * link rule names that edge; otherwise on the two regions alone.
 */
export interface ClientLinks {
  /** Client region -> edge region -> the hop, for every edge no rule names by id. */
  byRegion: Record<string, Record<string, ClientHop>>;
  /** Client region -> edge id -> the hop, for the edges some rule names by id (empty when none is). */
  byEdge: Record<string, Record<string, ClientHop>>;
}

export interface DnsSettings {
  policy: 'geo' | 'weighted' | 'least-loaded' | 'latency' | 'round-robin';
  /** DNS TTLs are whole seconds (RFC 1035 §3.2.1). */
  ttlSeconds: number;
  answers: number;
  failMode: 'open' | 'closed';
  health: { intervalMs: number; timeoutMs: number; fall: number; rise: number };
  anycast: { enabled: boolean; address: string };
}

export interface Topology {
  name: string;
  description?: string;
  zone: string;
  regions: Region[];
  /** One-way ms between every pair of regions, both directions, 0 on the diagonal. */
  distances: Record<string, Record<string, number>>;
  /** Edges first, then regionals, shields, origins; file order within a role. */
  nodes: TopologyNode[];
  /** Every parent<->child hop, both directions. Client<->edge hops are in clientLinks (findLink finds both). */
  links: Link[];
  clientLinks: ClientLinks;
  dns: DnsSettings;
  control: { fanout: 'direct' | 'tree'; redeliver: boolean };
}

export function isCacheNode(n: TopologyNode): n is CacheNode {
  return n.role !== 'origin';
}

/** The cache tiers the topology has, in the order a request climbs them (edge, regional, shield). */
export function cacheTiersOf(t: Topology): CacheRole[] {
  return CACHE_ROLES.filter((role) => t.nodes.some((n) => n.role === role));
}

export function nodesOfRole(t: Topology, role: Role): TopologyNode[] {
  return t.nodes.filter((n) => n.role === role);
}

export function findNode(t: Topology, id: string): TopologyNode | undefined {
  return t.nodes.find((n) => n.id === id);
}

/**
 * One-way ms between the control plane and a region. Both engines place the
 * control plane next to the (first) origin, so a purge takes the same time
 * to reach a node in each.
 */
export function controlDistanceMs(t: Topology, region: string): number {
  const controlRegion = t.nodes.find((n) => n.role === 'origin')?.region ?? t.regions[0]?.name;
  if (controlRegion === undefined || controlRegion === region) return 0;
  return t.distances[controlRegion]?.[region] ?? 0;
}

/**
 * The link for one direction of a hop; every parent/child and client/edge
 * hop has one. Scans the topology: a caller that asks for many keeps its
 * own index (see clientLinkValues).
 */
export function findLink(t: Topology, from: string, to: string): Link | undefined {
  if (clientRegionOf(from) === undefined && clientRegionOf(to) === undefined) return t.links.find((l) => l.from === from && l.to === to);
  const v = clientLinkValues(t, from, to, (id) => findNode(t, id));
  return v === undefined ? undefined : { from, to, ...v };
}

/**
 * One direction of a client<->edge hop, by its endpoint names (exactly one
 * of them `client@<region>`, the other an edge's id); undefined when there
 * is no such hop. `nodeOf` finds a node by id (findNode, or a caller's index).
 */
export function clientLinkValues(t: Topology, from: string, to: string, nodeOf: (id: string) => TopologyNode | undefined): LinkValues | undefined {
  const fromRegion = clientRegionOf(from);
  const toRegion = clientRegionOf(to);
  if ((fromRegion === undefined) === (toRegion === undefined)) return undefined;
  const edge = nodeOf(fromRegion === undefined ? from : to);
  const hop = edge === undefined ? undefined : clientHopOf(t, fromRegion ?? toRegion!, edge);
  return hop === undefined ? undefined : fromRegion === undefined ? hop.back : hop.out;
}

/** The hop between the clients of `region` and `edge` (undefined when `edge` is not an edge or the region is unknown). */
function clientHopOf(t: Topology, region: string, edge: TopologyNode): ClientHop | undefined {
  if (edge.role !== 'edge') return undefined;
  const c = t.clientLinks;
  return own(own(c.byEdge, region), edge.id) ?? own(own(c.byRegion, region), edge.region);
}

/** `rec[key]` when it is rec's own (a node may be called "constructor"). */
function own<V>(rec: Record<string, V> | undefined, key: string): V | undefined {
  return rec !== undefined && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

const CLIENT_PREFIX = 'client@';

/** The endpoint name the links use for a region's clients. */
export function clientEndpoint(region: string): string {
  return `${CLIENT_PREFIX}${region}`;
}

/** The region whose clients `endpoint` names, or undefined when it names a node. */
function clientRegionOf(endpoint: string): string | undefined {
  return endpoint.startsWith(CLIENT_PREFIX) ? endpoint.slice(CLIENT_PREFIX.length) : undefined;
}
