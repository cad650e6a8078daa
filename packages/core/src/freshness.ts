/**
 * Freshness at a shared cache (RFC 9111 §4.2): how old a stored response
 * is, how long it stays fresh, and for how long it may still be served
 * stale. Everything is computed ONCE when the response is stored
 * ({@link computeEntryTimes}, STYLE 1) into absolute instants; a read only
 * compares them with `now`.
 *
 * Times are milliseconds. Header values are seconds (delta-seconds) or
 * HTTP-dates (second precision).
 *
 * ## CDN policy beyond the RFC (documented overrides)
 * - `defaultTtlMs`: lifetime for a response with no explicit freshness and
 *   no heuristic (no Last-Modified, or a status that is not heuristically
 *   cacheable). The RFC would give it none.
 * - `minTtlMs` / `maxTtlMs`: clamp every computed lifetime, explicit ones
 *   included, like a CDN's "edge TTL" settings. `no-cache` responses are
 *   never lifted (they must be validated on each use whatever the policy).
 * - `graceMs`: Varnish-style grace: when the origin says nothing about
 *   serving stale (no stale-while-revalidate / stale-if-error, no
 *   must-revalidate, proxy-revalidate, no-cache or s-maxage), a stale copy
 *   may still be served for this long while one refresh runs in the
 *   background, or when the origin fails.
 */
import type { RequestCacheControl, ResponseCacheControl } from './cache-control';
import { parseDeltaSeconds } from './cache-control';
import { getFirst, parseHttpDate, splitList } from './headers';
import { type EntryTimes, CLIENT_MAY_SERVE_STALE, FLAGS, FRESH_UNTIL, HEURISTIC, INITIAL_AGE, LIFETIME, newInstants, SIE_UNTIL, STORED_AT, SWR_UNTIL, timesOfInstants } from './entry-instants';
import { HEURISTICALLY_CACHEABLE_STATUSES } from './storability';
import type { ResponseHead } from './types';

/** Tier freshness policy. All optional. */
export interface FreshnessOptions {
  /** Heuristic fraction of (Date − Last-Modified) (RFC 9111 §4.2.2). Default 0.1. */
  heuristicFraction?: number;
  /** Upper bound of a heuristic lifetime. Default: none. */
  maxHeuristicMs?: number;
  /** Heuristically cacheable statuses (RFC 9110 §15.1). Default: HEURISTICALLY_CACHEABLE_STATUSES. */
  heuristicStatuses?: ReadonlySet<number>;
  /** CDN override: lifetime when nothing else gives one. Default 0 (none). */
  defaultTtlMs?: number;
  /** CDN override: lower bound of every lifetime (not applied to no-cache). Default 0. */
  minTtlMs?: number;
  /** CDN override: upper bound of every lifetime. Default: none. */
  maxTtlMs?: number;
  /** Varnish-style grace when the origin says nothing about staleness. Default 0. */
  graceMs?: number;
  /** Ignore Expires (RFC 9213 §2.1: a targeted field won). Default false. */
  ignoreExpires?: boolean;
  /** Tier switch: honour stale-while-revalidate (RFC 5861 §3). Default true; off shows the expiry herd. */
  honourStaleWhileRevalidate?: boolean;
  /** Tier switch: honour stale-if-error (RFC 5861 §4). Default true. */
  honourStaleIfError?: boolean;
}

export type { EntryTimes } from './entry-instants';

function nonNeg(opts: FreshnessOptions, name: keyof FreshnessOptions): void {
  const v = opts[name];
  if (v !== undefined && !(typeof v === 'number' && v >= 0 && !Number.isNaN(v))) {
    throw new TypeError(`expected opts.${name} to be a non-negative number, got ${String(v)}`);
  }
}

/**
 * Options {@link checkFreshnessOptions} has checked: a cache passes the same
 * ones with every response it stores, so they are checked once, and told
 * apart by their class (a test of the object's map, where a WeakSet of
 * checked objects cost a hash lookup per response).
 */
class CheckedFreshnessOptions {}

/**
 * `opts`, checked, as a frozen copy that {@link writeEntryInstants} and the
 * other functions here take without checking it again.
 * @throws TypeError naming the option that is wrong.
 */
export function checkFreshnessOptions(opts: FreshnessOptions): Readonly<FreshnessOptions> {
  check(opts);
  return Object.freeze(Object.assign(new CheckedFreshnessOptions(), opts));
}

function validate(opts: FreshnessOptions): void {
  if (opts instanceof CheckedFreshnessOptions) return;
  check(opts);
}

function check(opts: FreshnessOptions): void {
  nonNeg(opts, 'defaultTtlMs');
  nonNeg(opts, 'minTtlMs');
  nonNeg(opts, 'maxTtlMs');
  nonNeg(opts, 'graceMs');
  nonNeg(opts, 'maxHeuristicMs');
  const f = opts.heuristicFraction;
  if (f !== undefined && !(typeof f === 'number' && f >= 0 && f <= 1)) {
    throw new TypeError(`expected opts.heuristicFraction to be a number in [0, 1], got ${String(f)}`);
  }
  if (opts.minTtlMs !== undefined && opts.maxTtlMs !== undefined && opts.minTtlMs > opts.maxTtlMs) {
    throw new TypeError(`expected opts.minTtlMs (${opts.minTtlMs}) to be <= opts.maxTtlMs (${opts.maxTtlMs})`);
  }
}

/**
 * age_value (RFC 9111 §5.1) in seconds: the first member of Age; undefined
 * when absent or invalid (§5.1: a cache SHOULD then ignore the field).
 */
export function ageValue(res: ResponseHead): number | undefined {
  const raw = getFirst(res.headers, 'age');
  return raw === undefined ? undefined : ageValueOf(raw);
}

/** An Age line's value as {@link ageValue} reads it. */
function ageValueOf(raw: string): number | undefined {
  // One plain number is what every sender writes: no list to split.
  return parseDeltaSeconds(raw) ?? parseDeltaSeconds(splitList(raw)[0]);
}

/**
 * date_value (RFC 9111 §4.2.3): the Date field, or `responseTime` when it
 * is absent or invalid (RFC 9110 §6.6.1: a recipient records the receipt
 * time as the message's Date).
 */
export function dateValue(res: ResponseHead, responseTime: number): number {
  return parseHttpDate(getFirst(res.headers, 'date')) ?? responseTime;
}

/**
 * corrected_initial_age (RFC 9111 §4.2.3), in ms:
 * ```
 * apparent_age          = max(0, response_time - date_value)
 * response_delay        = response_time - request_time
 * corrected_age_value   = age_value + response_delay
 * corrected_initial_age = max(apparent_age, corrected_age_value)
 * ```
 * @param requestTime when the request that got this response was sent.
 * @param responseTime when the response was received.
 * @param age the value of an Age line that `res` would have at its end
 *   (StoreTimes.age): read only when `res` has no Age line of its own.
 */
export function initialAgeMs(requestTime: number, responseTime: number, res: ResponseHead, age?: string): number {
  const apparentAge = Math.max(0, responseTime - dateValue(res, responseTime));
  const responseDelay = Math.max(0, responseTime - requestTime);
  const correctedAgeValue = (ageValue(res) ?? (age === undefined ? undefined : ageValueOf(age)) ?? 0) * 1000 + responseDelay;
  return Math.max(apparentAge, correctedAgeValue);
}

/** current_age (RFC 9111 §4.2.3) in ms: corrected_initial_age + resident_time. */
export function ageAt(times: Pick<EntryTimes, 'storedAt' | 'initialAgeMs'>, now: number): number {
  return ageMsAt(times.storedAt, times.initialAgeMs, now);
}

function ageMsAt(storedAt: number, initialAgeMs: number, now: number): number {
  return initialAgeMs + Math.max(0, now - storedAt);
}

/** The Age header value to send at `now` (§5.1): whole seconds, at most 2^31. */
export function ageHeaderValue(times: Pick<EntryTimes, 'storedAt' | 'initialAgeMs'>, now: number): string {
  return ageHeaderValueAt(times.storedAt, times.initialAgeMs, now);
}

/** {@link ageHeaderValue} from the two instants themselves (no object to pass). */
export function ageHeaderValueAt(storedAt: number, initialAgeMs: number, now: number): string {
  return String(ageSecondsAt(storedAt, initialAgeMs, now));
}

/** {@link ageHeaderValueAt} as a number. */
export function ageSecondsAt(storedAt: number, initialAgeMs: number, now: number): number {
  return Math.min(Math.floor(ageMsAt(storedAt, initialAgeMs, now) / 1000), 2 ** 31);
}

/**
 * Explicit freshness_lifetime at a shared cache (RFC 9111 §4.2.1), in ms,
 * in priority order: s-maxage, max-age, then Expires − Date. An invalid
 * Expires (e.g. `0`) means already expired (§5.3). Several Expires lines:
 * the first is used (§4.2.1 allows "first occurrence"). Undefined when the
 * response gives no explicit lifetime.
 */
export function explicitLifetimeMs(res: ResponseHead, cc: ResponseCacheControl, responseTime: number, ignoreExpires = false): number | undefined {
  if (cc.sMaxAge !== undefined) return cc.sMaxAge * 1000;
  if (cc.maxAge !== undefined) return cc.maxAge * 1000;
  if (ignoreExpires) return undefined;
  const expiresRaw = getFirst(res.headers, 'expires');
  if (expiresRaw === undefined) return undefined;
  const expires = parseHttpDate(expiresRaw);
  if (expires === undefined) return 0;
  return Math.max(0, expires - dateValue(res, responseTime));
}

/**
 * Heuristic freshness (RFC 9111 §4.2.2), in ms: `fraction` × (Date −
 * Last-Modified), only for a heuristically cacheable status or a `public`
 * response, and only when Last-Modified is valid and in the past of Date.
 * Undefined when no heuristic applies.
 */
export function heuristicLifetimeMs(res: ResponseHead, cc: ResponseCacheControl, responseTime: number, opts: FreshnessOptions = {}): number | undefined {
  const statuses = opts.heuristicStatuses ?? HEURISTICALLY_CACHEABLE_STATUSES;
  if (!statuses.has(res.status) && !cc.public) return undefined;
  const lastModified = parseHttpDate(getFirst(res.headers, 'last-modified'));
  if (lastModified === undefined) return undefined;
  const age = dateValue(res, responseTime) - lastModified;
  if (age <= 0) return undefined;
  const lifetime = Math.floor(age * (opts.heuristicFraction ?? 0.1));
  return opts.maxHeuristicMs === undefined ? lifetime : Math.min(lifetime, opts.maxHeuristicMs);
}

/**
 * freshness_lifetime after tier policy, in ms: explicit, else heuristic,
 * else `defaultTtlMs`, then clamped by min/max TTL. A `no-cache` response
 * gets 0 whatever the policy: it is never fresh.
 */
export function freshnessLifetime(
  res: ResponseHead,
  cc: ResponseCacheControl,
  responseTime: number,
  opts: FreshnessOptions = {},
): { lifetimeMs: number; heuristic: boolean } {
  const lifetimeMs = lifetimeOf(res, cc, responseTime, opts);
  return { lifetimeMs, heuristic: lastLifetimeWasHeuristic };
}

/** Whether the last {@link lifetimeOf} fell back to a heuristic or the tier default (a second result without an object). */
let lastLifetimeWasHeuristic = false;

function lifetimeOf(res: ResponseHead, cc: ResponseCacheControl, responseTime: number, opts: FreshnessOptions): number {
  lastLifetimeWasHeuristic = false;
  // no-cache, bare or qualified (`no-cache="set-cookie"`), is never fresh:
  // the qualified form would allow serving the rest of the response without
  // validation (RFC 9111 §5.2.2.4); like most caches, which the RFC notes,
  // we treat it as the bare form (the stricter reading, never wrong).
  if (cc.noCache) return 0;
  let lifetimeMs = explicitLifetimeMs(res, cc, responseTime, opts.ignoreExpires);
  if (lifetimeMs === undefined) {
    lastLifetimeWasHeuristic = true;
    lifetimeMs = heuristicLifetimeMs(res, cc, responseTime, opts) ?? opts.defaultTtlMs ?? 0;
  }
  if (opts.minTtlMs !== undefined) lifetimeMs = Math.max(lifetimeMs, opts.minTtlMs);
  if (opts.maxTtlMs !== undefined) lifetimeMs = Math.min(lifetimeMs, opts.maxTtlMs);
  return lifetimeMs;
}

/**
 * Computes every instant of a new entry, once, at insert.
 *
 * Serving stale: must-revalidate, proxy-revalidate and no-cache forbid it
 * outright (§4.2.4), so both stale windows are closed. s-maxage implies
 * proxy-revalidate (§5.2.2.10), which closes grace and client max-stale;
 * but an explicit stale-while-revalidate / stale-if-error next to
 * s-maxage is honoured: it is the origin's own, more specific permission
 * (RFC 5861), and `s-maxage=60, stale-while-revalidate=30` is how origins
 * ask CDNs for exactly that.
 *
 * @param requestTime when the request was sent upstream (request_time).
 * @param responseTime when the response head arrived (response_time).
 * @throws TypeError on malformed `opts` or non-finite times.
 */
export function computeEntryTimes(
  requestTime: number,
  responseTime: number,
  res: ResponseHead,
  cc: ResponseCacheControl,
  opts: FreshnessOptions = {},
): EntryTimes {
  writeEntryInstants(scratch, requestTime, responseTime, res, cc, opts);
  return timesOfInstants(scratch);
}

const scratch = newInstants();

/**
 * {@link computeEntryTimes}, written into an entry's instants array at
 * entry-instants.ts's slots (every slot but ORIGIN_FETCHED_AT): what the
 * HTTP cache calls, so that storing a response makes no times object.
 * @throws TypeError on malformed `opts` or non-finite times.
 */
export function writeEntryInstants(
  out: number[],
  requestTime: number,
  responseTime: number,
  res: ResponseHead,
  cc: ResponseCacheControl,
  opts: FreshnessOptions = {},
  /** As initialAgeMs' `age`. */
  age?: string,
): void {
  validate(opts);
  if (!Number.isFinite(requestTime) || !Number.isFinite(responseTime)) {
    throw new TypeError(`expected requestTime and responseTime to be finite numbers, got ${String(requestTime)} and ${String(responseTime)}`);
  }
  const initial = initialAgeMs(requestTime, responseTime, res, age);
  const lifetimeMs = lifetimeOf(res, cc, responseTime, opts);
  const heuristic = lastLifetimeWasHeuristic;
  const freshUntil = responseTime + lifetimeMs - initial;

  const forbidden = cc.mustRevalidate || cc.proxyRevalidate || cc.noCache;
  const saidNothing = cc.staleWhileRevalidate === undefined && cc.staleIfError === undefined && cc.sMaxAge === undefined;
  const grace = saidNothing ? (opts.graceMs ?? 0) : 0;
  const swrMs = forbidden || opts.honourStaleWhileRevalidate === false ? 0 : cc.staleWhileRevalidate !== undefined ? cc.staleWhileRevalidate * 1000 : grace;
  const sieMs = forbidden || opts.honourStaleIfError === false ? 0 : cc.staleIfError !== undefined ? cc.staleIfError * 1000 : grace;

  out[STORED_AT] = responseTime;
  out[INITIAL_AGE] = initial;
  out[LIFETIME] = lifetimeMs;
  out[FRESH_UNTIL] = freshUntil;
  out[SWR_UNTIL] = freshUntil + swrMs;
  out[SIE_UNTIL] = freshUntil + sieMs;
  out[FLAGS] = (heuristic ? HEURISTIC : 0) | (!forbidden && cc.sMaxAge === undefined ? CLIENT_MAY_SERVE_STALE : 0);
}

/** Fresh at `now` (§4.2: current_age < freshness_lifetime). */
export function isFresh(times: Pick<EntryTimes, 'freshUntil'>, now: number): boolean {
  return now < times.freshUntil;
}

/** Remaining freshness at `now` in ms; negative when stale (the Cache-Status `ttl`, in ms). */
export function ttlAt(times: Pick<EntryTimes, 'freshUntil'>, now: number): number {
  return times.freshUntil - now;
}

/** How the client's request directives (RFC 9111 §5.2.1) judge a stored response at `now`. */
export interface RequestFreshness {
  /** The response may be used as fresh for this client. */
  acceptableFresh: boolean;
  /** It is stale but within the client's max-stale (and the origin allows it). */
  acceptableStale: boolean;
  /** current_age exceeds the client's max-age (§5.2.1.1). */
  tooOld: boolean;
}

/**
 * Applies the request's max-age (§5.2.1.1), min-fresh (§5.2.1.3) and
 * max-stale (§5.2.1.2) to a stored response. Request no-cache and
 * only-if-cached are decided in `stale.ts`.
 */
export function requestFreshness(times: EntryTimes, now: number, req: RequestCacheControl): RequestFreshness {
  const age = ageAt(times, now);
  const tooOld = req.maxAge !== undefined && age > req.maxAge * 1000;
  const minFreshMs = (req.minFresh ?? 0) * 1000;
  const acceptableFresh = !tooOld && now + minFreshMs < times.freshUntil;
  const stale = now >= times.freshUntil;
  const acceptableStale =
    !tooOld && stale && times.clientMayServeStale && req.maxStale !== undefined && req.minFresh === undefined && now - times.freshUntil <= req.maxStale * 1000;
  return { acceptableFresh, acceptableStale, tooOld };
}
