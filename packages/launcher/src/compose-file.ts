/**
 * A topology → a docker-compose file: one service per node, the same
 * configs `cdnlab up` would start (planTopology), with container hostnames
 * in place of loopback addresses. Link latencies live in those configs and
 * are applied in the rpc layer, so a compose cluster has the same hops as
 * an embedded one.
 *
 * The file uses only what both `docker compose` (v2) and Debian's
 * `docker-compose` 1.29 understand (the Compose Specification, which 1.27+
 * reads when `version` is absent), and what `docker stack deploy` accepts on
 * a single-node swarm: `deploy.endpoint_mode: dnsrr` everywhere, because the
 * default VIP mode needs IPVS in the kernel.
 *
 * Addresses. One user-defined network with a fixed subnet: the DNS service
 * and every node get static addresses in its upper half (the DNS service
 * hands out the edges' addresses in A records, so they must not move).
 * Docker hands out addresses for containers it places itself (`docker
 * compose run cli`) from the bottom of the subnet up, so the two do not
 * meet. (`ipam.ip_range` would say this outright, but `docker stack deploy`
 * rejects it.)
 *
 * No host ports here (STYLE 15): composePortsFor() writes the overlay that
 * publishes one edge, the DNS port and the control API on 127.0.0.1.
 */
import { Document } from 'yaml';
import type { Topology } from '@cdnlab/scenario';
import type { ControlConfig } from '@cdnlab/control';
import type { DnsServiceConfigInput } from '@cdnlab/dns';
import type { OriginConfig } from '@cdnlab/origin';
import type { TierNodeConfig } from '@cdnlab/tier';
import { formatEndpoint, LOOPBACK_PORTS, planTopology, type Endpoint, type NodeRole, type PlannedNode, type TopologyPlan } from './plan';

export const COMPOSE_ROLES: readonly NodeRole[] = ['edge', 'regional', 'shield', 'origin', 'control', 'dns'];
export const DEFAULT_SUBNET = '10.89.53.0/24';
export const DEFAULT_IMAGE_PREFIX = 'cdnlab';
export const DEFAULT_NODE_IMAGE = 'node:20-bookworm-slim';
/** The compose-file default; override with CDNLAB_TOKEN in the environment of `docker compose`. */
export const DEFAULT_COMPOSE_TOKEN = 'cdnlab-compose-token';
/** Inside the network DNS answers on the standard port (Docker lets unprivileged users bind it). */
export const COMPOSE_DNS_PORT = 53;
/** Label on every container with its node id; compose's own label is com.docker.compose.service. */
export const NODE_LABEL = 'org.cdnlab.node';
export const ROLE_LABEL = 'org.cdnlab.role';
/** The node's static address and its network's name in the file: what `chaos --docker reconnect` restores. */
export const ADDRESS_LABEL = 'org.cdnlab.address';
export const NETWORK_LABEL = 'org.cdnlab.network';
/** The network's name in the compose file (Docker names it `<project>_cdnlab`). */
export const COMPOSE_NETWORK = 'cdnlab';
/** Services the file adds besides the topology's nodes; a node may not take these names. */
const RESERVED = new Set(['control', 'dns', 'cli']);
const SERVICE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface ComposeOptions {
  /** IPv4 subnet of the compose network, prefix /16 to /26. Default 10.89.53.0/24. */
  subnet?: string;
  /** Images are `<prefix>/<role>:<tag>`. Default "cdnlab". */
  imagePrefix?: string;
  /** Image tag; default: `${CDNLAB_TAG:-latest}`, chosen when compose runs. */
  tag?: string;
  /** The cluster token; default: `${CDNLAB_TOKEN:-cdnlab-compose-token}`, chosen when compose runs. */
  token?: string;
  /** Docker healthcheck interval, e.g. "2s". Parents must be healthy before children start, so this paces start-up. */
  healthInterval?: string;
  /** A comment put at the top of the file (e.g. how it was generated). */
  header?: string;
  /**
   * Where the cli image finds this topology, relative to the repository root
   * (the image's /app): `cdnlab run --target compose` rebuilds the cluster's
   * plan from it. Default topologies/default.yaml.
   */
  topologyFile?: string;
}

export interface ComposePortsOptions {
  /** The edge whose HTTP port is published; default the first edge. */
  edge?: string;
  /** Host address the ports are published on. Default 127.0.0.1. */
  host?: string;
  /** Host ports. Defaults: edge 8080, dns 5353 (udp+tcp), control HTTP 8800. */
  ports?: { edge?: number; dns?: number; control?: number };
  header?: string;
}

export class ComposeError extends Error {
  readonly code = 'ERR_CDNLAB_COMPOSE';

  constructor(message: string) {
    super(message);
    this.name = 'ComposeError';
  }
}

/** The node ids and where each one lives in the compose network. */
export interface ComposeLayout {
  subnet: string;
  /** Node id (and `control`, `dns`) → static IPv4 address. */
  addresses: Map<string, string>;
}

// A token that cannot occur in any config: replaced by the interpolation after JSON encoding.
const TOKEN_SENTINEL = 'CDNLAB-TOKEN-SENTINEL-7f3a9c';

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parseSubnet(subnet: string): { base: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(subnet);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) throw new ComposeError(`expected opts.subnet to be an IPv4 CIDR such as "10.89.53.0/24", got ${JSON.stringify(subnet)}`);
  const prefix = Number(m[5]);
  if (prefix < 16 || prefix > 26) throw new ComposeError(`expected opts.subnet to have a prefix from /16 to /26, got /${prefix}`);
  const base = ipToInt(m.slice(1, 5).join('.'));
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new ComposeError(`opts.subnet ${subnet}: ${intToIp(base)} is not the first address of a /${prefix}; did you mean ${intToIp(base - (base % size))}/${prefix}?`);
  return { base, prefix };
}

/**
 * Static addresses, all in the upper half of the subnet: dns at half+2,
 * control at half+3, nodes from half+12 in plan order (in a /24: .130,
 * .131, .140 …). The lower half is left to Docker's own allocations.
 */
export function composeLayout(nodeIds: readonly string[], subnet = DEFAULT_SUBNET): ComposeLayout {
  const { base, prefix } = parseSubnet(subnet);
  const half = 2 ** (32 - prefix) / 2;
  const first = base + half;
  // The last address of the subnet is its broadcast address.
  const room = half - 12 - 1;
  if (nodeIds.length > room) throw new ComposeError(`${nodeIds.length} nodes do not fit in the upper half of ${subnet} (${room} at most); choose a larger subnet`);
  const addresses = new Map<string, string>([
    ['dns', intToIp(first + 2)],
    ['control', intToIp(first + 3)],
  ]);
  nodeIds.forEach((id, i) => addresses.set(id, intToIp(first + 12 + i)));
  return { subnet, addresses };
}

function checkOptions(opts: ComposeOptions): Required<Omit<ComposeOptions, 'header' | 'topologyFile'>> & { header?: string } {
  const imagePrefix = opts.imagePrefix ?? DEFAULT_IMAGE_PREFIX;
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(imagePrefix)) throw new ComposeError(`expected opts.imagePrefix to be an image repository prefix such as "cdnlab", got ${JSON.stringify(imagePrefix)}`);
  const tag = opts.tag ?? '${CDNLAB_TAG:-latest}';
  if (opts.tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(opts.tag)) throw new ComposeError(`expected opts.tag to be a Docker tag, got ${JSON.stringify(opts.tag)}`);
  const healthInterval = opts.healthInterval ?? '2s';
  if (!/^\d+(ms|s|m)$/.test(healthInterval)) throw new ComposeError(`expected opts.healthInterval to be a duration such as "2s", got ${JSON.stringify(healthInterval)}`);
  if (opts.token !== undefined && !/^[\x21-\x7e]{8,}$/.test(opts.token)) throw new ComposeError('expected opts.token to be at least 8 visible ASCII characters without spaces');
  return { subnet: opts.subnet ?? DEFAULT_SUBNET, imagePrefix, tag, token: opts.token ?? '', healthInterval, ...(opts.header ? { header: opts.header } : {}) };
}

/** Compose interpolates `$` in every string; a literal one is written `$$`. */
function escapeDollars(s: string): string {
  return s.replace(/\$/g, '$$$$');
}

/**
 * Rewrites a config's loopback addresses to compose ones: listeners bind
 * 0.0.0.0 in their own container, and every `host:port` that names another
 * node becomes `<node id>:port`.
 */
class AddressRewriter {
  private readonly byEndpoint = new Map<string, string>();

  constructor(nodes: readonly PlannedNode[]) {
    for (const n of nodes) {
      for (const e of [n.grpc, n.http, n.metrics, n.dns]) if (e) this.byEndpoint.set(formatEndpoint(e), `${n.id}:${e.port}`);
    }
  }

  peer(address: string, where: string): string {
    const mapped = this.byEndpoint.get(address);
    if (mapped === undefined) throw new ComposeError(`${where}: ${address} is not the address of any node in the plan`);
    return mapped;
  }

  static listen(e: Endpoint): Endpoint {
    return { host: '0.0.0.0', port: e.port };
  }
}

function composeConfig(n: PlannedNode, rw: AddressRewriter, layout: ComposeLayout): unknown {
  switch (n.role) {
    case 'edge':
    case 'regional':
    case 'shield': {
      const c: TierNodeConfig = structuredClone(n.config);
      c.grpc = AddressRewriter.listen(c.grpc);
      if (c.http) c.http = AddressRewriter.listen(c.http);
      if (c.metrics) c.metrics = AddressRewriter.listen(c.metrics);
      c.parents = c.parents.map((p, i) => ({ ...p, address: rw.peer(p.address, `node ${n.id}: parents[${i}]`) }));
      // The same names the control plane's tree routes carry, so a warmed child connection is the one a purge uses.
      if (c.children) c.children = c.children.map((a, i) => rw.peer(a, `node ${n.id}: children[${i}]`));
      return c;
    }
    case 'origin': {
      const c: OriginConfig = structuredClone(n.config);
      c.grpc = AddressRewriter.listen(c.grpc);
      if (c.http) c.http = AddressRewriter.listen(c.http);
      return c;
    }
    case 'control': {
      const c: ControlConfig = structuredClone(n.config);
      c.grpc = AddressRewriter.listen(c.grpc);
      c.http = AddressRewriter.listen(c.http);
      c.nodes = c.nodes.map((x) => ({
        ...x,
        grpcAddress: rw.peer(x.grpcAddress, `control: node ${x.id}`),
        ...(x.httpAddress === undefined ? {} : { httpAddress: rw.peer(x.httpAddress, `control: node ${x.id} http`) }),
      }));
      return c;
    }
    case 'dns': {
      const c: DnsServiceConfigInput = structuredClone(n.config);
      c.listen = { ...c.listen, host: '0.0.0.0', port: COMPOSE_DNS_PORT, metricsHost: '0.0.0.0' };
      // DnsAdmin (policy and route changes at run time) answers other containers too.
      if (c.admin) c.admin = { ...c.admin, host: '0.0.0.0' };
      // A records carry the edges' static addresses: clients connect there.
      c.edges = (c.edges ?? []).map((e) => ({ ...e, address: layout.addresses.get(e.id) as string, grpcAddress: rw.peer(e.grpcAddress, `dns: edge ${e.id}`) }));
      if (c.anycast) {
        // The toy router listens on the DNS container's own address.
        const targets = Object.fromEntries(Object.entries(c.anycast.targets ?? {}).map(([id, a]) => [id, rw.peer(a, `dns: anycast target ${id}`)]));
        c.anycast = { ...c.anycast, address: layout.addresses.get('dns') as string, port: LOOPBACK_PORTS.http, targets };
      }
      return c;
    }
  }
}

function jsonEnv(config: unknown, token: string): string {
  const text = escapeDollars(JSON.stringify(config, null, 2));
  return text.split(TOKEN_SENTINEL).join(token === '' ? `\${CDNLAB_TOKEN:-${DEFAULT_COMPOSE_TOKEN}}` : escapeDollars(token));
}

function image(o: { imagePrefix: string; tag: string }, role: string): string {
  return `${o.imagePrefix}/${role}:${o.tag}`;
}

function build(target: string): Record<string, unknown> {
  return { context: '.', dockerfile: 'docker/Dockerfile', target, args: { NODE_IMAGE: `\${NODE_IMAGE:-${DEFAULT_NODE_IMAGE}}` } };
}

function checkIds(t: Topology): void {
  for (const n of t.nodes) {
    if (!SERVICE_NAME.test(n.id)) throw new ComposeError(`node ${JSON.stringify(n.id)}: a compose service name and hostname must be lower-case letters, digits and inner dashes (at most 63)`);
    if (RESERVED.has(n.id)) throw new ComposeError(`node ${JSON.stringify(n.id)}: the name is taken by the compose file's own ${n.id} service; rename the node`);
  }
}

/**
 * The cluster composeFor(t) describes, as a container inside its network
 * sees it: every node's endpoints at its static address with the ports the
 * compose file gives it (the loopback plan's ports; DNS on 53). `prefix` is
 * the subnet. The node configs are the loopback plan's (what each container
 * runs, before composeFor rewrites their addresses); callers that need a
 * node's address use the endpoints.
 */
export function composePlan(t: Topology, opts: { subnet?: string; token: string }): TopologyPlan {
  checkIds(t);
  const plan = planTopology(t, { addressing: 'loopback', prefix: '127.0', token: opts.token });
  const layout = composeLayout(
    plan.nodes.filter((n) => n.role !== 'control' && n.role !== 'dns').map((n) => n.id),
    opts.subnet ?? DEFAULT_SUBNET,
  );
  const at = (id: string, e: Endpoint | undefined, port?: number): Endpoint | undefined => (e ? { host: layout.addresses.get(id) as string, port: port ?? e.port } : undefined);
  const nodes = plan.nodes.map((n) => {
    const moved = { ...n } as PlannedNode & Record<string, unknown>;
    for (const k of ['grpc', 'http', 'metrics'] as const) if (n[k]) moved[k] = at(n.id, n[k]);
    if (n.dns) moved.dns = at(n.id, n.dns, COMPOSE_DNS_PORT);
    return moved as PlannedNode;
  });
  const control = nodes.find((n) => n.role === 'control') as TopologyPlan['control'];
  const dns = nodes.find((n) => n.role === 'dns') as TopologyPlan['dns'];
  // The anycast router lives in the DNS container (composeConfig).
  const anycast = plan.anycast ? { host: layout.addresses.get('dns') as string, port: LOOPBACK_PORTS.http } : undefined;
  return { ...plan, addressing: 'compose', prefix: layout.subnet, nodes, control, dns, ...(anycast ? { anycast } : {}) };
}

/** The docker-compose YAML for a topology. Pure: same topology and options, same text. Throws ComposeError. */
export function composeFor(t: Topology, opts: ComposeOptions = {}): string {
  const o = checkOptions(opts);
  checkIds(t);
  const plan = planTopology(t, { addressing: 'loopback', prefix: '127.0', token: TOKEN_SENTINEL });
  const nodeIds = plan.nodes.filter((n) => n.role !== 'control' && n.role !== 'dns').map((n) => n.id);
  const layout = composeLayout(nodeIds, o.subnet);
  const rw = new AddressRewriter(plan.nodes);
  const healthcheck = {
    test: ['CMD', 'node', '/app/healthcheck.js'],
    interval: o.healthInterval,
    timeout: '3s',
    retries: 3,
    // Failures while a node starts do not count; a minute covers a cold start on a busy 2-core machine.
    start_period: '60s',
  };
  const grace = `${Math.ceil((plan.control.config.shutdownGraceMs ?? 3000) / 1000) + 2}s`;

  const services: Record<string, unknown> = {};
  for (const n of plan.nodes) {
    const service: Record<string, unknown> = {
      image: image(o, n.role),
      build: build(n.role),
      hostname: n.id,
      environment: { CDNLAB_CONFIG: jsonEnv(composeConfig(n, rw, layout), o.token) },
      labels: {
        [NODE_LABEL]: n.id,
        [ROLE_LABEL]: n.role,
        ...(n.region ? { 'org.cdnlab.region': n.region } : {}),
        [NETWORK_LABEL]: COMPOSE_NETWORK,
        [ADDRESS_LABEL]: layout.addresses.get(n.id),
      },
      healthcheck,
      networks: { [COMPOSE_NETWORK]: { ipv4_address: layout.addresses.get(n.id) } },
      stop_grace_period: grace,
      deploy: { endpoint_mode: 'dnsrr' },
    };
    const parents = n.dependsOn.filter((id) => id !== n.id);
    if (parents.length > 0) service.depends_on = Object.fromEntries(parents.map((id) => [id, { condition: 'service_healthy' }]));
    services[n.id] = service;
  }

  // The scenario runner, inside the network. `docker compose run --rm cli run scenarios/….yaml`.
  // Not started by `up` (profile), and in a swarm it stays at zero replicas.
  services.cli = {
    image: image(o, 'cli'),
    build: build('cli'),
    profiles: ['cli'],
    // Docker's embedded resolver forwards names it does not know (the CDN
    // zone) to the cdnlab DNS service, so cdn.cdnlab.test resolves to an edge.
    dns: [layout.addresses.get('dns')],
    environment: {
      CDNLAB_TOKEN: o.token === '' ? `\${CDNLAB_TOKEN:-${DEFAULT_COMPOSE_TOKEN}}` : escapeDollars(o.token),
      CDNLAB_CONTROL_URL: `http://control:${plan.control.http.port}`,
      CDNLAB_DNS_SERVER: `${layout.addresses.get('dns')}:${COMPOSE_DNS_PORT}`,
      // What `cdnlab run --target compose` needs to rebuild this cluster's plan.
      CDNLAB_COMPOSE_TOPOLOGY: `/app/${opts.topologyFile ?? 'topologies/default.yaml'}`,
      CDNLAB_COMPOSE_SUBNET: layout.subnet,
    },
    // Scenario timelines kill, stop, pause and disconnect nodes through the
    // Docker Engine API, as `cdnlab chaos --docker` does. Only this service,
    // which `up` never starts, gets the engine's socket.
    volumes: ['/var/run/docker.sock:/var/run/docker.sock'],
    networks: [COMPOSE_NETWORK],
    deploy: { endpoint_mode: 'dnsrr', replicas: 0 },
  };

  const doc = new Document({
    services,
    networks: {
      [COMPOSE_NETWORK]: {
        ipam: { config: [{ subnet: layout.subnet }] },
      },
    },
  });
  if (o.header) doc.commentBefore = o.header.replace(/^/gm, ' ');
  return doc.toString({ lineWidth: 0 });
}

/** The overlay that publishes host ports: one edge's HTTP, the DNS port (UDP and TCP) and the control API. */
export function composePortsFor(t: Topology, opts: ComposePortsOptions = {}): string {
  const edges = t.nodes.filter((n) => n.role === 'edge');
  if (edges.length === 0) throw new ComposeError('the topology has no edge to publish');
  const edge = opts.edge ?? edges[0]?.id;
  if (!edges.some((e) => e.id === edge)) throw new ComposeError(`expected opts.edge to name an edge (${edges.map((e) => e.id).join(', ')}), got ${JSON.stringify(edge)}`);
  const host = opts.host ?? '127.0.0.1';
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) throw new ComposeError(`expected opts.host to be an IPv4 address, got ${JSON.stringify(host)}`);
  const ports = { edge: 8080, dns: 5353, control: 8800, ...opts.ports };
  for (const [k, v] of Object.entries(ports)) if (!Number.isInteger(v) || v < 1 || v > 65535) throw new ComposeError(`expected opts.ports.${k} to be a port number, got ${String(v)}`);
  const doc = new Document({
    services: {
      [edge as string]: { ports: [`${host}:${ports.edge}:${LOOPBACK_PORTS.http}`] },
      dns: { ports: [`${host}:${ports.dns}:${COMPOSE_DNS_PORT}/udp`, `${host}:${ports.dns}:${COMPOSE_DNS_PORT}/tcp`] },
      control: { ports: [`${host}:${ports.control}:${LOOPBACK_PORTS.controlHttp}`] },
    },
  });
  if (opts.header) doc.commentBefore = opts.header.replace(/^/gm, ' ');
  return doc.toString({ lineWidth: 0 });
}
