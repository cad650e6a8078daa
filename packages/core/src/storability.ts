/**
 * May a shared cache store this response? (RFC 9111 §3, §3.5.)
 *
 * The answer carries a stable reason string, so metrics, Cache-Status
 * `detail` and tests can say *why* a response was not stored. Checks run in
 * a fixed order (the order of {@link StorabilityReason}), so exactly one
 * reason is reported, the first that applies.
 *
 * Methods: only GET responses are stored. A HEAD can be answered from a
 * stored GET (RFC 9110 §9.3.2: same header section, no content), which the
 * caller does; storing HEAD responses themselves would only be useful to
 * update stored GETs (RFC 9111 §4.3.5), which we leave out.
 *
 * 206 Partial Content is not stored: RFC 9111 §3.3–3.4 allow storing and
 * combining ranges only for a cache that implements range requests; ours
 * stores whole bodies, so a 206 would be served as if it were the whole
 * representation. 304 is never stored (it updates a stored response, see
 * `validation.ts`).
 */
import type { ResponseCacheControl } from './cache-control';
import { requestCacheControlOf } from './cache-control';
import { has, removeHeader } from './headers';
import type { RequestHead, ResponseHead } from './types';

/**
 * Status codes that are heuristically cacheable (RFC 9110 §15.1): a
 * response with one of them may be stored and given a heuristic lifetime
 * without explicit freshness. 206 is left out (see the file comment).
 */
export const HEURISTICALLY_CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * Final status codes whose semantics we implement, for must-understand
 * (RFC 9111 §5.2.2.3): every status RFC 9110 §15 defines, except 206
 * (ranges) and 304 (never stored).
 */
export const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  200, 201, 202, 203, 204, 205, 300, 301, 302, 303, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416,
  417, 421, 422, 426, 500, 501, 502, 503, 504, 505,
]);

/** Why a response is not stored; stable strings for metrics and tests. */
export type StorabilityReason =
  | 'method' // not GET (§3: the method must be understood and cacheable)
  | 'status' // 1xx, 206, 304, or not understood with must-understand (§3, §5.2.2.3)
  | 'request-no-store' // the request said no-store (§5.2.1.5)
  | 'no-store' // the response said no-store (§5.2.2.5)
  | 'private' // unqualified private at a shared cache (§5.2.2.7)
  | 'authorization' // request had Authorization, response did not allow it (§3.5)
  | 'vary-star' // Vary: * can never match a later request (§4.1)
  | 'set-cookie' // policy: Set-Cookie responses are per-user
  | 'no-explicit-freshness'; // nothing in §3's last bullet allows storing it

/** Options for {@link isStorable}. All optional; defaults follow the RFC. */
export interface StorabilityOptions {
  /**
   * What to do with a response carrying Set-Cookie. RFC 9111 §7.3 leaves it
   * to the cache, but a Set-Cookie is almost always meant for one user, and
   * serving it to everyone is a classic session leak. Default `'no'`.
   * `'strip'` stores the response without its Set-Cookie lines; `'yes'`
   * stores it as is.
   */
  storeSetCookie?: 'no' | 'yes' | 'strip';
  /** Heuristically cacheable statuses; default {@link HEURISTICALLY_CACHEABLE_STATUSES}. */
  heuristicStatuses?: ReadonlySet<number>;
  /** Statuses understood for must-understand; default {@link UNDERSTOOD_STATUSES}. */
  understoodStatuses?: ReadonlySet<number>;
  /**
   * CDN override (beyond the RFC): when > 0, a response with no explicit
   * freshness and a status that is not heuristically cacheable is still
   * stored, and `freshness.ts` gives it this lifetime. Default 0.
   */
  defaultTtlMs?: number;
  /** Honour a request's `no-store` (§5.2.1.5). Default true; many CDNs ignore client Cache-Control. */
  honourRequestNoStore?: boolean;
  /** Ignore Expires (RFC 9213 §2.1: a targeted field won). Default false. */
  ignoreExpires?: boolean;
}

/** The answer of {@link isStorable}. */
export interface StorabilityDecision {
  readonly storable: boolean;
  readonly reason?: StorabilityReason;
  /**
   * Lower-case field names to remove before storing (qualified `private`,
   * §5.2.2.7; Set-Cookie under `storeSetCookie: 'strip'`). Apply with
   * {@link prepareForStorage}; empty when nothing is to be removed.
   * Decisions are shared and frozen: read them, do not change them.
   */
  readonly stripFields: readonly string[];
}

/** Options {@link checkStorabilityOptions} has checked (told apart by class, as freshness.ts's). */
class CheckedStorabilityOptions {}

/**
 * `opts`, checked, as a frozen copy that {@link isStorable} takes without
 * checking it again (a cache decides with the same options for every
 * response it receives).
 * @throws TypeError naming the option that is wrong.
 */
export function checkStorabilityOptions(opts: StorabilityOptions): Readonly<StorabilityOptions> {
  check(opts);
  return Object.freeze(Object.assign(new CheckedStorabilityOptions(), opts));
}

function validate(opts: StorabilityOptions): void {
  if (opts instanceof CheckedStorabilityOptions) return;
  check(opts);
}

function check(opts: StorabilityOptions): void {
  if (opts.storeSetCookie !== undefined && !['no', 'yes', 'strip'].includes(opts.storeSetCookie)) {
    throw new TypeError(`expected opts.storeSetCookie to be 'no', 'yes' or 'strip', got ${JSON.stringify(opts.storeSetCookie)}`);
  }
  if (opts.defaultTtlMs !== undefined && !(Number.isFinite(opts.defaultTtlMs) && opts.defaultTtlMs >= 0)) {
    throw new TypeError(`expected opts.defaultTtlMs to be a non-negative number, got ${String(opts.defaultTtlMs)}`);
  }
}

/**
 * Whether the response explicitly says how long it stays fresh or is
 * otherwise marked storable (RFC 9111 §3, last bullet, shared-cache view).
 */
export function hasExplicitStorability(res: ResponseHead, cc: ResponseCacheControl, ignoreExpires = false): boolean {
  return cc.public || cc.maxAge !== undefined || cc.sMaxAge !== undefined || (!ignoreExpires && has(res.headers, 'expires'));
}

/** §3.5: a response to a request with Authorization may be stored by a shared cache only if it says so. */
export function authorizationAllowsStoring(cc: ResponseCacheControl): boolean {
  return cc.mustRevalidate || cc.public || cc.sMaxAge !== undefined;
}

/** §4.1: Vary containing `*` never matches, so storing it is useless. */
export function hasVaryStar(res: ResponseHead): boolean {
  const h = res.headers;
  for (let i = 0; i < h.length; i++) if (h[i][0] === 'vary' && h[i][1].split(',').some((m) => m.trim() === '*')) return true;
  return false;
}

const NOTHING_TO_STRIP: readonly string[] = Object.freeze([]);
/** One shared answer per outcome that carries nothing else: a cache decides once per response it receives, at every tier. */
const STORABLE: StorabilityDecision = Object.freeze({ storable: true, stripFields: NOTHING_TO_STRIP });
const NOT_STORABLE = new Map<StorabilityReason, StorabilityDecision>();

function notStorable(reason: StorabilityReason): StorabilityDecision {
  let d = NOT_STORABLE.get(reason);
  if (d === undefined) {
    d = Object.freeze({ storable: false, reason, stripFields: NOTHING_TO_STRIP });
    NOT_STORABLE.set(reason, d);
  }
  return d;
}

/**
 * Decides whether a shared cache may store `res`, received for `req`,
 * whose effective directives are `cc` (from Cache-Control or a targeted
 * field, see `targeted-fields.ts`).
 *
 * Not storable also means: do not replace an existing entry. `no-cache`
 * responses ARE storable (they are revalidated on every use, §5.2.2.4).
 *
 * @throws TypeError when `opts` is malformed (never because of the messages).
 */
export function isStorable(req: RequestHead, res: ResponseHead, cc: ResponseCacheControl, opts: StorabilityOptions = {}): StorabilityDecision {
  validate(opts);

  if (req.method !== 'GET') return notStorable('method');

  // §3: a final status; 206 and 304 only if understood (we do not, see top);
  // §5.2.2.3: with must-understand, only statuses we implement.
  const status = res.status;
  if (!Number.isInteger(status) || status < 200 || status > 999 || status === 206 || status === 304) return notStorable('status');
  const understood = (opts.understoodStatuses ?? UNDERSTOOD_STATUSES).has(status);
  if (cc.mustUnderstand && !understood) return notStorable('status');

  if ((opts.honourRequestNoStore ?? true) && requestCacheControlOf(req.headers).noStore) return notStorable('request-no-store');
  // §5.2.2.3: a cache that understands the status SHOULD ignore no-store
  // when must-understand is present (no-store is there for older caches).
  if (cc.noStore && !(cc.mustUnderstand && understood)) return notStorable('no-store');
  if (cc.private && cc.privateFields === undefined) return notStorable('private');
  if (has(req.headers, 'authorization') && !authorizationAllowsStoring(cc)) return notStorable('authorization');
  if (hasVaryStar(res)) return notStorable('vary-star');

  const setCookie = opts.storeSetCookie ?? 'no';
  if (setCookie === 'no' && has(res.headers, 'set-cookie')) return notStorable('set-cookie');

  const heuristic = (opts.heuristicStatuses ?? HEURISTICALLY_CACHEABLE_STATUSES).has(status);
  if (!hasExplicitStorability(res, cc, opts.ignoreExpires) && !heuristic && !((opts.defaultTtlMs ?? 0) > 0)) {
    return notStorable('no-explicit-freshness');
  }

  const stripCookie = setCookie === 'strip' && has(res.headers, 'set-cookie');
  if (!cc.privateFields && !stripCookie) return STORABLE;
  const stripFields = cc.privateFields ? [...cc.privateFields] : [];
  if (stripCookie) stripFields.push('set-cookie');
  return { storable: true, stripFields };
}

/**
 * The response head as it is to be stored: without the fields a decision
 * says to strip. Apply it to every head written into the cache, including
 * one merged from a 304 (whose Set-Cookie would otherwise be stored).
 */
export function prepareForStorage(res: ResponseHead, decision: Pick<StorabilityDecision, 'stripFields'>): ResponseHead {
  if (decision.stripFields.length === 0) return res;
  return { status: res.status, headers: removeHeader(res.headers, ...decision.stripFields) };
}
