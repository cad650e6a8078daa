import * as dgram from 'node:dgram';
import * as http from 'node:http';
import * as net from 'node:net';
import pino from 'pino';
import { AnycastRouter, type RouteCosts } from './anycast-router';
import type { Clock } from './clock';
import { clipForMessage, quoteForMessage } from '@cdnlab/rpc';
import { createDnsAdminRpc, type DnsAdminRpc } from './admin-grpc';
import { ConfigError, type DnsServiceConfig, type DnsServiceConfigInput, parseDnsServiceConfig } from './config';
import { CoverageMap } from './coverage';
import { HealthChecker, type HealthProbe } from './health';
import { createGrpcHealthProbe } from './health-probe-grpc';
import { createGrpcLoadFeed, type LoadFeed } from './load-feed-grpc';
import { DnsMetrics } from './metrics';
import { createPolicy, policyNames } from './policies';
import type { DnsPolicy, LoadProvider, PolicyContext, PolicyEdge } from './policy';
import { type ResponderState, type Selection, respond } from './responder';
import { createDnsTcpServer } from './transport-tcp';
import { Zone } from './zone';
import type { PolicyChange, PolicyState } from './policy-state';

export type { PolicyChange, PolicyState } from './policy-state';

// Wiring: config -> zone, coverage, policies, health checker, metrics; then
// the UDP and TCP listeners (same port number), the /metrics endpoint and,
// when configured, the anycast toy router.

export interface DnsServerDeps {
  /** Health probe; default: grpc.health.v1 Check over grpc-js. */
  probe?: HealthProbe;
  clock?: Clock;
  logger?: pino.Logger;
  random?: () => number;
  /** Start time, used as the SOA serial (seconds); a run-time TTL change moves it on (Zone.setTtl). */
  serial?: number;
}

export interface DnsServerPorts {
  udpPort: number;
  tcpPort: number;
  metricsPort: number;
  anycastPort?: number;
  /** The DnsAdmin gRPC port, when config.admin is set. */
  adminPort?: number;
}


export interface DnsServer {
  readonly config: DnsServiceConfig;
  start(): Promise<DnsServerPorts>;
  setPolicy(name: string): void;
  policy(): string;
  /** Validate and apply a policy change (all or nothing); errors name the field. */
  configurePolicy(change: PolicyChange): PolicyState;
  policyState(): PolicyState;
  setLoadProvider(fn: LoadProvider): void;
  readonly health: HealthChecker;
  readonly metrics: DnsMetrics;
  /** Present when config.anycast is set. */
  readonly anycast: AnycastRouter | undefined;
  /** Route-change event for the anycast router (throws when anycast is off). */
  setRouteCosts(costs: RouteCosts): { broken: number };
  stop(): Promise<void>;
}

function familyOf(address: string): 4 | 6 {
  return net.isIPv6(address) ? 6 : 4;
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) };
}

/** Default path costs for anycast: the region distance table (cost of reaching each edge's region). */
function costsFromDistances(config: DnsServiceConfig): RouteCosts {
  const out: RouteCosts = {};
  for (const r of config.regions) {
    out[r.name] = {};
    for (const e of config.edges) {
      const d = r.name === e.region ? (config.distances[r.name]?.[e.region] ?? 0) : config.distances[r.name]?.[e.region];
      if (d !== undefined) out[r.name][e.id] = d;
    }
  }
  return out;
}

export function createDnsServer(input: DnsServiceConfigInput | DnsServiceConfig, deps: DnsServerDeps = {}): DnsServer {
  const config = parseDnsServiceConfig(input, policyNames());
  const logger = deps.logger ?? pino({ name: 'cdnlab-dns' });
  const edges: PolicyEdge[] = config.edges.map((e) => ({ ...e, family: familyOf(e.address) }));
  const coverage = new CoverageMap(config.regions);
  const wildcard = config.listen.host === '0.0.0.0' || config.listen.host === '::';
  const nsAddress = wildcard ? '127.0.0.1' : config.listen.host;
  const zone = new Zone({
    zone: config.zone,
    edges,
    nsAddress,
    nsFamily: familyOf(nsAddress),
    ttlSeconds: config.ttlSeconds,
    serial: deps.serial ?? Math.floor(Date.now() / 1000),
  });
  const metrics = new DnsMetrics({ defaultMetrics: false });
  const ownProbe = deps.probe ? undefined : createGrpcHealthProbe({ maxReconnectBackoffMs: config.health.intervalMs });
  const health = new HealthChecker({ targets: edges, config: config.health, probe: deps.probe ?? (ownProbe as HealthProbe), clock: deps.clock });
  for (const e of edges) metrics.initEdge(e.id, 'unknown');
  health.onTransition((t) => {
    metrics.healthTransition(t);
    const line = { edge: t.edgeId, from: t.from, to: t.to, reason: t.reason };
    if (t.to === 'down') logger.warn(line, 'edge health changed');
    else logger.info(line, 'edge health changed');
  });

  let loadProvider: LoadProvider = () => undefined;
  const ctx: PolicyContext = {
    edges,
    distances: config.distances,
    latencyMs: config.latencyMs,
    load: (id) => loadProvider(id),
    random: deps.random ?? Math.random,
  };
  // One instance per policy name, kept across switches so stateful policies
  // (round-robin's cursor) carry on where they were.
  const policies = new Map<string, DnsPolicy>();
  const policyFor = (name: string): DnsPolicy => {
    let p = policies.get(name);
    if (!p) {
      p = createPolicy(name, ctx);
      policies.set(name, p);
    }
    return p;
  };
  let current = policyFor(config.policy);

  const policyState = (): PolicyState => {
    const state: PolicyState = {
      policy: current.name,
      policies: policyNames(),
      weights: Object.fromEntries(edges.map((e) => [e.id, e.weight])),
      latencyMs: structuredClone((ctx.latencyMs ?? {}) as Record<string, Record<string, number>>),
      answers: config.answers,
      ttlSeconds: config.ttlByPolicy[current.name] ?? config.ttlSeconds,
      anycast: anycast !== undefined,
      health: Object.fromEntries(edges.map((e) => [e.id, health.state(e.id)])),
    };
    if (anycast) {
      const router = anycast;
      state.routeCosts = router.routeCosts();
      state.routes = Object.fromEntries(config.regions.map((r) => [r.name, router.route(r.name)?.id]));
    }
    return state;
  };

  const configurePolicy = (change: PolicyChange): PolicyState => {
    const fail = (field: string, message: string): never => {
      throw new ConfigError(`${field}: ${message}`);
    };
    // Check everything first: a change applies whole or not at all.
    if (change.policy !== undefined && !policyNames().includes(change.policy)) fail('policy', `expected one of ${policyNames().join(', ')}, got ${quoteForMessage(change.policy)}`);
    const ids = new Set(edges.map((e) => e.id));
    const regionNames = new Set(config.regions.map((r) => r.name));
    for (const [id, w] of Object.entries(change.weights ?? {})) {
      if (!ids.has(id)) fail(`weights.${clipForMessage(id)}`, `not an edge; edges: ${[...ids].join(', ')}`);
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) fail(`weights.${id}`, `expected a finite number >= 0, got ${String(w)}`);
    }
    for (const [region, row] of Object.entries(change.latencyMs ?? {})) {
      if (!regionNames.has(region)) fail(`latency_ms.${clipForMessage(region)}`, `not a region; regions: ${[...regionNames].join(', ')}`);
      for (const [id, ms] of Object.entries(row)) {
        if (!ids.has(id)) fail(`latency_ms.${region}.${clipForMessage(id)}`, 'not an edge');
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) fail(`latency_ms.${region}.${id}`, `expected a finite number >= 0, got ${String(ms)}`);
      }
    }
    if (change.answers !== undefined && (!Number.isInteger(change.answers) || change.answers < 1 || change.answers > 1000)) fail('answers', `expected an integer from 1 to 1000, got ${String(change.answers)}`);
    if (change.ttlSeconds !== undefined && (!Number.isInteger(change.ttlSeconds) || change.ttlSeconds < 0 || change.ttlSeconds > 2 ** 31 - 1)) fail('ttl_seconds', `expected an integer from 0 to ${2 ** 31 - 1}, got ${String(change.ttlSeconds)}`);

    for (const [id, w] of Object.entries(change.weights ?? {})) (edges.find((e) => e.id === id) as PolicyEdge).weight = w;
    if (change.latencyMs && Object.keys(change.latencyMs).length > 0) {
      const table = structuredClone((ctx.latencyMs ?? {}) as Record<string, Record<string, number>>);
      for (const [region, row] of Object.entries(change.latencyMs)) table[region] = { ...table[region], ...row };
      ctx.latencyMs = table;
      // latency ranks once per candidate list: a new table needs a new instance.
      policies.delete('latency');
      if (current.name === 'latency') current = policyFor('latency');
    }
    if (change.answers !== undefined) config.answers = change.answers;
    if (change.ttlSeconds !== undefined) {
      config.ttlSeconds = change.ttlSeconds;
      for (const k of Object.keys(config.ttlByPolicy)) delete config.ttlByPolicy[k];
      // The zone's own records (SOA, negative answers, per-edge names) carry
      // the base TTL too: without this they would keep the start-up value.
      // Per-policy TTLs stay answer TTLs only, as at start.
      zone.setTtl(config.ttlSeconds, Date.now() / 1000);
    }
    if (change.policy !== undefined) current = policyFor(change.policy);
    logger.info({ policy: current.name, change, serial: zone.serial }, 'policy configured');
    return policyState();
  };

  const byFamily: Record<4 | 6, PolicyEdge[]> = { 4: edges.filter((e) => e.family === 4), 6: edges.filter((e) => e.family === 6) };
  // Usable edges per family, rebuilt only after a health transition. Keeping
  // the same array between transitions also lets geo/latency reuse their
  // precomputed ranking (policy.ts createTieredSelector).
  const usableByFamily: Partial<Record<4 | 6, PolicyEdge[]>> = {};
  health.onTransition(() => {
    delete usableByFamily[4];
    delete usableByFamily[6];
  });

  /**
   * TTL for an answer. Per policy, and with stateAwareTtl (gdnsd's idea) it
   * shrinks while an answered edge's health is in flux: halved for every check
   * that disagrees with its current state, and at the floor for edges whose
   * state is still unknown or when failing open, so resolvers come back soon.
   */
  const ttlFor = (chosen: readonly PolicyEdge[], failingOpen: boolean): number => {
    const base = config.ttlByPolicy[current.name] ?? config.ttlSeconds;
    const aware = config.stateAwareTtl;
    if (!aware) return base;
    let shrink = 0;
    for (const e of chosen) {
      if (failingOpen || health.state(e.id) === 'unknown') return Math.min(base, aware.minSeconds);
      shrink = Math.max(shrink, health.instability(e.id));
    }
    return Math.min(base, Math.max(aware.minSeconds, Math.floor(base / 2 ** shrink)));
  };

  const state: ResponderState = {
    zone,
    coverage,
    defaultRegion: config.defaultRegion,
    maxUdpPayload: config.maxUdpPayload,
    select(family, region): Selection | undefined {
      const all = byFamily[family];
      let candidates = usableByFamily[family];
      if (!candidates) {
        candidates = all.filter((e) => health.usable(e.id));
        usableByFamily[family] = candidates;
      }
      let failingOpen = false;
      if (candidates.length === 0 && all.length > 0) {
        // Every candidate is down. fail-closed says so (SERVFAIL); fail-open
        // answers anyway on the bet that the checker is wrong, not every edge.
        if (config.failMode === 'fail-closed') return undefined;
        candidates = all;
        failingOpen = true;
      }
      const chosen = current.select({ region, candidates, count: config.answers });
      return { edges: chosen, ttl: ttlFor(chosen, failingOpen) };
    },
  };

  const handle = (message: Buffer, address: string, transport: 'udp' | 'tcp'): Buffer | undefined => {
    try {
      const out = respond(message, state, { address, transport });
      if (out.rcode !== 'DROPPED') metrics.query(current.name, out.rcode, out.region, transport);
      if (out.truncated) metrics.truncation(transport);
      return out.response;
    } catch (err) {
      // The responder is fuzzed not to throw; if it ever does, drop the packet, keep serving.
      logger.error({ err }, 'responder threw; packet dropped');
      return undefined;
    }
  };

  let anycast: AnycastRouter | undefined;
  if (config.anycast) {
    const a = config.anycast;
    anycast = new AnycastRouter({
      address: a.address,
      port: a.port,
      edges: edges.map((e) => {
        const target = a.targets?.[e.id] ? splitHostPort(a.targets[e.id]) : { host: e.address, port: a.edgePort as number };
        return { id: e.id, region: e.region, ...target };
      }),
      coverage,
      defaultRegion: config.defaultRegion,
      routeCosts: a.routeCosts ?? costsFromDistances(config),
      connectTimeoutMs: a.connectTimeoutMs,
      // A dead site stops announcing the prefix; load never enters into it.
      withdrawn: (id) => health.state(id) === 'down',
      onConnection: (region, edge) => metrics.anycastConnection(region, edge),
      onBroken: (edge) => metrics.anycastBrokenConnection(edge),
    });
  }

  let admin: DnsAdminRpc | undefined;
  let loadFeed: LoadFeed | undefined;
  let ownLoadProvider = false;
  let udp: dgram.Socket | undefined;
  let tcp: ReturnType<typeof createDnsTcpServer> | undefined;
  let metricsServer: http.Server | undefined;
  let started: Promise<DnsServerPorts> | undefined;

  const bindUdp = (port: number): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: familyOf(config.listen.host) === 6 ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
      socket.once('error', reject);
      socket.bind(port, config.listen.host, () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  const listenTcp = (server: net.Server, port: number, host: string): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });

  /** UDP and TCP on one port number; with port 0 retry until a free number works for both. */
  const bindPair = async (): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const socket = await bindUdp(config.listen.port);
      const port = socket.address().port;
      const server = createDnsTcpServer({ idleTimeoutMs: config.tcpIdleTimeoutMs, handle: (m, addr) => handle(m, addr, 'tcp') });
      try {
        await listenTcp(server, port, config.listen.host);
        udp = socket;
        tcp = server;
        return port;
      } catch (err) {
        socket.close();
        if (config.listen.port !== 0 || attempt >= 20) throw err;
      }
    }
  };

  const doStart = async (): Promise<DnsServerPorts> => {
    const port = await bindPair();
    const socket = udp as dgram.Socket;
    socket.on('message', (msg, rinfo) => {
      const response = handle(msg, rinfo.address, 'udp');
      // No callback: Node then tries a synchronous send first (uv_udp_try_send),
      // markedly faster than queueing a send request per answer. Send errors
      // surface as the socket's 'error' event, logged below.
      if (response) socket.send(response, rinfo.port, rinfo.address);
    });
    socket.on('error', (err) => logger.error({ err }, 'udp socket error'));
    metricsServer = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        metrics.text().then(
          (body) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(body);
          },
          () => {
            res.writeHead(500).end();
          },
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
    });
    const metricsPort = await listenTcp(metricsServer, config.listen.metricsPort, config.listen.metricsHost);
    const anycastPort = anycast ? await anycast.listen() : undefined;
    let adminPort: number | undefined;
    if (config.admin) {
      admin = createDnsAdminRpc(self, config.admin.token);
      adminPort = await admin.listen(config.admin.host, config.admin.port);
      // Unless a caller gave its own, least-loaded reads the edges' requests in flight.
      if (!ownLoadProvider && config.loadFeedIntervalMs > 0) {
        const feed = createGrpcLoadFeed({ edges: config.edges, token: config.admin.token, intervalMs: config.loadFeedIntervalMs });
        loadFeed = feed;
        loadProvider = (id) => feed.load(id);
        feed.start();
      }
    }
    health.start();
    logger.info({ port, metricsPort, anycastPort, adminPort, zone: config.zone, policy: current.name }, 'dns listening');
    return { udpPort: port, tcpPort: port, metricsPort, anycastPort, ...(adminPort === undefined ? {} : { adminPort }) };
  };

  const self: DnsServer = {
    config,
    start() {
      started ??= doStart();
      return started;
    },
    setPolicy(name) {
      current = policyFor(name);
      logger.info({ policy: name }, 'policy changed');
    },
    policy: () => current.name,
    configurePolicy,
    policyState,
    setLoadProvider(fn) {
      if (typeof fn !== 'function') throw new Error(`expected load provider to be a function (edgeId) => number | undefined, got ${typeof fn}`);
      loadProvider = fn;
      ownLoadProvider = true;
      loadFeed?.stop();
      loadFeed = undefined;
    },
    health,
    metrics,
    anycast,
    setRouteCosts(costs) {
      if (!anycast) throw new Error('setRouteCosts: anycast is not configured (config.anycast)');
      const result = anycast.setRouteCosts(costs);
      logger.info({ broken: result.broken }, 'anycast route change');
      return result;
    },
    async stop() {
      health.stop();
      ownProbe?.close();
      const closing: Promise<void>[] = [];
      if (udp) {
        const s = udp;
        closing.push(new Promise((resolve) => s.close(() => resolve())));
      }
      if (tcp) {
        const s = tcp;
        s.destroyConnections();
        closing.push(new Promise((resolve) => s.close(() => resolve())));
      }
      if (metricsServer) {
        const s = metricsServer;
        s.closeAllConnections();
        closing.push(new Promise((resolve) => s.close(() => resolve())));
      }
      if (anycast) closing.push(anycast.close());
      if (admin) closing.push(admin.close());
      loadFeed?.stop();
      loadFeed = undefined;
      await Promise.all(closing);
      admin = undefined;
      udp = undefined;
      tcp = undefined;
      metricsServer = undefined;
    },
  };
  return self;
}
