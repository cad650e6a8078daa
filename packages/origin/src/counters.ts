import type { HeaderList } from '@cdnlab/core';
import type { FaultKind } from './faults';

/**
 * The origin's ground truth: every request that reached the origin process,
 * by path and kind.
 *
 * What counts: a request is counted once, when it arrives, whatever then
 * happens to it: answered, failed by an `error` fault, slowed, hung, refused
 * by a `down` fault, or abandoned by its caller. A `down` origin in this lab
 * is a live process playing dead, so it still sees the attempts; that is what
 * a scenario needs to see a retry storm against a dead origin. Requests never
 * reach the count when the transport itself refuses them (a malformed gRPC
 * request, a broken HTTP request line).
 *
 * Keys of `byKind`:
 * - request kinds, exactly one per request, so they sum to `total`:
 *   get, head, conditional (GET/HEAD with If-None-Match or If-Modified-Since),
 *   post, put, patch, delete, options, other;
 * - outcomes, subsets of the above, not part of the sum:
 *   not-modified (a conditional answered 304), fault:error, fault:slow,
 *   fault:hang, fault:down (requests a fault acted on).
 */
export type RequestKindName = 'get' | 'head' | 'conditional' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'other';
export type OutcomeName = 'not-modified' | `fault:${Exclude<FaultKind, 'none'>}`;

export const REQUEST_KINDS: readonly RequestKindName[] = ['get', 'head', 'conditional', 'post', 'put', 'patch', 'delete', 'options', 'other'];

const METHOD_KIND: Record<string, RequestKindName> = {
  GET: 'get', HEAD: 'head', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete', OPTIONS: 'options',
};

/** The kind a request is counted under, from its method and validators. */
export function requestKind(method: string, headers: HeaderList): RequestKindName {
  const kind = METHOD_KIND[method.toUpperCase()] ?? 'other';
  if ((kind === 'get' || kind === 'head') && headers.some(([n]) => n === 'if-none-match' || n === 'if-modified-since')) return 'conditional';
  return kind;
}

export interface PathCount {
  path: string;
  byKind: Record<string, number>;
  /** Requests for this path (the sum of its request kinds). */
  total: number;
}

export interface CountsSnapshot {
  paths: PathCount[];
  total: number;
}

export interface Counters {
  /** Count one request that arrived. */
  record(path: string, kind: RequestKindName): void;
  /** Note what happened to a request already recorded. */
  recordOutcome(path: string, outcome: OutcomeName): void;
  /** Paths in first-seen order. */
  snapshot(): CountsSnapshot;
  /** Requests for one path by kind (zeros omitted); undefined if never seen. */
  get(path: string): PathCount | undefined;
  readonly total: number;
  /** Forget everything; returns the total just before. */
  reset(): number;
}

/** Paths past this many distinct ones share one bucket, so a scan of unique URLs cannot exhaust memory. */
export const DEFAULT_MAX_PATHS = 100_000;
export const OVERFLOW_PATH = '(other paths)';

export function createCounters(opts: { maxPaths?: number } = {}): Counters {
  const maxPaths = opts.maxPaths ?? DEFAULT_MAX_PATHS;
  if (!Number.isInteger(maxPaths) || maxPaths <= 0) throw new TypeError(`expected opts.maxPaths to be a positive integer, got ${maxPaths}`);
  let paths = new Map<string, PathCount>();
  let total = 0;

  const entry = (path: string, create: boolean): PathCount | undefined => {
    let e = paths.get(path);
    if (e || !create) return e;
    const key = paths.size >= maxPaths ? OVERFLOW_PATH : path;
    e = paths.get(key);
    if (!e) {
      e = { path: key, byKind: {}, total: 0 };
      paths.set(key, e);
    }
    return e;
  };

  return {
    record(path, kind) {
      const e = entry(path, true)!;
      e.byKind[kind] = (e.byKind[kind] ?? 0) + 1;
      e.total++;
      total++;
    },
    recordOutcome(path, outcome) {
      const e = entry(path, false) ?? paths.get(OVERFLOW_PATH);
      // An outcome for a request counted before a reset: nothing to attach it to.
      if (!e) return;
      e.byKind[outcome] = (e.byKind[outcome] ?? 0) + 1;
    },
    snapshot() {
      return { paths: [...paths.values()].map((e) => ({ path: e.path, byKind: { ...e.byKind }, total: e.total })), total };
    },
    get(path) {
      const e = paths.get(path);
      return e ? { path: e.path, byKind: { ...e.byKind }, total: e.total } : undefined;
    },
    get total() {
      return total;
    },
    reset() {
      const before = total;
      paths = new Map();
      total = 0;
      return before;
    },
  };
}
