// Original file: cdnlab/control/v1/control.proto


export interface Node {
  'id'?: (string);
  /**
   * "edge", "regional", "shield", "origin", "dns" or "control".
   */
  'role'?: (string);
  'region'?: (string);
  /**
   * host:port of the node's gRPC server.
   */
  'grpcAddress'?: (string);
  /**
   * host:port of the node's HTTP listener (empty if it has none).
   */
  'httpAddress'?: (string);
  /**
   * Ids of the nodes this node fetches from, in preference order.
   */
  'parents'?: (string)[];
}

export interface Node__Output {
  'id': (string);
  /**
   * "edge", "regional", "shield", "origin", "dns" or "control".
   */
  'role': (string);
  'region': (string);
  /**
   * host:port of the node's gRPC server.
   */
  'grpcAddress': (string);
  /**
   * host:port of the node's HTTP listener (empty if it has none).
   */
  'httpAddress': (string);
  /**
   * Ids of the nodes this node fetches from, in preference order.
   */
  'parents': (string)[];
}
