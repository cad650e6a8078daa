// Original file: cdnlab/dns/v1/dns_admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DnsState as _cdnlab_dns_v1_DnsState, DnsState__Output as _cdnlab_dns_v1_DnsState__Output } from '../../../cdnlab/dns/v1/DnsState';
import type { GetStateRequest as _cdnlab_dns_v1_GetStateRequest, GetStateRequest__Output as _cdnlab_dns_v1_GetStateRequest__Output } from '../../../cdnlab/dns/v1/GetStateRequest';
import type { SetPolicyRequest as _cdnlab_dns_v1_SetPolicyRequest, SetPolicyRequest__Output as _cdnlab_dns_v1_SetPolicyRequest__Output } from '../../../cdnlab/dns/v1/SetPolicyRequest';
import type { SetRouteCostsReply as _cdnlab_dns_v1_SetRouteCostsReply, SetRouteCostsReply__Output as _cdnlab_dns_v1_SetRouteCostsReply__Output } from '../../../cdnlab/dns/v1/SetRouteCostsReply';
import type { SetRouteCostsRequest as _cdnlab_dns_v1_SetRouteCostsRequest, SetRouteCostsRequest__Output as _cdnlab_dns_v1_SetRouteCostsRequest__Output } from '../../../cdnlab/dns/v1/SetRouteCostsRequest';

export interface DnsAdminClient extends grpc.Client {
  GetState(argument: _cdnlab_dns_v1_GetStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _cdnlab_dns_v1_GetStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _cdnlab_dns_v1_GetStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _cdnlab_dns_v1_GetStateRequest, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_dns_v1_GetStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_dns_v1_GetStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_dns_v1_GetStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_dns_v1_GetStateRequest, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  
  /**
   * Switch the policy and/or change its parameters. Resolvers holding an
   * older answer keep it until its TTL runs out: that is how DNS works.
   */
  SetPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  SetPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  SetPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  SetPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  /**
   * Switch the policy and/or change its parameters. Resolvers holding an
   * older answer keep it until its TTL runs out: that is how DNS works.
   */
  setPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  setPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  setPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  setPolicy(argument: _cdnlab_dns_v1_SetPolicyRequest, callback: grpc.requestCallback<_cdnlab_dns_v1_DnsState__Output>): grpc.ClientUnaryCall;
  
  /**
   * Change anycast path costs. Connections whose best edge changes are
   * broken, as on a real route change. INVALID_ARGUMENT without anycast.
   */
  SetRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  SetRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  SetRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  SetRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  /**
   * Change anycast path costs. Connections whose best edge changes are
   * broken, as on a real route change. INVALID_ARGUMENT without anycast.
   */
  setRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  setRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  setRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  setRouteCosts(argument: _cdnlab_dns_v1_SetRouteCostsRequest, callback: grpc.requestCallback<_cdnlab_dns_v1_SetRouteCostsReply__Output>): grpc.ClientUnaryCall;
  
}

export interface DnsAdminHandlers extends grpc.UntypedServiceImplementation {
  GetState: grpc.handleUnaryCall<_cdnlab_dns_v1_GetStateRequest__Output, _cdnlab_dns_v1_DnsState>;
  
  /**
   * Switch the policy and/or change its parameters. Resolvers holding an
   * older answer keep it until its TTL runs out: that is how DNS works.
   */
  SetPolicy: grpc.handleUnaryCall<_cdnlab_dns_v1_SetPolicyRequest__Output, _cdnlab_dns_v1_DnsState>;
  
  /**
   * Change anycast path costs. Connections whose best edge changes are
   * broken, as on a real route change. INVALID_ARGUMENT without anycast.
   */
  SetRouteCosts: grpc.handleUnaryCall<_cdnlab_dns_v1_SetRouteCostsRequest__Output, _cdnlab_dns_v1_SetRouteCostsReply>;
  
}

export interface DnsAdminDefinition extends grpc.ServiceDefinition {
  GetState: MethodDefinition<_cdnlab_dns_v1_GetStateRequest, _cdnlab_dns_v1_DnsState, _cdnlab_dns_v1_GetStateRequest__Output, _cdnlab_dns_v1_DnsState__Output>
  SetPolicy: MethodDefinition<_cdnlab_dns_v1_SetPolicyRequest, _cdnlab_dns_v1_DnsState, _cdnlab_dns_v1_SetPolicyRequest__Output, _cdnlab_dns_v1_DnsState__Output>
  SetRouteCosts: MethodDefinition<_cdnlab_dns_v1_SetRouteCostsRequest, _cdnlab_dns_v1_SetRouteCostsReply, _cdnlab_dns_v1_SetRouteCostsRequest__Output, _cdnlab_dns_v1_SetRouteCostsReply__Output>
}
