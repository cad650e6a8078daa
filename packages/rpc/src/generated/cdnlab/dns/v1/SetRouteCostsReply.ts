// Original file: cdnlab/dns/v1/dns_admin.proto

import type { RegionEdgeValue as _cdnlab_dns_v1_RegionEdgeValue, RegionEdgeValue__Output as _cdnlab_dns_v1_RegionEdgeValue__Output } from '../../../cdnlab/dns/v1/RegionEdgeValue';
import type { Long } from '@grpc/proto-loader';

export interface SetRouteCostsReply {
  /**
   * Open connections broken because their route moved.
   */
  'broken'?: (number);
  /**
   * The edge each region now reaches.
   */
  'routes'?: ({[key: string]: string});
  'routeCosts'?: (_cdnlab_dns_v1_RegionEdgeValue)[];
  'appliedAtMs'?: (number | string | Long);
}

export interface SetRouteCostsReply__Output {
  /**
   * Open connections broken because their route moved.
   */
  'broken': (number);
  /**
   * The edge each region now reaches.
   */
  'routes': ({[key: string]: string});
  'routeCosts': (_cdnlab_dns_v1_RegionEdgeValue__Output)[];
  'appliedAtMs': (number);
}
