/**
 * A stored response as the HTTP cache keeps it, its instants in one array
 * of doubles rather than in fields (entry-instants.ts says why).
 */
import { type EntryTimes, FRESH_UNTIL, INITIAL_AGE, ORIGIN_FETCHED_AT, SIE_UNTIL, STORED_AT, SWR_UNTIL, timesOfInstants } from './entry-instants';
import type { ResponseHead } from './types';

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

  /**
   * @param n the instants at entry-instants.ts's slots, ORIGIN_FETCHED_AT
   *   and FLAGS included (freshness.ts writeEntryInstants fills one from
   *   newInstants()); the entry keeps this very array.
   */
  constructor(
    readonly storeKey: string,
    readonly primaryKey: string,
    readonly url: string,
    public head: ResponseHead,
    readonly body: Uint8Array,
    readonly tags: readonly string[],
    readonly size: number,
    /** The instants, written in place on revalidation (`HttpCache.revalidated`). */
    readonly n: number[],
    /** What the store files it under: storeKey, or storeKey's id (key-ids.ts). */
    readonly slotKey: string | number = storeKey,
  ) {}

  get times(): Readonly<EntryTimes> {
    return timesOfInstants(this.n);
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
