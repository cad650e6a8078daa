// Original file: cdnlab/control/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeAck {
  'nodeId'?: (string);
  'role'?: (string);
  'appliedAtMs'?: (number | string | Long);
  /**
   * applied_at_ms minus the purge's purge_at_ms: how long the purge took to
   * reach this node.
   */
  'delayMs'?: (number | string | Long);
  'objectsAffected'?: (number);
  /**
   * Empty on success; why the node did not apply the purge otherwise.
   */
  'error'?: (string);
}

export interface NodeAck__Output {
  'nodeId': (string);
  'role': (string);
  'appliedAtMs': (number);
  /**
   * applied_at_ms minus the purge's purge_at_ms: how long the purge took to
   * reach this node.
   */
  'delayMs': (number);
  'objectsAffected': (number);
  /**
   * Empty on success; why the node did not apply the purge otherwise.
   */
  'error': (string);
}
