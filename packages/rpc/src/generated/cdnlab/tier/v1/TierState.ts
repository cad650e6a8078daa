// Original file: cdnlab/tier/v1/tier_admin.proto

import type { CacheSettings as _cdnlab_tier_v1_CacheSettings, CacheSettings__Output as _cdnlab_tier_v1_CacheSettings__Output } from '../../../cdnlab/tier/v1/CacheSettings';
import type { TtlOverride as _cdnlab_tier_v1_TtlOverride, TtlOverride__Output as _cdnlab_tier_v1_TtlOverride__Output } from '../../../cdnlab/tier/v1/TtlOverride';
import type { LinkState as _cdnlab_tier_v1_LinkState, LinkState__Output as _cdnlab_tier_v1_LinkState__Output } from '../../../cdnlab/tier/v1/LinkState';
import type { Long } from '@grpc/proto-loader';

export interface TierState {
  'nodeId'?: (string);
  /**
   * "edge", "regional" or "shield".
   */
  'role'?: (string);
  'cache'?: (_cdnlab_tier_v1_CacheSettings | null);
  'ttlOverrides'?: (_cdnlab_tier_v1_TtlOverride)[];
  'links'?: (_cdnlab_tier_v1_LinkState)[];
  /**
   * This call rebuilt the store: it is empty now.
   */
  'storeRebuilt'?: (boolean);
  'appliedAtMs'?: (number | string | Long);
}

export interface TierState__Output {
  'nodeId': (string);
  /**
   * "edge", "regional" or "shield".
   */
  'role': (string);
  'cache': (_cdnlab_tier_v1_CacheSettings__Output | null);
  'ttlOverrides': (_cdnlab_tier_v1_TtlOverride__Output)[];
  'links': (_cdnlab_tier_v1_LinkState__Output)[];
  /**
   * This call rebuilt the store: it is empty now.
   */
  'storeRebuilt': (boolean);
  'appliedAtMs': (number);
}
