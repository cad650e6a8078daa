import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Counters as _cdnlab_tier_v1_Counters, Counters__Output as _cdnlab_tier_v1_Counters__Output } from './cdnlab/tier/v1/Counters';
import type { FetchReply as _cdnlab_tier_v1_FetchReply, FetchReply__Output as _cdnlab_tier_v1_FetchReply__Output } from './cdnlab/tier/v1/FetchReply';
import type { FetchRequest as _cdnlab_tier_v1_FetchRequest, FetchRequest__Output as _cdnlab_tier_v1_FetchRequest__Output } from './cdnlab/tier/v1/FetchRequest';
import type { Header as _cdnlab_tier_v1_Header, Header__Output as _cdnlab_tier_v1_Header__Output } from './cdnlab/tier/v1/Header';
import type { PurgeAck as _cdnlab_tier_v1_PurgeAck, PurgeAck__Output as _cdnlab_tier_v1_PurgeAck__Output } from './cdnlab/tier/v1/PurgeAck';
import type { PurgeReply as _cdnlab_tier_v1_PurgeReply, PurgeReply__Output as _cdnlab_tier_v1_PurgeReply__Output } from './cdnlab/tier/v1/PurgeReply';
import type { PurgeRequest as _cdnlab_tier_v1_PurgeRequest, PurgeRequest__Output as _cdnlab_tier_v1_PurgeRequest__Output } from './cdnlab/tier/v1/PurgeRequest';
import type { PurgeRoute as _cdnlab_tier_v1_PurgeRoute, PurgeRoute__Output as _cdnlab_tier_v1_PurgeRoute__Output } from './cdnlab/tier/v1/PurgeRoute';
import type { ResponseHead as _cdnlab_tier_v1_ResponseHead, ResponseHead__Output as _cdnlab_tier_v1_ResponseHead__Output } from './cdnlab/tier/v1/ResponseHead';
import type { StatsReply as _cdnlab_tier_v1_StatsReply, StatsReply__Output as _cdnlab_tier_v1_StatsReply__Output } from './cdnlab/tier/v1/StatsReply';
import type { StatsRequest as _cdnlab_tier_v1_StatsRequest, StatsRequest__Output as _cdnlab_tier_v1_StatsRequest__Output } from './cdnlab/tier/v1/StatsRequest';
import type { TierClient as _cdnlab_tier_v1_TierClient, TierDefinition as _cdnlab_tier_v1_TierDefinition } from './cdnlab/tier/v1/Tier';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cdnlab: {
    tier: {
      v1: {
        Counters: MessageTypeDefinition<_cdnlab_tier_v1_Counters, _cdnlab_tier_v1_Counters__Output>
        FetchReply: MessageTypeDefinition<_cdnlab_tier_v1_FetchReply, _cdnlab_tier_v1_FetchReply__Output>
        FetchRequest: MessageTypeDefinition<_cdnlab_tier_v1_FetchRequest, _cdnlab_tier_v1_FetchRequest__Output>
        Header: MessageTypeDefinition<_cdnlab_tier_v1_Header, _cdnlab_tier_v1_Header__Output>
        PurgeAck: MessageTypeDefinition<_cdnlab_tier_v1_PurgeAck, _cdnlab_tier_v1_PurgeAck__Output>
        PurgeKind: EnumTypeDefinition
        PurgeMode: EnumTypeDefinition
        PurgeReply: MessageTypeDefinition<_cdnlab_tier_v1_PurgeReply, _cdnlab_tier_v1_PurgeReply__Output>
        PurgeRequest: MessageTypeDefinition<_cdnlab_tier_v1_PurgeRequest, _cdnlab_tier_v1_PurgeRequest__Output>
        PurgeRoute: MessageTypeDefinition<_cdnlab_tier_v1_PurgeRoute, _cdnlab_tier_v1_PurgeRoute__Output>
        ResponseHead: MessageTypeDefinition<_cdnlab_tier_v1_ResponseHead, _cdnlab_tier_v1_ResponseHead__Output>
        StatsReply: MessageTypeDefinition<_cdnlab_tier_v1_StatsReply, _cdnlab_tier_v1_StatsReply__Output>
        StatsRequest: MessageTypeDefinition<_cdnlab_tier_v1_StatsRequest, _cdnlab_tier_v1_StatsRequest__Output>
        Tier: SubtypeConstructor<typeof grpc.Client, _cdnlab_tier_v1_TierClient> & { service: _cdnlab_tier_v1_TierDefinition }
      }
    }
  }
}

