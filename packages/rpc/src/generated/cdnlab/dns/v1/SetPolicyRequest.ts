// Original file: cdnlab/dns/v1/dns_admin.proto

import type { EdgeWeight as _cdnlab_dns_v1_EdgeWeight, EdgeWeight__Output as _cdnlab_dns_v1_EdgeWeight__Output } from '../../../cdnlab/dns/v1/EdgeWeight';
import type { RegionEdgeValue as _cdnlab_dns_v1_RegionEdgeValue, RegionEdgeValue__Output as _cdnlab_dns_v1_RegionEdgeValue__Output } from '../../../cdnlab/dns/v1/RegionEdgeValue';

export interface SetPolicyRequest {
  /**
   * geo, weighted, least-loaded, latency or round-robin; empty keeps the current one.
   */
  'policy'?: (string);
  /**
   * Edge weights for "weighted"; edges not listed keep theirs.
   */
  'weights'?: (_cdnlab_dns_v1_EdgeWeight)[];
  /**
   * Measured region -> edge latency for "latency"; cells not listed keep theirs.
   */
  'latencyMs'?: (_cdnlab_dns_v1_RegionEdgeValue)[];
  /**
   * A records per answer.
   */
  'answers'?: (number);
  /**
   * TTL of answers, whatever the policy (clears per-policy TTLs).
   */
  'ttlSeconds'?: (number);
  '_answers'?: "answers";
  '_ttlSeconds'?: "ttlSeconds";
}

export interface SetPolicyRequest__Output {
  /**
   * geo, weighted, least-loaded, latency or round-robin; empty keeps the current one.
   */
  'policy': (string);
  /**
   * Edge weights for "weighted"; edges not listed keep theirs.
   */
  'weights': (_cdnlab_dns_v1_EdgeWeight__Output)[];
  /**
   * Measured region -> edge latency for "latency"; cells not listed keep theirs.
   */
  'latencyMs': (_cdnlab_dns_v1_RegionEdgeValue__Output)[];
  /**
   * A records per answer.
   */
  'answers'?: (number);
  /**
   * TTL of answers, whatever the policy (clears per-policy TTLs).
   */
  'ttlSeconds'?: (number);
  '_answers'?: "answers";
  '_ttlSeconds'?: "ttlSeconds";
}
