// Original file: cdnlab/tier/v1/tier.proto

export const PurgeKind = {
  PURGE_KIND_UNSPECIFIED: 'PURGE_KIND_UNSPECIFIED',
  /**
   * value is a cache key (normalised URL).
   */
  PURGE_KIND_URL: 'PURGE_KIND_URL',
  /**
   * value is a surrogate key (tag).
   */
  PURGE_KIND_TAG: 'PURGE_KIND_TAG',
  /**
   * value is a URL prefix.
   */
  PURGE_KIND_PREFIX: 'PURGE_KIND_PREFIX',
  /**
   * value is ignored: everything goes.
   */
  PURGE_KIND_ALL: 'PURGE_KIND_ALL',
} as const;

export type PurgeKind =
  | 'PURGE_KIND_UNSPECIFIED'
  | 0
  /**
   * value is a cache key (normalised URL).
   */
  | 'PURGE_KIND_URL'
  | 1
  /**
   * value is a surrogate key (tag).
   */
  | 'PURGE_KIND_TAG'
  | 2
  /**
   * value is a URL prefix.
   */
  | 'PURGE_KIND_PREFIX'
  | 3
  /**
   * value is ignored: everything goes.
   */
  | 'PURGE_KIND_ALL'
  | 4

export type PurgeKind__Output = typeof PurgeKind[keyof typeof PurgeKind]
