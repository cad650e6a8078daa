// Original file: cdnlab/tier/v1/tier_admin.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Requests whose path matches `match` (a glob: * within a segment, ** across
 * segments) are stored fresh for ttl_ms, whatever the origin said. A
 * no-cache answer stays no-cache: it must be validated on every use.
 */
export interface TtlOverride {
  'match'?: (string);
  'ttlMs'?: (number | string | Long);
}

/**
 * Requests whose path matches `match` (a glob: * within a segment, ** across
 * segments) are stored fresh for ttl_ms, whatever the origin said. A
 * no-cache answer stays no-cache: it must be validated on every use.
 */
export interface TtlOverride__Output {
  'match': (string);
  'ttlMs': (number);
}
