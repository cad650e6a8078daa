import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { GetCountsReply as _cdnlab_origin_v1_GetCountsReply, GetCountsReply__Output as _cdnlab_origin_v1_GetCountsReply__Output } from './cdnlab/origin/v1/GetCountsReply';
import type { GetCountsRequest as _cdnlab_origin_v1_GetCountsRequest, GetCountsRequest__Output as _cdnlab_origin_v1_GetCountsRequest__Output } from './cdnlab/origin/v1/GetCountsRequest';
import type { OriginAdminClient as _cdnlab_origin_v1_OriginAdminClient, OriginAdminDefinition as _cdnlab_origin_v1_OriginAdminDefinition } from './cdnlab/origin/v1/OriginAdmin';
import type { PathCount as _cdnlab_origin_v1_PathCount, PathCount__Output as _cdnlab_origin_v1_PathCount__Output } from './cdnlab/origin/v1/PathCount';
import type { ResetCountsReply as _cdnlab_origin_v1_ResetCountsReply, ResetCountsReply__Output as _cdnlab_origin_v1_ResetCountsReply__Output } from './cdnlab/origin/v1/ResetCountsReply';
import type { ResetCountsRequest as _cdnlab_origin_v1_ResetCountsRequest, ResetCountsRequest__Output as _cdnlab_origin_v1_ResetCountsRequest__Output } from './cdnlab/origin/v1/ResetCountsRequest';
import type { ResetReply as _cdnlab_origin_v1_ResetReply, ResetReply__Output as _cdnlab_origin_v1_ResetReply__Output } from './cdnlab/origin/v1/ResetReply';
import type { ResetRequest as _cdnlab_origin_v1_ResetRequest, ResetRequest__Output as _cdnlab_origin_v1_ResetRequest__Output } from './cdnlab/origin/v1/ResetRequest';
import type { SetFaultReply as _cdnlab_origin_v1_SetFaultReply, SetFaultReply__Output as _cdnlab_origin_v1_SetFaultReply__Output } from './cdnlab/origin/v1/SetFaultReply';
import type { SetFaultRequest as _cdnlab_origin_v1_SetFaultRequest, SetFaultRequest__Output as _cdnlab_origin_v1_SetFaultRequest__Output } from './cdnlab/origin/v1/SetFaultRequest';
import type { SetSiteReply as _cdnlab_origin_v1_SetSiteReply, SetSiteReply__Output as _cdnlab_origin_v1_SetSiteReply__Output } from './cdnlab/origin/v1/SetSiteReply';
import type { SetSiteRequest as _cdnlab_origin_v1_SetSiteRequest, SetSiteRequest__Output as _cdnlab_origin_v1_SetSiteRequest__Output } from './cdnlab/origin/v1/SetSiteRequest';
import type { SetVersionReply as _cdnlab_origin_v1_SetVersionReply, SetVersionReply__Output as _cdnlab_origin_v1_SetVersionReply__Output } from './cdnlab/origin/v1/SetVersionReply';
import type { SetVersionRequest as _cdnlab_origin_v1_SetVersionRequest, SetVersionRequest__Output as _cdnlab_origin_v1_SetVersionRequest__Output } from './cdnlab/origin/v1/SetVersionRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cdnlab: {
    origin: {
      v1: {
        Fault: EnumTypeDefinition
        GetCountsReply: MessageTypeDefinition<_cdnlab_origin_v1_GetCountsReply, _cdnlab_origin_v1_GetCountsReply__Output>
        GetCountsRequest: MessageTypeDefinition<_cdnlab_origin_v1_GetCountsRequest, _cdnlab_origin_v1_GetCountsRequest__Output>
        OriginAdmin: SubtypeConstructor<typeof grpc.Client, _cdnlab_origin_v1_OriginAdminClient> & { service: _cdnlab_origin_v1_OriginAdminDefinition }
        PathCount: MessageTypeDefinition<_cdnlab_origin_v1_PathCount, _cdnlab_origin_v1_PathCount__Output>
        ResetCountsReply: MessageTypeDefinition<_cdnlab_origin_v1_ResetCountsReply, _cdnlab_origin_v1_ResetCountsReply__Output>
        ResetCountsRequest: MessageTypeDefinition<_cdnlab_origin_v1_ResetCountsRequest, _cdnlab_origin_v1_ResetCountsRequest__Output>
        ResetReply: MessageTypeDefinition<_cdnlab_origin_v1_ResetReply, _cdnlab_origin_v1_ResetReply__Output>
        ResetRequest: MessageTypeDefinition<_cdnlab_origin_v1_ResetRequest, _cdnlab_origin_v1_ResetRequest__Output>
        SetFaultReply: MessageTypeDefinition<_cdnlab_origin_v1_SetFaultReply, _cdnlab_origin_v1_SetFaultReply__Output>
        SetFaultRequest: MessageTypeDefinition<_cdnlab_origin_v1_SetFaultRequest, _cdnlab_origin_v1_SetFaultRequest__Output>
        SetSiteReply: MessageTypeDefinition<_cdnlab_origin_v1_SetSiteReply, _cdnlab_origin_v1_SetSiteReply__Output>
        SetSiteRequest: MessageTypeDefinition<_cdnlab_origin_v1_SetSiteRequest, _cdnlab_origin_v1_SetSiteRequest__Output>
        SetVersionReply: MessageTypeDefinition<_cdnlab_origin_v1_SetVersionReply, _cdnlab_origin_v1_SetVersionReply__Output>
        SetVersionRequest: MessageTypeDefinition<_cdnlab_origin_v1_SetVersionRequest, _cdnlab_origin_v1_SetVersionRequest__Output>
      }
    }
  }
}

