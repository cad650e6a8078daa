// Original file: cdnlab/tier/v1/tier_admin.proto

import type { Long } from '@grpc/proto-loader';

export interface ClearCacheReply {
  'nodeId'?: (string);
  /**
   * Objects stored just before the clear.
   */
  'objectsRemoved'?: (number | string | Long);
  'appliedAtMs'?: (number | string | Long);
}

export interface ClearCacheReply__Output {
  'nodeId': (string);
  /**
   * Objects stored just before the clear.
   */
  'objectsRemoved': (number);
  'appliedAtMs': (number);
}
