import type { TierCacheSettings } from '@cdnlab/core';

/**
 * Cache settings for tests: the topology defaults (scenario's
 * CACHE_DEFAULTS, resolved) with no TTL bounds and no waiter limit, and a
 * 1 MiB cache unless a test says otherwise.
 */
export function testCacheSettings(overrides: Partial<TierCacheSettings> = {}): TierCacheSettings {
  return {
    capacityBytes: 1 << 20,
    maxObjectBytes: 1 << 20,
    eviction: 'lru',
    collapsing: 'wait',
    lockTimeoutMs: 5000,
    maxWaiters: 0,
    staleWhileRevalidate: true,
    staleIfError: true,
    graceMs: 0,
    defaultTtlMs: 0,
    minTtlMs: 0,
    maxTtlMs: 0,
    heuristicFraction: 0.1,
    storeSetCookie: false,
    variantCap: 16,
    targetedFields: ['cdn-cache-control'],
    ...overrides,
  };
}
