// Original file: cdnlab/control/v1/control.proto


export interface EventsRequest {
  /**
   * Only events of these types; empty means all.
   */
  'types'?: (string)[];
}

export interface EventsRequest__Output {
  /**
   * Only events of these types; empty means all.
   */
  'types': (string)[];
}
