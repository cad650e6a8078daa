/**
 * A stored response as the HTTP cache keeps it, its instants in one array
 * of doubles rather than in fields.
 *
 * Why: V8 gives every double held in an object field a heap box of its
 * own, so an entry whose seven instants (stored at, initial age, lifetime,
 * fresh until, the two stale windows, when the origin produced it) were
 * fields, or a `times` object, cost seven or eight more objects to
 * allocate, keep and trace, per entry and per tier. An array of doubles
 * holds them unboxed in one backing store, allocated beside the entry.
 */
import type { EntryTimes } from './freshness';
import type { ResponseHead } from './types';

/** Where each instant sits in an entry's array. */
const STORED_AT = 0;
const INITIAL_AGE = 1;
const LIFETIME = 2;
const FRESH_UNTIL = 3;
const SWR_UNTIL = 4;
const SIE_UNTIL = 5;
const ORIGIN_FETCHED_AT = 6;
const FLAGS = 7;
const HEURISTIC = 1;
const CLIENT_MAY_SERVE_STALE = 2;

/** A stored response and what we computed about it when storing it. */
export interface CacheEntry {
  /** The key in the store: the primary key itself without Vary, else `primaryKey + U+0001 + secondary key`. */
  readonly storeKey: string;
  readonly primaryKey: string;
  /** The URL part of the key: what purges by URL and prefix match. */
  readonly url: string;
  head: ResponseHead;
  readonly body: Uint8Array;
  /** Its instants (a new object on every read: keep it rather than reading it twice). */
  readonly times: Readonly<EntryTimes>;
  /** When the origin produced this content (travels unchanged through tiers). */
  readonly originFetchedAt: number;
  readonly tags: readonly string[];
  /** A background refresh is in flight (stale-while-revalidate sends exactly one). */
  refreshing: boolean;
  /** Bytes charged to the store. */
  readonly size: number;
}

export class StoredEntry implements CacheEntry {
  refreshing = false;
  /** The instants, at the indexes above: an array of unboxed doubles. */
  private readonly n: number[];

  constructor(
    readonly storeKey: string,
    readonly primaryKey: string,
    readonly url: string,
    public head: ResponseHead,
    readonly body: Uint8Array,
    readonly tags: readonly string[],
    readonly size: number,
    times: EntryTimes,
    originFetchedAt: number,
  ) {
    // Written as non-integers so that V8 makes this a double array whatever
    // values it is given (an all-integer literal would hold small integers,
    // and entries would then come in two element kinds).
    this.n = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    this.setTimes(times, originFetchedAt);
  }

  get times(): Readonly<EntryTimes> {
    const p = this.n;
    const flags = p[FLAGS];
    return {
      storedAt: p[STORED_AT],
      initialAgeMs: p[INITIAL_AGE],
      lifetimeMs: p[LIFETIME],
      freshUntil: p[FRESH_UNTIL],
      staleWhileRevalidateUntil: p[SWR_UNTIL],
      staleIfErrorUntil: p[SIE_UNTIL],
      heuristic: (flags & HEURISTIC) !== 0,
      clientMayServeStale: (flags & CLIENT_MAY_SERVE_STALE) !== 0,
    };
  }

  get originFetchedAt(): number {
    return this.n[ORIGIN_FETCHED_AT];
  }

  get storedAt(): number {
    return this.n[STORED_AT];
  }

  get initialAgeMs(): number {
    return this.n[INITIAL_AGE];
  }

  get freshUntil(): number {
    return this.n[FRESH_UNTIL];
  }

  get staleWhileRevalidateUntil(): number {
    return this.n[SWR_UNTIL];
  }

  get staleIfErrorUntil(): number {
    return this.n[SIE_UNTIL];
  }

  /** Sets every instant (on store and on revalidation). */
  setTimes(t: EntryTimes, originFetchedAt: number): void {
    const p = this.n;
    p[STORED_AT] = t.storedAt;
    p[INITIAL_AGE] = t.initialAgeMs;
    p[LIFETIME] = t.lifetimeMs;
    p[FRESH_UNTIL] = t.freshUntil;
    p[SWR_UNTIL] = t.staleWhileRevalidateUntil;
    p[SIE_UNTIL] = t.staleIfErrorUntil;
    p[ORIGIN_FETCHED_AT] = originFetchedAt;
    p[FLAGS] = (t.heuristic ? HEURISTIC : 0) | (t.clientMayServeStale ? CLIENT_MAY_SERVE_STALE : 0);
  }

  /**
   * A soft purge: stale from `at`, its stale windows restarting there with
   * the lengths they had. Nothing changes if it is already stale at `at`.
   */
  markStale(at: number): void {
    const p = this.n;
    const freshUntil = p[FRESH_UNTIL];
    if (freshUntil <= at) return;
    p[SWR_UNTIL] = at + Math.max(0, p[SWR_UNTIL] - freshUntil);
    p[SIE_UNTIL] = at + Math.max(0, p[SIE_UNTIL] - freshUntil);
    p[FRESH_UNTIL] = at;
  }
}
