/**
 * A loaded topology → one resolved config per process and the addresses each
 * listens on. Pure: no sockets, no files; the same plan is what `cdnlab up`
 * starts, what the state file records and what the tests inspect.
 *
 * Addressing. On Linux the whole of 127.0.0.0/8 is local, so every node gets
 * its own loopback address and every node of a kind uses the same ports
 * (edges answer on :8080 like a real fleet behind one port, and DNS can hand
 * out plain A records). Elsewhere ("ports") everything shares 127.0.0.1 and
 * each listener gets its own port counted up from a base.
 *
 *   prefix.1.N  edges      http 8080, grpc 7070, metrics 9090
 *   prefix.2.N  regionals  grpc 7070, metrics 9090
 *   prefix.3.N  shields    grpc 7070, metrics 9090
 *   prefix.4.N  origins    grpc 7070, http 8080 (also /metrics)
 *   prefix.5.1  control    http 8800, grpc 7800
 *   prefix.5.2  dns        5353 udp+tcp, grpc 7070 (DnsAdmin), metrics 9090
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_RPC_TIMEOUT_MS, type ControlConfig, type ControlNode } from '@cdnlab/control';
import type { DnsServiceConfigInput } from '@cdnlab/dns';
import type { OriginConfig } from '@cdnlab/origin';
import { controlDistanceMs, findLink, isCacheNode, type CacheNode, type OriginNode, type Topology, type TopologyNode } from '@cdnlab/scenario';
import type { ParentConfig, TierNodeConfig } from '@cdnlab/tier';

export type NodeRole = 'edge' | 'regional' | 'shield' | 'origin' | 'control' | 'dns';
export type Addressing = 'loopback' | 'ports';
/**
 * How a plan's endpoints are addressed: what planTopology makes, or
 * `compose`: static addresses in a compose network (composePlan), the view
 * from a container inside it.
 */
export type PlanAddressing = Addressing | 'compose';

/** The order processes start in: each stage only calls the stages before it. Stop runs it backwards. */
export const START_ORDER: readonly NodeRole[] = ['origin', 'shield', 'regional', 'edge', 'control', 'dns'];

export const DEFAULT_PREFIX = '127.0';
export const DEFAULT_BASE_PORT = 17000;
export const SHUTDOWN_GRACE_MS = 3000;

/** Ports every node of a kind shares in loopback addressing. */
export const LOOPBACK_PORTS = {
  http: 8080,
  grpc: 7070,
  metrics: 9090,
  controlHttp: 8800,
  controlGrpc: 7800,
  dns: 5353,
} as const;

/** The third octet of each kind's addresses in loopback addressing. */
const SUBNET: Record<NodeRole, number> = { edge: 1, regional: 2, shield: 3, origin: 4, control: 5, dns: 5 };

export interface Endpoint {
  host: string;
  port: number;
}

interface PlannedBase {
  id: string;
  region?: string;
  /** Ids of the nodes this one calls (fetch parents, or everything for control/dns). */
  dependsOn: string[];
  grpc?: Endpoint;
  http?: Endpoint;
  metrics?: Endpoint;
  /** DNS: the UDP and TCP port. */
  dns?: Endpoint;
}

export interface PlannedTier extends PlannedBase {
  role: 'edge' | 'regional' | 'shield';
  grpc: Endpoint;
  config: TierNodeConfig;
}
export interface PlannedOrigin extends PlannedBase {
  role: 'origin';
  grpc: Endpoint;
  config: OriginConfig;
}
export interface PlannedControl extends PlannedBase {
  role: 'control';
  grpc: Endpoint;
  http: Endpoint;
  config: ControlConfig;
}
export interface PlannedDns extends PlannedBase {
  role: 'dns';
  dns: Endpoint;
  config: DnsServiceConfigInput;
}
export type PlannedNode = PlannedTier | PlannedOrigin | PlannedControl | PlannedDns;

export interface TopologyPlan {
  name: string;
  zone: string;
  addressing: PlanAddressing;
  prefix: string;
  basePort: number;
  /** The one admin token of the cluster: control, origin admin, every tier node. */
  token: string;
  /** In START_ORDER, file order within a role. */
  nodes: PlannedNode[];
  control: PlannedControl;
  dns: PlannedDns;
  /** The anycast VIP, when the topology enables it. */
  anycast?: Endpoint;
}

export interface PlanOptions {
  /** Default: loopback on Linux, ports elsewhere. */
  addressing?: Addressing;
  /** First two octets of every address in loopback addressing ("127.81"). Default 127.0. */
  prefix?: string;
  /** First port handed out in ports addressing. Default 17000. */
  basePort?: number;
  /** Default: 24 random URL-safe characters. */
  token?: string;
  /** Only to pick the default addressing. */
  platform?: NodeJS.Platform;
  /** Passed to every node; how long a SIGTERM waits for calls in flight. Default 3000. */
  shutdownGraceMs?: number;
}

export class PlanError extends Error {
  readonly code = 'ERR_CDNLAB_PLAN';

  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** A fresh cluster token: 144 random bits, base64url, so it is safe in a header and a shell. */
export function generateToken(): string {
  return randomBytes(18).toString('base64url');
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** The key a run is known by in the state file: its prefix, or its base port in ports addressing (`compose:<subnet>` for a compose plan). */
export function runKey(plan: Pick<TopologyPlan, 'addressing' | 'prefix' | 'basePort'>): string {
  if (plan.addressing === 'compose') return `compose:${plan.prefix}`;
  return plan.addressing === 'loopback' ? plan.prefix : `ports:${plan.basePort}`;
}

function checkOptions(opts: PlanOptions): { addressing: Addressing; prefix: string; basePort: number; token: string; grace: number } {
  const addressing = opts.addressing ?? ((opts.platform ?? process.platform) === 'linux' ? 'loopback' : 'ports');
  if (addressing !== 'loopback' && addressing !== 'ports') throw new PlanError(`expected opts.addressing to be "loopback" or "ports", got ${JSON.stringify(addressing)}`);
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const m = /^127\.(\d{1,3})$/.exec(prefix);
  if (!m || Number(m[1]) > 255) throw new PlanError(`expected opts.prefix to be two octets inside 127.0.0.0/8 such as "127.0" or "127.81", got ${JSON.stringify(prefix)}`);
  const basePort = opts.basePort ?? DEFAULT_BASE_PORT;
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65000) throw new PlanError(`expected opts.basePort to be an integer in [1024, 65000], got ${String(basePort)}`);
  const token = opts.token ?? generateToken();
  // The token travels in an Authorization header and gRPC metadata.
  if (typeof token !== 'string' || !/^[\x21-\x7e]{8,}$/.test(token)) throw new PlanError('expected opts.token to be at least 8 visible ASCII characters without spaces');
  const grace = opts.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  if (!Number.isInteger(grace) || grace < 0) throw new PlanError(`expected opts.shutdownGraceMs to be a non-negative integer, got ${String(grace)}`);
  return { addressing, prefix, basePort, token, grace };
}

/** Hands out addresses: one host per node in loopback addressing, one port per listener in ports addressing. */
class AddressBook {
  private nextPort: number;
  private readonly counts = new Map<NodeRole, number>();

  constructor(
    readonly addressing: Addressing,
    readonly prefix: string,
    basePort: number,
  ) {
    this.nextPort = basePort;
  }

  host(role: NodeRole, id: string, fixed?: string): string {
    if (fixed) return fixed;
    if (this.addressing === 'ports') return '127.0.0.1';
    if (role === 'control') return `${this.prefix}.${SUBNET.control}.1`;
    if (role === 'dns') return `${this.prefix}.${SUBNET.dns}.2`;
    const n = (this.counts.get(role) ?? 0) + 1;
    if (n > 254) throw new PlanError(`node ${id}: more than 254 ${role} nodes do not fit in ${this.prefix}.${SUBNET[role]}.0/24; use --addressing ports`);
    this.counts.set(role, n);
    return `${this.prefix}.${SUBNET[role]}.${n}`;
  }

  port(loopbackPort: number, fixed?: number): number {
    if (fixed !== undefined) return fixed;
    if (this.addressing === 'loopback') return loopbackPort;
    if (this.nextPort > 65535) throw new PlanError('ran out of ports above opts.basePort; choose a lower base port');
    return this.nextPort++;
  }
}

function roleRank(role: NodeRole): number {
  return START_ORDER.indexOf(role);
}

function tierConfig(t: Topology, node: CacheNode, self: PlannedBase, byId: Map<string, PlannedBase>, token: string, grace: number): TierNodeConfig {
  const parents = node.parents.map((pid): ParentConfig => {
    const p = byId.get(pid);
    if (!p?.grpc) throw new PlanError(`node ${node.id}: parent ${JSON.stringify(pid)} is not a planned node with a gRPC address`);
    const parent: ParentConfig = { id: pid, address: formatEndpoint(p.grpc) };
    const link = findLink(t, node.id, pid);
    if (link) parent.link = { latencyMs: link.latencyMs, jitterMs: link.jitterMs, loss: link.loss };
    const target = t.nodes.find((n) => n.id === pid);
    if (target && isCacheNode(target) && target.weight !== 1) parent.weight = target.weight;
    return parent;
  });
  const config: TierNodeConfig = {
    id: node.id,
    role: node.role,
    region: node.region,
    grpc: self.grpc as Endpoint,
    cache: { ...node.cache, targetedFields: [...node.cache.targetedFields] },
    key: { ...node.key },
    parents,
    controlLink: { latencyMs: controlDistanceMs(t, node.region), jitterMs: 0 },
    children: t.nodes.filter((n) => isCacheNode(n) && n.parents.includes(node.id)).map((n) => formatEndpoint(byId.get(n.id)?.grpc as Endpoint)),
    token,
    hostnames: [t.zone, 'localhost'],
    shutdownGraceMs: grace,
  };
  if (self.http) config.http = self.http;
  if (self.metrics) config.metrics = self.metrics;
  return config;
}

function originConfig(node: OriginNode, self: PlannedBase, token: string, grace: number): OriginConfig {
  const config: OriginConfig = { id: node.id, region: node.region, grpc: self.grpc as Endpoint, token, shutdownGraceMs: grace };
  if (self.http) config.http = self.http;
  if (node.site) config.site = { paths: node.site.paths.map((p) => ({ ...p })), ...(node.site.versionEveryMs === undefined ? {} : { versionEveryMs: node.site.versionEveryMs }) };
  if (node.upstream) config.upstream = node.upstream;
  return config;
}

/** The anycast VIP moves with the prefix so that test clusters side by side do not share it. */
function anycastHost(address: string, book: AddressBook): string {
  if (book.addressing === 'ports') return '127.0.0.1';
  const octets = address.split('.');
  return octets.length === 4 && octets[0] === '127' ? `${book.prefix}.${octets[2]}.${octets[3]}` : address;
}

/** Lays a loaded topology onto addresses and resolves every process's config. Throws PlanError. */
export function planTopology(t: Topology, opts: PlanOptions = {}): TopologyPlan {
  const o = checkOptions(opts);
  const book = new AddressBook(o.addressing, o.prefix, o.basePort);
  const ordered = [...t.nodes].sort((a, b) => roleRank(a.role) - roleRank(b.role));

  // Addresses first, so parents are resolvable whatever the order.
  const bases = new Map<string, PlannedBase>();
  for (const n of ordered) {
    const host = book.host(n.role, n.id, n.listen.host);
    const base: PlannedBase = { id: n.id, region: n.region, dependsOn: [...n.parents], grpc: { host, port: book.port(LOOPBACK_PORTS.grpc, n.listen.grpcPort) } };
    if (n.role === 'edge' || n.role === 'origin') base.http = { host, port: book.port(LOOPBACK_PORTS.http, n.listen.httpPort) };
    if (n.role !== 'origin') base.metrics = { host, port: book.port(LOOPBACK_PORTS.metrics, n.listen.metricsPort) };
    bases.set(n.id, base);
  }
  for (const n of t.nodes) {
    for (const p of n.parents) if (!bases.has(p)) throw new PlanError(`node ${n.id}: unknown parent ${JSON.stringify(p)}`);
  }

  const nodes: PlannedNode[] = ordered.map((n: TopologyNode): PlannedNode => {
    const base = bases.get(n.id) as PlannedBase;
    if (isCacheNode(n)) return { ...base, role: n.role, grpc: base.grpc as Endpoint, config: tierConfig(t, n, base, bases, o.token, o.grace) };
    return { ...base, role: 'origin', grpc: base.grpc as Endpoint, config: originConfig(n, base, o.token, o.grace) };
  });

  const controlHost = book.host('control', 'control');
  const control: PlannedControl = {
    id: 'control',
    role: 'control',
    dependsOn: t.nodes.map((n) => n.id),
    http: { host: controlHost, port: book.port(LOOPBACK_PORTS.controlHttp) },
    grpc: { host: controlHost, port: book.port(LOOPBACK_PORTS.controlGrpc) },
    config: undefined as unknown as ControlConfig,
  };
  control.config = {
    id: 'control',
    grpc: control.grpc,
    http: control.http,
    token: o.token,
    nodeToken: o.token,
    defaultFanout: t.control.fanout,
    nodes: nodes.map((n): ControlNode => {
      const entry: ControlNode = { id: n.id, role: n.role as ControlNode['role'], region: n.region as string, grpcAddress: formatEndpoint(n.grpc as Endpoint), parents: [...n.dependsOn] };
      if (n.http) entry.httpAddress = formatEndpoint(n.http);
      return entry;
    }),
    rpcTimeoutMs: DEFAULT_RPC_TIMEOUT_MS,
    purgeOrigin: false,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    shutdownGraceMs: o.grace,
  };

  const edges = nodes.filter((n): n is PlannedTier => n.role === 'edge');
  const dnsHost = book.host('dns', 'dns');
  const dnsEndpoint = { host: dnsHost, port: book.port(LOOPBACK_PORTS.dns) };
  const dnsMetrics = { host: dnsHost, port: book.port(LOOPBACK_PORTS.metrics) };
  let anycast: Endpoint | undefined;
  if (t.dns.anycast.enabled) anycast = { host: anycastHost(t.dns.anycast.address, book), port: book.port(LOOPBACK_PORTS.http) };
  // DnsAdmin (policy and route changes at run time). Allocated last, so no
  // other listener moves in ports addressing.
  const dnsGrpc = { host: dnsHost, port: book.port(LOOPBACK_PORTS.grpc) };
  const dnsConfig: DnsServiceConfigInput = {
    zone: t.zone,
    listen: { host: dnsHost, port: dnsEndpoint.port, metricsHost: dnsHost, metricsPort: dnsMetrics.port },
    ttlSeconds: t.dns.ttlSeconds,
    answers: t.dns.answers,
    policy: t.dns.policy,
    // The topology file says open/closed; the DNS service spells it fail-open/fail-closed.
    failMode: t.dns.failMode === 'open' ? 'fail-open' : 'fail-closed',
    // A records point at the edge's HTTP address: that is where clients connect.
    edges: edges.map((e) => {
      const node = t.nodes.find((n) => n.id === e.id) as CacheNode;
      return { id: e.id, region: e.region as string, address: (e.http as Endpoint).host, grpcAddress: formatEndpoint(e.grpc), weight: node.weight };
    }),
    regions: t.regions.map((r) => ({ name: r.name, cidrs: [...r.cidrs] })),
    distances: t.distances,
    health: { ...t.dns.health },
    admin: { host: dnsHost, port: dnsGrpc.port, token: o.token },
  };
  if (anycast) {
    dnsConfig.anycast = { address: anycast.host, port: anycast.port, targets: Object.fromEntries(edges.map((e) => [e.id, formatEndpoint(e.http as Endpoint)])) };
  }
  const dns: PlannedDns = { id: 'dns', role: 'dns', dependsOn: edges.map((e) => e.id), dns: dnsEndpoint, grpc: dnsGrpc, metrics: dnsMetrics, config: dnsConfig };

  return { name: t.name, zone: t.zone, addressing: o.addressing, prefix: o.prefix, basePort: o.basePort, token: o.token, nodes: [...nodes, control, dns], control, dns, ...(anycast ? { anycast } : {}) };
}

/** Nodes grouped by START_ORDER stage; nodes within a stage do not call each other and start together. */
export function startStages(plan: TopologyPlan): PlannedNode[][] {
  return START_ORDER.map((role) => plan.nodes.filter((n) => n.role === role)).filter((s) => s.length > 0);
}

/** Every address a node listens on, as text for tables: `grpc 127.0.1.1:7070`. */
export function listeners(n: PlannedNode): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (n.http) out.push(['http', formatEndpoint(n.http)]);
  if (n.dns) out.push(['dns', formatEndpoint(n.dns)]);
  if (n.grpc) out.push(['grpc', formatEndpoint(n.grpc)]);
  if (n.metrics) out.push(['metrics', formatEndpoint(n.metrics)]);
  return out;
}
