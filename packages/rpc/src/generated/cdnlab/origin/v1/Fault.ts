// Original file: cdnlab/origin/v1/origin.proto

export const Fault = {
  /**
   * The zero value is the healthy state, so an empty request clears faults.
   */
  FAULT_NONE: 'FAULT_NONE',
  /**
   * Answer with status_code (default 500) instead of the content.
   */
  FAULT_ERROR: 'FAULT_ERROR',
  /**
   * Answer normally after delay_ms.
   */
  FAULT_SLOW: 'FAULT_SLOW',
  /**
   * Accept the request and never answer.
   */
  FAULT_HANG: 'FAULT_HANG',
  /**
   * Refuse connections, as a dead host would.
   */
  FAULT_DOWN: 'FAULT_DOWN',
} as const;

export type Fault =
  /**
   * The zero value is the healthy state, so an empty request clears faults.
   */
  | 'FAULT_NONE'
  | 0
  /**
   * Answer with status_code (default 500) instead of the content.
   */
  | 'FAULT_ERROR'
  | 1
  /**
   * Answer normally after delay_ms.
   */
  | 'FAULT_SLOW'
  | 2
  /**
   * Accept the request and never answer.
   */
  | 'FAULT_HANG'
  | 3
  /**
   * Refuse connections, as a dead host would.
   */
  | 'FAULT_DOWN'
  | 4

export type Fault__Output = typeof Fault[keyof typeof Fault]
