// Original file: cdnlab/tier/v1/tier.proto

import type { Header as _cdnlab_tier_v1_Header, Header__Output as _cdnlab_tier_v1_Header__Output } from '../../../cdnlab/tier/v1/Header';
import type { Long } from '@grpc/proto-loader';

export interface FetchRequest {
  /**
   * HTTP method, upper case: GET, HEAD, POST, ...
   */
  'method'?: (string);
  /**
   * "http" or "https", as the client asked the edge.
   */
  'scheme'?: (string);
  /**
   * Host (and port) the client asked for.
   */
  'authority'?: (string);
  /**
   * Path and query, as in the request line (RFC 9112 §3.2 origin-form).
   */
  'target'?: (string);
  /**
   * Request header fields in the order received, repeats kept.
   */
  'headers'?: (_cdnlab_tier_v1_Header)[];
  /**
   * Request content for POST and friends. Capped by the sender; tiers never
   * cache answers to requests with content.
   */
  'body'?: (Buffer | Uint8Array | string);
  /**
   * The edge's normalised cache key, carried so every tier stores the object
   * under the same key instead of re-deriving it.
   */
  'cacheKey'?: (string);
  /**
   * Purge-time rule: a stored copy whose origin_fetched_at_ms is earlier than
   * this is treated as a miss (a purge reached the edge before this tier).
   */
  'notBeforeMs'?: (number | string | Long);
  /**
   * Region of the client, for logs and per-region statistics.
   */
  'clientRegion'?: (string);
  /**
   * Number of tiers already crossed; a tier refuses past its limit, so a
   * mis-configured parent cycle fails fast instead of looping.
   */
  'hops'?: (number);
  /**
   * Set by a collapsed waiter that gave up on the lock and fetched on its
   * own: the answer must not be stored (Varnish's hit-for-pass idea), so the
   * lock holder's result stays authoritative.
   */
  'noStoreAnswer'?: (boolean);
  /**
   * Opaque id for logs and events; the edge makes one per client request.
   */
  'requestId'?: (string);
}

export interface FetchRequest__Output {
  /**
   * HTTP method, upper case: GET, HEAD, POST, ...
   */
  'method': (string);
  /**
   * "http" or "https", as the client asked the edge.
   */
  'scheme': (string);
  /**
   * Host (and port) the client asked for.
   */
  'authority': (string);
  /**
   * Path and query, as in the request line (RFC 9112 §3.2 origin-form).
   */
  'target': (string);
  /**
   * Request header fields in the order received, repeats kept.
   */
  'headers': (_cdnlab_tier_v1_Header__Output)[];
  /**
   * Request content for POST and friends. Capped by the sender; tiers never
   * cache answers to requests with content.
   */
  'body': (Buffer);
  /**
   * The edge's normalised cache key, carried so every tier stores the object
   * under the same key instead of re-deriving it.
   */
  'cacheKey': (string);
  /**
   * Purge-time rule: a stored copy whose origin_fetched_at_ms is earlier than
   * this is treated as a miss (a purge reached the edge before this tier).
   */
  'notBeforeMs': (number);
  /**
   * Region of the client, for logs and per-region statistics.
   */
  'clientRegion': (string);
  /**
   * Number of tiers already crossed; a tier refuses past its limit, so a
   * mis-configured parent cycle fails fast instead of looping.
   */
  'hops': (number);
  /**
   * Set by a collapsed waiter that gave up on the lock and fetched on its
   * own: the answer must not be stored (Varnish's hit-for-pass idea), so the
   * lock holder's result stays authoritative.
   */
  'noStoreAnswer': (boolean);
  /**
   * Opaque id for logs and events; the edge makes one per client request.
   */
  'requestId': (string);
}
