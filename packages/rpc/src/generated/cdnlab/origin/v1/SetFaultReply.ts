// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface SetFaultReply {
  'appliedAtMs'?: (number | string | Long);
}

export interface SetFaultReply__Output {
  'appliedAtMs': (number);
}
