// Original file: cdnlab/control/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface Event {
  'timeMs'?: (number | string | Long);
  'nodeId'?: (string);
  'type'?: (string);
  /**
   * Event-specific fields as a JSON object.
   */
  'detailJson'?: (string);
}

export interface Event__Output {
  'timeMs': (number);
  'nodeId': (string);
  'type': (string);
  /**
   * Event-specific fields as a JSON object.
   */
  'detailJson': (string);
}
