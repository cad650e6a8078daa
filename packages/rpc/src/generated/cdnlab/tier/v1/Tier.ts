// Original file: cdnlab/tier/v1/tier.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { FetchReply as _cdnlab_tier_v1_FetchReply, FetchReply__Output as _cdnlab_tier_v1_FetchReply__Output } from '../../../cdnlab/tier/v1/FetchReply';
import type { FetchRequest as _cdnlab_tier_v1_FetchRequest, FetchRequest__Output as _cdnlab_tier_v1_FetchRequest__Output } from '../../../cdnlab/tier/v1/FetchRequest';
import type { PurgeReply as _cdnlab_tier_v1_PurgeReply, PurgeReply__Output as _cdnlab_tier_v1_PurgeReply__Output } from '../../../cdnlab/tier/v1/PurgeReply';
import type { PurgeRequest as _cdnlab_tier_v1_PurgeRequest, PurgeRequest__Output as _cdnlab_tier_v1_PurgeRequest__Output } from '../../../cdnlab/tier/v1/PurgeRequest';
import type { StatsReply as _cdnlab_tier_v1_StatsReply, StatsReply__Output as _cdnlab_tier_v1_StatsReply__Output } from '../../../cdnlab/tier/v1/StatsReply';
import type { StatsRequest as _cdnlab_tier_v1_StatsRequest, StatsRequest__Output as _cdnlab_tier_v1_StatsRequest__Output } from '../../../cdnlab/tier/v1/StatsRequest';

export interface TierClient extends grpc.Client {
  /**
   * One HTTP exchange through the tier. The reply stream carries exactly one
   * ResponseHead first, then zero or more body chunks of at most 64 KiB, so
   * a large object flows through every tier without being held whole in
   * memory. A stream that ends with status OK delivered the whole body; any
   * other status means the body is truncated and must not be cached.
   */
  Fetch(argument: _cdnlab_tier_v1_FetchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_tier_v1_FetchReply__Output>;
  Fetch(argument: _cdnlab_tier_v1_FetchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_tier_v1_FetchReply__Output>;
  /**
   * One HTTP exchange through the tier. The reply stream carries exactly one
   * ResponseHead first, then zero or more body chunks of at most 64 KiB, so
   * a large object flows through every tier without being held whole in
   * memory. A stream that ends with status OK delivered the whole body; any
   * other status means the body is truncated and must not be cached.
   */
  fetch(argument: _cdnlab_tier_v1_FetchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_tier_v1_FetchReply__Output>;
  fetch(argument: _cdnlab_tier_v1_FetchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_tier_v1_FetchReply__Output>;
  
  /**
   * Invalidate cached objects on this node (and, for a tree fan-out, pass the
   * purge on to the nodes listed in `forward`).
   */
  Purge(argument: _cdnlab_tier_v1_PurgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  Purge(argument: _cdnlab_tier_v1_PurgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  Purge(argument: _cdnlab_tier_v1_PurgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  Purge(argument: _cdnlab_tier_v1_PurgeRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  /**
   * Invalidate cached objects on this node (and, for a tree fan-out, pass the
   * purge on to the nodes listed in `forward`).
   */
  purge(argument: _cdnlab_tier_v1_PurgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_tier_v1_PurgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_tier_v1_PurgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_tier_v1_PurgeRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_PurgeReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Counters for dashboards, reports and scenario expectations.
   */
  Stats(argument: _cdnlab_tier_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  Stats(argument: _cdnlab_tier_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  Stats(argument: _cdnlab_tier_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  Stats(argument: _cdnlab_tier_v1_StatsRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  /**
   * Counters for dashboards, reports and scenario expectations.
   */
  stats(argument: _cdnlab_tier_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_tier_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_tier_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_tier_v1_StatsRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_StatsReply__Output>): grpc.ClientUnaryCall;
  
}

export interface TierHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One HTTP exchange through the tier. The reply stream carries exactly one
   * ResponseHead first, then zero or more body chunks of at most 64 KiB, so
   * a large object flows through every tier without being held whole in
   * memory. A stream that ends with status OK delivered the whole body; any
   * other status means the body is truncated and must not be cached.
   */
  Fetch: grpc.handleServerStreamingCall<_cdnlab_tier_v1_FetchRequest__Output, _cdnlab_tier_v1_FetchReply>;
  
  /**
   * Invalidate cached objects on this node (and, for a tree fan-out, pass the
   * purge on to the nodes listed in `forward`).
   */
  Purge: grpc.handleUnaryCall<_cdnlab_tier_v1_PurgeRequest__Output, _cdnlab_tier_v1_PurgeReply>;
  
  /**
   * Counters for dashboards, reports and scenario expectations.
   */
  Stats: grpc.handleUnaryCall<_cdnlab_tier_v1_StatsRequest__Output, _cdnlab_tier_v1_StatsReply>;
  
}

export interface TierDefinition extends grpc.ServiceDefinition {
  Fetch: MethodDefinition<_cdnlab_tier_v1_FetchRequest, _cdnlab_tier_v1_FetchReply, _cdnlab_tier_v1_FetchRequest__Output, _cdnlab_tier_v1_FetchReply__Output>
  Purge: MethodDefinition<_cdnlab_tier_v1_PurgeRequest, _cdnlab_tier_v1_PurgeReply, _cdnlab_tier_v1_PurgeRequest__Output, _cdnlab_tier_v1_PurgeReply__Output>
  Stats: MethodDefinition<_cdnlab_tier_v1_StatsRequest, _cdnlab_tier_v1_StatsReply, _cdnlab_tier_v1_StatsRequest__Output, _cdnlab_tier_v1_StatsReply__Output>
}
