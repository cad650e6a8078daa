// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface ResetCountsReply {
  /**
   * The total just before the reset.
   */
  'totalBefore'?: (number | string | Long);
}

export interface ResetCountsReply__Output {
  /**
   * The total just before the reset.
   */
  'totalBefore': (number);
}
