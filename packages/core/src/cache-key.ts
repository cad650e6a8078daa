/**
 * Cache keys: which request inputs decide which stored response a request
 * may receive.
 *
 * The default key is scheme + lower-cased host (default port removed) + the
 * normalised path + query. Everything else a request carries is ignored
 * unless the configuration names it (`includeHeaders`, `includeCookies`).
 *
 * ## Why this is the cache-poisoning defence
 *
 * Web cache poisoning works by sending a request whose *unkeyed* inputs
 * (X-Forwarded-Host, X-Original-URL, an odd cookie, …) change the response
 * the origin produces, while the cache files that response under the key of
 * an ordinary request; every later visitor then receives the attacker's
 * variant. Two rules together close that door:
 *
 * 1. The key is a function of the key configuration only: a header or cookie
 *    that is not named cannot change it (the tests pin this). Only the
 *    configuration (and the response's Vary, see `vary.ts`) may split the
 *    cache.
 * 2. The tier that forwards the request upstream must send only inputs that
 *    are part of the key: the names in `keyer.headerNames` /
 *    `keyer.cookieNames`, the fields a stored response's Vary names, and a
 *    fixed list of hop headers that cannot vary the body. Whatever is not
 *    keyed is dropped before the origin sees it, so it cannot shape the body
 *    that is stored under the key.
 *
 * Keys are also *unambiguous*: each part is escaped so that the separators
 * (`?`, ` `, `=`) cannot appear inside it, so two different normalised
 * inputs never produce the same string (no header value can smuggle in a
 * fake `c:session=…` part, for instance).
 *
 * The method is not part of the key: the caller caches GET only and may
 * answer HEAD from the GET entry (RFC 9110 §9.3.2), as most caches do.
 */
import type { HeaderList, RequestHead } from './types';

/** Options for {@link createCacheKeyer}. All default to off / empty. */
export interface CacheKeyOptions {
  /** Query parameters to remove: exact names (`fbclid`) or prefixes ending in `*` (`utm_*`). */
  dropQueryParams?: readonly string[];
  /** Allow-list: keep only these query parameters (same pattern syntax). */
  keepOnlyQueryParams?: readonly string[];
  /** Sort query parameters by name (stable: repeated names keep their order). */
  sortQuery?: boolean;
  /** Drop the whole query string from the key. */
  ignoreQuery?: boolean;
  /** Lower-case the path (only for origins known to be case-insensitive). */
  lowercasePath?: boolean;
  /**
   * Safe path normalisation (RFC 3986 §6.2.2): decode unreserved escapes,
   * upper-case the hex of the rest, remove dot-segments. Default true.
   */
  normalizePath?: boolean;
  /** Request header names whose (normalised) values become part of the key. */
  includeHeaders?: readonly string[];
  /** Cookie names whose values become part of the key. */
  includeCookies?: readonly string[];
}

/** Turns a request into its primary cache key. */
export interface CacheKeyer {
  (req: RequestHead): string;
  /** Lower-case request header names that are part of the key (forward these). */
  readonly headerNames: readonly string[];
  /** Cookie names that are part of the key. */
  readonly cookieNames: readonly string[];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Builds a cache keyer. Options are validated here, once.
 *
 * @throws Error naming the option that is wrong.
 */
export function createCacheKeyer(opts: CacheKeyOptions = {}): CacheKeyer {
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(`expected opts to be an object, got ${describe(opts)}`);
  }
  const drop = compileParamPatterns(opts.dropQueryParams, 'dropQueryParams');
  const keepOnly = compileParamPatterns(opts.keepOnlyQueryParams, 'keepOnlyQueryParams');
  const sortQuery = optBool(opts.sortQuery, 'sortQuery', false);
  const ignoreQuery = optBool(opts.ignoreQuery, 'ignoreQuery', false);
  const lowercasePath = optBool(opts.lowercasePath, 'lowercasePath', false);
  const doNormalize = optBool(opts.normalizePath, 'normalizePath', true);
  if (ignoreQuery && (drop || keepOnly || sortQuery)) {
    throw new TypeError('expected opts.ignoreQuery not to be combined with dropQueryParams, keepOnlyQueryParams or sortQuery');
  }
  const headerNames = nameList(opts.includeHeaders, 'includeHeaders', true);
  const cookieNames = nameList(opts.includeCookies, 'includeCookies', false);

  // A keyer sees the same few hosts over and over: remember the last one.
  let lastHost: string | undefined;
  let lastScheme: string | undefined;
  let lastOrigin = '';
  const originOf = (host: string, scheme: 'http' | 'https'): string => {
    if (host !== lastHost || scheme !== lastScheme || typeof host !== 'string') {
      lastOrigin = `${scheme === 'https' ? 'https' : 'http'}://${normalizeHost(host, scheme)}`;
      lastHost = host;
      lastScheme = scheme;
    }
    return lastOrigin;
  };

  const keyer = (req: RequestHead): string => {
    const target = typeof req.target === 'string' ? req.target : '';
    const origin = originOf(req.host, req.scheme);
    if (target !== '' && !target.startsWith('/')) {
      // Not origin-form (`*`, absolute-form, garbage): keep it opaque in a
      // part of its own. Prefixing a `/` would let `GET x` (a 400 at most
      // origins) share, and poison, the entry of `GET /x`.
      return origin + ` t:${encodePart(target)}` + extraParts(req);
    }
    const q = target.indexOf('?');
    // A fragment never belongs in a request target; if a `#` arrives it is
    // percent-encoded like any other character a path may not contain.
    let path = q === -1 ? target : target.slice(0, q);
    const rawQuery = q === -1 ? undefined : target.slice(q + 1);

    path = doNormalize ? normalizePath(path) : escapeOutside(path, PATH_SAFE);
    if (path === '') path = '/';
    // Escapes stay upper-case (RFC 3986 §6.2.2.1) even in a lower-cased path.
    if (lowercasePath) path = path.toLowerCase().replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase());

    let query = '';
    if (rawQuery !== undefined && !ignoreQuery) {
      query = normalizeQuery(rawQuery, { drop, keepOnly, sort: sortQuery });
    }

    let key = origin + path;
    if (query !== '') key += `?${query}`;
    return key + extraParts(req);
  };

  const extraParts = (req: RequestHead): string => {
    if (headerNames.length === 0 && cookieNames.length === 0) return '';
    let key = '';
    for (const name of headerNames) {
      const value = headerValue(req.headers, name);
      // Absent and empty are different inputs: `h:name` vs `h:name=`.
      key += value === undefined ? ` h:${name}` : ` h:${name}=${encodePart(normalizeFieldValue(value))}`;
    }
    if (cookieNames.length > 0) {
      const cookies = parseCookies(req.headers);
      for (const name of cookieNames) {
        const value = cookies.get(name);
        key += value === undefined ? ` c:${encodePart(name)}` : ` c:${encodePart(name)}=${encodePart(value)}`;
      }
    }
    return key;
  };
  return Object.assign(keyer, {
    headerNames: Object.freeze(headerNames.slice()),
    cookieNames: Object.freeze(cookieNames.slice()),
  });
}

// ---------------------------------------------------------------- host

/**
 * Lower-cases the host (RFC 3986 §6.2.2.1: scheme and host are
 * case-insensitive) and removes an empty or default port (§6.2.3).
 * Any character outside the host grammar, `%` included, is percent-encoded,
 * so the host part can never contain `/`, `?` or a space and the mapping
 * stays reversible.
 */
export function normalizeHost(host: string, scheme: 'http' | 'https'): string {
  let h = typeof host === 'string' ? host.trim().toLowerCase() : '';
  // In `[::1]:8080` only a colon right after the closing bracket starts a
  // port; an unbracketed host with several colons has no port we can trust.
  let colon: number;
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    colon = close !== -1 && h[close + 1] === ':' ? close + 1 : -1;
  } else {
    colon = h.indexOf(':') === h.lastIndexOf(':') ? h.indexOf(':') : -1;
  }
  if (colon !== -1 && /^[0-9]*$/.test(h.slice(colon + 1))) {
    const port = h.slice(colon + 1);
    const isDefault = port === '' || Number(port) === (scheme === 'https' ? 443 : 80);
    h = isDefault ? h.slice(0, colon) : `${h.slice(0, colon)}:${String(Number(port))}`;
  }
  return escapeOutside(h, HOST_SAFE, true);
}

// ---------------------------------------------------------------- path

/** ASCII membership table: a lookup per character instead of a regex test. */
type CharSet = Uint8Array;
function charSet(chars: string): CharSet {
  const t = new Uint8Array(128);
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UNRESERVED = charSet(`${ALNUM}-._~`);
// RFC 3986 pchar plus '/' and '%': everything else is escaped.
const PATH_SAFE = charSet(`${ALNUM}-._~!$&'()*+,;=:@/%`);
const QUERY_SAFE = charSet(`${ALNUM}-._~!$&'()*+,;=:@/?%`);
const HOST_SAFE = charSet(`${ALNUM}-._~!$&'()*+,;=:[]`);
// Parts after the URL: no space, `=` or `%` left raw, so parts cannot run together.
const PART_SAFE = charSet(`${ALNUM}-._~!'()*,;:@/`);
const HEX = charSet('0123456789ABCDEFabcdef');

function has(set: CharSet, code: number): boolean {
  return code < 128 && set[code] === 1;
}

/**
 * Normalises a path the way RFC 3986 §6.2.2 says is safe for any origin:
 *
 * - `%XX` of an unreserved character is decoded (§6.2.2.2): `%7E` → `~`;
 * - every other escape keeps its meaning, with upper-case hex (§6.2.2.1):
 *   `%2f` → `%2F`. `%2F` is never decoded: `/a%2Fb` and `/a/b` are
 *   different resources to many origins;
 * - dot-segments are removed (§5.2.4, §6.2.2.3);
 * - characters that may not appear in a path are percent-encoded as UTF-8.
 *   This equates `/a b` with `/a%20b`, which every origin we know of does.
 *
 * A stray `%` that does not start a valid escape is kept as it is, so a
 * malformed target (`/a%zz`) gets a key of its own and cannot poison the
 * entry of its well-formed look-alike (`/a%25zz`).
 */
export function normalizePath(path: string): string {
  return removeDotSegments(normalizePercent(path, PATH_SAFE));
}

/** RFC 3986 §5.2.4, written as the output-buffer loop the RFC describes. */
export function removeDotSegments(path: string): string {
  // Dot-segments need a `.`; most paths have none (or only in a file name).
  if (!hasDotSegment(path)) return path;
  let input = path;
  const out: string[] = [];
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../')) {
      input = input.slice(3);
      out.pop();
    } else if (input === '/..') {
      input = '/';
      out.pop();
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', input.startsWith('/') ? 1 : 0);
      const seg = next === -1 ? input : input.slice(0, next);
      out.push(seg);
      input = next === -1 ? '' : input.slice(next);
    }
  }
  return out.join('');
}

/** Whether `path` has a segment that is `.` or `..` (the only ones §5.2.4 changes). */
function hasDotSegment(path: string): boolean {
  let i = path.indexOf('.');
  while (i !== -1) {
    // A segment starts at the string start or after `/`, and ends at `/` or the end.
    const start = i === 0 || path.charCodeAt(i - 1) === 47;
    if (start) {
      const j = path.charCodeAt(i + 1) === 46 ? i + 2 : i + 1;
      if (j >= path.length || path.charCodeAt(j) === 47) return true;
    }
    i = path.indexOf('.', i + 1);
  }
  return false;
}

function normalizePercent(s: string, safe: CharSet): string {
  let out = '';
  let run = 0; // start of the pending run of characters copied unchanged
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code === 37 /* % */ && i + 2 < s.length && has(HEX, s.charCodeAt(i + 1)) && has(HEX, s.charCodeAt(i + 2))) {
      const hex = s.slice(i + 1, i + 3);
      const byte = parseInt(hex, 16);
      const canon = has(UNRESERVED, byte) ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`;
      if (canon !== s.slice(i, i + 3)) {
        out += s.slice(run, i) + canon;
        run = i + 3;
      }
      i += 2;
    } else if (!has(safe, code)) {
      const cp = s.codePointAt(i)!;
      out += s.slice(run, i) + percentEncodeCodePoint(cp);
      if (cp > 0xffff) i++;
      run = i + 1;
    }
  }
  return run === 0 ? s : out + s.slice(run);
}

function escapeOutside(s: string, safe: CharSet, escapePercent = false): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (has(safe, code) && !(escapePercent && code === 37)) continue;
    const cp = s.codePointAt(i)!;
    out += s.slice(run, i) + percentEncodeCodePoint(cp);
    if (cp > 0xffff) i++;
    run = i + 1;
  }
  return run === 0 ? s : out + s.slice(run);
}

/** UTF-8 percent-encoding of one code point; lone surrogates become U+FFFD. */
function percentEncodeCodePoint(cp: number): string {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  const bytes: number[] = [];
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

// ---------------------------------------------------------------- query

interface ParamPatterns {
  exact: Set<string>;
  prefixes: string[];
}

function matches(p: ParamPatterns, name: string): boolean {
  return p.exact.has(name) || p.prefixes.some((pre) => name.startsWith(pre));
}

function normalizeQuery(
  raw: string,
  o: { drop: ParamPatterns | undefined; keepOnly: ParamPatterns | undefined; sort: boolean },
): string {
  // The query keeps `+` as is: it means a space only to form decoders, and
  // the cache must not guess which decoder the origin uses.
  let params = raw.split('&').map((p) => {
    const norm = normalizePercent(p, QUERY_SAFE);
    const eq = norm.indexOf('=');
    return { name: eq === -1 ? norm : norm.slice(0, eq), text: norm };
  });
  if (o.keepOnly || o.drop || o.sort) {
    // Once the query is being rewritten, empty pieces (`a=1&&b=2`) carry nothing.
    params = params.filter((p) => p.text !== '');
  }
  if (o.keepOnly) params = params.filter((p) => matches(o.keepOnly!, p.name));
  if (o.drop) params = params.filter((p) => !matches(o.drop!, p.name));
  if (o.sort) params = params.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // `/a?` and `/a` share a key: an empty query is treated as no query.
  return params.map((p) => p.text).join('&');
}

// ---------------------------------------------------------------- headers and cookies

function headerValue(headers: HeaderList, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of headers) {
    if (n === name) value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}

/**
 * Whitespace normalisation of a field value (RFC 9111 §4.1 allows it): trim,
 * collapse runs of spaces/tabs, and drop the optional whitespace around
 * commas (RFC 9110 §5.6.1), so `a , b` and `a,b` agree.
 * Case is kept: field values are case-sensitive unless their own
 * specification says otherwise.
 */
export function normalizeFieldValue(value: string): string {
  return value.replace(/[ \t]+/g, ' ').replace(/ ?, ?/g, ',').trim();
}

/** Cookie header(s) → first value per name (RFC 6265 §5.4 puts the most specific first). */
function parseCookies(headers: HeaderList): Map<string, string> {
  const jar = new Map<string, string>();
  for (const [n, v] of headers) {
    if (n !== 'cookie') continue;
    for (const pair of v.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1) continue;
      const name = pair.slice(0, eq).trim();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name !== '' && !jar.has(name)) jar.set(name, value);
    }
  }
  return jar;
}

/** Escapes everything that could be read as a separator (space, `=`, `%`, …). */
function encodePart(s: string): string {
  return escapeOutside(s, PART_SAFE, true);
}

// ---------------------------------------------------------------- option validation

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}

function optBool(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`expected opts.${name} to be a boolean, got ${describe(v)}`);
  return v;
}

function compileParamPatterns(v: unknown, name: string): ParamPatterns | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new TypeError(`expected opts.${name} to be an array of strings, got ${describe(v)}`);
  const p: ParamPatterns = { exact: new Set(), prefixes: [] };
  v.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || item === '' || item === '*') {
      throw new TypeError(`expected opts.${name}[${i}] to be a parameter name or a prefix ending in '*', got ${describe(item)}`);
    }
    const star = item.indexOf('*');
    if (star !== -1 && star !== item.length - 1) {
      throw new TypeError(`expected opts.${name}[${i}] to have '*' only at the end, got ${describe(item)}`);
    }
    // Patterns are compared with normalised names, so normalise them the same way.
    const norm = normalizePercent(star === -1 ? item : item.slice(0, -1), QUERY_SAFE);
    if (star === -1) p.exact.add(norm);
    else p.prefixes.push(norm);
  });
  return p;
}

function nameList(v: unknown, name: string, isHeader: boolean): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`expected opts.${name} to be an array of names, got ${describe(v)}`);
  const out: string[] = [];
  v.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || !TOKEN.test(item)) {
      throw new TypeError(`expected opts.${name}[${i}] to be a ${isHeader ? 'header field' : 'cookie'} name (RFC 9110 token), got ${describe(item)}`);
    }
    const n = isHeader ? item.toLowerCase() : item;
    if (!out.includes(n)) out.push(n);
  });
  // A fixed order keeps the key independent of how the options were written.
  return out.sort();
}
