/**
 * The HTTP cache of one tier: the rules of RFC 9111 (one file each, beside
 * this one) wired to a store, a cache keyer, Vary variants and the purge
 * index. Everything a tier does with its cache goes through here, in the
 * services and in the simulator alike, and time is always an argument.
 *
 * What this does NOT do: network, collapsing, background fetches. It answers
 * "what may I serve for this request now?" and "may I keep this answer?";
 * the caller (a tier service, the simulator) fetches upstream and comes back
 * with `store`, `revalidated` or `serveStaleOnError`.
 */
import { parseRequestCacheControl, requestCacheControlOf, type RequestCacheControl, type ResponseCacheControl } from './cache-control';
import { createCacheKeyer, type CacheKeyOptions, type CacheKeyer } from './cache-key';
import type { CacheStatusFwd } from './cache-status';
import { StoredEntry, type CacheEntry } from './cache-entry';
import { FRESH_UNTIL, newInstants, ORIGIN_FETCHED_AT, SIE_UNTIL, SWR_UNTIL } from './entry-instants';
import { ageSecondsAt, checkFreshnessOptions, writeEntryInstants, type FreshnessOptions } from './freshness';
import { getFirst, HOP_BY_HOP_FIELDS, removeHeader, stripHopByHop } from './headers';
import { invalidationTargets, isUnsafeMethod } from './invalidation';
import { createPurgeIndex, parseSurrogateKeys, type PurgeCommand, type PurgeIndex } from './purge';
import { decideCacheUse, isStaleIfErrorTrigger, staleIfErrorAllowed } from './stale';
import { checkStorabilityOptions, isStorable, prepareForStorage, type StorabilityDecision, type StorabilityOptions, type StorabilityReason } from './storability';
import type { KeyIds } from './key-ids';
import { createStore, hashKey, type Store } from './store';
import { createEffectiveCacheControl, type EffectiveCacheControl } from './targeted-fields';
import type { HeaderList, RequestHead, ResponseHead } from './types';
import { buildConditionalHeaders, buildNotModifiedHead, evaluateClientConditional, mergeNotModified, selectStoredForUpdate } from './validation';
import { acceptEncodingNormaliser, createVariantIndex, DEFAULT_CONTENT_CODINGS, secondaryKey, varyFieldNames, type VariantIndex, type VaryNormalisers } from './vary';

export interface HttpCacheOptions {
  /** Name in Cache-Status and stats, usually the node id. */
  name: string;
  capacityBytes: number;
  maxObjectBytes?: number;
  /** Eviction policy by registered name (`lru`, `lfu`, `fifo`, `s3fifo`, `sieve`). Default `lru`. */
  eviction?: string;
  key?: CacheKeyOptions;
  /** RFC 9213 targeted fields this tier obeys, most specific first. Default `['cdn-cache-control']`. */
  targetedFields?: readonly string[];
  freshness?: FreshnessOptions;
  /** What to do with responses carrying Set-Cookie. Default `'no'` (do not store). */
  storeSetCookie?: 'no' | 'yes' | 'strip';
  /** Most Vary variants kept per URL. Default 16. */
  maxVariantsPerKey?: number;
  /** Content codings the Accept-Encoding normaliser knows, best first. Default br, gzip, identity. */
  encodings?: readonly string[];
  /** Extra Vary normalisers by lower-case header name (e.g. a User-Agent to device-class map). */
  varyNormalisers?: VaryNormalisers;
  /**
   * Honour the client's request Cache-Control (no-cache, max-age, ...).
   * RFC 9111 says a cache should; many CDNs ignore it so that a browser's
   * reload cannot send load to the origin. Default true.
   */
  honourRequestCacheControl?: boolean;
  /** How long purge records are kept; at least the longest time a copy may be served. Default 1 day. */
  purgeRetentionMs?: number;
  /** Scheme and host a purge of a bare path (`/news/1`) refers to. Default `http://localhost`. */
  defaultOrigin?: string;
  /**
   * Int ids for keys, shared with other caches (the simulator's): entries
   * are filed under their keys' ids, found faster than strings (key-ids.ts).
   * What the cache answers is the same with or without.
   */
  keyIds?: KeyIds;
}

export type { CacheEntry } from './cache-entry';

export type CacheLookup =
  /** Serve `entry` (fresh, or stale within a window that allows it). */
  | { kind: 'hit'; entry: CacheEntry; stale: boolean; backgroundRefresh: boolean }
  /** Ask upstream with these conditional headers, then call `revalidated` or `store`. */
  | { kind: 'validate'; entry: CacheEntry; conditionalHeaders: HeaderList; reason: string }
  /** Nothing usable: forward. `fwd` is the Cache-Status reason. */
  | { kind: 'miss'; fwd: CacheStatusFwd; primaryKey: string; detail?: string }
  /** only-if-cached and nothing usable (RFC 9111 §5.2.1.7). */
  | { kind: 'gateway-timeout'; primaryKey: string };

export interface LookupOptions {
  /** The purge-time rule from a child: copies the origin produced before this are misses. */
  notBefore?: number;
  /**
   * `key(req)`, when the caller already has it (the simulator computes it
   * once per request, not once per call). Must be exactly that string.
   */
  key?: string;
  /** With `key`: its id in the cache's keyIds, when the caller has it (`keyIds.idOf(key)`, never another number). */
  keyId?: number;
}

/**
 * When a response was fetched. Read during the call it is given to and
 * never kept: a caller may pass the same object, changed, to every call.
 */
export interface StoreTimes {
  /** When the request was sent upstream (request_time, RFC 9111 §4.2.3). */
  requestTime: number;
  /** When the response head arrived (response_time). */
  responseTime: number;
  /** When the origin produced the content; defaults to responseTime. */
  originFetchedAt?: number;
  /**
   * The response's Age value, for a caller that hands the head over without
   * its Age line (the simulator passes a parent's stored head as is, with
   * {@link HttpCache.answerAge}'s value beside it): stored exactly as if the
   * head ended with the line `Age: <age>`.
   */
  age?: string;
}

export type StoreOutcome =
  | { stored: true; entry: CacheEntry }
  | { stored: false; reason: StorabilityReason | 'too-large' | 'purged' | 'useless' | 'no-store-requested' };

export interface HttpCacheStats {
  lookups: number;
  hits: number;
  staleHits: number;
  misses: number;
  validations: number;
  revalidated: number;
  staleIfError: number;
  stores: number;
  notStored: number;
  invalidations: number;
  purged: number;
  evictions: number;
  objects: number;
  bytes: number;
}

/** The counts of a cache that has done nothing (for a caller that has no cache yet). */
export const NO_HTTP_CACHE_STATS: Readonly<HttpCacheStats> = Object.freeze({
  lookups: 0,
  hits: 0,
  staleHits: 0,
  misses: 0,
  validations: 0,
  revalidated: 0,
  staleIfError: 0,
  stores: 0,
  notStored: 0,
  invalidations: 0,
  purged: 0,
  evictions: 0,
  objects: 0,
  bytes: 0,
});

export interface HttpCache {
  readonly name: string;
  /** The primary cache key of a request (also used as the collapsing key). */
  key(req: RequestHead): string;
  /**
   * What may be served for `req` at `now`. `notBefore` is the purge-time
   * rule from a child: copies the origin produced before it are misses.
   */
  lookup(req: RequestHead, now: number, opts?: LookupOptions): CacheLookup;
  /**
   * Offers an upstream answer for storing. `primaryKey`, when given, must be
   * `key(req)` (a caller that already has it saves computing it again);
   * `primaryKeyId`, when given, its id as LookupOptions.keyId.
   */
  store(req: RequestHead, res: ResponseHead, body: Uint8Array, times: StoreTimes, primaryKey?: string, primaryKeyId?: number): StoreOutcome;
  /**
   * A 304 answered a validation: update the entry (RFC 9111 §4.3.4) and
   * return it, to answer the request with. A 304 whose validator does not
   * select the entry (another strong ETag, say) updates nothing and says
   * nothing about the stored copy: the entry is no longer stored, and
   * undefined comes back, so the caller fetches the object whole (without
   * preconditions) for the request in hand. An updated response that may
   * no longer be stored (the 304 brought no-store) is returned and dropped.
   */
  revalidated(entry: CacheEntry, notModified: ResponseHead, times: StoreTimes): CacheEntry | undefined;
  /** A background refresh ended without refreshing this entry (failed, abandoned, or answered from the stale copy): allow another. */
  refreshAbandoned(entry: CacheEntry): void;
  /**
   * After an upstream failure (status, or undefined for no answer), may this
   * stale entry be served instead (RFC 5861 §4)?
   */
  serveStaleOnError(entry: CacheEntry, status: number | undefined, now: number, req: RequestHead): boolean;
  /** The head to send for a stored entry: Age set, or a 304 for a matching client conditional. */
  responseHead(entry: CacheEntry, req: RequestHead, now: number): ResponseHead;
  /**
   * The Age value of {@link responseHead}'s answer when that answer is the
   * entry's stored head with one line, `Age: <value>`, at its end (it is,
   * unless the request's preconditions make it a 304: then undefined). A
   * caller that passes the head on to another cache's store can hand it
   * `entry.head` (shared, never to be changed) with this value as
   * StoreTimes.age, and no copy of the head is made.
   */
  answerAge(entry: CacheEntry, req: RequestHead, now: number): string | undefined;
  /** Remaining freshness in seconds (negative when stale), for Cache-Status `ttl`. */
  ttlSeconds(entry: CacheEntry, now: number): number;
  /** RFC 9111 §4.4: an unsafe method succeeded; drop what it invalidates. Returns objects removed. */
  invalidateAfterUnsafe(req: RequestHead, res: ResponseHead): number;
  /** Applies a purge; returns how many stored objects it removed or marked stale. */
  purge(cmd: PurgeCommand): number;
  /**
   * Latest hard purge that covers this request (and these tags, once known),
   * to send upstream (purge-time rule).
   */
  notBeforeFor(req: RequestHead, tags?: readonly string[]): number | undefined;
  stats(): HttpCacheStats;
  /** Drops old purge records; call now and then. */
  compact(now: number): void;
  /** Every stored entry (for tests and reports). */
  entries(): IterableIterator<CacheEntry>;
}

const SEP = '\u0001';
const NO_LOOKUP_OPTIONS: LookupOptions = Object.freeze({});
/** The request a refreshed head is judged against: the GET that was revalidated (isStorable reads its method and its Cache-Control). */
const REVALIDATION_REQUEST: RequestHead = Object.freeze({ method: 'GET', scheme: 'http', host: '', target: '/', headers: Object.freeze([]) as unknown as HeaderList });

function positiveInt(name: string, v: unknown): void {
  if (!(typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) {
    throw new TypeError(`expected opts.${name} to be a positive integer, got ${String(v)}`);
  }
}

/** An entry a cache handed out (the only kind its methods take back). */
function stored(entry: CacheEntry): StoredEntry {
  if (!(entry instanceof StoredEntry)) throw new TypeError('expected an entry returned by an HttpCache');
  return entry;
}

/**
 * The Age (whole seconds) that responseHead appends to `entry`'s stored
 * head at `now`, or -1 when its answer is a 304 to the request's
 * preconditions instead.
 */
function answerAgeSeconds(entry: StoredEntry, req: RequestHead, now: number): number {
  const storedAt = entry.storedAt;
  if (evaluateClientConditional(req, entry.head, storedAt) === 'not-modified') return -1;
  return ageSecondsAt(storedAt, entry.initialAgeMs, now);
}

/**
 * Age values and lines of the first hour, each made once: most answers
 * carry a small age, and header lines are never changed, so answers share
 * them (as the origin shares its fixed lines).
 */
const AGE_TEXTS: Array<string | undefined> = new Array(3600).fill(undefined);
const AGE_LINES: Array<[string, string] | undefined> = new Array(3600).fill(undefined);

function ageText(seconds: number): string {
  return seconds < AGE_TEXTS.length ? (AGE_TEXTS[seconds] ??= String(seconds)) : String(seconds);
}

function ageLine(seconds: number): [string, string] {
  return seconds < AGE_LINES.length ? (AGE_LINES[seconds] ??= ['age', ageText(seconds)]) : ['age', String(seconds)];
}

/**
 * `head` with the line `Age: <age>` at its end: the head a StoreTimes.age
 * stands for, and responseHead's answer beside answerAge's value.
 */
export function withAgeLine(head: ResponseHead, age: string): ResponseHead {
  return withLastLine(head, ['age', age]);
}

/** A new list: the head's lines are shared, never changed. */
function withLastLine(head: ResponseHead, line: [string, string]): ResponseHead {
  const lines = head.headers;
  const headers: HeaderList = new Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) headers[i] = lines[i];
  headers[lines.length] = line;
  return { status: head.status, headers };
}

function headerBytes(h: HeaderList): number {
  let n = 0;
  for (let i = 0; i < h.length; i++) n += h[i][0].length + h[i][1].length + 4;
  return n;
}

/** Whether any line is called exactly `name` (HeaderList names are lower-case). */
function hasLine(h: HeaderList, name: string): boolean {
  for (let i = 0; i < h.length; i++) if (h[i][0] === name) return true;
  return false;
}

const NO_TAGS: readonly string[] = Object.freeze([]);
const NO_VARY: readonly string[] = Object.freeze([]);
/** Fields never stored besides hop-by-hop ones: Age is recomputed on every answer; Cache-Status describes one exchange. */
const PER_EXCHANGE_FIELDS: readonly string[] = ['age', 'cache-status'];
/** Hop-by-hop fields and PER_EXCHANGE_FIELDS in one set: one lookup per line of every response stored. */
const NEVER_STORED: ReadonlySet<string> = new Set([...HOP_BY_HOP_FIELDS, ...PER_EXCHANGE_FIELDS]);

/**
 * The head as stored: without hop-by-hop fields (RFC 9111 §3.1), the fields
 * the storability decision strips, Age and Cache-Status. In one pass, and
 * the very list it was given when there is nothing to remove (header lists
 * are never mutated, so sharing them is safe).
 */
function storedHeaders(headers: HeaderList, decision: StorabilityDecision): HeaderList {
  if (decision.stripFields.length > 0 || hasLine(headers, 'connection')) {
    return removeHeader(prepareForStorage({ status: 0, headers: stripHopByHop(headers) }, decision).headers, ...PER_EXCHANGE_FIELDS);
  }
  let keep = true;
  for (let i = 0; i < headers.length && keep; i++) keep = !NEVER_STORED.has(headers[i][0]);
  return keep ? headers : headers.filter(([n]) => !NEVER_STORED.has(n));
}

/**
 * Whether a 304 selects the stored head for update (RFC 9111 §4.3.4). The
 * usual 304 repeats the stored ETag line as it is: equal strong tags select,
 * decided without parsing (every validation answered by a parent takes this
 * way); anything else goes through the full selection rule.
 */
function selectsEntry(stored: ResponseHead, notModified: ResponseHead): boolean {
  const sent = getFirst(notModified.headers, 'etag');
  if (sent !== undefined && !sent.startsWith('W/') && sent === getFirst(stored.headers, 'etag')) return true;
  return selectStoredForUpdate([stored], notModified).length > 0;
}

/** Parses a purge value that is a URL or a bare path into a request head for keying. */
function requestForUrl(value: string, defaultOrigin: URL): RequestHead | undefined {
  let u: URL;
  try {
    u = new URL(value, defaultOrigin);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return { method: 'GET', scheme: u.protocol === 'https:' ? 'https' : 'http', host: u.host, target: u.pathname + u.search, headers: [] };
}

/** At most this many target lists get a shared reader (beyond: one each, as before). */
const SHARED_READERS_MAX = 64;
const sharedReaders = new Map<string, (headers: HeaderList) => EffectiveCacheControl>();

/**
 * The effective-Cache-Control reader for `targets`, one per distinct list
 * and shared by every cache configured alike. Its memo of parsed values is
 * then one warm table, where a thousand simulated edges each had their own,
 * cold by the time the edge's next response came (its results are frozen
 * and read-only, so sharing changes no answer).
 */
function sharedEffectiveCacheControl(targets: readonly string[]): (headers: HeaderList) => EffectiveCacheControl {
  const id = JSON.stringify(targets);
  let of = sharedReaders.get(id);
  if (of === undefined) {
    of = createEffectiveCacheControl({ targets: [...targets] });
    if (sharedReaders.size < SHARED_READERS_MAX) sharedReaders.set(id, of);
  }
  return of;
}

/**
 * When the origin produced a response being stored. Checked here, as the
 * purge index checks what it is given: NaN would compare false with every
 * purge time and pass every purge.
 */
function fetchedAtOf(times: StoreTimes): number {
  const at = times.originFetchedAt ?? times.responseTime;
  if (typeof at !== 'number' || Number.isNaN(at)) throw new TypeError(`expected times.originFetchedAt to be a number, got ${String(at)}`);
  return at;
}

export function createHttpCache(opts: HttpCacheOptions): HttpCache {
  return new TierCache(opts);
}

/**
 * An HttpCache. A class rather than an object of closures: every cache's
 * methods are then the same functions, on one prototype. With a closure
 * per method, a simulation of a thousand caches called a thousand
 * different `lookup`s and `store`s from one call site, each with its own
 * context far away in memory (the simulator's 1,000-edge bench ran 3-13%
 * more requests per CPU-second as a class, 2026-12-07).
 */
class TierCache implements HttpCache {
  readonly name: string;
  private readonly defaultOrigin: URL;
  private readonly honourReqCc: boolean;
  private readonly keyer: CacheKeyer;
  /**
   * The URL part alone: the same normalisation without header or cookie
   * parts, so a purge by URL matches every keyed variant of that URL.
   */
  private readonly urlKeyer: CacheKeyer;
  /** Without header or cookie parts the two keys are the same string: compute it once. */
  private readonly urlIsKey: boolean;
  private readonly effectiveOf: (headers: HeaderList) => EffectiveCacheControl;
  /** Checked here, once: isStorable and writeEntryInstants then take them as they are. By ignoreExpires (0, 1). */
  private readonly storable: ReadonlyArray<Readonly<StorabilityOptions>>;
  private readonly freshnessFor: ReadonlyArray<Readonly<FreshnessOptions>>;
  /**
   * What revalidated filters a merged 304 head by, by ignoreExpires (0, 1):
   * as on store, except that Set-Cookie is stripped where store refuses it
   * (`no`, the default: the entry is kept either way, and must not repeat
   * one client's cookie to all). Checked here, once.
   */
  private readonly refreshStorable: ReadonlyArray<Readonly<StorabilityOptions>>;
  private readonly normalisers: VaryNormalisers;
  private readonly variants: VariantIndex;
  private readonly purges: PurgeIndex;
  private readonly noReqCc: RequestCacheControl = parseRequestCacheControl('');
  /**
   * With keyIds, a plain entry is filed under its primary key's id when the
   * key has one (key-ids.ts: then it always has had), a Vary variant under
   * its store key (variant keys are never given ids: they are made afresh
   * for every lookup, and would only fill the table). So `slotOf` is exact
   * for any store key.
   */
  private readonly keyIds: KeyIds | undefined;
  /**
   * The purge index is built on the first purge: until then nothing reads
   * it, and a cache that is never purged (most, in a long simulation) never
   * pays for it.
   */
  private indexed = false;
  /**
   * Set at the first Vary response stored: until then the variant index is
   * empty and lookups, stores and evictions need not read it (one object
   * fewer to fetch per request on a cache among a thousand).
   */
  private anyVary = false;
  private readonly objects: Store<string | number, StoredEntry>;
  private readonly s = {
    lookups: 0, hits: 0, staleHits: 0, misses: 0, validations: 0, revalidated: 0, staleIfError: 0,
    stores: 0, notStored: 0, invalidations: 0, purged: 0,
  };

  constructor(opts: HttpCacheOptions) {
    if (opts === null || typeof opts !== 'object') throw new TypeError('expected opts to be an object');
    if (typeof opts.name !== 'string' || opts.name === '') throw new TypeError(`expected opts.name to be a non-empty string, got ${JSON.stringify(opts.name)}`);
    positiveInt('capacityBytes', opts.capacityBytes);
    const maxVariants = opts.maxVariantsPerKey ?? 16;
    positiveInt('maxVariantsPerKey', maxVariants);
    try {
      this.defaultOrigin = new URL(opts.defaultOrigin ?? 'http://localhost');
    } catch {
      throw new TypeError(`expected opts.defaultOrigin to be an absolute http(s) URL, got ${JSON.stringify(opts.defaultOrigin)}`);
    }
    this.name = opts.name;
    const targets = opts.targetedFields ?? ['cdn-cache-control'];
    const freshness = opts.freshness ?? {};
    const honourReqCc = (this.honourReqCc = opts.honourRequestCacheControl ?? true);
    this.keyer = createCacheKeyer(opts.key);
    this.urlKeyer = createCacheKeyer({ ...opts.key, includeHeaders: [], includeCookies: [] });
    this.urlIsKey = this.keyer.headerNames.length === 0 && this.keyer.cookieNames.length === 0;
    this.effectiveOf = sharedEffectiveCacheControl(targets);
    const storableOpts = (ignoreExpires: boolean): Readonly<StorabilityOptions> =>
      checkStorabilityOptions({ storeSetCookie: opts.storeSetCookie, defaultTtlMs: freshness.defaultTtlMs, heuristicStatuses: freshness.heuristicStatuses, ignoreExpires, honourRequestNoStore: honourReqCc });
    this.storable = [storableOpts(false), storableOpts(true)];
    const refreshOpts = (ignoreExpires: boolean): Readonly<StorabilityOptions> =>
      checkStorabilityOptions({ storeSetCookie: (opts.storeSetCookie ?? 'no') === 'no' ? 'strip' : opts.storeSetCookie, defaultTtlMs: freshness.defaultTtlMs, heuristicStatuses: freshness.heuristicStatuses, ignoreExpires });
    this.refreshStorable = [refreshOpts(false), refreshOpts(true)];
    this.freshnessFor = [checkFreshnessOptions({ ...freshness, ignoreExpires: false }), checkFreshnessOptions({ ...freshness, ignoreExpires: true })];
    this.normalisers = {
      'accept-encoding': acceptEncodingNormaliser(opts.encodings ?? DEFAULT_CONTENT_CODINGS),
      ...opts.varyNormalisers,
    };
    this.variants = createVariantIndex({ maxVariantsPerKey: maxVariants });
    this.purges = createPurgeIndex({ retentionMs: opts.purgeRetentionMs ?? 86_400_000 });
    const keyIds = (this.keyIds = opts.keyIds);
    this.objects = createStore<string | number, StoredEntry>({
      capacityBytes: opts.capacityBytes,
      maxObjectBytes: opts.maxObjectBytes,
      policy: opts.eviction ?? 'lru',
      // Only the variant and purge indexes need to hear of an eviction: with
      // neither in use, the evicted entry (far away in memory) is not read.
      onEvict: (_key, entry) => {
        if (this.indexed || (this.anyVary && this.variants.size > 0)) this.forget(entry);
      },
      // Hash what the key stands for, so policies that hash keys see the same
      // numbers whether an entry is stored under its short plain key or not.
      // An id hashes as its key does, so the policy decides the same with ids or without.
      keyHash: (slotKey) => {
        const k = typeof slotKey === 'number' ? keyIds!.keyOf(slotKey) : slotKey;
        return hashKey(k.indexOf(SEP) === -1 ? k + SEP : k);
      },
    });
  }

  /**
   * Responses without Vary (nearly all) are stored under the primary key
   * itself (one string to hash per lookup, shared by the entry) and not
   * tracked in the variant index at all: a URL has either one such
   * entry or a tracked set of Vary variants, never both (storing one kind
   * drops the other, as a change of Vary names always did).
   */
  private static isPlain(entry: StoredEntry): boolean {
    return entry.storeKey === entry.primaryKey;
  }

  /**
   * What an entry under `key` is filed under: the caller's id for it (the
   * caller passes one only with the key itself), else the table's, given
   * now when `give` (an entry about to be stored), else the key.
   */
  private slotFor(key: string, callerId: number | undefined, give: boolean): string | number {
    const keyIds = this.keyIds;
    if (keyIds === undefined) return key;
    if (callerId !== undefined) return callerId;
    return (give ? keyIds.idOf(key) : keyIds.peek(key)) ?? key;
  }

  private slotOf(storeKey: string): string | number {
    return this.slotFor(storeKey, undefined, false);
  }

  private forget(entry: StoredEntry): void {
    if (!TierCache.isPlain(entry)) this.variants.remove(entry.primaryKey, entry.storeKey.slice(entry.primaryKey.length + 1));
    if (this.indexed) this.purges.unindexEntry(entry.storeKey);
  }

  private indexAll(): void {
    if (this.indexed) return;
    this.indexed = true;
    for (const k of this.objects.keys()) {
      const e = this.objects.peek(k) as StoredEntry;
      this.purges.indexEntry(e.storeKey, { url: e.url, tags: e.tags, fetchedAt: e.originFetchedAt });
    }
  }

  private remove(entry: StoredEntry): void {
    if (this.objects.peek(entry.slotKey) === entry) {
      this.objects.delete(entry.slotKey);
      this.forget(entry);
    }
  }

  /** Deletes the entry under storeKey, if any, without touching the variant index. */
  private drop(storeKey: string): boolean {
    if (!this.objects.delete(this.slotOf(storeKey))) return false;
    if (this.indexed) this.purges.unindexEntry(storeKey);
    return true;
  }

  private removePrimary(primaryKey: string): number {
    let n = this.drop(primaryKey) ? 1 : 0;
    for (const sk of this.variants.removeAll(primaryKey)) if (this.drop(primaryKey + SEP + sk)) n++;
    return n;
  }

  private refuse(reason: Extract<StoreOutcome, { stored: false }>['reason']): StoreOutcome {
    this.s.notStored++;
    return { stored: false, reason };
  }

  private reqCcOf(req: RequestHead): RequestCacheControl {
    return this.honourReqCc ? requestCacheControlOf(req.headers) : this.noReqCc;
  }

  private missOf(reqCc: RequestCacheControl, primaryKey: string, fwd: CacheStatusFwd, detail?: string): CacheLookup {
    if (reqCc.onlyIfCached) return { kind: 'gateway-timeout', primaryKey };
    this.s.misses++;
    return { kind: 'miss', fwd, primaryKey, detail };
  }

  key(req: RequestHead): string {
    return this.keyer(req);
  }

  lookup(req: RequestHead, now: number, lookupOpts: LookupOptions = NO_LOOKUP_OPTIONS): CacheLookup {
    const s = this.s;
    s.lookups++;
    const primaryKey = lookupOpts.key ?? this.keyer(req);
    // Method names are case-sensitive (RFC 9110 §9.1): a `get` is some other
    // method, which a stored GET cannot answer (RFC 9111 §4).
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      s.misses++;
      return { kind: 'miss', fwd: 'method', primaryKey };
    }
    const reqCc = this.reqCcOf(req);
    const vary = this.anyVary ? this.variants.varyOf(primaryKey) : undefined;
    let entry: StoredEntry | undefined;
    if (vary === undefined) {
      entry = this.objects.get(this.slotFor(primaryKey, lookupOpts.key === undefined ? undefined : lookupOpts.keyId, false));
      if (entry === undefined) return this.missOf(reqCc, primaryKey, 'uri-miss');
    } else {
      entry = this.objects.get(primaryKey + SEP + secondaryKey(vary, req.headers, this.normalisers));
      if (entry === undefined) return this.missOf(reqCc, primaryKey, 'vary-miss');
      this.variants.touch(primaryKey, entry.storeKey.slice(primaryKey.length + 1));
    }

    // The purge-time rule, from our own purge records (none before the
    // first purge: `indexed`) and from the child's.
    const verdict = this.indexed ? this.purges.check(entry.url, entry.tags, entry.originFetchedAt) : 'ok';
    const notBefore = lookupOpts.notBefore;
    if (verdict === 'purged-hard' || (notBefore !== undefined && entry.originFetchedAt < notBefore)) {
      this.remove(entry);
      return this.missOf(reqCc, primaryKey, 'miss', 'purged');
    }
    if (verdict === 'purged-soft') entry.markStale(now);

    // The common case, decided as decideCacheUse would: fresh, and the
    // request asks nothing of freshness (RFC 9111 §5.2.1).
    if (now < entry.freshUntil && !reqCc.noCache && reqCc.maxAge === undefined && reqCc.minFresh === undefined) {
      s.hits++;
      return { kind: 'hit', entry, stale: false, backgroundRefresh: false };
    }

    const decision = decideCacheUse(entry.times, now, reqCc);
    switch (decision.kind) {
      case 'fresh':
        s.hits++;
        return { kind: 'hit', entry, stale: false, backgroundRefresh: false };
      case 'stale-while-revalidate': {
        s.hits++;
        s.staleHits++;
        const backgroundRefresh = !entry.refreshing;
        entry.refreshing = true;
        return { kind: 'hit', entry, stale: true, backgroundRefresh };
      }
      case 'stale-ok':
        s.hits++;
        s.staleHits++;
        return { kind: 'hit', entry, stale: true, backgroundRefresh: false };
      case 'gateway-timeout':
        return { kind: 'gateway-timeout', primaryKey };
      case 'must-validate':
        s.validations++;
        return { kind: 'validate', entry, conditionalHeaders: buildConditionalHeaders(entry.head), reason: decision.reason };
    }
  }

  store(req: RequestHead, res: ResponseHead, body: Uint8Array, times: StoreTimes, knownKey?: string, knownKeyId?: number): StoreOutcome {
    const effective = this.effectiveOf(res.headers);
    const cc: ResponseCacheControl = effective.cc;
    const ix = effective.ignoreExpires ? 1 : 0;
    const decision = isStorable(req, res, cc, this.storable[ix]);
    if (!decision.storable) return this.refuse(decision.reason ?? 'status');
    const vary = hasLine(res.headers, 'vary') ? varyFieldNames(res.headers) : NO_VARY;
    if (vary === '*') return this.refuse('vary-star');

    const originFetchedAt = fetchedAtOf(times);
    const primaryKey = knownKey ?? this.keyer(req);
    const url = this.urlIsKey ? primaryKey : this.urlKeyer(req);
    const tags = hasLine(res.headers, 'surrogate-key') || hasLine(res.headers, 'cache-tag') ? parseSurrogateKeys(res.headers) : NO_TAGS;
    const indexed = this.indexed;
    const verdict = indexed ? this.purges.check(url, tags, originFetchedAt) : 'ok';
    if (verdict === 'purged-hard') return this.refuse('purged');

    // The new entry's instants, computed straight into the array it will keep.
    const instants = newInstants();
    writeEntryInstants(instants, times.requestTime, times.responseTime, res, cc, this.freshnessFor[ix], times.age);
    instants[ORIGIN_FETCHED_AT] = originFetchedAt;
    const hasValidator = getFirst(res.headers, 'etag') !== undefined || getFirst(res.headers, 'last-modified') !== undefined;
    const t = times.responseTime;
    if (instants[FRESH_UNTIL] <= t && instants[SWR_UNTIL] <= t && instants[SIE_UNTIL] <= t && !hasValidator) {
      // Never fresh, no validator, no stale window (stale-while-revalidate,
      // RFC 5861 §3, or stale-if-error, §4): nothing could ever be served from it.
      return this.refuse('useless');
    }

    const head: ResponseHead = { status: res.status, headers: storedHeaders(res.headers, decision) };
    const plain = vary.length === 0;
    const sk = plain ? '' : secondaryKey(vary, req.headers, this.normalisers);
    const storeKey = plain ? primaryKey : primaryKey + SEP + sk;
    const slotKey = plain ? this.slotFor(storeKey, knownKey === undefined ? undefined : knownKeyId, true) : storeKey;
    // Charged as `primaryKey + SEP + sk`, whichever key it is filed under.
    const size = body.length + headerBytes(head.headers) + primaryKey.length + 1 + sk.length;
    const entry = new StoredEntry(storeKey, primaryKey, url, head, body, tags, size, instants, slotKey);
    if (verdict === 'purged-soft') entry.markStale(times.responseTime);

    // Only the variant and purge indexes need to know what this replaces.
    const objects = this.objects;
    const old = indexed || !plain ? objects.peek(slotKey) : undefined;
    if (old && indexed) this.purges.unindexEntry(storeKey);
    if (!objects.set(slotKey, entry, size)) {
      if (old && !plain) this.variants.remove(primaryKey, sk);
      return this.refuse('too-large');
    }
    if (plain) {
      // No Vary now: variants stored under other Vary names can never be found again.
      if (this.anyVary && this.variants.varyOf(primaryKey) !== undefined) for (const dropped of this.variants.removeAll(primaryKey)) this.drop(primaryKey + SEP + dropped);
    } else {
      this.drop(primaryKey); // the URL had no Vary before
      this.anyVary = true;
      for (const dropped of this.variants.record(primaryKey, vary, sk)) this.drop(primaryKey + SEP + dropped);
    }
    if (indexed) this.purges.indexEntry(storeKey, { url, tags, fetchedAt: originFetchedAt });
    this.s.stores++;
    return { stored: true, entry };
  }

  revalidated(given: CacheEntry, notModified: ResponseHead, times: StoreTimes): CacheEntry | undefined {
    const entry = stored(given);
    const fetchedAt = fetchedAtOf(times); // checked before anything changes
    if (!selectsEntry(entry.head, notModified)) {
      // RFC 9111 §4.3.4: a 304 whose validator is not the stored one's must
      // not update it (its fields describe another representation, and the
      // stored body would go out under that one's ETag). Nor can the stored
      // copy be used without a validation that would say the same: it is
      // dropped, and the caller fetches the object whole.
      this.remove(entry);
      entry.refreshing = false;
      return undefined;
    }
    const merged = mergeNotModified(entry.head, notModified, { responseTime: times.responseTime });
    const effective = this.effectiveOf(merged.headers);
    // A 304 may carry Set-Cookie or new private fields: filter as on store.
    const ix = effective.ignoreExpires ? 1 : 0;
    const decision = isStorable(REVALIDATION_REQUEST, merged, effective.cc, this.refreshStorable[ix]);
    const head = { status: merged.status, headers: removeHeader(prepareForStorage(merged, decision).headers, ...PER_EXCHANGE_FIELDS) };
    // writeEntryInstants checks the times before it writes: a bad one leaves the entry as it was.
    writeEntryInstants(entry.n, times.requestTime, times.responseTime, merged, effective.cc, this.freshnessFor[ix]);
    this.s.revalidated++;
    entry.head = head;
    entry.n[ORIGIN_FETCHED_AT] = fetchedAt;
    entry.refreshing = false;
    // The updated response may no longer be stored (RFC 9111 §3: the 304
    // brought no-store, or an unqualified private for this shared cache):
    // it answers the request in hand, as updated, and is kept no longer.
    if (!decision.storable) this.remove(entry);
    else if (this.indexed && this.objects.peek(entry.slotKey) === entry) this.purges.indexEntry(entry.storeKey, { url: entry.url, tags: entry.tags, fetchedAt: entry.originFetchedAt });
    return entry;
  }

  refreshAbandoned(entry: CacheEntry): void {
    entry.refreshing = false;
  }

  serveStaleOnError(entry: CacheEntry, status: number | undefined, now: number, req: RequestHead): boolean {
    if (!isStaleIfErrorTrigger(status)) return false;
    if (!staleIfErrorAllowed(stored(entry).times, now, this.reqCcOf(req))) return false;
    this.s.staleIfError++;
    return true;
  }

  responseHead(given: CacheEntry, req: RequestHead, now: number): ResponseHead {
    const entry = stored(given);
    const age = answerAgeSeconds(entry, req, now);
    if (age < 0) {
      // buildNotModifiedHead's list is new: the Age line goes straight on it.
      const headers = buildNotModifiedHead(entry.head).headers;
      headers.push(ageLine(ageSecondsAt(entry.storedAt, entry.initialAgeMs, now)));
      return { status: 304, headers };
    }
    return withLastLine(entry.head, ageLine(age));
  }

  answerAge(entry: CacheEntry, req: RequestHead, now: number): string | undefined {
    const age = answerAgeSeconds(stored(entry), req, now);
    return age < 0 ? undefined : ageText(age);
  }

  ttlSeconds(entry: CacheEntry, now: number): number {
    return Math.floor((stored(entry).freshUntil - now) / 1000);
  }

  invalidateAfterUnsafe(req: RequestHead, res: ResponseHead): number {
    if (!isUnsafeMethod(req.method) || res.status < 200 || res.status >= 400) return 0;
    let n = 0;
    for (const t of invalidationTargets(req, res)) {
      n += this.removePrimary(this.keyer({ method: 'GET', scheme: t.scheme, host: t.host, target: t.target, headers: req.headers }));
    }
    this.s.invalidations += n;
    return n;
  }

  purge(cmd: PurgeCommand): number {
    let value = cmd.value;
    const defaultOrigin = this.defaultOrigin;
    if (cmd.kind === 'url') {
      const r = requestForUrl(cmd.value, defaultOrigin);
      if (!r) throw new TypeError(`expected purge value to be a URL or a path starting with "/", got ${JSON.stringify(cmd.value)}`);
      value = this.urlKeyer(r);
    } else if (cmd.kind === 'prefix' && cmd.value.startsWith('/')) {
      value = `${defaultOrigin.protocol.replace(':', '')}://${defaultOrigin.host}${cmd.value}`;
    }
    this.indexAll();
    const keys = this.purges.apply({ ...cmd, value });
    let n = 0;
    for (const k of keys) {
      const e = this.objects.peek(this.slotOf(k));
      if (!e) continue;
      n++;
      if (cmd.mode === 'hard') this.remove(e);
      else e.markStale(cmd.at);
    }
    this.s.purged += n;
    return n;
  }

  notBeforeFor(req: RequestHead, tags: readonly string[] = []): number | undefined {
    return this.purges.notBefore(this.urlKeyer(req), tags);
  }

  stats(): HttpCacheStats {
    const st = this.objects.stats;
    return { ...this.s, evictions: st.evictions, objects: this.objects.size, bytes: this.objects.bytes };
  }

  compact(now: number): void {
    this.purges.compact(now);
  }

  *entries(): IterableIterator<CacheEntry> {
    const objects = this.objects;
    for (const k of objects.keys()) {
      const e = objects.peek(k);
      if (e) yield e;
    }
  }
}
