/**
 * One cache on a trace, libCacheSim style: every request is an access; a
 * miss inserts the object (evicting until it fits), an object larger than
 * the cache is never admitted. This is the core's `Store.access` fast path,
 * the same store every HttpCache uses, so its miss counts pin the eviction
 * policies against an independent reference (see the tests) and, through
 * that, against libCacheSim's numbers on the same trace.
 */
import { createStore, evictionPolicyNames, type Store } from '@cdnlab/core';
import { readTrace, TraceError, type TraceFormat } from '@cdnlab/scenario';

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
  return simulateSingleCaches(trace, [opts], 'opts')[0];
}

/** One cache's counters while the trace runs. */
interface Running {
  store: Store<string | number, undefined>;
  ignoreSizes: boolean;
  hits: number;
  bytes: number;
  missBytes: number;
}

/**
 * Runs `trace` through several independent caches in one pass, each as
 * {@link simulateSingleCache} would (a trace file is read and parsed once,
 * however many policies and capacities are compared). Results in the order
 * of `caches`.
 */
export function simulateSingleCaches(trace: Iterable<TraceRequest> | Int32Array, caches: readonly SingleCacheOptions[], label = 'caches'): SingleCacheResult[] {
  if (!Array.isArray(caches) || caches.length === 0) throw new TypeError(`expected ${label} to be a non-empty list of cache options`);
  const running: Running[] = caches.map((opts, i) => {
    const at = label === 'opts' ? 'opts' : `${label}[${i}]`;
    if (opts === null || typeof opts !== 'object') throw new TypeError(`expected ${at} to be an object, got ${String(opts)}`);
    if (!(Number.isSafeInteger(opts.capacity) && opts.capacity > 0)) throw new TypeError(`expected ${at}.capacity to be a positive integer, got ${String(opts.capacity)}`);
    const policy = opts.policy ?? 'lru';
    if (!evictionPolicyNames().includes(policy)) throw new TypeError(`expected ${at}.policy to be one of ${evictionPolicyNames().join(', ')}, got ${JSON.stringify(policy)}`);
    return { store: createStore<string | number, undefined>({ capacityBytes: opts.capacity, policy }), ignoreSizes: opts.ignoreSizes === true, hits: 0, bytes: 0, missBytes: 0 };
  });
  let requests = 0;
  if (trace instanceof Int32Array) {
    for (const c of running) {
      for (let i = 0; i < trace.length; i++) {
        if (c.store.access(trace[i], 1)) c.hits++;
        else c.missBytes++;
      }
      c.bytes = trace.length;
    }
    requests = trace.length;
  } else {
    const sized = running.some((c) => !c.ignoreSizes);
    for (const r of trace) {
      if (sized && !(Number.isSafeInteger(r.sizeBytes ?? 1) && (r.sizeBytes ?? 1) > 0)) throw new TypeError(`expected request ${requests + 1} to have a positive integer size, got ${String(r.sizeBytes)}`);
      requests++;
      for (const c of running) {
        const size = c.ignoreSizes || r.sizeBytes === undefined ? 1 : r.sizeBytes;
        c.bytes += size;
        if (c.store.access(r.key, size)) c.hits++;
        else c.missBytes += size;
      }
    }
  }
  return running.map((c) => {
    const misses = requests - c.hits;
    return {
      requests,
      hits: c.hits,
      misses,
      bytes: c.bytes,
      missBytes: c.missBytes,
      missRatio: requests ? misses / requests : NaN,
      byteMissRatio: c.bytes ? c.missBytes / c.bytes : NaN,
      evictions: c.store.stats.evictions,
    };
  });
}

/**
 * A trace file's requests for single caches: every record needs a size
 * unless sizes are ignored (a TraceError names the record that has none, or
 * 0). The reader's records are passed on as they are.
 */
export function* traceRequests(file: string, format: TraceFormat, opts: { maxRecords?: number; ignoreSizes: boolean }): Generator<TraceRequest> {
  for (const r of readTrace(file, format, opts.maxRecords === undefined ? {} : { maxRecords: opts.maxRecords })) {
    if (!opts.ignoreSizes) {
      if (r.sizeBytes === undefined) throw new TraceError(file, r.record ?? 0, 'no size: give each request a size (time,key,size), or run with --ignore-obj-size to count objects', format);
      if (r.sizeBytes === 0) throw new TraceError(file, r.record ?? 0, 'size 0: a cache holds objects of at least one byte (or run with --ignore-obj-size)', format);
    }
    yield r;
  }
}
