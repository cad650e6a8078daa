// Original file: cdnlab/tier/v1/tier_admin.proto


/**
 * One outgoing link, as the Link interceptor applies it to every call in
 * both directions: one-way latency, jitter, TCP segment loss.
 */
export interface LinkState {
  'parentId'?: (string);
  'latencyMs'?: (number | string);
  'jitterMs'?: (number | string);
  /**
   * Probability in [0, 1) that one TCP segment is lost (costs an RTO).
   */
  'loss'?: (number | string);
  /**
   * Down: new calls over the link fail at once as unreachable, so the node
   * fails over to its next parent.
   */
  'down'?: (boolean);
  /**
   * Cut: a partition (one end off its network). Nothing crosses either way;
   * calls wait until their deadlines, and what was sent goes through at
   * TCP's next retransmission once the link is back.
   */
  'cut'?: (boolean);
}

/**
 * One outgoing link, as the Link interceptor applies it to every call in
 * both directions: one-way latency, jitter, TCP segment loss.
 */
export interface LinkState__Output {
  'parentId': (string);
  'latencyMs': (number);
  'jitterMs': (number);
  /**
   * Probability in [0, 1) that one TCP segment is lost (costs an RTO).
   */
  'loss': (number);
  /**
   * Down: new calls over the link fail at once as unreachable, so the node
   * fails over to its next parent.
   */
  'down': (boolean);
  /**
   * Cut: a partition (one end off its network). Nothing crosses either way;
   * calls wait until their deadlines, and what was sent goes through at
   * TCP's next retransmission once the link is back.
   */
  'cut': (boolean);
}
