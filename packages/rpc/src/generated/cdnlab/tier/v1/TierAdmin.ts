// Original file: cdnlab/tier/v1/tier_admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClearCacheReply as _cdnlab_tier_v1_ClearCacheReply, ClearCacheReply__Output as _cdnlab_tier_v1_ClearCacheReply__Output } from '../../../cdnlab/tier/v1/ClearCacheReply';
import type { ClearCacheRequest as _cdnlab_tier_v1_ClearCacheRequest, ClearCacheRequest__Output as _cdnlab_tier_v1_ClearCacheRequest__Output } from '../../../cdnlab/tier/v1/ClearCacheRequest';
import type { GetStateRequest as _cdnlab_tier_v1_GetStateRequest, GetStateRequest__Output as _cdnlab_tier_v1_GetStateRequest__Output } from '../../../cdnlab/tier/v1/GetStateRequest';
import type { SetCacheSettingsRequest as _cdnlab_tier_v1_SetCacheSettingsRequest, SetCacheSettingsRequest__Output as _cdnlab_tier_v1_SetCacheSettingsRequest__Output } from '../../../cdnlab/tier/v1/SetCacheSettingsRequest';
import type { SetLinksRequest as _cdnlab_tier_v1_SetLinksRequest, SetLinksRequest__Output as _cdnlab_tier_v1_SetLinksRequest__Output } from '../../../cdnlab/tier/v1/SetLinksRequest';
import type { TierState as _cdnlab_tier_v1_TierState, TierState__Output as _cdnlab_tier_v1_TierState__Output } from '../../../cdnlab/tier/v1/TierState';

export interface TierAdminClient extends grpc.Client {
  /**
   * Drop every stored object on this node only. Unlike a purge it leaves no
   * purge-time rule behind, so the tiers above keep their copies.
   */
  ClearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  ClearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  ClearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  ClearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  /**
   * Drop every stored object on this node only. Unlike a purge it leaves no
   * purge-time rule behind, so the tiers above keep their copies.
   */
  clearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  clearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  clearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  clearCache(argument: _cdnlab_tier_v1_ClearCacheRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_ClearCacheReply__Output>): grpc.ClientUnaryCall;
  
  GetState(argument: _cdnlab_tier_v1_GetStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _cdnlab_tier_v1_GetStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _cdnlab_tier_v1_GetStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  GetState(argument: _cdnlab_tier_v1_GetStateRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_tier_v1_GetStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_tier_v1_GetStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_tier_v1_GetStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  getState(argument: _cdnlab_tier_v1_GetStateRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  
  /**
   * Change cache settings. Collapsing (mode, lock timeout, waiters) changes
   * for requests that arrive from now on; TTL overrides apply to objects
   * stored from now on. Any other setting rebuilds the store, which leaves
   * it empty (TierState.store_rebuilt says so): the core computes an
   * object's freshness once, when it is stored, from settings fixed when the
   * store is built.
   */
  SetCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  SetCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  SetCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  SetCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  /**
   * Change cache settings. Collapsing (mode, lock timeout, waiters) changes
   * for requests that arrive from now on; TTL overrides apply to objects
   * stored from now on. Any other setting rebuilds the store, which leaves
   * it empty (TierState.store_rebuilt says so): the core computes an
   * object's freshness once, when it is stored, from settings fixed when the
   * store is built.
   */
  setCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  setCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  setCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  setCacheSettings(argument: _cdnlab_tier_v1_SetCacheSettingsRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  
  /**
   * Change the links from this node to its parents (and fallbacks).
   */
  SetLinks(argument: _cdnlab_tier_v1_SetLinksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  SetLinks(argument: _cdnlab_tier_v1_SetLinksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  SetLinks(argument: _cdnlab_tier_v1_SetLinksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  SetLinks(argument: _cdnlab_tier_v1_SetLinksRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  /**
   * Change the links from this node to its parents (and fallbacks).
   */
  setLinks(argument: _cdnlab_tier_v1_SetLinksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  setLinks(argument: _cdnlab_tier_v1_SetLinksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  setLinks(argument: _cdnlab_tier_v1_SetLinksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  setLinks(argument: _cdnlab_tier_v1_SetLinksRequest, callback: grpc.requestCallback<_cdnlab_tier_v1_TierState__Output>): grpc.ClientUnaryCall;
  
}

export interface TierAdminHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Drop every stored object on this node only. Unlike a purge it leaves no
   * purge-time rule behind, so the tiers above keep their copies.
   */
  ClearCache: grpc.handleUnaryCall<_cdnlab_tier_v1_ClearCacheRequest__Output, _cdnlab_tier_v1_ClearCacheReply>;
  
  GetState: grpc.handleUnaryCall<_cdnlab_tier_v1_GetStateRequest__Output, _cdnlab_tier_v1_TierState>;
  
  /**
   * Change cache settings. Collapsing (mode, lock timeout, waiters) changes
   * for requests that arrive from now on; TTL overrides apply to objects
   * stored from now on. Any other setting rebuilds the store, which leaves
   * it empty (TierState.store_rebuilt says so): the core computes an
   * object's freshness once, when it is stored, from settings fixed when the
   * store is built.
   */
  SetCacheSettings: grpc.handleUnaryCall<_cdnlab_tier_v1_SetCacheSettingsRequest__Output, _cdnlab_tier_v1_TierState>;
  
  /**
   * Change the links from this node to its parents (and fallbacks).
   */
  SetLinks: grpc.handleUnaryCall<_cdnlab_tier_v1_SetLinksRequest__Output, _cdnlab_tier_v1_TierState>;
  
}

export interface TierAdminDefinition extends grpc.ServiceDefinition {
  ClearCache: MethodDefinition<_cdnlab_tier_v1_ClearCacheRequest, _cdnlab_tier_v1_ClearCacheReply, _cdnlab_tier_v1_ClearCacheRequest__Output, _cdnlab_tier_v1_ClearCacheReply__Output>
  GetState: MethodDefinition<_cdnlab_tier_v1_GetStateRequest, _cdnlab_tier_v1_TierState, _cdnlab_tier_v1_GetStateRequest__Output, _cdnlab_tier_v1_TierState__Output>
  SetCacheSettings: MethodDefinition<_cdnlab_tier_v1_SetCacheSettingsRequest, _cdnlab_tier_v1_TierState, _cdnlab_tier_v1_SetCacheSettingsRequest__Output, _cdnlab_tier_v1_TierState__Output>
  SetLinks: MethodDefinition<_cdnlab_tier_v1_SetLinksRequest, _cdnlab_tier_v1_TierState, _cdnlab_tier_v1_SetLinksRequest__Output, _cdnlab_tier_v1_TierState__Output>
}
