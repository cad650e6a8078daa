// Original file: cdnlab/tier/v1/tier_admin.proto

import type { TtlOverride as _cdnlab_tier_v1_TtlOverride, TtlOverride__Output as _cdnlab_tier_v1_TtlOverride__Output } from '../../../cdnlab/tier/v1/TtlOverride';
import type { Long } from '@grpc/proto-loader';

export interface SetCacheSettingsRequest {
  'capacityBytes'?: (number | string | Long);
  'maxObjectBytes'?: (number | string | Long);
  'eviction'?: (string);
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
  /**
   * A repeated field cannot be optional: set_targeted_fields says whether
   * targeted_fields is meant (an empty list is a valid setting).
   */
  'setTargetedFields'?: (boolean);
  'targetedFields'?: (string)[];
  'honourRequestCacheControl'?: (boolean);
  /**
   * Drop every TTL override first...
   */
  'clearTtlOverrides'?: (boolean);
  /**
   * ...then add these (one with the same match replaces the old one).
   */
  'ttlOverrides'?: (_cdnlab_tier_v1_TtlOverride)[];
  '_capacityBytes'?: "capacityBytes";
  '_maxObjectBytes'?: "maxObjectBytes";
  '_eviction'?: "eviction";
  '_collapsing'?: "collapsing";
  '_lockTimeoutMs'?: "lockTimeoutMs";
  '_maxWaiters'?: "maxWaiters";
  '_staleWhileRevalidate'?: "staleWhileRevalidate";
  '_staleIfError'?: "staleIfError";
  '_graceMs'?: "graceMs";
  '_defaultTtlMs'?: "defaultTtlMs";
  '_minTtlMs'?: "minTtlMs";
  '_maxTtlMs'?: "maxTtlMs";
  '_heuristicFraction'?: "heuristicFraction";
  '_storeSetCookie'?: "storeSetCookie";
  '_variantCap'?: "variantCap";
  '_honourRequestCacheControl'?: "honourRequestCacheControl";
}

export interface SetCacheSettingsRequest__Output {
  'capacityBytes'?: (number);
  'maxObjectBytes'?: (number);
  'eviction'?: (string);
  'collapsing'?: (string);
  'lockTimeoutMs'?: (number);
  'maxWaiters'?: (number);
  'staleWhileRevalidate'?: (boolean);
  'staleIfError'?: (boolean);
  'graceMs'?: (number);
  'defaultTtlMs'?: (number);
  'minTtlMs'?: (number);
  'maxTtlMs'?: (number);
  'heuristicFraction'?: (number);
  'storeSetCookie'?: (boolean);
  'variantCap'?: (number);
  /**
   * A repeated field cannot be optional: set_targeted_fields says whether
   * targeted_fields is meant (an empty list is a valid setting).
   */
  'setTargetedFields': (boolean);
  'targetedFields': (string)[];
  'honourRequestCacheControl'?: (boolean);
  /**
   * Drop every TTL override first...
   */
  'clearTtlOverrides': (boolean);
  /**
   * ...then add these (one with the same match replaces the old one).
   */
  'ttlOverrides': (_cdnlab_tier_v1_TtlOverride__Output)[];
  '_capacityBytes'?: "capacityBytes";
  '_maxObjectBytes'?: "maxObjectBytes";
  '_eviction'?: "eviction";
  '_collapsing'?: "collapsing";
  '_lockTimeoutMs'?: "lockTimeoutMs";
  '_maxWaiters'?: "maxWaiters";
  '_staleWhileRevalidate'?: "staleWhileRevalidate";
  '_staleIfError'?: "staleIfError";
  '_graceMs'?: "graceMs";
  '_defaultTtlMs'?: "defaultTtlMs";
  '_minTtlMs'?: "minTtlMs";
  '_maxTtlMs'?: "maxTtlMs";
  '_heuristicFraction'?: "heuristicFraction";
  '_storeSetCookie'?: "storeSetCookie";
  '_variantCap'?: "variantCap";
  '_honourRequestCacheControl'?: "honourRequestCacheControl";
}
