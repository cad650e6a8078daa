// Original file: cdnlab/tier/v1/tier_admin.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A tier's cache settings: the TierCacheSettings shape of topology files
 * (see @cdnlab/core tier-settings.ts). 0 in max_ttl_ms and max_waiters
 * means "no limit", as there.
 */
export interface CacheSettings {
  'capacityBytes'?: (number | string | Long);
  'maxObjectBytes'?: (number | string | Long);
  'eviction'?: (string);
  /**
   * "off", "wait" or "lock-timeout".
   */
  'collapsing'?: (string);
  'lockTimeoutMs'?: (number | string | Long);
  'maxWaiters'?: (number | string | Long);
  'staleWhileRevalidate'?: (boolean);
  'staleIfError'?: (boolean);
  'graceMs'?: (number | string | Long);
  'defaultTtlMs'?: (number | string | Long);
  'minTtlMs'?: (number | string | Long);
  'maxTtlMs'?: (number | string | Long);
  'heuristicFraction'?: (number | string);
  'storeSetCookie'?: (boolean);
  'variantCap'?: (number | string | Long);
  'targetedFields'?: (string)[];
  /**
   * Absent: the core's default.
   */
  'honourRequestCacheControl'?: (boolean);
  '_honourRequestCacheControl'?: "honourRequestCacheControl";
}

/**
 * A tier's cache settings: the TierCacheSettings shape of topology files
 * (see @cdnlab/core tier-settings.ts). 0 in max_ttl_ms and max_waiters
 * means "no limit", as there.
 */
export interface CacheSettings__Output {
  'capacityBytes': (number);
  'maxObjectBytes': (number);
  'eviction': (string);
  /**
   * "off", "wait" or "lock-timeout".
   */
  'collapsing': (string);
  'lockTimeoutMs': (number);
  'maxWaiters': (number);
  'staleWhileRevalidate': (boolean);
  'staleIfError': (boolean);
  'graceMs': (number);
  'defaultTtlMs': (number);
  'minTtlMs': (number);
  'maxTtlMs': (number);
  'heuristicFraction': (number);
  'storeSetCookie': (boolean);
  'variantCap': (number);
  'targetedFields': (string)[];
  /**
   * Absent: the core's default.
   */
  'honourRequestCacheControl'?: (boolean);
  '_honourRequestCacheControl'?: "honourRequestCacheControl";
}
