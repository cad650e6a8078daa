// Original file: cdnlab/tier/v1/tier.proto

import type { Long } from '@grpc/proto-loader';

export interface Counters {
  'hits'?: (number | string | Long);
  'misses'?: (number | string | Long);
  'staleServed'?: (number | string | Long);
  'revalidations'?: (number | string | Long);
  'collapsedWaiters'?: (number | string | Long);
  'evictions'?: (number | string | Long);
  'bytesStored'?: (number | string | Long);
  'objectsStored'?: (number | string | Long);
  'requests'?: (number | string | Long);
  'upstreamFetches'?: (number | string | Long);
  /**
   * Requests being served right now (a gauge, not a counter).
   */
  'inflight'?: (number | string | Long);
}

export interface Counters__Output {
  'hits': (number);
  'misses': (number);
  'staleServed': (number);
  'revalidations': (number);
  'collapsedWaiters': (number);
  'evictions': (number);
  'bytesStored': (number);
  'objectsStored': (number);
  'requests': (number);
  'upstreamFetches': (number);
  /**
   * Requests being served right now (a gauge, not a counter).
   */
  'inflight': (number);
}
