// Original file: cdnlab/control/v1/control.proto

import type { PurgeKind as _cdnlab_tier_v1_PurgeKind, PurgeKind__Output as _cdnlab_tier_v1_PurgeKind__Output } from '../../../cdnlab/tier/v1/PurgeKind';
import type { PurgeMode as _cdnlab_tier_v1_PurgeMode, PurgeMode__Output as _cdnlab_tier_v1_PurgeMode__Output } from '../../../cdnlab/tier/v1/PurgeMode';
import type { Fanout as _cdnlab_control_v1_Fanout, Fanout__Output as _cdnlab_control_v1_Fanout__Output } from '../../../cdnlab/control/v1/Fanout';

export interface PurgeCommand {
  'kind'?: (_cdnlab_tier_v1_PurgeKind);
  'value'?: (string);
  'mode'?: (_cdnlab_tier_v1_PurgeMode);
  'fanout'?: (_cdnlab_control_v1_Fanout);
  /**
   * Call a node that did not take the purge only once. By default (false)
   * the control plane calls it again, on the schedule the simulator shares,
   * until it takes the purge or the purge is 10 minutes old. Named in the
   * negative so that proto3's default is the safe behaviour.
   */
  'noRedeliver'?: (boolean);
}

export interface PurgeCommand__Output {
  'kind': (_cdnlab_tier_v1_PurgeKind__Output);
  'value': (string);
  'mode': (_cdnlab_tier_v1_PurgeMode__Output);
  'fanout': (_cdnlab_control_v1_Fanout__Output);
  /**
   * Call a node that did not take the purge only once. By default (false)
   * the control plane calls it again, on the schedule the simulator shares,
   * until it takes the purge or the purge is 10 minutes old. Named in the
   * negative so that proto3's default is the safe behaviour.
   */
  'noRedeliver': (boolean);
}
