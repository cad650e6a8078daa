// Original file: cdnlab/dns/v1/dns_admin.proto

import type { RegionEdgeValue as _cdnlab_dns_v1_RegionEdgeValue, RegionEdgeValue__Output as _cdnlab_dns_v1_RegionEdgeValue__Output } from '../../../cdnlab/dns/v1/RegionEdgeValue';

export interface SetRouteCostsRequest {
  /**
   * Cells to change; cells not listed keep their cost.
   */
  'costs'?: (_cdnlab_dns_v1_RegionEdgeValue)[];
}

export interface SetRouteCostsRequest__Output {
  /**
   * Cells to change; cells not listed keep their cost.
   */
  'costs': (_cdnlab_dns_v1_RegionEdgeValue__Output)[];
}
