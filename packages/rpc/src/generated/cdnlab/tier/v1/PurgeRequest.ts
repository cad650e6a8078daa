// Original file: cdnlab/tier/v1/tier.proto

import type { PurgeKind as _cdnlab_tier_v1_PurgeKind, PurgeKind__Output as _cdnlab_tier_v1_PurgeKind__Output } from '../../../cdnlab/tier/v1/PurgeKind';
import type { PurgeMode as _cdnlab_tier_v1_PurgeMode, PurgeMode__Output as _cdnlab_tier_v1_PurgeMode__Output } from '../../../cdnlab/tier/v1/PurgeMode';
import type { PurgeRoute as _cdnlab_tier_v1_PurgeRoute, PurgeRoute__Output as _cdnlab_tier_v1_PurgeRoute__Output } from '../../../cdnlab/tier/v1/PurgeRoute';
import type { Long } from '@grpc/proto-loader';

export interface PurgeRequest {
  'kind'?: (_cdnlab_tier_v1_PurgeKind);
  'value'?: (string);
  'mode'?: (_cdnlab_tier_v1_PurgeMode);
  /**
   * When the purge was issued (control plane clock). Objects fetched from the
   * origin before this instant are invalid from now on.
   */
  'purgeAtMs'?: (number | string | Long);
  /**
   * Id given by the control plane, so nodes can ignore a duplicate.
   */
  'purgeId'?: (string);
  'forward'?: (_cdnlab_tier_v1_PurgeRoute)[];
}

export interface PurgeRequest__Output {
  'kind': (_cdnlab_tier_v1_PurgeKind__Output);
  'value': (string);
  'mode': (_cdnlab_tier_v1_PurgeMode__Output);
  /**
   * When the purge was issued (control plane clock). Objects fetched from the
   * origin before this instant are invalid from now on.
   */
  'purgeAtMs': (number);
  /**
   * Id given by the control plane, so nodes can ignore a duplicate.
   */
  'purgeId': (string);
  'forward': (_cdnlab_tier_v1_PurgeRoute__Output)[];
}
