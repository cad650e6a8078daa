import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CacheSettings as _cdnlab_tier_v1_CacheSettings, CacheSettings__Output as _cdnlab_tier_v1_CacheSettings__Output } from './cdnlab/tier/v1/CacheSettings';
import type { ClearCacheReply as _cdnlab_tier_v1_ClearCacheReply, ClearCacheReply__Output as _cdnlab_tier_v1_ClearCacheReply__Output } from './cdnlab/tier/v1/ClearCacheReply';
import type { ClearCacheRequest as _cdnlab_tier_v1_ClearCacheRequest, ClearCacheRequest__Output as _cdnlab_tier_v1_ClearCacheRequest__Output } from './cdnlab/tier/v1/ClearCacheRequest';
import type { GetStateRequest as _cdnlab_tier_v1_GetStateRequest, GetStateRequest__Output as _cdnlab_tier_v1_GetStateRequest__Output } from './cdnlab/tier/v1/GetStateRequest';
import type { LinkState as _cdnlab_tier_v1_LinkState, LinkState__Output as _cdnlab_tier_v1_LinkState__Output } from './cdnlab/tier/v1/LinkState';
import type { SetCacheSettingsRequest as _cdnlab_tier_v1_SetCacheSettingsRequest, SetCacheSettingsRequest__Output as _cdnlab_tier_v1_SetCacheSettingsRequest__Output } from './cdnlab/tier/v1/SetCacheSettingsRequest';
import type { SetLinksRequest as _cdnlab_tier_v1_SetLinksRequest, SetLinksRequest__Output as _cdnlab_tier_v1_SetLinksRequest__Output } from './cdnlab/tier/v1/SetLinksRequest';
import type { TierAdminClient as _cdnlab_tier_v1_TierAdminClient, TierAdminDefinition as _cdnlab_tier_v1_TierAdminDefinition } from './cdnlab/tier/v1/TierAdmin';
import type { TierState as _cdnlab_tier_v1_TierState, TierState__Output as _cdnlab_tier_v1_TierState__Output } from './cdnlab/tier/v1/TierState';
import type { TtlOverride as _cdnlab_tier_v1_TtlOverride, TtlOverride__Output as _cdnlab_tier_v1_TtlOverride__Output } from './cdnlab/tier/v1/TtlOverride';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cdnlab: {
    tier: {
      v1: {
        CacheSettings: MessageTypeDefinition<_cdnlab_tier_v1_CacheSettings, _cdnlab_tier_v1_CacheSettings__Output>
        ClearCacheReply: MessageTypeDefinition<_cdnlab_tier_v1_ClearCacheReply, _cdnlab_tier_v1_ClearCacheReply__Output>
        ClearCacheRequest: MessageTypeDefinition<_cdnlab_tier_v1_ClearCacheRequest, _cdnlab_tier_v1_ClearCacheRequest__Output>
        GetStateRequest: MessageTypeDefinition<_cdnlab_tier_v1_GetStateRequest, _cdnlab_tier_v1_GetStateRequest__Output>
        LinkState: MessageTypeDefinition<_cdnlab_tier_v1_LinkState, _cdnlab_tier_v1_LinkState__Output>
        SetCacheSettingsRequest: MessageTypeDefinition<_cdnlab_tier_v1_SetCacheSettingsRequest, _cdnlab_tier_v1_SetCacheSettingsRequest__Output>
        SetLinksRequest: MessageTypeDefinition<_cdnlab_tier_v1_SetLinksRequest, _cdnlab_tier_v1_SetLinksRequest__Output>
        TierAdmin: SubtypeConstructor<typeof grpc.Client, _cdnlab_tier_v1_TierAdminClient> & { service: _cdnlab_tier_v1_TierAdminDefinition }
        TierState: MessageTypeDefinition<_cdnlab_tier_v1_TierState, _cdnlab_tier_v1_TierState__Output>
        TtlOverride: MessageTypeDefinition<_cdnlab_tier_v1_TtlOverride, _cdnlab_tier_v1_TtlOverride__Output>
      }
    }
  }
}

