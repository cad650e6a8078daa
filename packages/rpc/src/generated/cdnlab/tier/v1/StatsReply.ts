// Original file: cdnlab/tier/v1/tier.proto

import type { Counters as _cdnlab_tier_v1_Counters, Counters__Output as _cdnlab_tier_v1_Counters__Output } from '../../../cdnlab/tier/v1/Counters';
import type { Long } from '@grpc/proto-loader';

export interface StatsReply {
  'nodeId'?: (string);
  /**
   * "edge", "regional", "shield" or "origin".
   */
  'role'?: (string);
  'region'?: (string);
  'counters'?: (_cdnlab_tier_v1_Counters | null);
  'uptimeMs'?: (number | string | Long);
}

export interface StatsReply__Output {
  'nodeId': (string);
  /**
   * "edge", "regional", "shield" or "origin".
   */
  'role': (string);
  'region': (string);
  'counters': (_cdnlab_tier_v1_Counters__Output | null);
  'uptimeMs': (number);
}
