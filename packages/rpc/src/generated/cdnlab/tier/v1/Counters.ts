// Original file: cdnlab/tier/v1/tier.proto

import type { Long } from '@grpc/proto-loader';

export interface Counters {
  /**
   * Answers from the cache, fresh or stale (stale_served counts the stale ones again).
   */
  'hits'?: (number | string | Long);
  /**
   * Answers that went upstream: misses, revalidations, passes.
   */
  'misses'?: (number | string | Long);
  'staleServed'?: (number | string | Long);
  /**
   * Stored copies refreshed by a 304 from upstream.
   */
  'revalidations'?: (number | string | Long);
  /**
   * Requests that waited for another's fetch and were answered with its result.
   */
  'collapsedWaiters'?: (number | string | Long);
  'evictions'?: (number | string | Long);
  'bytesStored'?: (number | string | Long);
  'objectsStored'?: (number | string | Long);
  /**
   * Every answer, errors included: hits + misses + errors.
   */
  'requests'?: (number | string | Long);
  'upstreamFetches'?: (number | string | Long);
  /**
   * Requests being served right now (a gauge, not a counter).
   */
  'inflight'?: (number | string | Long);
}

export interface Counters__Output {
  /**
   * Answers from the cache, fresh or stale (stale_served counts the stale ones again).
   */
  'hits': (number);
  /**
   * Answers that went upstream: misses, revalidations, passes.
   */
  'misses': (number);
  'staleServed': (number);
  /**
   * Stored copies refreshed by a 304 from upstream.
   */
  'revalidations': (number);
  /**
   * Requests that waited for another's fetch and were answered with its result.
   */
  'collapsedWaiters': (number);
  'evictions': (number);
  'bytesStored': (number);
  'objectsStored': (number);
  /**
   * Every answer, errors included: hits + misses + errors.
   */
  'requests': (number);
  'upstreamFetches': (number);
  /**
   * Requests being served right now (a gauge, not a counter).
   */
  'inflight': (number);
}
