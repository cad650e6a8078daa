// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface SetSiteReply {
  'appliedAtMs'?: (number | string | Long);
  /**
   * Path rules in the new site.
   */
  'paths'?: (number);
}

export interface SetSiteReply__Output {
  'appliedAtMs': (number);
  /**
   * Path rules in the new site.
   */
  'paths': (number);
}
