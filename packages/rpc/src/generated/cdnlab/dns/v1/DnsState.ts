// Original file: cdnlab/dns/v1/dns_admin.proto

import type { EdgeWeight as _cdnlab_dns_v1_EdgeWeight, EdgeWeight__Output as _cdnlab_dns_v1_EdgeWeight__Output } from '../../../cdnlab/dns/v1/EdgeWeight';
import type { RegionEdgeValue as _cdnlab_dns_v1_RegionEdgeValue, RegionEdgeValue__Output as _cdnlab_dns_v1_RegionEdgeValue__Output } from '../../../cdnlab/dns/v1/RegionEdgeValue';
import type { EdgeHealthState as _cdnlab_dns_v1_EdgeHealthState, EdgeHealthState__Output as _cdnlab_dns_v1_EdgeHealthState__Output } from '../../../cdnlab/dns/v1/EdgeHealthState';
import type { Long } from '@grpc/proto-loader';

export interface DnsState {
  'policy'?: (string);
  'policies'?: (string)[];
  'weights'?: (_cdnlab_dns_v1_EdgeWeight)[];
  'latencyMs'?: (_cdnlab_dns_v1_RegionEdgeValue)[];
  'answers'?: (number);
  /**
   * TTL of answers under the current policy.
   */
  'ttlSeconds'?: (number);
  'anycast'?: (boolean);
  /**
   * Current anycast path costs (empty without anycast).
   */
  'routeCosts'?: (_cdnlab_dns_v1_RegionEdgeValue)[];
  'appliedAtMs'?: (number | string | Long);
  /**
   * What the health checks say of each edge now ("up", "down", "unknown"):
   * only "down" edges are left out of answers.
   */
  'health'?: (_cdnlab_dns_v1_EdgeHealthState)[];
}

export interface DnsState__Output {
  'policy': (string);
  'policies': (string)[];
  'weights': (_cdnlab_dns_v1_EdgeWeight__Output)[];
  'latencyMs': (_cdnlab_dns_v1_RegionEdgeValue__Output)[];
  'answers': (number);
  /**
   * TTL of answers under the current policy.
   */
  'ttlSeconds': (number);
  'anycast': (boolean);
  /**
   * Current anycast path costs (empty without anycast).
   */
  'routeCosts': (_cdnlab_dns_v1_RegionEdgeValue__Output)[];
  'appliedAtMs': (number);
  /**
   * What the health checks say of each edge now ("up", "down", "unknown"):
   * only "down" edges are left out of answers.
   */
  'health': (_cdnlab_dns_v1_EdgeHealthState__Output)[];
}
