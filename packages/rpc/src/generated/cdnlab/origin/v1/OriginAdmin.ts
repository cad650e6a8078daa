// Original file: cdnlab/origin/v1/origin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetCountsReply as _cdnlab_origin_v1_GetCountsReply, GetCountsReply__Output as _cdnlab_origin_v1_GetCountsReply__Output } from '../../../cdnlab/origin/v1/GetCountsReply';
import type { GetCountsRequest as _cdnlab_origin_v1_GetCountsRequest, GetCountsRequest__Output as _cdnlab_origin_v1_GetCountsRequest__Output } from '../../../cdnlab/origin/v1/GetCountsRequest';
import type { ResetCountsReply as _cdnlab_origin_v1_ResetCountsReply, ResetCountsReply__Output as _cdnlab_origin_v1_ResetCountsReply__Output } from '../../../cdnlab/origin/v1/ResetCountsReply';
import type { ResetCountsRequest as _cdnlab_origin_v1_ResetCountsRequest, ResetCountsRequest__Output as _cdnlab_origin_v1_ResetCountsRequest__Output } from '../../../cdnlab/origin/v1/ResetCountsRequest';
import type { ResetReply as _cdnlab_origin_v1_ResetReply, ResetReply__Output as _cdnlab_origin_v1_ResetReply__Output } from '../../../cdnlab/origin/v1/ResetReply';
import type { ResetRequest as _cdnlab_origin_v1_ResetRequest, ResetRequest__Output as _cdnlab_origin_v1_ResetRequest__Output } from '../../../cdnlab/origin/v1/ResetRequest';
import type { SetFaultReply as _cdnlab_origin_v1_SetFaultReply, SetFaultReply__Output as _cdnlab_origin_v1_SetFaultReply__Output } from '../../../cdnlab/origin/v1/SetFaultReply';
import type { SetFaultRequest as _cdnlab_origin_v1_SetFaultRequest, SetFaultRequest__Output as _cdnlab_origin_v1_SetFaultRequest__Output } from '../../../cdnlab/origin/v1/SetFaultRequest';
import type { SetSiteReply as _cdnlab_origin_v1_SetSiteReply, SetSiteReply__Output as _cdnlab_origin_v1_SetSiteReply__Output } from '../../../cdnlab/origin/v1/SetSiteReply';
import type { SetSiteRequest as _cdnlab_origin_v1_SetSiteRequest, SetSiteRequest__Output as _cdnlab_origin_v1_SetSiteRequest__Output } from '../../../cdnlab/origin/v1/SetSiteRequest';
import type { SetVersionReply as _cdnlab_origin_v1_SetVersionReply, SetVersionReply__Output as _cdnlab_origin_v1_SetVersionReply__Output } from '../../../cdnlab/origin/v1/SetVersionReply';
import type { SetVersionRequest as _cdnlab_origin_v1_SetVersionRequest, SetVersionRequest__Output as _cdnlab_origin_v1_SetVersionRequest__Output } from '../../../cdnlab/origin/v1/SetVersionRequest';

export interface OriginAdminClient extends grpc.Client {
  GetCounts(argument: _cdnlab_origin_v1_GetCountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  GetCounts(argument: _cdnlab_origin_v1_GetCountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  GetCounts(argument: _cdnlab_origin_v1_GetCountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  GetCounts(argument: _cdnlab_origin_v1_GetCountsRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  getCounts(argument: _cdnlab_origin_v1_GetCountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  getCounts(argument: _cdnlab_origin_v1_GetCountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  getCounts(argument: _cdnlab_origin_v1_GetCountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  getCounts(argument: _cdnlab_origin_v1_GetCountsRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_GetCountsReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Back to a clean origin: every path at the start version (1, ticking from
   * now when the site has a version schedule), no fault in force. Counts are
   * ResetCounts' business.
   */
  Reset(argument: _cdnlab_origin_v1_ResetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  Reset(argument: _cdnlab_origin_v1_ResetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  Reset(argument: _cdnlab_origin_v1_ResetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  Reset(argument: _cdnlab_origin_v1_ResetRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  /**
   * Back to a clean origin: every path at the start version (1, ticking from
   * now when the site has a version schedule), no fault in force. Counts are
   * ResetCounts' business.
   */
  reset(argument: _cdnlab_origin_v1_ResetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  reset(argument: _cdnlab_origin_v1_ResetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  reset(argument: _cdnlab_origin_v1_ResetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  reset(argument: _cdnlab_origin_v1_ResetRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetReply__Output>): grpc.ClientUnaryCall;
  
  ResetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  ResetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  ResetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  ResetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  resetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  resetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  resetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  resetCounts(argument: _cdnlab_origin_v1_ResetCountsRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_ResetCountsReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Make the origin misbehave for matching paths (or stop).
   */
  SetFault(argument: _cdnlab_origin_v1_SetFaultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  SetFault(argument: _cdnlab_origin_v1_SetFaultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  SetFault(argument: _cdnlab_origin_v1_SetFaultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  SetFault(argument: _cdnlab_origin_v1_SetFaultRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  /**
   * Make the origin misbehave for matching paths (or stop).
   */
  setFault(argument: _cdnlab_origin_v1_SetFaultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  setFault(argument: _cdnlab_origin_v1_SetFaultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  setFault(argument: _cdnlab_origin_v1_SetFaultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  setFault(argument: _cdnlab_origin_v1_SetFaultRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_SetFaultReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Replace the synthetic site (path rules, latency, version schedule) at run
   * time, so a running cluster can play a scenario that overrides it.
   * Requests in flight finish with the old site; counts, faults and every
   * path's current version carry over. FAILED_PRECONDITION in proxy mode.
   */
  SetSite(argument: _cdnlab_origin_v1_SetSiteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  SetSite(argument: _cdnlab_origin_v1_SetSiteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  SetSite(argument: _cdnlab_origin_v1_SetSiteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  SetSite(argument: _cdnlab_origin_v1_SetSiteRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  /**
   * Replace the synthetic site (path rules, latency, version schedule) at run
   * time, so a running cluster can play a scenario that overrides it.
   * Requests in flight finish with the old site; counts, faults and every
   * path's current version carry over. FAILED_PRECONDITION in proxy mode.
   */
  setSite(argument: _cdnlab_origin_v1_SetSiteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  setSite(argument: _cdnlab_origin_v1_SetSiteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  setSite(argument: _cdnlab_origin_v1_SetSiteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  setSite(argument: _cdnlab_origin_v1_SetSiteRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_SetSiteReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Change the content version of matching paths: their body and ETag change,
   * as after a deploy.
   */
  SetVersion(argument: _cdnlab_origin_v1_SetVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  SetVersion(argument: _cdnlab_origin_v1_SetVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  SetVersion(argument: _cdnlab_origin_v1_SetVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  SetVersion(argument: _cdnlab_origin_v1_SetVersionRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  /**
   * Change the content version of matching paths: their body and ETag change,
   * as after a deploy.
   */
  setVersion(argument: _cdnlab_origin_v1_SetVersionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  setVersion(argument: _cdnlab_origin_v1_SetVersionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  setVersion(argument: _cdnlab_origin_v1_SetVersionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  setVersion(argument: _cdnlab_origin_v1_SetVersionRequest, callback: grpc.requestCallback<_cdnlab_origin_v1_SetVersionReply__Output>): grpc.ClientUnaryCall;
  
}

export interface OriginAdminHandlers extends grpc.UntypedServiceImplementation {
  GetCounts: grpc.handleUnaryCall<_cdnlab_origin_v1_GetCountsRequest__Output, _cdnlab_origin_v1_GetCountsReply>;
  
  /**
   * Back to a clean origin: every path at the start version (1, ticking from
   * now when the site has a version schedule), no fault in force. Counts are
   * ResetCounts' business.
   */
  Reset: grpc.handleUnaryCall<_cdnlab_origin_v1_ResetRequest__Output, _cdnlab_origin_v1_ResetReply>;
  
  ResetCounts: grpc.handleUnaryCall<_cdnlab_origin_v1_ResetCountsRequest__Output, _cdnlab_origin_v1_ResetCountsReply>;
  
  /**
   * Make the origin misbehave for matching paths (or stop).
   */
  SetFault: grpc.handleUnaryCall<_cdnlab_origin_v1_SetFaultRequest__Output, _cdnlab_origin_v1_SetFaultReply>;
  
  /**
   * Replace the synthetic site (path rules, latency, version schedule) at run
   * time, so a running cluster can play a scenario that overrides it.
   * Requests in flight finish with the old site; counts, faults and every
   * path's current version carry over. FAILED_PRECONDITION in proxy mode.
   */
  SetSite: grpc.handleUnaryCall<_cdnlab_origin_v1_SetSiteRequest__Output, _cdnlab_origin_v1_SetSiteReply>;
  
  /**
   * Change the content version of matching paths: their body and ETag change,
   * as after a deploy.
   */
  SetVersion: grpc.handleUnaryCall<_cdnlab_origin_v1_SetVersionRequest__Output, _cdnlab_origin_v1_SetVersionReply>;
  
}

export interface OriginAdminDefinition extends grpc.ServiceDefinition {
  GetCounts: MethodDefinition<_cdnlab_origin_v1_GetCountsRequest, _cdnlab_origin_v1_GetCountsReply, _cdnlab_origin_v1_GetCountsRequest__Output, _cdnlab_origin_v1_GetCountsReply__Output>
  Reset: MethodDefinition<_cdnlab_origin_v1_ResetRequest, _cdnlab_origin_v1_ResetReply, _cdnlab_origin_v1_ResetRequest__Output, _cdnlab_origin_v1_ResetReply__Output>
  ResetCounts: MethodDefinition<_cdnlab_origin_v1_ResetCountsRequest, _cdnlab_origin_v1_ResetCountsReply, _cdnlab_origin_v1_ResetCountsRequest__Output, _cdnlab_origin_v1_ResetCountsReply__Output>
  SetFault: MethodDefinition<_cdnlab_origin_v1_SetFaultRequest, _cdnlab_origin_v1_SetFaultReply, _cdnlab_origin_v1_SetFaultRequest__Output, _cdnlab_origin_v1_SetFaultReply__Output>
  SetSite: MethodDefinition<_cdnlab_origin_v1_SetSiteRequest, _cdnlab_origin_v1_SetSiteReply, _cdnlab_origin_v1_SetSiteRequest__Output, _cdnlab_origin_v1_SetSiteReply__Output>
  SetVersion: MethodDefinition<_cdnlab_origin_v1_SetVersionRequest, _cdnlab_origin_v1_SetVersionReply, _cdnlab_origin_v1_SetVersionRequest__Output, _cdnlab_origin_v1_SetVersionReply__Output>
}
