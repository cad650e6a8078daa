/**
 * Invalidation after unsafe requests (RFC 9111 §4.4).
 *
 * When a request whose method is not known to be safe (RFC 9110 §9.2.1:
 * safe methods are GET, HEAD, OPTIONS and TRACE; every other method,
 * including ones we have never heard of, is treated as unsafe) gets a
 * non-error answer (2xx or 3xx), the cache MUST invalidate the target URI
 * and MAY invalidate the URIs in Location and Content-Location. It MUST NOT
 * invalidate a URI of another origin (scheme + host + port), which would let
 * one site flush another's cache.
 *
 * URIs are resolved with the WHATWG `URL` global (a JS built-in, not an
 * import), which implements RFC 3986 §5 reference resolution and normalises
 * default ports, so `https://a:443/x` and `https://a/x` are the same origin.
 */
import { getFirst } from './headers';
import type { RequestHead, ResponseHead } from './types';

/** Methods defined as safe (RFC 9110 §9.2.1). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** A URI to invalidate, in the same shape as a request (feed it to the cache keyer). */
export interface InvalidationTarget {
  scheme: 'http' | 'https';
  /** host[:port], lower-case, default port removed. */
  host: string;
  /** path and query. */
  target: string;
  /** The absolute URI. */
  href: string;
  /** Where it came from. */
  source: 'target-uri' | 'location' | 'content-location';
}

/** RFC 9110 §9.2.1: methods not known to be safe are unsafe. Method names are case-sensitive. */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method);
}

function toTarget(url: URL, source: InvalidationTarget['source']): InvalidationTarget | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return { scheme: url.protocol === 'https:' ? 'https' : 'http', host: url.host, target: `${url.pathname}${url.search}`, href: url.href, source };
}

function parseUrl(ref: string, base?: string): URL | undefined {
  try {
    return base === undefined ? new URL(ref) : new URL(ref, base);
  } catch {
    return undefined;
  }
}

/**
 * The URIs to invalidate after `req` got `res` (RFC 9111 §4.4): none for a
 * safe method or an error/1xx status; otherwise the target URI, then
 * Location and Content-Location (relative references resolved against the
 * target URI) when they are of the same origin. Duplicates are removed; an
 * unparseable Location is ignored. Never throws on header content.
 */
export function invalidationTargets(req: RequestHead, res: ResponseHead): InvalidationTarget[] {
  if (!isUnsafeMethod(req.method)) return [];
  if (res.status < 200 || res.status > 399) return [];
  const base = parseUrl(`${req.scheme}://${req.host}${req.target.startsWith('/') ? '' : '/'}${req.target}`);
  if (!base) return [];
  const self = toTarget(base, 'target-uri');
  if (!self) return [];
  const out: InvalidationTarget[] = [self];
  for (const field of ['location', 'content-location'] as const) {
    const raw = getFirst(res.headers, field);
    if (raw === undefined || raw.trim() === '') continue;
    const url = parseUrl(raw.trim(), base.href);
    if (!url || url.origin !== base.origin) continue;
    const t = toTarget(url, field);
    if (t && !out.some((o) => o.href === t.href)) out.push(t);
  }
  return out;
}
