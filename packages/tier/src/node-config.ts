/**
 * What the launcher (cdnlab up, compose, a user) hands one cache-tier process:
 * plain JSON, resolved from the topology so the process needs no YAML. The
 * edge, regional and shield all take this shape; `http` is the edge's client
 * front door, `metrics` is where every node serves /metrics.
 */
import type { CacheKeyOptions, TierCacheSettings } from '@cdnlab/core';

export type TierRole = 'edge' | 'regional' | 'shield';

export interface LinkConfig {
  latencyMs: number;
  jitterMs: number;
  loss: number;
  /** Down (TierAdmin SetLinks at run time): calls over the link fail as unreachable. */
  down?: boolean;
  /** Cut (TierAdmin SetLinks at run time): a partition; calls wait, held messages cross after it (rpc Link). */
  cut?: boolean;
}

export interface ParentConfig {
  id: string;
  /** host:port of the parent's Tier gRPC service. */
  address: string;
  weight?: number;
  /** One-way link from this node to the parent. */
  link?: LinkConfig;
}

/** A tier's cache settings: the same shape the topology file and the simulator use. */
export type TierCacheConfig = TierCacheSettings;

export interface TierNodeConfig {
  id: string;
  role: TierRole;
  region: string;
  grpc: { host: string; port: number };
  http?: { host: string; port: number };
  metrics?: { host: string; port: number };
  cache: TierCacheConfig;
  key: CacheKeyOptions;
  /** Parents in configuration order; requests are spread by rendezvous hashing. */
  parents: ParentConfig[];
  /** Tried, in order, when every parent failed (e.g. the shield, or the origin). */
  fallback?: ParentConfig[];
  /** Deadline for a whole upstream fetch from this tier. Default 10 s. */
  upstreamTimeoutMs?: number;
  /**
   * One-way latency and jitter between the control plane and this node, in
   * ms: a purge the control plane sends directly takes this long to arrive
   * (on loopback it would take nothing, and purge timing would not show the
   * distance it shows in a real CDN). Default none.
   */
  controlLink?: { latencyMs: number; jitterMs: number };
  /**
   * gRPC addresses of the cache nodes that fetch from this one: where a tree
   * purge is passed on. Their connections are opened when this node serves
   * its first fetch (every node is up by then), so that the first purge
   * measures the links and not connection setup. Default none.
   */
  children?: string[];
  /** Bearer token for admin RPCs (Purge, Stats) on this node. */
  token: string;
  /** Hostnames this CDN serves; any other Host maps to the first (the edge's default property). */
  hostnames: string[];
  shutdownGraceMs?: number;
}

export class NodeConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new NodeConfigError(field, `expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new NodeConfigError(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}
function num(v: unknown, field: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new NodeConfigError(field, `expected a number >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}
function listen(v: unknown, field: string): { host: string; port: number } {
  const o = obj(v, field);
  const port = num(o.port, `${field}.port`);
  if (!Number.isInteger(port) || port > 65535) throw new NodeConfigError(`${field}.port`, `expected an integer in [0, 65535], got ${port}`);
  return { host: str(o.host, `${field}.host`), port };
}
function hostPort(v: unknown, field: string): string {
  const a = str(v, field);
  if (!/^[^:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(a)) throw new NodeConfigError(field, `expected host:port, got ${JSON.stringify(a)}`);
  return a;
}
function parent(v: unknown, field: string): ParentConfig {
  const o = obj(v, field);
  const p: ParentConfig = { id: str(o.id, `${field}.id`), address: hostPort(o.address, `${field}.address`) };
  if (o.weight !== undefined) p.weight = num(o.weight, `${field}.weight`, 0);
  if (o.link !== undefined) {
    const l = obj(o.link, `${field}.link`);
    p.link = { latencyMs: num(l.latencyMs ?? 0, `${field}.link.latencyMs`), jitterMs: num(l.jitterMs ?? 0, `${field}.link.jitterMs`), loss: num(l.loss ?? 0, `${field}.link.loss`) };
    if (p.link.loss > 1) throw new NodeConfigError(`${field}.link.loss`, `expected a probability in [0, 1], got ${p.link.loss}`);
  }
  return p;
}

/** Validates a node config (JSON text or a parsed value); errors name the field. */
export function parseTierNodeConfig(input: unknown): TierNodeConfig {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw new NodeConfigError('config', `not valid JSON: ${(err as Error).message}`);
    }
  }
  const o = obj(raw, 'config');
  const role = str(o.role, 'config.role');
  if (role !== 'edge' && role !== 'regional' && role !== 'shield') throw new NodeConfigError('config.role', `expected edge, regional or shield, got ${JSON.stringify(role)}`);
  const cache = obj(o.cache, 'config.cache');
  const collapsing = str(cache.collapsing ?? 'wait', 'config.cache.collapsing');
  if (!['off', 'wait', 'lock-timeout'].includes(collapsing)) throw new NodeConfigError('config.cache.collapsing', `expected off, wait or lock-timeout, got ${JSON.stringify(collapsing)}`);
  const capacityBytes = num(cache.capacityBytes, 'config.cache.capacityBytes', 1);
  const cfg: TierNodeConfig = {
    id: str(o.id, 'config.id'),
    role,
    region: str(o.region, 'config.region'),
    grpc: listen(o.grpc, 'config.grpc'),
    http: o.http === undefined ? undefined : listen(o.http, 'config.http'),
    metrics: o.metrics === undefined ? undefined : listen(o.metrics, 'config.metrics'),
    cache: {
      capacityBytes,
      maxObjectBytes: num(cache.maxObjectBytes ?? capacityBytes, 'config.cache.maxObjectBytes', 1),
      eviction: str(cache.eviction ?? 'lru', 'config.cache.eviction'),
      collapsing: collapsing as TierCacheConfig['collapsing'],
      lockTimeoutMs: num(cache.lockTimeoutMs ?? 5000, 'config.cache.lockTimeoutMs'),
      maxWaiters: num(cache.maxWaiters ?? 0, 'config.cache.maxWaiters'),
      staleWhileRevalidate: cache.staleWhileRevalidate !== false,
      staleIfError: cache.staleIfError !== false,
      graceMs: num(cache.graceMs ?? 0, 'config.cache.graceMs'),
      defaultTtlMs: num(cache.defaultTtlMs ?? 0, 'config.cache.defaultTtlMs'),
      minTtlMs: num(cache.minTtlMs ?? 0, 'config.cache.minTtlMs'),
      maxTtlMs: num(cache.maxTtlMs ?? 0, 'config.cache.maxTtlMs'),
      heuristicFraction: num(cache.heuristicFraction ?? 0.1, 'config.cache.heuristicFraction'),
      storeSetCookie: cache.storeSetCookie === true,
      variantCap: num(cache.variantCap ?? 16, 'config.cache.variantCap', 1),
      targetedFields: Array.isArray(cache.targetedFields) ? cache.targetedFields.map((t, i) => str(t, `config.cache.targetedFields[${i}]`).toLowerCase()) : ['cdn-cache-control'],
      honourRequestCacheControl: cache.honourRequestCacheControl === undefined ? undefined : cache.honourRequestCacheControl === true,
    },
    key: (o.key === undefined ? {} : obj(o.key, 'config.key')) as CacheKeyOptions,
    parents: (Array.isArray(o.parents) ? o.parents : (() => { throw new NodeConfigError('config.parents', 'expected a list of parents'); })()).map((p, i) => parent(p, `config.parents[${i}]`)),
    fallback: o.fallback === undefined ? undefined : (Array.isArray(o.fallback) ? o.fallback : []).map((p, i) => parent(p, `config.fallback[${i}]`)),
    upstreamTimeoutMs: o.upstreamTimeoutMs === undefined ? undefined : num(o.upstreamTimeoutMs, 'config.upstreamTimeoutMs', 1),
    token: str(o.token, 'config.token'),
    hostnames: Array.isArray(o.hostnames) && o.hostnames.length > 0 ? o.hostnames.map((h, i) => str(h, `config.hostnames[${i}]`).toLowerCase()) : ['localhost'],
    shutdownGraceMs: o.shutdownGraceMs === undefined ? undefined : num(o.shutdownGraceMs, 'config.shutdownGraceMs'),
  };
  if (o.children !== undefined) {
    if (!Array.isArray(o.children)) throw new NodeConfigError('config.children', `expected a list of host:port, got ${JSON.stringify(o.children)}`);
    cfg.children = o.children.map((c, i) => hostPort(c, `config.children[${i}]`));
  }
  if (o.controlLink !== undefined) {
    const l = obj(o.controlLink, 'config.controlLink');
    cfg.controlLink = { latencyMs: num(l.latencyMs ?? 0, 'config.controlLink.latencyMs'), jitterMs: num(l.jitterMs ?? 0, 'config.controlLink.jitterMs') };
  }
  if (cfg.parents.length === 0 && !cfg.fallback?.length) throw new NodeConfigError('config.parents', 'a cache tier needs at least one parent (or fallback)');
  if (cfg.role === 'edge' && !cfg.http) throw new NodeConfigError('config.http', 'an edge needs an HTTP listen address');
  return cfg;
}
