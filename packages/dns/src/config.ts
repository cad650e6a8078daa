import { isIP } from 'node:net';
import { parseCidr } from './ip';

// The service configuration and its validation. Every error names the field
// (`config.edges[2].grpcAddress`) and what was wrong, so a bad topology file
// fails at start-up with a message a user can act on.

export type FailMode = 'fail-open' | 'fail-closed';

export interface EdgeConfig {
  /** Also the DNS label of its own name: <id>.<zone>. */
  id: string;
  region: string;
  /** IPv4 or IPv6 address put in A / AAAA answers. */
  address: string;
  /** host:port of the edge's gRPC server, checked with grpc.health.v1. */
  grpcAddress: string;
  weight: number;
}

export interface RegionConfig {
  name: string;
  cidrs: string[];
}

export interface HealthConfig {
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before an edge is down. */
  fall: number;
  /** Consecutive successes before an edge is up. */
  rise: number;
}

export interface AnycastConfig {
  /** The one virtual address every edge "announces" (a loopback address in the lab). */
  address: string;
  port: number;
  /** Port on each edge's `address` the router forwards to, unless `targets` names one. */
  edgePort?: number;
  /** Per-edge forward target host:port (overrides address:edgePort). */
  targets?: Record<string, string>;
  /** Initial path costs region -> edge -> cost; default: the region distances. */
  routeCosts?: Record<string, Record<string, number>>;
  connectTimeoutMs: number;
}

/** The DnsAdmin gRPC listener (policy and route changes at run time). */
export interface AdminConfig {
  host: string;
  port: number;
  /** Bearer token every DnsAdmin call must carry (the cluster's token). */
  token: string;
}

export interface StateAwareTtlConfig {
  /** The floor the TTL shrinks to while an answered edge's health is in flux. */
  minSeconds: number;
}

export interface DnsServiceConfig {
  zone: string;
  listen: { host: string; port: number; metricsHost: string; metricsPort: number };
  ttlSeconds: number;
  /** TTL for answers chosen by a given policy; falls back to ttlSeconds. */
  ttlByPolicy: Record<string, number>;
  stateAwareTtl?: StateAwareTtlConfig;
  answers: number;
  policy: string;
  failMode: FailMode;
  /** Region assumed for clients the coverage map does not place. */
  defaultRegion?: string;
  edges: EdgeConfig[];
  regions: RegionConfig[];
  distances: Record<string, Record<string, number>>;
  latencyMs?: Record<string, Record<string, number>>;
  health: HealthConfig;
  anycast?: AnycastConfig;
  /** Absent: no gRPC listener, the policy can only change by restarting. */
  admin?: AdminConfig;
  /**
   * With `admin` (its token reads the edges' Tier.Stats): how often the
   * least-loaded policy's load feed reads every edge's requests in flight.
   * 0 turns the feed off. Default 250.
   */
  loadFeedIntervalMs: number;
  /** Largest UDP response we offer in our OPT (RFC 6891 §6.2.5); 1232 is the DNS Flag Day 2020 figure. */
  maxUdpPayload: number;
  /** RFC 7766 §6.2.3: idle TCP connections are closed after this. */
  tcpIdleTimeoutMs: number;
}

/** What a user may write: everything with a default is optional. */
export type DnsServiceConfigInput = {
  [K in keyof DnsServiceConfig]?: K extends 'listen'
    ? Partial<DnsServiceConfig['listen']>
    : K extends 'health'
      ? Partial<HealthConfig>
      : K extends 'edges'
        ? Array<Omit<EdgeConfig, 'weight'> & { weight?: number }>
        : K extends 'anycast'
          ? Omit<AnycastConfig, 'connectTimeoutMs'> & { connectTimeoutMs?: number }
          : DnsServiceConfig[K];
};

export const DEFAULT_ZONE = 'cdn.cdnlab.test';
export const DEFAULT_HEALTH: HealthConfig = { intervalMs: 2000, timeoutMs: 1000, fall: 2, rise: 3 };
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class ConfigError extends Error {
  readonly code = 'ERR_DNS_CONFIG';
}

function fail(path: string, expected: string, got: unknown): never {
  throw new ConfigError(`expected ${path} to be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, path: string, min: number, max: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `an integer from ${min} to ${max}`, v);
  }
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, 'a finite number >= 0', v);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(path, 'a non-empty string', v);
  return v;
}

function ip(v: unknown, path: string): string {
  if (typeof v !== 'string' || isIP(v) === 0) fail(path, 'an IPv4 or IPv6 address', v);
  return v;
}

function hostPort(v: unknown, path: string): string {
  const m = typeof v === 'string' ? /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(v) : null;
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) fail(path, 'host:port (e.g. 127.0.0.1:50051)', v);
  return v as string;
}

function table(v: unknown, path: string, rows: Set<string>, cols: Set<string>, rowWhat: string, colWhat: string) {
  if (!isObject(v)) fail(path, `an object of ${rowWhat} -> ${colWhat} -> number`, v);
  const out: Record<string, Record<string, number>> = {};
  for (const [row, inner] of Object.entries(v)) {
    if (!rows.has(row)) fail(`${path} key`, `a known ${rowWhat}`, row);
    if (!isObject(inner)) fail(`${path}.${row}`, 'an object', inner);
    out[row] = {};
    for (const [col, value] of Object.entries(inner)) {
      if (!cols.has(col)) fail(`${path}.${row} key`, `a known ${colWhat}`, col);
      out[row][col] = num(value, `${path}.${row}.${col}`);
    }
  }
  return out;
}

/**
 * Validate and fill defaults. `policyNames` lets the caller check the policy
 * against the registry without this file importing it.
 */
export function parseDnsServiceConfig(input: unknown, policyNames: readonly string[]): DnsServiceConfig {
  if (!isObject(input)) fail('config', 'an object', input);
  const c = input;

  const zone = (c.zone === undefined ? DEFAULT_ZONE : str(c.zone, 'config.zone')).toLowerCase().replace(/\.$/, '');
  if (!zone.split('.').every((l) => LABEL.test(l)) || zone.length > 253) fail('config.zone', 'a DNS name like cdn.cdnlab.test', c.zone);

  const listenIn = c.listen === undefined ? {} : c.listen;
  if (!isObject(listenIn)) fail('config.listen', 'an object', listenIn);
  const host = listenIn.host === undefined ? '127.0.0.1' : ip(listenIn.host, 'config.listen.host');
  const listen = {
    host,
    port: int(listenIn.port, 'config.listen.port', 0, 65535, 0),
    metricsHost: listenIn.metricsHost === undefined ? host : ip(listenIn.metricsHost, 'config.listen.metricsHost'),
    metricsPort: int(listenIn.metricsPort, 'config.listen.metricsPort', 0, 65535, 0),
  };

  if (!Array.isArray(c.regions) || c.regions.length === 0) fail('config.regions', 'a non-empty array', c.regions);
  const regionNames = new Set<string>();
  const regions: RegionConfig[] = c.regions.map((r: unknown, i: number) => {
    const path = `config.regions[${i}]`;
    if (!isObject(r)) fail(path, 'an object {name, cidrs}', r);
    const name = str(r.name, `${path}.name`);
    if (regionNames.has(name)) fail(`${path}.name`, 'unique', name);
    regionNames.add(name);
    if (!Array.isArray(r.cidrs)) fail(`${path}.cidrs`, 'an array of CIDR strings', r.cidrs);
    const cidrs = r.cidrs.map((cidr: unknown, j: number) => {
      const parsed = typeof cidr === 'string' ? parseCidr(cidr) : 'not a string';
      if (typeof parsed === 'string') fail(`${path}.cidrs[${j}]`, `a CIDR (${parsed})`, cidr);
      return cidr as string;
    });
    return { name, cidrs };
  });

  if (!Array.isArray(c.edges) || c.edges.length === 0) fail('config.edges', 'a non-empty array', c.edges);
  const edgeIds = new Set<string>();
  const edges: EdgeConfig[] = c.edges.map((e: unknown, i: number) => {
    const path = `config.edges[${i}]`;
    if (!isObject(e)) fail(path, 'an object {id, region, address, grpcAddress}', e);
    const id = str(e.id, `${path}.id`);
    // The id is a DNS label under the zone, so it must be one.
    if (!LABEL.test(id)) fail(`${path}.id`, 'a lower-case DNS label (a-z, 0-9, -)', id);
    if (id === 'ns1') fail(`${path}.id`, 'not "ns1" (the name server name)', id);
    if (edgeIds.has(id)) fail(`${path}.id`, 'unique', id);
    edgeIds.add(id);
    const region = str(e.region, `${path}.region`);
    if (!regionNames.has(region)) fail(`${path}.region`, `one of the regions (${[...regionNames].join(', ')})`, region);
    return {
      id,
      region,
      address: ip(e.address, `${path}.address`),
      grpcAddress: hostPort(e.grpcAddress, `${path}.grpcAddress`),
      weight: e.weight === undefined ? 1 : num(e.weight, `${path}.weight`),
    };
  });

  const distances = c.distances === undefined ? {} : table(c.distances, 'config.distances', regionNames, regionNames, 'region', 'region');
  const latencyMs = c.latencyMs === undefined ? undefined : table(c.latencyMs, 'config.latencyMs', regionNames, edgeIds, 'region', 'edge id');

  const policy = c.policy === undefined ? 'geo' : str(c.policy, 'config.policy');
  if (!policyNames.includes(policy)) fail('config.policy', `one of ${policyNames.join(', ')}`, policy);

  const failMode = c.failMode === undefined ? 'fail-open' : c.failMode;
  if (failMode !== 'fail-open' && failMode !== 'fail-closed') fail('config.failMode', '"fail-open" or "fail-closed"', failMode);

  const ttlSeconds = int(c.ttlSeconds, 'config.ttlSeconds', 0, 2 ** 31 - 1, 30);
  const ttlByPolicy: Record<string, number> = {};
  if (c.ttlByPolicy !== undefined) {
    if (!isObject(c.ttlByPolicy)) fail('config.ttlByPolicy', 'an object of policy -> seconds', c.ttlByPolicy);
    for (const [name, v] of Object.entries(c.ttlByPolicy)) {
      if (!policyNames.includes(name)) fail('config.ttlByPolicy key', `one of ${policyNames.join(', ')}`, name);
      ttlByPolicy[name] = int(v, `config.ttlByPolicy.${name}`, 0, 2 ** 31 - 1);
    }
  }
  let stateAwareTtl: StateAwareTtlConfig | undefined;
  if (c.stateAwareTtl !== undefined) {
    if (!isObject(c.stateAwareTtl)) fail('config.stateAwareTtl', 'an object {minSeconds}', c.stateAwareTtl);
    stateAwareTtl = { minSeconds: int(c.stateAwareTtl.minSeconds, 'config.stateAwareTtl.minSeconds', 0, 2 ** 31 - 1) };
  }

  const h = c.health === undefined ? {} : c.health;
  if (!isObject(h)) fail('config.health', 'an object', h);
  const health: HealthConfig = {
    intervalMs: int(h.intervalMs, 'config.health.intervalMs', 1, 3_600_000, DEFAULT_HEALTH.intervalMs),
    timeoutMs: int(h.timeoutMs, 'config.health.timeoutMs', 1, 3_600_000, DEFAULT_HEALTH.timeoutMs),
    fall: int(h.fall, 'config.health.fall', 1, 1000, DEFAULT_HEALTH.fall),
    rise: int(h.rise, 'config.health.rise', 1, 1000, DEFAULT_HEALTH.rise),
  };

  let defaultRegion: string | undefined;
  if (c.defaultRegion !== undefined) {
    defaultRegion = str(c.defaultRegion, 'config.defaultRegion');
    if (!regionNames.has(defaultRegion)) fail('config.defaultRegion', 'one of the regions', defaultRegion);
  }

  let anycast: AnycastConfig | undefined;
  if (c.anycast !== undefined) {
    const a = c.anycast;
    if (!isObject(a)) fail('config.anycast', 'an object {address, port, ...}', a);
    anycast = {
      address: ip(a.address, 'config.anycast.address'),
      port: int(a.port, 'config.anycast.port', 0, 65535),
      connectTimeoutMs: int(a.connectTimeoutMs, 'config.anycast.connectTimeoutMs', 1, 600_000, 2000),
    };
    if (a.edgePort !== undefined) anycast.edgePort = int(a.edgePort, 'config.anycast.edgePort', 1, 65535);
    if (a.targets !== undefined) {
      if (!isObject(a.targets)) fail('config.anycast.targets', 'an object of edge id -> host:port', a.targets);
      anycast.targets = {};
      for (const [id, t] of Object.entries(a.targets)) {
        if (!edgeIds.has(id)) fail('config.anycast.targets key', 'a known edge id', id);
        anycast.targets[id] = hostPort(t, `config.anycast.targets.${id}`);
      }
    }
    for (const e of edges) {
      if (anycast.edgePort === undefined && anycast.targets?.[e.id] === undefined) {
        fail(`config.anycast.targets.${e.id}`, 'host:port (or set config.anycast.edgePort)', undefined);
      }
    }
    if (a.routeCosts !== undefined) anycast.routeCosts = table(a.routeCosts, 'config.anycast.routeCosts', regionNames, edgeIds, 'region', 'edge id');
  }

  let admin: AdminConfig | undefined;
  if (c.admin !== undefined) {
    const a = c.admin;
    if (!isObject(a)) fail('config.admin', 'an object {host, port, token}', a);
    const token = a.token;
    // Never echo the secret in the message.
    if (typeof token !== 'string' || token.length === 0 || /\s/.test(token)) throw new ConfigError('expected config.admin.token to be a non-empty string without whitespace');
    admin = { host: ip(a.host, 'config.admin.host'), port: int(a.port, 'config.admin.port', 0, 65535), token };
  }

  return {
    zone,
    listen,
    ttlSeconds,
    ttlByPolicy,
    stateAwareTtl,
    answers: int(c.answers, 'config.answers', 1, 1000, 2),
    policy,
    failMode,
    defaultRegion,
    edges,
    regions,
    distances,
    latencyMs,
    health,
    anycast,
    admin,
    loadFeedIntervalMs: c.loadFeedIntervalMs === 0 ? 0 : int(c.loadFeedIntervalMs, 'config.loadFeedIntervalMs', 10, 3_600_000, 250),
    maxUdpPayload: int(c.maxUdpPayload, 'config.maxUdpPayload', 512, 65535, 1232),
    tcpIdleTimeoutMs: int(c.tcpIdleTimeoutMs, 'config.tcpIdleTimeoutMs', 1, 3_600_000, 10_000),
  };
}
