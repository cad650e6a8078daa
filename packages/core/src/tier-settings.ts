/**
 * A tier's cache settings as topology files state them, and the one mapping
 * from them to HttpCache options. The services and the simulator both build
 * their caches through here, so a switch in a topology means the same thing
 * in every engine.
 */
import type { CacheKeyOptions } from './cache-key';
import type { HttpCacheOptions } from './http-cache';

export interface TierCacheSettings {
  capacityBytes: number;
  maxObjectBytes: number;
  eviction: string;
  collapsing: 'off' | 'wait' | 'lock-timeout';
  lockTimeoutMs: number;
  /** 0: no limit. */
  maxWaiters: number;
  staleWhileRevalidate: boolean;
  staleIfError: boolean;
  graceMs: number;
  defaultTtlMs: number;
  minTtlMs: number;
  /** 0: no cap. */
  maxTtlMs: number;
  heuristicFraction: number;
  /** Store Set-Cookie responses (without the cookie) instead of refusing them. */
  storeSetCookie: boolean;
  variantCap: number;
  targetedFields: string[];
  honourRequestCacheControl?: boolean;
}

export function httpCacheOptionsFromSettings(name: string, c: TierCacheSettings, key: CacheKeyOptions, defaultOrigin: string): HttpCacheOptions {
  return {
    name,
    capacityBytes: c.capacityBytes,
    maxObjectBytes: c.maxObjectBytes,
    eviction: c.eviction,
    key,
    targetedFields: c.targetedFields.map((f) => f.toLowerCase()),
    // A shared cache must never hand one user's cookie to another: when
    // storing is allowed, the Set-Cookie lines are stripped from the copy.
    storeSetCookie: c.storeSetCookie ? 'strip' : 'no',
    maxVariantsPerKey: c.variantCap,
    honourRequestCacheControl: c.honourRequestCacheControl,
    defaultOrigin,
    freshness: {
      heuristicFraction: c.heuristicFraction,
      defaultTtlMs: c.defaultTtlMs,
      minTtlMs: c.minTtlMs,
      maxTtlMs: c.maxTtlMs > 0 ? c.maxTtlMs : undefined,
      graceMs: c.graceMs,
      honourStaleWhileRevalidate: c.staleWhileRevalidate,
      honourStaleIfError: c.staleIfError,
    },
  };
}
