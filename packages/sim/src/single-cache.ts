/**
 * One cache on a trace, libCacheSim style: every request is an access; a
 * miss inserts the object (evicting until it fits), an object larger than
 * the cache is never admitted. This is the core's `Store.access` fast path,
 * the same store every HttpCache uses, so its miss counts pin the eviction
 * policies against an independent reference (see the tests) and, through
 * that, against libCacheSim's numbers on the same trace.
 */
import { createStore, evictionPolicyNames } from '@cdnlab/core';

export interface TraceRequest {
  key: string | number;
  /** Bytes; with `ignoreSizes` or when absent every object costs 1. */
  sizeBytes?: number;
}

export interface SingleCacheOptions {
  /** Bytes (or objects with ignoreSizes). */
  capacity: number;
  /** A registered eviction policy name. Default `lru`. */
  policy?: string;
  /** Count objects, not bytes (libCacheSim's --ignore-obj-size). */
  ignoreSizes?: boolean;
}

export interface SingleCacheResult {
  requests: number;
  hits: number;
  misses: number;
  /** Bytes requested and bytes missed (sizes as used, so 1 per request with ignoreSizes). */
  bytes: number;
  missBytes: number;
  missRatio: number;
  byteMissRatio: number;
  evictions: number;
}

/**
 * Runs `trace` through one cache. `trace` is any iterable of requests, or an
 * Int32Array of object ids (all of size 1), as `zipfTrace` makes.
 */
export function simulateSingleCache(trace: Iterable<TraceRequest> | Int32Array, opts: SingleCacheOptions): SingleCacheResult {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`expected opts to be an object, got ${String(opts)}`);
  if (!(Number.isSafeInteger(opts.capacity) && opts.capacity > 0)) throw new TypeError(`expected opts.capacity to be a positive integer, got ${String(opts.capacity)}`);
  const policy = opts.policy ?? 'lru';
  if (!evictionPolicyNames().includes(policy)) throw new TypeError(`expected opts.policy to be one of ${evictionPolicyNames().join(', ')}, got ${JSON.stringify(policy)}`);
  const store = createStore<string | number, undefined>({ capacityBytes: opts.capacity, policy });
  let requests = 0;
  let hits = 0;
  let bytes = 0;
  let missBytes = 0;
  if (trace instanceof Int32Array) {
    for (let i = 0; i < trace.length; i++) {
      if (store.access(trace[i], 1)) hits++;
      else missBytes++;
    }
    requests = bytes = trace.length;
  } else {
    const ignore = opts.ignoreSizes === true;
    for (const r of trace) {
      const size = ignore || r.sizeBytes === undefined ? 1 : r.sizeBytes;
      if (!(Number.isSafeInteger(size) && size > 0)) throw new TypeError(`expected request ${requests + 1} to have a positive integer size, got ${String(r.sizeBytes)}`);
      requests++;
      bytes += size;
      if (store.access(r.key, size)) hits++;
      else missBytes += size;
    }
  }
  const misses = requests - hits;
  return {
    requests,
    hits,
    misses,
    bytes,
    missBytes,
    missRatio: requests ? misses / requests : NaN,
    byteMissRatio: bytes ? missBytes / bytes : NaN,
    evictions: store.stats.evictions,
  };
}
