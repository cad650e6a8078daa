// Original file: cdnlab/tier/v1/tier.proto

export const PurgeMode = {
  PURGE_MODE_UNSPECIFIED: 'PURGE_MODE_UNSPECIFIED',
  /**
   * Remove the objects.
   */
  PURGE_MODE_HARD: 'PURGE_MODE_HARD',
  /**
   * Mark the objects stale: they may still be served stale or revalidated.
   */
  PURGE_MODE_SOFT: 'PURGE_MODE_SOFT',
} as const;

export type PurgeMode =
  | 'PURGE_MODE_UNSPECIFIED'
  | 0
  /**
   * Remove the objects.
   */
  | 'PURGE_MODE_HARD'
  | 1
  /**
   * Mark the objects stale: they may still be served stale or revalidated.
   */
  | 'PURGE_MODE_SOFT'
  | 2

export type PurgeMode__Output = typeof PurgeMode[keyof typeof PurgeMode]
