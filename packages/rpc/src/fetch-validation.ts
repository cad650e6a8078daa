/**
 * What the two messages of a Tier.Fetch exchange may carry, checked where
 * they arrive: a FetchRequest by the node that serves it (a tier, the
 * origin), a ResponseHead by the tier that asked a parent. Both carry HTTP
 * fields that end up in a cache, in an HTTP request to a real upstream, or
 * in the edge's answer to a client, so the rules are HTTP's (RFC 9110):
 * what Node's HTTP stack would refuse to send is refused here, with the
 * field named, before anything is stored or forwarded.
 */
import { isValidHostValue } from '@cdnlab/core';
import { CdnError, quoteForMessage as show } from './errors';
import type { FetchRequest__Output } from './generated/cdnlab/tier/v1/FetchRequest';
import type { Header__Output } from './generated/cdnlab/tier/v1/Header';
import type { ResponseHead__Output } from './generated/cdnlab/tier/v1/ResponseHead';

/** Size limits of a Fetch message, beyond the transport's own message cap. */
export const FETCH_LIMITS = {
  /** Longest method: real ones are a few letters; this only stops a megabyte of token. */
  methodLength: 64,
  /** Longest request target: above any front door's URL limit (the edge's default is 8 KiB). */
  targetLength: 64 * 1024,
  /** Longest authority: a DNS name (253) with a port, or a bracketed IPv6 literal, with room to spare. */
  authorityLength: 1024,
  /** Most field lines in a request or response head: what Node's HTTP parser keeps (maxHeadersCount). */
  headerCount: 2000,
} as const;

// RFC 9110 §5.6.2: methods and field names are tokens.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5 field-value: visible ASCII, SP, HTAB and obs-text. Node's
// HTTP stack refuses anything else (CR, LF and NUL above all: a value with
// CR LF in it would be a second field, or the end of the head, on the wire).
const BAD_FIELD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
// RFC 9112 §3.2 / RFC 3986 §2: a request target is visible ASCII only.
const BAD_TARGET_CHAR = /[^\x21-\x7e]/;
const DIGITS = /^[0-9]+$/;

/** The first problem with a list of HTTP field lines, naming the one at fault; undefined when they are fine. */
export function headerListProblem(headers: readonly Header__Output[], field = 'headers'): string | undefined {
  if (headers.length > FETCH_LIMITS.headerCount) return `${field}: expected at most ${FETCH_LIMITS.headerCount} field lines, got ${headers.length}`;
  for (let i = 0; i < headers.length; i++) {
    const { name, value } = headers[i];
    if (!TOKEN.test(name)) return `${field}[${i}].name: expected a field name (RFC 9110 §5.1 token), got ${show(name)}`;
    if (BAD_FIELD_VALUE_CHAR.test(value)) return `${field}[${i}].value: expected a field value without control characters (RFC 9110 §5.5), got ${show(value)}`;
  }
  return undefined;
}

/**
 * The first problem with a FetchRequest as a node receives it, as the
 * BAD_REQUEST to answer with (INVALID_ARGUMENT naming the field); undefined
 * when the request may be served. proto3 cannot tell an empty string from a
 * missing one: an empty method or target is "required".
 */
export function fetchRequestProblem(req: FetchRequest__Output): CdnError | undefined {
  const bad = (message: string): CdnError => new CdnError('BAD_REQUEST', message);
  const { method, target } = req;
  if (method === '') return bad('method: required (an HTTP method such as "GET")');
  if (method.length > FETCH_LIMITS.methodLength) return bad(`method: expected at most ${FETCH_LIMITS.methodLength} characters, got ${method.length}`);
  if (!TOKEN.test(method)) return bad(`method: expected an HTTP method token (RFC 9110 §9.1), got ${show(method)}`);
  if (req.scheme !== '' && req.scheme !== 'http' && req.scheme !== 'https') return bad(`scheme: expected "http" or "https", got ${show(req.scheme)}`);
  if (req.authority !== '' && (req.authority.length > FETCH_LIMITS.authorityLength || !isValidHostValue(req.authority))) {
    return bad(`authority: expected host[:port] (RFC 9110 §7.2), got ${show(req.authority)}`);
  }
  if (target === '') return bad('target: required (origin-form, "/path?query")');
  if (target.length > FETCH_LIMITS.targetLength) return bad(`target: expected at most ${FETCH_LIMITS.targetLength} characters, got ${target.length}`);
  if (!(target.startsWith('/') || (target === '*' && method.toUpperCase() === 'OPTIONS')) || BAD_TARGET_CHAR.test(target)) {
    return bad(`target: expected origin-form ("/path?query", visible ASCII only; RFC 9112 §3.2), got ${show(target)}`);
  }
  const headers = headerListProblem(req.headers);
  if (headers) return bad(headers);
  if (!Number.isInteger(req.hops) || req.hops < 0) return bad(`hops: expected a non-negative integer, got ${req.hops}`);
  if (!Number.isSafeInteger(req.notBeforeMs) || req.notBeforeMs < 0) return bad(`not_before_ms: expected epoch milliseconds >= 0 (0: no rule), got ${req.notBeforeMs}`);
  return undefined;
}

/**
 * The first problem with a parent's ResponseHead; undefined when a tier may
 * store and pass it on. Content-Length lines must agree (RFC 9110 §8.6):
 * a cache that keeps two different ones hands every later client a framing
 * its HTTP parser must reject.
 */
export function responseHeadProblem(head: ResponseHead__Output): string | undefined {
  if (!Number.isInteger(head.status) || head.status < 100 || head.status > 599) return `status: expected an HTTP status code in [100, 599], got ${head.status}`;
  const headers = headerListProblem(head.headers);
  if (headers) return headers;
  let contentLength: string | undefined;
  for (const { name, value } of head.headers) {
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    const v = value.trim();
    if (!DIGITS.test(v)) return `headers: expected Content-Length to be a decimal number of bytes (RFC 9110 §8.6), got ${show(value)}`;
    if (contentLength !== undefined && v !== contentLength) return `headers: conflicting Content-Length values ${show(contentLength)} and ${show(v)} (RFC 9110 §8.6)`;
    contentLength = v;
  }
  return undefined;
}
