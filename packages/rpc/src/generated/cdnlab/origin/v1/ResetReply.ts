// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface ResetReply {
  'appliedAtMs'?: (number | string | Long);
  /**
   * Fault entries (one per path pattern) that were in force.
   */
  'faultsCleared'?: (number);
}

export interface ResetReply__Output {
  'appliedAtMs': (number);
  /**
   * Fault entries (one per path pattern) that were in force.
   */
  'faultsCleared': (number);
}
