// Original file: cdnlab/control/v1/control.proto

import type { NodeAck as _cdnlab_control_v1_NodeAck, NodeAck__Output as _cdnlab_control_v1_NodeAck__Output } from '../../../cdnlab/control/v1/NodeAck';
import type { Long } from '@grpc/proto-loader';

export interface PurgeReport {
  'purgeId'?: (string);
  'purgeAtMs'?: (number | string | Long);
  'acks'?: (_cdnlab_control_v1_NodeAck)[];
}

export interface PurgeReport__Output {
  'purgeId': (string);
  'purgeAtMs': (number);
  'acks': (_cdnlab_control_v1_NodeAck__Output)[];
}
