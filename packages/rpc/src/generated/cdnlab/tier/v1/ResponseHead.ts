// Original file: cdnlab/tier/v1/tier.proto

import type { Header as _cdnlab_tier_v1_Header, Header__Output as _cdnlab_tier_v1_Header__Output } from '../../../cdnlab/tier/v1/Header';
import type { Long } from '@grpc/proto-loader';

export interface ResponseHead {
  /**
   * HTTP status code of the answer.
   */
  'status'?: (number);
  /**
   * Response header fields in order, repeats kept.
   */
  'headers'?: (_cdnlab_tier_v1_Header)[];
  /**
   * Cache-Status members (RFC 9211 §2) added by the tiers above the caller,
   * nearest the origin last. The caller prepends its own.
   */
  'cacheStatus'?: (string)[];
  /**
   * When the origin generated this copy. Passed through every tier
   * unchanged; the purge-time rule compares it with not_before_ms.
   */
  'originFetchedAtMs'?: (number | string | Long);
  /**
   * When the answering tier stored its copy (0 if it did not store it).
   */
  'storedAtMs'?: (number | string | Long);
  /**
   * The answering tier's current age of the object when it sent this head
   * (RFC 9111 §4.2.3), so the next tier can add its own residence time.
   */
  'ageSeconds'?: (number | string);
  /**
   * Node id of the tier that answered.
   */
  'servedBy'?: (string);
  /**
   * True when this answer was shared with other requests waiting on the
   * same cache key (request collapsing).
   */
  'collapsed'?: (boolean);
}

export interface ResponseHead__Output {
  /**
   * HTTP status code of the answer.
   */
  'status': (number);
  /**
   * Response header fields in order, repeats kept.
   */
  'headers': (_cdnlab_tier_v1_Header__Output)[];
  /**
   * Cache-Status members (RFC 9211 §2) added by the tiers above the caller,
   * nearest the origin last. The caller prepends its own.
   */
  'cacheStatus': (string)[];
  /**
   * When the origin generated this copy. Passed through every tier
   * unchanged; the purge-time rule compares it with not_before_ms.
   */
  'originFetchedAtMs': (number);
  /**
   * When the answering tier stored its copy (0 if it did not store it).
   */
  'storedAtMs': (number);
  /**
   * The answering tier's current age of the object when it sent this head
   * (RFC 9111 §4.2.3), so the next tier can add its own residence time.
   */
  'ageSeconds': (number);
  /**
   * Node id of the tier that answered.
   */
  'servedBy': (string);
  /**
   * True when this answer was shared with other requests waiting on the
   * same cache key (request collapsing).
   */
  'collapsed': (boolean);
}
