/**
 * Validation (RFC 9111 §4.3) in both directions:
 *
 * - upstream: the conditional request a cache sends to refresh a stored
 *   response (§4.3.1), which stored response(s) a 304 applies to (§4.3.4),
 *   and how the 304's header fields update the stored ones (§3.2);
 * - downstream: evaluating a client's own conditional request against the
 *   stored response (§4.3.2, RFC 9110 §13.2.2) and the 304 head to send
 *   (RFC 9110 §15.4.5).
 */
import { FIELDS_NOT_FILLED } from './byte-range';
import { formatHttpDate, getAll, getFirst, has, HOP_BY_HOP_FIELDS, hopByHopNames, lastModifiedIsStrong, parseHttpDate, removeHeader, setHeader, splitList } from './headers';
import type { HeaderList, RequestHead, ResponseHead } from './types';

// ---------------------------------------------------------------- entity tags (RFC 9110 §8.8.3)

/** A parsed entity tag. `opaque` keeps its quotes: `"xyz"`. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/**
 * Parses one entity-tag (RFC 9110 §8.8.3): `"xyz"` or `W/"xyz"`. We are
 * lenient with one common mistake, an unquoted tag (`xyz`), which is read
 * as the strong tag `"xyz"`. Undefined when it cannot be read.
 */
export function parseEntityTag(value: string | undefined): EntityTag | undefined {
  if (value === undefined) return undefined;
  let s = value.trim();
  let weak = false;
  if (s.startsWith('W/')) {
    weak = true;
    s = s.slice(2);
  }
  if (/^"[\x21\x23-\x7e\x80-\uffff]*"$/.test(s)) return { weak, opaque: s };
  if (!weak && /^[\x21\x23-\x2b\x2d-\x7e]+$/.test(s)) return { weak: false, opaque: `"${s}"` };
  return undefined;
}

/** Strong comparison (RFC 9110 §8.8.3.2): both strong and the same opaque tag. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** Weak comparison (RFC 9110 §8.8.3.2): the same opaque tag, weakness ignored. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/** The members of an If-Match / If-None-Match field: `'*'` or a list of tags (unreadable members dropped). */
function parseTagList(lines: string[]): '*' | EntityTag[] {
  const tags: EntityTag[] = [];
  for (const line of lines) {
    for (const m of splitList(line)) {
      if (m === '*') return '*';
      const t = parseEntityTag(m);
      if (t) tags.push(t);
    }
  }
  return tags;
}

function etagOf(head: ResponseHead): EntityTag | undefined {
  return parseEntityTag(getFirst(head.headers, 'etag'));
}

/**
 * Whether a response's Last-Modified is a strong validator for a cache
 * (RFC 9110 §8.8.2.2): the response has a Date and Last-Modified is at
 * least 60 s before it (a change within the same second cannot hide).
 */
export function isStrongLastModified(head: ResponseHead): boolean {
  return lastModifiedIsStrong(head.headers);
}

// ---------------------------------------------------------------- upstream: conditional requests

/** Options for {@link buildConditionalHeaders}. */
export interface ConditionalOptions {
  /**
   * Send If-Modified-Since with the stored Date when there is no
   * Last-Modified. Default true. See {@link buildConditionalHeaders}.
   */
  dateFallback?: boolean;
}

/**
 * The conditional header fields for revalidating stored response(s)
 * (RFC 9111 §4.3.1):
 *
 * - If-None-Match with every stored entity tag (a MUST when they have
 *   one; several stored variants may share one request).
 * - If-Modified-Since with Last-Modified when exactly one response is
 *   validated (§4.3.1 SHOULD). Last-Modified is preferred because it is the
 *   origin's own record of the change, compared by the origin against the
 *   same record; it works even where clocks disagree or a server matches
 *   dates exactly (RFC 9110 §13.1.3).
 * - Without Last-Modified, the stored Date is used instead
 *   (`dateFallback`, RFC 9110 §13.1.3 names it as what caches do): Date is
 *   the origin's clock when it generated the response, so an origin that
 *   compares "modified after this instant" answers correctly, and one that
 *   matches exactly simply answers 200. The small risk is a change in the
 *   same second as Date, which a second-granular date cannot show; turn the
 *   option off for origins known to do that.
 *
 * Returns only the conditional fields; the caller adds them to the request
 * it forwards (replacing any conditionals the client sent).
 */
export function buildConditionalHeaders(stored: ResponseHead | readonly ResponseHead[], opts: ConditionalOptions = {}): HeaderList {
  if (!Array.isArray(stored)) return conditionalsForOne(stored as ResponseHead, opts.dateFallback ?? true);
  const list = stored as readonly ResponseHead[];
  if (list.length === 1) return conditionalsForOne(list[0], opts.dateFallback ?? true);
  const tags: string[] = [];
  for (const head of list) {
    const tag = parseEntityTag(getFirst(head.headers, 'etag'));
    if (tag) {
      const text = tagText(tag);
      if (!tags.includes(text)) tags.push(text);
    }
  }
  return tags.length > 0 ? [['if-none-match', tags.join(', ')]] : [];
}

/** An entity-tag as sent: `W/"x"` or `"x"`. */
function tagText(tag: EntityTag): string {
  return tag.weak ? `W/${tag.opaque}` : tag.opaque;
}

/** The conditionals for one stored response (every validation of an entry without variants): its fields read in one pass. */
function conditionalsForOne(head: ResponseHead, dateFallback: boolean): HeaderList {
  const h = head.headers;
  let etag: string | undefined;
  let lm: string | undefined;
  let date: string | undefined;
  for (let i = 0; i < h.length; i++) {
    const n = h[i][0];
    if (n === 'etag') etag ??= h[i][1];
    else if (n === 'last-modified') lm ??= h[i][1];
    else if (n === 'date') date ??= h[i][1];
  }
  const out: HeaderList = [];
  const tag = parseEntityTag(etag);
  if (tag) out.push(['if-none-match', tagText(tag)]);
  if (lm !== undefined && parseHttpDate(lm) !== undefined) out.push(['if-modified-since', lm]);
  else if (dateFallback && date !== undefined && parseHttpDate(date) !== undefined) out.push(['if-modified-since', date]);
  return out;
}

/**
 * The header lines a cache sends upstream when it fills a request: the
 * client's, without its preconditions and Range (FIELDS_NOT_FILLED: the
 * cache answers those from the whole stored object), and for a validation
 * its own `conditional` fields and `Cache-Control: min-fresh=0`, so a
 * parent does not answer with a stale copy of its own (its
 * stale-while-revalidate or grace): a soft purge would otherwise never get
 * past the first tier still holding the purged copy. A request that came
 * from a validating tier below already says min-fresh=0: it is said once.
 * Both engines' tiers build their fills with this.
 */
export function upstreamFillHeaders(h: HeaderList, conditional: HeaderList | undefined): HeaderList {
  // Every precondition field starts with "if-"; most requests carry none, nor a Range.
  const kept = hasPrecondition(h) || has(h, 'range') ? removeHeader(h, ...FIELDS_NOT_FILLED) : h;
  if (conditional === undefined) return kept;
  const out: HeaderList = [...kept, ...conditional];
  let saysMinFresh0 = false;
  for (let i = 0; i < kept.length; i++) if (kept[i][0] === 'cache-control' && kept[i][1] === 'min-fresh=0') saysMinFresh0 = true;
  if (!saysMinFresh0) out.push(['cache-control', 'min-fresh=0']);
  return out;
}

/**
 * Which stored responses a 304 applies to (RFC 9111 §4.3.4), as indices
 * into `stored`:
 *
 * 1. If the 304 has a strong validator (strong ETag, or without an ETag a
 *    strong Last-Modified), every stored response with that same strong
 *    validator; none → nothing may be updated.
 * 2. Else if it has weak validators, the most recent stored response that
 *    matches them (latest Date; on a tie, the later one in the array).
 * 3. Else (no validator at all) the only stored response, if there is
 *    exactly one. §4.3.4 also asks that response to lack a validator; we
 *    deviate: the cache sent a conditional built from that one response,
 *    and a 304 to it can mean nothing else (a conforming origin would have
 *    repeated the ETag, RFC 9110 §15.4.5).
 */
export function selectStoredForUpdate(stored: readonly ResponseHead[], notModified: ResponseHead): number[] {
  const tag = etagOf(notModified);
  const lmRaw = getFirst(notModified.headers, 'last-modified');
  const lm = parseHttpDate(lmRaw);
  if (tag && !tag.weak) {
    return indicesWhere(stored, (h) => {
      const t = etagOf(h);
      return t !== undefined && strongMatch(t, tag);
    });
  }
  if (!tag && lm !== undefined && isStrongLastModified(notModified)) {
    return indicesWhere(stored, (h) => parseHttpDate(getFirst(h.headers, 'last-modified')) === lm);
  }
  if (tag || lm !== undefined) {
    const matching = indicesWhere(stored, (h) => {
      if (tag) {
        const t = etagOf(h);
        return t !== undefined && weakMatch(t, tag);
      }
      return parseHttpDate(getFirst(h.headers, 'last-modified')) === lm;
    });
    if (matching.length === 0) return [];
    let best = matching[0];
    for (const i of matching) {
      if ((parseHttpDate(getFirst(stored[i].headers, 'date')) ?? -Infinity) >= (parseHttpDate(getFirst(stored[best].headers, 'date')) ?? -Infinity)) best = i;
    }
    return [best];
  }
  return stored.length === 1 ? [0] : [];
}

function indicesWhere(stored: readonly ResponseHead[], pred: (h: ResponseHead) => boolean): number[] {
  const out: number[] = [];
  stored.forEach((h, i) => {
    if (pred(h)) out.push(i);
  });
  return out;
}

/**
 * Fields a 304 never updates in a stored response (RFC 9111 §3.2):
 * Content-Length (named by §3.2), Content-Range (processed by the
 * recipient), and Age, which describes the 304 itself, not the stored
 * response; it is handled apart in {@link mergeNotModified}.
 */
export const NOT_UPDATED_BY_304: ReadonlySet<string> = new Set(['content-length', 'content-range', 'age']);

/** Options for {@link mergeNotModified}. */
export interface MergeOptions {
  /** When the 304 arrived. If the 304 has no Date, this becomes the Date. */
  responseTime?: number;
  /** More field names never to take from the 304 (e.g. `set-cookie` at a cache that does not store it). */
  exclude?: readonly string[];
}

/** A 304's fields that never update the stored head: NOT_UPDATED_BY_304 and the hop-by-hop ones, in one Set. */
const SKIPPED_IN_304: ReadonlySet<string> = new Set([...NOT_UPDATED_BY_304, ...HOP_BY_HOP_FIELDS]);

/**
 * Updates a stored response with a 304 (RFC 9111 §4.3.4, §3.2): each field
 * of the 304 replaces all lines of that name in the stored head (at the
 * place of the first; new names are appended), except
 * {@link NOT_UPDATED_BY_304}, hop-by-hop fields (RFC 9110 §7.6.1, including
 * names the 304's Connection lists) and `opts.exclude`.
 *
 * Age and Date must describe the message the new entry times are computed
 * from (call `computeEntryTimes` on the result with the validation's
 * request and response times): the stored Age is dropped and the 304's kept;
 * a 304 without Date gets `opts.responseTime` as Date (RFC 9110 §6.6.1), or
 * else loses the stored Date, which would otherwise make the refreshed
 * entry look as old as the first one.
 */
export function mergeNotModified(stored: ResponseHead, notModified: ResponseHead, opts: MergeOptions = {}): ResponseHead {
  // Every refresh at every tier comes here: sets only for what varies (a
  // Connection field, exclusions), the 304's few fields in two arrays, and
  // the lines themselves shared, not copied (a HeaderList is never changed
  // in place).
  const nh = notModified.headers;
  const nominated = has(nh, 'connection') ? hopByHopNames(nh) : undefined;
  const excluded = opts.exclude !== undefined && opts.exclude.length > 0 ? new Set(opts.exclude.map((n) => n.toLowerCase())) : undefined;
  const names: string[] = [];
  const lines: HeaderList = [];
  let age: [string, string] | undefined;
  let withDate = false;
  for (let i = 0; i < nh.length; i++) {
    const name = nh[i][0];
    if (name === 'age') age ??= nh[i];
    else if (name === 'date') withDate = true;
    if (SKIPPED_IN_304.has(name) || nominated?.has(name) || excluded?.has(name)) continue;
    if (!names.includes(name)) names.push(name);
    lines.push(nh[i]);
  }
  // Each updated name's lines go where its first stored line was (or at the end).
  const placed: boolean[] = new Array<boolean>(names.length).fill(false);
  const headers: HeaderList = [];
  const sh = stored.headers;
  for (let j = 0; j < sh.length; j++) {
    const name = sh[j][0];
    if (name === 'age') continue;
    const k = names.indexOf(name);
    if (k === -1) headers.push(sh[j]);
    else if (!placed[k]) {
      placed[k] = true;
      for (let i = 0; i < lines.length; i++) if (lines[i][0] === name) headers.push(lines[i]);
    }
  }
  for (let k = 0; k < names.length; k++) {
    if (placed[k]) continue;
    for (let i = 0; i < lines.length; i++) if (lines[i][0] === names[k]) headers.push(lines[i]);
  }
  if (age !== undefined) headers.push(age);
  if (withDate) return { status: stored.status, headers };
  if (opts.responseTime !== undefined) return { status: stored.status, headers: setHeader(headers, 'date', formatHttpDate(opts.responseTime)) };
  return { status: stored.status, headers: headers.filter(([n]) => n !== 'date') };
}

// ---------------------------------------------------------------- downstream: clients' conditionals

/** The outcome of {@link evaluateClientConditional}. */
export type ClientConditionalResult = 'not-modified' | 'precondition-failed' | 'proceed';

/** Whether any field name starts with `if-` (a loop, no closure per call). */
function hasPrecondition(headers: HeaderList): boolean {
  for (let i = 0; i < headers.length; i++) {
    const n = headers[i][0];
    if (n.length > 2 && n.charCodeAt(0) === 105 /* i */ && n.charCodeAt(1) === 102 /* f */ && n.charCodeAt(2) === 45 /* - */) return true;
  }
  return false;
}

/**
 * Whether the request's only preconditions that count before If-Modified-Since
 * are one If-None-Match line whose text is the stored ETag's, and that a
 * readable tag: the line is then that one member (a tag's commas are inside
 * its quotes), so it matches.
 */
function sameTagOnly(rh: HeaderList, sh: HeaderList): boolean {
  let inm: string | undefined;
  for (let i = 0; i < rh.length; i++) {
    const n = rh[i][0];
    if (n === 'if-none-match') {
      if (inm !== undefined) return false;
      inm = rh[i][1];
    } else if (n === 'if-match' || n === 'if-unmodified-since') return false;
  }
  if (inm === undefined) return false;
  return inm === getFirst(sh, 'etag') && parseEntityTag(inm) !== undefined;
}

/**
 * Evaluates a client's preconditions against the stored response the cache
 * is about to serve, in RFC 9110 §13.2.2 order:
 *
 * 1. If-Match (strong comparison, §13.1.1) false → 412;
 * 2. else If-Unmodified-Since (§13.1.4) false → 412 (ignored without a
 *    stored Last-Modified);
 * 3. If-None-Match (weak comparison, `*`, lists, §13.1.2) false → 304 for
 *    GET/HEAD;
 * 4. only when there is no If-None-Match, If-Modified-Since (§13.1.3) for
 *    GET/HEAD: not modified since → 304. The stored Last-Modified is
 *    compared, else its Date, else `storedAt` (RFC 9111 §4.3.2).
 *
 * If-Range only matters with Range, which this cache ignores (it serves
 * the whole representation), so it is ignored too (RFC 9110 §13.1.5).
 * 'proceed' means: serve the stored response normally.
 *
 * Only a stored 2xx is evaluated: RFC 9110 §13.2.1 has a server ignore
 * every precondition when its answer would otherwise not be a 2xx, so a
 * stored 404 or 301 is served as it is (a 304 would tell the client its
 * own copy, perhaps a 200, is still current). RFC 9111 §4.3.2 names only
 * stored 200 and 206 responses; the other 2xx we evaluate as 9110 allows.
 */
export function evaluateClientConditional(req: RequestHead, stored: ResponseHead, storedAt?: number): ClientConditionalResult {
  // Hot path of every hit: most requests carry no precondition at all.
  if (!hasPrecondition(req.headers)) return 'proceed';
  if (stored.status < 200 || stored.status > 299) return 'proceed';
  // Next, a tier's validation: one If-None-Match line that is the stored
  // ETag itself (and no If-Match or If-Unmodified-Since, which come first).
  const same = sameTagOnly(req.headers, stored.headers);
  if (same) return req.method === 'GET' || req.method === 'HEAD' ? 'not-modified' : 'precondition-failed';
  const etag = etagOf(stored);
  const lastModified = parseHttpDate(getFirst(stored.headers, 'last-modified'));

  const ifMatch = getAll(req.headers, 'if-match');
  if (ifMatch.length > 0) {
    const list = parseTagList(ifMatch);
    const ok = list === '*' ? true : etag !== undefined && list.some((t) => strongMatch(t, etag));
    if (!ok) return 'precondition-failed';
  } else {
    const ius = parseHttpDate(getFirst(req.headers, 'if-unmodified-since'));
    if (ius !== undefined && lastModified !== undefined && lastModified > ius) return 'precondition-failed';
  }

  const safe = req.method === 'GET' || req.method === 'HEAD';
  const ifNoneMatch = getAll(req.headers, 'if-none-match');
  if (ifNoneMatch.length > 0) {
    const list = parseTagList(ifNoneMatch);
    const matched = list === '*' ? true : etag !== undefined && list.some((t) => weakMatch(t, etag));
    // For other methods a false If-None-Match is a 412; this cache only
    // answers GET/HEAD, so anything else is simply passed on.
    return matched ? (safe ? 'not-modified' : 'precondition-failed') : 'proceed';
  }

  if (safe) {
    const ims = parseHttpDate(getFirst(req.headers, 'if-modified-since'));
    if (ims !== undefined) {
      const modified = lastModified ?? parseHttpDate(getFirst(stored.headers, 'date')) ?? storedAt;
      if (modified !== undefined && modified <= ims) return 'not-modified';
    }
  }
  return 'proceed';
}

/**
 * Fields a 304 carries (RFC 9110 §15.4.5): those a 200 would have sent of
 * Cache-Control, Content-Location, Date, ETag, Expires and Vary.
 */
export const NOT_MODIFIED_FIELDS: readonly string[] = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary'];

/**
 * The head of a 304 answering a client from a stored response (RFC 9110
 * §15.4.5): the {@link NOT_MODIFIED_FIELDS} of the stored head, plus
 * Last-Modified when there is no ETag (it then guides the client's cache
 * update, as §15.4.5 allows), plus `extraFields` (say `cdn-cache-control`,
 * to keep downstream caches' targeted directives). Wire order is kept. The
 * caller adds Age and its own fields (Cache-Status, …).
 */
export function buildNotModifiedHead(stored: ResponseHead, extraFields: readonly string[] = []): ResponseHead {
  const withEtag = has(stored.headers, 'etag');
  let keep: ReadonlySet<string> = withEtag ? NOT_MODIFIED_SET : NOT_MODIFIED_SET_LM;
  if (extraFields.length > 0) keep = new Set([...keep, ...extraFields.map((n) => n.toLowerCase())]);
  return { status: 304, headers: stored.headers.filter(([n]) => keep.has(n)) };
}

const NOT_MODIFIED_SET: ReadonlySet<string> = new Set(NOT_MODIFIED_FIELDS);
/** Without an ETag, Last-Modified guides the client's update. */
const NOT_MODIFIED_SET_LM: ReadonlySet<string> = new Set([...NOT_MODIFIED_FIELDS, 'last-modified']);
