/**
 * A stored response's instants as one array of doubles, and where each sits.
 *
 * Why: V8 gives every double held in an object field a heap box of its
 * own, so an entry whose seven instants (stored at, initial age, lifetime,
 * fresh until, the two stale windows, when the origin produced it) were
 * fields, or a `times` object, cost seven or eight more objects to
 * allocate, keep and trace, per entry and per tier. An array of doubles
 * holds them unboxed in one backing store. freshness.ts writes the
 * computed instants straight into an entry's array (writeEntryInstants),
 * so storing a response makes no intermediate times object either.
 */
/** Absolute instants of a stored response, computed once at insert. */
export interface EntryTimes {
  /** When the response was received (response_time, §4.2.3); resident time counts from here. */
  storedAt: number;
  /** corrected_initial_age (§4.2.3): the age it already had when received. */
  initialAgeMs: number;
  /** freshness_lifetime (§4.2.1 / §4.2.2, after tier policy). */
  lifetimeMs: number;
  /** Fresh while `now < freshUntil`; equals storedAt + lifetime − initial age. */
  freshUntil: number;
  /** May be served stale with a background refresh while `now < staleWhileRevalidateUntil` (RFC 5861 §3 or grace). */
  staleWhileRevalidateUntil: number;
  /** May be served stale when the origin errs while `now < staleIfErrorUntil` (RFC 5861 §4 or grace). */
  staleIfErrorUntil: number;
  /** The lifetime is heuristic (§4.2.2), or the tier default. */
  heuristic: boolean;
  /**
   * A client's max-stale or stale-if-error may release this response when
   * stale. False when the origin forbade serving stale (must-revalidate,
   * proxy-revalidate, no-cache: §4.2.4) or used s-maxage (§5.2.2.10: it
   * implies proxy-revalidate).
   */
  clientMayServeStale: boolean;
}

export const STORED_AT = 0;
export const INITIAL_AGE = 1;
export const LIFETIME = 2;
export const FRESH_UNTIL = 3;
export const SWR_UNTIL = 4;
export const SIE_UNTIL = 5;
export const ORIGIN_FETCHED_AT = 6;
/** Bit flags below. */
export const FLAGS = 7;
export const HEURISTIC = 1;
export const CLIENT_MAY_SERVE_STALE = 2;

/** A new array for one entry's instants. */
export function newInstants(): number[] {
  // Written as non-integers so that V8 makes this a double array whatever
  // values it is given (an all-integer literal would hold small integers,
  // and entries would then come in two element kinds).
  return [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
}

/** The instants as an EntryTimes object (for callers that want fields). */
export function timesOfInstants(p: readonly number[]): EntryTimes {
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
