/**
 * A tier's cache settings on the wire (cdnlab.tier.v1.CacheSettings): what
 * TierAdmin reports, and the body of a SetCacheSettings that resets a node
 * to these settings.
 */
import type { TierCacheSettings } from '@cdnlab/core';
import type { CacheSettings } from './generated/cdnlab/tier/v1/CacheSettings';

export function cacheSettingsMessage(s: TierCacheSettings): CacheSettings {
  const out: CacheSettings = {
    capacityBytes: s.capacityBytes,
    maxObjectBytes: s.maxObjectBytes,
    eviction: s.eviction,
    collapsing: s.collapsing,
    lockTimeoutMs: s.lockTimeoutMs,
    maxWaiters: s.maxWaiters,
    staleWhileRevalidate: s.staleWhileRevalidate,
    staleIfError: s.staleIfError,
    graceMs: s.graceMs,
    defaultTtlMs: s.defaultTtlMs,
    minTtlMs: s.minTtlMs,
    maxTtlMs: s.maxTtlMs,
    heuristicFraction: s.heuristicFraction,
    storeSetCookie: s.storeSetCookie,
    variantCap: s.variantCap,
    targetedFields: [...s.targetedFields],
  };
  if (s.honourRequestCacheControl !== undefined) out.honourRequestCacheControl = s.honourRequestCacheControl;
  return out;
}
