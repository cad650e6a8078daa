import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { DnsAdminClient as _cdnlab_dns_v1_DnsAdminClient, DnsAdminDefinition as _cdnlab_dns_v1_DnsAdminDefinition } from './cdnlab/dns/v1/DnsAdmin';
import type { DnsState as _cdnlab_dns_v1_DnsState, DnsState__Output as _cdnlab_dns_v1_DnsState__Output } from './cdnlab/dns/v1/DnsState';
import type { EdgeHealthState as _cdnlab_dns_v1_EdgeHealthState, EdgeHealthState__Output as _cdnlab_dns_v1_EdgeHealthState__Output } from './cdnlab/dns/v1/EdgeHealthState';
import type { EdgeWeight as _cdnlab_dns_v1_EdgeWeight, EdgeWeight__Output as _cdnlab_dns_v1_EdgeWeight__Output } from './cdnlab/dns/v1/EdgeWeight';
import type { GetStateRequest as _cdnlab_dns_v1_GetStateRequest, GetStateRequest__Output as _cdnlab_dns_v1_GetStateRequest__Output } from './cdnlab/dns/v1/GetStateRequest';
import type { RegionEdgeValue as _cdnlab_dns_v1_RegionEdgeValue, RegionEdgeValue__Output as _cdnlab_dns_v1_RegionEdgeValue__Output } from './cdnlab/dns/v1/RegionEdgeValue';
import type { SetPolicyRequest as _cdnlab_dns_v1_SetPolicyRequest, SetPolicyRequest__Output as _cdnlab_dns_v1_SetPolicyRequest__Output } from './cdnlab/dns/v1/SetPolicyRequest';
import type { SetRouteCostsReply as _cdnlab_dns_v1_SetRouteCostsReply, SetRouteCostsReply__Output as _cdnlab_dns_v1_SetRouteCostsReply__Output } from './cdnlab/dns/v1/SetRouteCostsReply';
import type { SetRouteCostsRequest as _cdnlab_dns_v1_SetRouteCostsRequest, SetRouteCostsRequest__Output as _cdnlab_dns_v1_SetRouteCostsRequest__Output } from './cdnlab/dns/v1/SetRouteCostsRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cdnlab: {
    dns: {
      v1: {
        DnsAdmin: SubtypeConstructor<typeof grpc.Client, _cdnlab_dns_v1_DnsAdminClient> & { service: _cdnlab_dns_v1_DnsAdminDefinition }
        DnsState: MessageTypeDefinition<_cdnlab_dns_v1_DnsState, _cdnlab_dns_v1_DnsState__Output>
        EdgeHealthState: MessageTypeDefinition<_cdnlab_dns_v1_EdgeHealthState, _cdnlab_dns_v1_EdgeHealthState__Output>
        EdgeWeight: MessageTypeDefinition<_cdnlab_dns_v1_EdgeWeight, _cdnlab_dns_v1_EdgeWeight__Output>
        GetStateRequest: MessageTypeDefinition<_cdnlab_dns_v1_GetStateRequest, _cdnlab_dns_v1_GetStateRequest__Output>
        RegionEdgeValue: MessageTypeDefinition<_cdnlab_dns_v1_RegionEdgeValue, _cdnlab_dns_v1_RegionEdgeValue__Output>
        SetPolicyRequest: MessageTypeDefinition<_cdnlab_dns_v1_SetPolicyRequest, _cdnlab_dns_v1_SetPolicyRequest__Output>
        SetRouteCostsReply: MessageTypeDefinition<_cdnlab_dns_v1_SetRouteCostsReply, _cdnlab_dns_v1_SetRouteCostsReply__Output>
        SetRouteCostsRequest: MessageTypeDefinition<_cdnlab_dns_v1_SetRouteCostsRequest, _cdnlab_dns_v1_SetRouteCostsRequest__Output>
      }
    }
  }
}

