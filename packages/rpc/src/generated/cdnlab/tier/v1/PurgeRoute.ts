// Original file: cdnlab/tier/v1/tier.proto


/**
 * One node of a tree fan-out. The tree travels as a flat list of parent
 * pointers (no recursive message): a node that applied a purge passes it on
 * to every route whose `via` is its own node id (or empty, for the node that
 * got the purge from the control plane), forwarding the whole list, so each
 * node below finds its own children the same way. Empty for a direct
 * fan-out, where the control plane calls every node itself.
 */
export interface PurgeRoute {
  'nodeId'?: (string);
  /**
   * host:port of the node's Tier service.
   */
  'address'?: (string);
  /**
   * Id of the node that passes the purge on to this one.
   */
  'via'?: (string);
}

/**
 * One node of a tree fan-out. The tree travels as a flat list of parent
 * pointers (no recursive message): a node that applied a purge passes it on
 * to every route whose `via` is its own node id (or empty, for the node that
 * got the purge from the control plane), forwarding the whole list, so each
 * node below finds its own children the same way. Empty for a direct
 * fan-out, where the control plane calls every node itself.
 */
export interface PurgeRoute__Output {
  'nodeId': (string);
  /**
   * host:port of the node's Tier service.
   */
  'address': (string);
  /**
   * Id of the node that passes the purge on to this one.
   */
  'via': (string);
}
