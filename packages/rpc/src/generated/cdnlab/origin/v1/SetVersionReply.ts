// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface SetVersionReply {
  'appliedAtMs'?: (number | string | Long);
}

export interface SetVersionReply__Output {
  'appliedAtMs': (number);
}
