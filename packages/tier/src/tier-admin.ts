/**
 * The TierAdmin gRPC service of one cache tier node: its outgoing links,
 * its cache settings and TTL overrides, and clearing its store, all at run
 * time. Scenario timelines (`link`, `ttl-override`), `cdnlab link` /
 * `cdnlab cache` and the runner's reconfigure (variants on one running
 * cluster) call it. Every call needs the node's bearer token; a bad value is
 * INVALID_ARGUMENT naming the field; every answer is the applied state.
 */
import { evictionPolicyNames, hasEvictionPolicy, pathGlob, type TierCacheSettings } from '@cdnlab/core';
import {
  cacheSettingsMessage,
  CdnError,
  quoteForMessage,
  toServiceError,
  type BearerAuth,
  type ClearCacheReply,
  type LinkState,
  type SetCacheSettingsRequest__Output,
  type SetLinksRequest__Output,
  type TierState,
} from '@cdnlab/rpc';
import type * as grpc from '@grpc/grpc-js';
import type { CacheNode } from './cache-node';
import type { LinkConfig, TierNodeConfig } from './node-config';
import { type RuntimeCache, type TtlOverrideRule } from './runtime-cache';
import type { GrpcUpstream } from './upstream-grpc';

/** The wire form of cache settings lives in rpc, next to the message: the runner builds requests from it too. */
export { cacheSettingsMessage };

const COLLAPSING = ['off', 'wait', 'lock-timeout'] as const;

/** Bounds of what an admin call may set (a longer list or delay is a mistake, and costs on every request). */
export const TIER_ADMIN_LIMITS = {
  /** Link latency and jitter, as for the origin's slow fault: an hour. */
  linkDelayMs: 3_600_000,
  /** Targeted fields a tier obeys (RFC 9213): a handful in practice. */
  targetedFields: 64,
  /** TTL overrides in force: each stored object is matched against them in turn. */
  ttlOverrides: 1000,
} as const;

export interface LinkChange {
  latencyMs?: number;
  jitterMs?: number;
  loss?: number;
  down?: boolean;
  cut?: boolean;
}

function bad(field: string, message: string): CdnError {
  return new CdnError('BAD_REQUEST', `${field}: ${message}`);
}

function nonNegative(field: string, v: number | undefined, opts: { integer?: boolean; positive?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (opts.positive && v === 0)) {
    throw bad(field, `expected a ${opts.positive ? 'positive' : 'non-negative'} ${opts.integer ? 'integer' : 'number'}, got ${String(v)}`);
  }
  if (opts.integer && !Number.isSafeInteger(v)) throw bad(field, `expected an integer, got ${v}`);
  return v;
}

/** A link change from a SetLinks request; throws BAD_REQUEST naming the field. */
export function linkChangeFromRequest(req: SetLinksRequest__Output): LinkChange {
  const change: LinkChange = {};
  const delay = (field: string, v: number | undefined): number | undefined => {
    const ms = nonNegative(field, v);
    if (ms !== undefined && ms > TIER_ADMIN_LIMITS.linkDelayMs) throw bad(field, `expected at most ${TIER_ADMIN_LIMITS.linkDelayMs} (an hour), got ${ms}`);
    return ms;
  };
  const latency = delay('latency_ms', req.latencyMs);
  const jitter = delay('jitter_ms', req.jitterMs);
  if (latency !== undefined) change.latencyMs = latency;
  if (jitter !== undefined) change.jitterMs = jitter;
  if (req.loss !== undefined) {
    if (typeof req.loss !== 'number' || !(req.loss >= 0 && req.loss < 1)) throw bad('loss', `expected a probability in [0, 1), got ${String(req.loss)}`);
    change.loss = req.loss;
  }
  if (req.down !== undefined) change.down = req.down;
  if (req.cut !== undefined) change.cut = req.cut;
  if (Object.keys(change).length === 0) throw bad('SetLinksRequest', 'nothing to change: give latency_ms, jitter_ms, loss, down or cut');
  return change;
}

/**
 * The settings a SetCacheSettings request asks for, over `current`; throws
 * BAD_REQUEST naming the field. Cross-field rules (min TTL <= max TTL) are
 * checked on the result, so a request may move both at once.
 */
export function cacheSettingsFromRequest(current: TierCacheSettings, req: SetCacheSettingsRequest__Output): TierCacheSettings {
  const next: TierCacheSettings = { ...current, targetedFields: [...current.targetedFields] };
  const int = (field: string, v: number | undefined, positive = false): number | undefined => nonNegative(field, v, { integer: true, positive });
  const set = <K extends keyof TierCacheSettings>(key: K, v: TierCacheSettings[K] | undefined): void => {
    if (v !== undefined) next[key] = v;
  };
  set('capacityBytes', int('capacity_bytes', req.capacityBytes, true));
  set('maxObjectBytes', int('max_object_bytes', req.maxObjectBytes, true));
  if (req.eviction !== undefined) {
    if (!hasEvictionPolicy(req.eviction)) throw bad('eviction', `expected one of ${evictionPolicyNames().join(', ')}, got ${quoteForMessage(req.eviction)}`);
    next.eviction = req.eviction;
  }
  if (req.collapsing !== undefined) {
    if (!(COLLAPSING as readonly string[]).includes(req.collapsing)) throw bad('collapsing', `expected one of ${COLLAPSING.join(', ')}, got ${quoteForMessage(req.collapsing)}`);
    next.collapsing = req.collapsing as TierCacheSettings['collapsing'];
  }
  set('lockTimeoutMs', int('lock_timeout_ms', req.lockTimeoutMs, true));
  set('maxWaiters', int('max_waiters', req.maxWaiters));
  set('staleWhileRevalidate', req.staleWhileRevalidate);
  set('staleIfError', req.staleIfError);
  set('graceMs', nonNegative('grace_ms', req.graceMs));
  set('defaultTtlMs', nonNegative('default_ttl_ms', req.defaultTtlMs));
  set('minTtlMs', nonNegative('min_ttl_ms', req.minTtlMs));
  set('maxTtlMs', nonNegative('max_ttl_ms', req.maxTtlMs));
  if (req.heuristicFraction !== undefined) {
    if (typeof req.heuristicFraction !== 'number' || !(req.heuristicFraction >= 0 && req.heuristicFraction <= 1)) {
      throw bad('heuristic_fraction', `expected a number in [0, 1], got ${String(req.heuristicFraction)}`);
    }
    next.heuristicFraction = req.heuristicFraction;
  }
  set('storeSetCookie', req.storeSetCookie);
  set('variantCap', int('variant_cap', req.variantCap, true));
  if (req.setTargetedFields) {
    if (req.targetedFields.length > TIER_ADMIN_LIMITS.targetedFields) throw bad('targeted_fields', `expected at most ${TIER_ADMIN_LIMITS.targetedFields} names, got ${req.targetedFields.length}`);
    next.targetedFields = req.targetedFields.map((f, i) => {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(f)) throw bad(`targeted_fields[${i}]`, `expected a field name (RFC 9110 §5.1 token), got ${quoteForMessage(f)}`);
      return f.toLowerCase();
    });
  } else if (req.targetedFields.length > 0) {
    throw bad('targeted_fields', 'given without set_targeted_fields: true');
  }
  set('honourRequestCacheControl', req.honourRequestCacheControl);
  if (next.maxObjectBytes > next.capacityBytes) throw bad(req.maxObjectBytes !== undefined ? 'max_object_bytes' : 'capacity_bytes', `max_object_bytes (${next.maxObjectBytes}) must not exceed capacity_bytes (${next.capacityBytes})`);
  if (next.maxTtlMs > 0 && next.minTtlMs > next.maxTtlMs) throw bad(req.minTtlMs !== undefined ? 'min_ttl_ms' : 'max_ttl_ms', `min_ttl_ms (${next.minTtlMs}) must not exceed max_ttl_ms (${next.maxTtlMs}; 0 = no cap)`);
  return next;
}

/** TTL overrides after a SetCacheSettings request (clear first, then add; same match replaces). */
export function ttlOverridesFromRequest(current: readonly TtlOverrideRule[], req: SetCacheSettingsRequest__Output): TtlOverrideRule[] {
  // Keyed by match: a Map keeps insertion order, and deleting before setting
  // moves a replaced rule to the end, as a later rule wins. (A filter per
  // added rule made a request of many rules quadratic: seconds of a blocked
  // event loop for some thousands.)
  const rules = new Map<string, TtlOverrideRule>(req.clearTtlOverrides ? [] : current.map((r) => [r.match, r]));
  req.ttlOverrides.forEach((o, i) => {
    try {
      pathGlob(o.match);
    } catch (err) {
      throw bad(`ttl_overrides[${i}].match`, (err as Error).message);
    }
    nonNegative(`ttl_overrides[${i}].ttl_ms`, o.ttlMs, { integer: true });
    rules.delete(o.match);
    rules.set(o.match, { match: o.match, ttlMs: o.ttlMs });
    if (rules.size > TIER_ADMIN_LIMITS.ttlOverrides) throw bad('ttl_overrides', `at most ${TIER_ADMIN_LIMITS.ttlOverrides} overrides may be in force; ttl_overrides[${i}] would make ${rules.size}`);
  });
  return [...rules.values()];
}

export interface TierAdminDeps {
  config: TierNodeConfig;
  node: CacheNode;
  cache: RuntimeCache;
  upstream: GrpcUpstream;
  auth: BearerAuth;
  now?: () => number;
}

export interface TierAdmin {
  state(rebuilt?: boolean): TierState;
  setLinks(req: SetLinksRequest__Output): TierState;
  setCacheSettings(req: SetCacheSettingsRequest__Output): TierState;
  clearCache(): ClearCacheReply;
  /** Handlers for the TierAdmin service (token checked first). */
  readonly handlers: grpc.UntypedServiceImplementation;
}

export function createTierAdmin(deps: TierAdminDeps): TierAdmin {
  const { config, node, cache, upstream, auth } = deps;
  const now = deps.now ?? Date.now;
  // The upstream owns the Link objects; we keep what we set, to report it.
  const links = new Map<string, Required<LinkConfig>>();
  for (const p of [...config.parents, ...(config.fallback ?? [])]) {
    links.set(p.id, { latencyMs: p.link?.latencyMs ?? 0, jitterMs: p.link?.jitterMs ?? 0, loss: p.link?.loss ?? 0, down: p.link?.down ?? false, cut: p.link?.cut ?? false });
  }

  const state = (rebuilt = false): TierState => ({
    nodeId: config.id,
    role: config.role,
    cache: cacheSettingsMessage(cache.settings()),
    ttlOverrides: cache.ttlOverrides(),
    links: [...links].map(([parentId, l]): LinkState => ({ parentId, ...l })),
    storeRebuilt: rebuilt,
    appliedAtMs: now(),
  });

  const setLinks = (req: SetLinksRequest__Output): TierState => {
    const change = linkChangeFromRequest(req);
    req.parentIds.forEach((id, i) => {
      if (!links.has(id)) throw bad(`parent_ids[${i}]`, `${quoteForMessage(id)} is not a parent of ${config.id}; its parents: ${[...links.keys()].join(', ')}`);
    });
    // A parent named twice changes once.
    const ids = req.parentIds.length > 0 ? [...new Set(req.parentIds)] : upstream.parentIds();
    // Check the merged settings for every link before changing any, so a
    // request applies everywhere or nowhere.
    const merged = ids.map((id) => [id, { ...(links.get(id) as Required<LinkConfig>), ...change }] as const);
    for (const [id, l] of merged) {
      if (!upstream.setLink(id, l)) throw new CdnError('INTERNAL', `upstream has no link to ${id}`);
      links.set(id, l);
    }
    return state();
  };

  const setCacheSettings = (req: SetCacheSettingsRequest__Output): TierState => {
    const next = cacheSettingsFromRequest(cache.settings(), req);
    const rules = ttlOverridesFromRequest(cache.ttlOverrides(), req);
    let rebuilt: boolean;
    try {
      ({ rebuilt } = cache.apply(next));
    } catch (err) {
      throw new CdnError('BAD_REQUEST', `cache settings refused: ${(err as Error).message}`, { cause: err });
    }
    cache.setTtlOverrides(rules);
    node.setCollapsing({ mode: next.collapsing, lockTimeoutMs: next.lockTimeoutMs, maxWaiters: next.maxWaiters > 0 ? next.maxWaiters : undefined });
    return state(rebuilt);
  };

  const clearCache = (): ClearCacheReply => ({ nodeId: config.id, objectsRemoved: cache.clear(), appliedAtMs: now() });

  const unary = <Req, Res>(fn: (req: Req) => Res) => (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>): void => {
    const denied = auth.check(call.metadata);
    if (denied) {
      cb(toServiceError(denied));
      return;
    }
    let reply: Res;
    try {
      reply = fn(call.request);
    } catch (err) {
      cb(toServiceError(err));
      return;
    }
    cb(null, reply);
  };

  return {
    state,
    setLinks,
    setCacheSettings,
    clearCache,
    handlers: {
      GetState: unary(() => state()),
      SetLinks: unary(setLinks),
      SetCacheSettings: unary(setCacheSettings),
      ClearCache: unary(clearCache),
    } as grpc.UntypedServiceImplementation,
  };
}
