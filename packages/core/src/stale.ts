/**
 * What to do with a stored response at `now` for a given request: serve it,
 * serve it stale while refreshing, or validate first (RFC 9111 §4, §4.2.4,
 * §5.2.1; RFC 5861). The windows themselves (stale-while-revalidate,
 * stale-if-error, the tier's `graceMs`) were fixed at insert by
 * `computeEntryTimes` (freshness.ts); this file only compares instants.
 *
 * must-revalidate / proxy-revalidate / no-cache in the response close every
 * stale window (§4.2.4, §5.2.2.2), so none of the stale outcomes can occur
 * for them; that is decided at insert, not re-checked here.
 */
import type { RequestCacheControl } from './cache-control';
import type { EntryTimes } from './freshness';
import { requestFreshness } from './freshness';

/** The outcome of {@link decideCacheUse}. */
export type CacheUseDecision =
  /** Serve the stored response. */
  | { kind: 'fresh' }
  /** Serve it stale AND start one background refresh (RFC 5861 §3, or grace). */
  | { kind: 'stale-while-revalidate' }
  /** Serve it stale without refreshing: the client's max-stale accepts it (RFC 9111 §5.2.1.2). */
  | { kind: 'stale-ok' }
  /** Forward a conditional request first; use `staleIfErrorAllowed` if that fails. */
  | { kind: 'must-validate'; reason: 'stale' | 'request-no-cache' | 'request-max-age' | 'request-min-fresh' }
  /** only-if-cached and nothing usable: answer 504 (RFC 9111 §5.2.1.7). */
  | { kind: 'gateway-timeout' };

/**
 * Decides how a stored response may be used for a request at `now`.
 *
 * Order: the client's no-cache (§5.2.1.4) and max-age (§5.2.1.1) demand
 * validation whatever the entry says; then fresh (with min-fresh,
 * §5.2.1.3); then stale-while-revalidate (not when the client asked for
 * min-fresh, which asks for *more* freshness, not less); then the client's
 * max-stale (§5.2.1.2); else validate. With only-if-cached (§5.2.1.7) the
 * cache may not forward, so "validate" becomes 504.
 */
export function decideCacheUse(times: EntryTimes, now: number, req: RequestCacheControl): CacheUseDecision {
  if (req.noCache) return mustValidate(req, 'request-no-cache');
  const rf = requestFreshness(times, now, req);
  if (rf.tooOld) return mustValidate(req, 'request-max-age');
  if (rf.acceptableFresh) return { kind: 'fresh' };
  const stale = now >= times.freshUntil;
  if (!stale) return mustValidate(req, 'request-min-fresh');
  if (req.minFresh === undefined && now < times.staleWhileRevalidateUntil) return { kind: 'stale-while-revalidate' };
  if (rf.acceptableStale) return { kind: 'stale-ok' };
  return mustValidate(req, 'stale');
}

function mustValidate(req: RequestCacheControl, reason: 'stale' | 'request-no-cache' | 'request-max-age' | 'request-min-fresh'): CacheUseDecision {
  return req.onlyIfCached ? { kind: 'gateway-timeout' } : { kind: 'must-validate', reason };
}

/**
 * RFC 5861 §4: statuses that count as an error for stale-if-error (500,
 * 502, 503, 504). A failed connection or timeout counts too; the caller
 * passes `undefined` for those.
 */
export function isStaleIfErrorTrigger(status: number | undefined): boolean {
  return status === undefined || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * After validation or refetch failed (see {@link isStaleIfErrorTrigger}):
 * may the stored response be served instead of the error?
 *
 * Yes while the response's own stale-if-error (or grace) window is open, or
 * within the client's request stale-if-error (RFC 5861 §4) when the origin
 * did not forbid stale serving. A request no-cache does not stop it: RFC
 * 5861 lets either side grant the permission, and the alternative is an
 * error page.
 */
export function staleIfErrorAllowed(times: EntryTimes, now: number, req: RequestCacheControl): boolean {
  if (now < times.freshUntil) return true;
  if (now < times.staleIfErrorUntil) return true;
  return times.clientMayServeStale && req.staleIfError !== undefined && now - times.freshUntil <= req.staleIfError * 1000;
}

