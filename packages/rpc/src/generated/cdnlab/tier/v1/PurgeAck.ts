// Original file: cdnlab/tier/v1/tier.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The outcome of a purge on one node.
 */
export interface PurgeAck {
  'nodeId'?: (string);
  'appliedAtMs'?: (number | string | Long);
  'objectsAffected'?: (number);
  /**
   * Empty on success; why the node did not apply the purge (e.g. it could
   * not be reached by the node that forwarded to it).
   */
  'error'?: (string);
}

/**
 * The outcome of a purge on one node.
 */
export interface PurgeAck__Output {
  'nodeId': (string);
  'appliedAtMs': (number);
  'objectsAffected': (number);
  /**
   * Empty on success; why the node did not apply the purge (e.g. it could
   * not be reached by the node that forwarded to it).
   */
  'error': (string);
}
