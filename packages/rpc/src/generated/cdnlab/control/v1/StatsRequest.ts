// Original file: cdnlab/control/v1/control.proto


export interface StatsRequest {
  /**
   * Only these nodes; empty means every node.
   */
  'nodeIds'?: (string)[];
}

export interface StatsRequest__Output {
  /**
   * Only these nodes; empty means every node.
   */
  'nodeIds': (string)[];
}
