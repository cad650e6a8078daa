// Original file: cdnlab/control/v1/control.proto

import type { Node as _cdnlab_control_v1_Node, Node__Output as _cdnlab_control_v1_Node__Output } from '../../../cdnlab/control/v1/Node';

export interface TopologyReply {
  'nodes'?: (_cdnlab_control_v1_Node)[];
}

export interface TopologyReply__Output {
  'nodes': (_cdnlab_control_v1_Node__Output)[];
}
