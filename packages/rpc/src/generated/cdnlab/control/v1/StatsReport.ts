// Original file: cdnlab/control/v1/control.proto

import type { StatsReply as _cdnlab_tier_v1_StatsReply, StatsReply__Output as _cdnlab_tier_v1_StatsReply__Output } from '../../../cdnlab/tier/v1/StatsReply';

export interface StatsReport {
  'nodes'?: (_cdnlab_tier_v1_StatsReply)[];
}

export interface StatsReport__Output {
  'nodes': (_cdnlab_tier_v1_StatsReply__Output)[];
}
