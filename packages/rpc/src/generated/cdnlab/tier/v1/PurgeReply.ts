// Original file: cdnlab/tier/v1/tier.proto

import type { PurgeAck as _cdnlab_tier_v1_PurgeAck, PurgeAck__Output as _cdnlab_tier_v1_PurgeAck__Output } from '../../../cdnlab/tier/v1/PurgeAck';
import type { Long } from '@grpc/proto-loader';

export interface PurgeReply {
  /**
   * This node's own result.
   */
  'nodeId'?: (string);
  'appliedAtMs'?: (number | string | Long);
  'objectsAffected'?: (number);
  /**
   * Results of every node below this one in a tree fan-out, flattened.
   */
  'forwarded'?: (_cdnlab_tier_v1_PurgeAck)[];
}

export interface PurgeReply__Output {
  /**
   * This node's own result.
   */
  'nodeId': (string);
  'appliedAtMs': (number);
  'objectsAffected': (number);
  /**
   * Results of every node below this one in a tree fan-out, flattened.
   */
  'forwarded': (_cdnlab_tier_v1_PurgeAck__Output)[];
}
