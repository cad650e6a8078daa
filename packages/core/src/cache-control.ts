/**
 * Cache-Control parsing (RFC 9111 §5.2) and formatting, for requests and
 * responses. Parsers never throw: any string in gives a directive set out,
 * and whatever could not be understood is listed in `invalid`.
 *
 * ## Choices where the RFC leaves room
 *
 * - **Duplicates** (`max-age=60, max-age=10`): RFC 9111 §4.2.1 says that
 *   when a directive appears more than once, "either the first occurrence
 *   should be used or the response should be considered stale". We use the
 *   **first occurrence** for every directive. It is one of the two
 *   behaviours the RFC names, it is what a reader of the header expects
 *   (the origin's own first statement), and it keeps the parser a simple
 *   left-to-right read; the later duplicate is listed in `invalid` so a
 *   caller that prefers "stale" can still decide so.
 * - **Invalid delta-seconds** (`max-age=abc`, `max-age=-1`, `s-maxage=1.5`):
 *   §4.2.1 encourages caches to treat invalid freshness information as
 *   stale, so in a *response* an invalid `max-age` / `s-maxage` reads as `0`
 *   (stored, but never fresh: every use revalidates). Invalid
 *   `stale-while-revalidate` / `stale-if-error` grant nothing (absent).
 *   In a *request*, an invalid argument is ignored (the directive is absent):
 *   there is no freshness to be conservative about, and ignoring it simply
 *   leaves the normal rules in force.
 * - **Overflow**: a delta-seconds larger than 2^31 reads as 2^31 (§1.2.2).
 * - **Quoted arguments** (`max-age="60"`) are accepted, as §5.2 asks of
 *   recipients.
 * - `no-cache="a, b"` / `private="x"` (qualified forms, §5.2.2.4, §5.2.2.7)
 *   set the flag *and* list the fields. An unqualified occurrence anywhere
 *   wins over a qualified one (`…Fields` is then undefined), because it is
 *   the more restrictive statement.
 * - A directive whose name is not a token is dropped (listed in `invalid`).
 */
import { lowerCaseName, splitList } from './headers';
import type { HeaderList } from './types';

/** delta-seconds overflow value (RFC 9111 §1.2.2). */
export const DELTA_SECONDS_MAX = 2 ** 31;

/** An unknown directive's argument: `true` when it had none. */
export type DirectiveArgument = string | true;

/** Request directives (RFC 9111 §5.2.1, RFC 5861 §4). Numbers are seconds. */
export interface RequestCacheControl {
  /** §5.2.1.1: the client does not want a response older than this. */
  maxAge?: number;
  /** §5.2.1.2: accepts a response stale by at most this; `Infinity` when given without a value. */
  maxStale?: number;
  /** §5.2.1.3: wants a response that stays fresh at least this long. */
  minFresh?: number;
  /** §5.2.1.4: a stored response must be validated before use. */
  noCache: boolean;
  /** §5.2.1.5: store nothing of this request or its response. */
  noStore: boolean;
  /** §5.2.1.6 */
  noTransform: boolean;
  /** §5.2.1.7: answer from cache or 504. */
  onlyIfCached: boolean;
  /** RFC 5861 §4: accepts a stale response this long past freshness when the origin errs. */
  staleIfError?: number;
  /** Directives we do not know, by lower-case name (§5.2.3: unknown directives are ignored but kept). */
  extensions: Map<string, DirectiveArgument>;
  /** Names of directives that were malformed or repeated (the first occurrence was used). */
  invalid: string[];
}

/** Response directives (RFC 9111 §5.2.2, RFC 8246, RFC 5861). Numbers are seconds. */
export interface ResponseCacheControl {
  /** §5.2.2.1 */
  maxAge?: number;
  /** §5.2.2.10: shared caches only; wins over max-age and implies proxy-revalidate. */
  sMaxAge?: number;
  /** §5.2.2.4: present (qualified or not): must validate before each reuse. */
  noCache: boolean;
  /** §5.2.2.4 qualified form: the listed fields (lower-case) only. */
  noCacheFields?: string[];
  /** §5.2.2.5 */
  noStore: boolean;
  /** §5.2.2.6 */
  noTransform: boolean;
  /** §5.2.2.2 */
  mustRevalidate: boolean;
  /** §5.2.2.3 */
  mustUnderstand: boolean;
  /** §5.2.2.7: present (qualified or not). */
  private: boolean;
  /** §5.2.2.7 qualified form: only these fields (lower-case) are private. */
  privateFields?: string[];
  /** §5.2.2.8 */
  proxyRevalidate: boolean;
  /** §5.2.2.9 */
  public: boolean;
  /** RFC 8246 */
  immutable: boolean;
  /** RFC 5861 §3 */
  staleWhileRevalidate?: number;
  /** RFC 5861 §4 */
  staleIfError?: number;
  /** Directives we do not know, by lower-case name. */
  extensions: Map<string, DirectiveArgument>;
  /** Names of directives that were malformed or repeated (the first occurrence was used). */
  invalid: string[];
}

/** Input of the parsers: a field value, several field lines, or a whole header list (its `cache-control` lines are read). */
export type CacheControlInput = string | readonly string[] | HeaderList | undefined | null;

/** A directive as read off the wire: lower-case name and its argument (unquoted), `undefined` if none. */
export interface RawDirective {
  name: string;
  arg: string | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Splits Cache-Control style text into directives (RFC 9111 §5.2 grammar:
 * `token [ "=" ( token / quoted-string ) ]`, comma separated). Names are
 * lower-cased; quoted arguments are unescaped. Members whose name is not a
 * token are reported through `bad` and skipped. Never throws.
 */
export function readDirectives(value: string, bad?: (member: string) => void): RawDirective[] {
  const out: RawDirective[] = [];
  for (const member of splitList(value)) {
    const eq = member.indexOf('=');
    const name = (eq < 0 ? member : member.slice(0, eq)).trim().toLowerCase();
    if (!TOKEN.test(name)) {
      bad?.(member);
      continue;
    }
    if (eq < 0) {
      out.push({ name, arg: undefined });
      continue;
    }
    let arg = member.slice(eq + 1).trim();
    if (arg.startsWith('"')) {
      const unq = unquote(arg);
      // An unterminated quote keeps its raw text, which then fails every
      // typed reading (delta-seconds, field list) and so counts as invalid.
      if (unq === undefined) bad?.(member);
      else arg = unq;
    }
    out.push({ name, arg });
  }
  return out;
}

/** Unescapes a whole quoted-string (RFC 9110 §5.6.4); undefined if it is not exactly one. */
function unquote(s: string): string | undefined {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      if (i + 1 >= s.length) return undefined;
      out += s[++i];
    } else if (c === '"') {
      return i === s.length - 1 ? out : undefined;
    } else out += c;
  }
  return undefined;
}

/** One or more ASCII digits and nothing else (a loop: a regex literal here would be a new RegExp per call). */
function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * delta-seconds (RFC 9111 §1.2.2): digits only; larger than 2^31 reads as
 * 2^31. Anything else (sign, decimal point, empty) is invalid.
 */
export function parseDeltaSeconds(arg: string | undefined): number | undefined {
  if (arg === undefined || !isDigits(arg)) return undefined;
  const n = Number(arg);
  return n > DELTA_SECONDS_MAX ? DELTA_SECONDS_MAX : n;
}

/** A field-name list argument (`no-cache="a, B"`): lower-case tokens; undefined if any member is not a token. */
function parseFieldNames(arg: string): string[] | undefined {
  const names = splitList(arg).map((n) => n.toLowerCase());
  return names.every((n) => TOKEN.test(n)) ? names : undefined;
}

function linesOf(input: CacheControlInput, field: string): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [];
  const out: string[] = [];
  for (const item of input as unknown[]) {
    if (typeof item === 'string') out.push(item);
    else if (Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string' && item[0].toLowerCase() === field) {
      out.push(item[1]);
    }
  }
  return out;
}

/** Field lines combine into one list (RFC 9110 §5.3). */
function combined(input: CacheControlInput, field: string): string {
  return linesOf(input, field).join(', ');
}

/**
 * Parses request Cache-Control (RFC 9111 §5.2.1 and RFC 5861 §4's
 * stale-if-error). Never throws.
 */
export function parseRequestCacheControl(input: CacheControlInput): RequestCacheControl {
  const cc: RequestCacheControl = { noCache: false, noStore: false, noTransform: false, onlyIfCached: false, extensions: new Map(), invalid: [] };
  const seen = new Set<string>();
  const invalid = (name: string) => {
    if (!cc.invalid.includes(name)) cc.invalid.push(name);
  };
  for (const { name, arg } of readDirectives(combined(input, 'cache-control'), (m) => invalid(m))) {
    if (seen.has(name)) {
      invalid(name);
      continue;
    }
    seen.add(name);
    switch (name) {
      case 'max-age':
      case 'min-fresh':
      case 'stale-if-error': {
        const n = parseDeltaSeconds(arg);
        if (n === undefined) invalid(name);
        else if (name === 'max-age') cc.maxAge = n;
        else if (name === 'min-fresh') cc.minFresh = n;
        else cc.staleIfError = n;
        break;
      }
      case 'max-stale': {
        // §5.2.1.2: without a value the client accepts any staleness.
        if (arg === undefined) cc.maxStale = Infinity;
        else {
          const n = parseDeltaSeconds(arg);
          if (n === undefined) invalid(name);
          else cc.maxStale = n;
        }
        break;
      }
      case 'no-cache':
        cc.noCache = true;
        break;
      case 'no-store':
        cc.noStore = true;
        break;
      case 'no-transform':
        cc.noTransform = true;
        break;
      case 'only-if-cached':
        cc.onlyIfCached = true;
        break;
      default:
        cc.extensions.set(name, arg ?? true);
    }
  }
  return cc;
}

/**
 * Parses response Cache-Control (RFC 9111 §5.2.2, RFC 8246 immutable,
 * RFC 5861 stale-while-revalidate / stale-if-error). Never throws. See the
 * file comment for duplicates and invalid values.
 */
export function parseResponseCacheControl(input: CacheControlInput): ResponseCacheControl {
  const bad: string[] = [];
  const directives = readDirectives(combined(input, 'cache-control'), (m) => bad.push(m));
  return interpretResponseDirectives(directives, bad);
}

/**
 * The request directives of a header list, for the hot path of a cache
 * lookup: most requests carry no Cache-Control at all, and they all get one
 * shared empty, frozen set instead of a fresh parse. The result is read-only.
 */
export function requestCacheControlOf(headers: HeaderList): RequestCacheControl {
  let value: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const n = headers[i][0];
    if (n !== 'cache-control' && (n.length !== 13 || lowerCaseName(n) !== 'cache-control')) continue;
    // Several lines are read as one list: rare, parsed each time.
    if (value !== undefined) return parseRequestCacheControl(headers);
    value = headers[i][1];
  }
  // One line: the same few values again and again (a tier's validations all say min-fresh=0).
  return value === undefined ? EMPTY_REQUEST_CC : requestMemo.get(value);
}

const EMPTY_REQUEST_CC: RequestCacheControl = Object.freeze(parseRequestCacheControl(''));

/**
 * A bounded memo of pure string parses. Origins send the same few
 * Cache-Control values over and over, so a cache that stores millions of
 * responses parses each distinct value once. The map is emptied when full
 * (no LRU bookkeeping on the hot path); results must be treated as read-only
 * since they are shared.
 */
export class ParseMemo<T> {
  private readonly map = new Map<string, T>();

  constructor(
    private readonly parse: (value: string) => T,
    private readonly max = 1024,
  ) {}

  get(value: string): T {
    let v = this.map.get(value);
    if (v === undefined && !this.map.has(value)) {
      v = this.parse(value);
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(value, v);
    }
    return v as T;
  }
}

/** Request directives by the value of a request's one Cache-Control line. */
const requestMemo = new ParseMemo<RequestCacheControl>((value) => Object.freeze(parseRequestCacheControl(value)));

/** An empty response directive set. */
export function emptyResponseCacheControl(): ResponseCacheControl {
  return {
    noCache: false,
    noStore: false,
    noTransform: false,
    mustRevalidate: false,
    mustUnderstand: false,
    private: false,
    proxyRevalidate: false,
    public: false,
    immutable: false,
    extensions: new Map(),
    invalid: [],
  };
}

/**
 * Builds a {@link ResponseCacheControl} from directives already split into
 * name and argument. Shared by the Cache-Control parser and the targeted
 * field parser (`targeted-fields.ts`), so both read directives identically.
 */
export function interpretResponseDirectives(directives: readonly RawDirective[], badMembers: readonly string[] = []): ResponseCacheControl {
  const cc = emptyResponseCacheControl();
  const invalid = (name: string) => {
    if (!cc.invalid.includes(name)) cc.invalid.push(name);
  };
  for (const m of badMembers) invalid(m);
  const seen = new Set<string>();
  let unqualifiedNoCache = false;
  let unqualifiedPrivate = false;
  for (const { name, arg } of directives) {
    // no-cache / private may legitimately appear both bare and qualified; the
    // bare form wins (more restrictive), so they are exempt from "first wins".
    if (seen.has(name) && name !== 'no-cache' && name !== 'private') {
      invalid(name);
      continue;
    }
    seen.add(name);
    switch (name) {
      case 'max-age':
      case 's-maxage': {
        // §4.2.1: invalid freshness information → stale (0).
        let n = parseDeltaSeconds(arg);
        if (n === undefined) {
          invalid(name);
          n = 0;
        }
        if (name === 'max-age') cc.maxAge = n;
        else cc.sMaxAge = n;
        break;
      }
      case 'stale-while-revalidate':
      case 'stale-if-error': {
        const n = parseDeltaSeconds(arg);
        if (n === undefined) invalid(name);
        else if (name === 'stale-while-revalidate') cc.staleWhileRevalidate = n;
        else cc.staleIfError = n;
        break;
      }
      case 'no-cache':
      case 'private': {
        const fields = arg === undefined ? undefined : parseFieldNames(arg);
        if (arg !== undefined && fields === undefined) invalid(name); // malformed list: read as unqualified (safe side)
        if (name === 'no-cache') {
          cc.noCache = true;
          if (fields === undefined) unqualifiedNoCache = true;
          else cc.noCacheFields = [...new Set([...(cc.noCacheFields ?? []), ...fields])];
        } else {
          cc.private = true;
          if (fields === undefined) unqualifiedPrivate = true;
          else cc.privateFields = [...new Set([...(cc.privateFields ?? []), ...fields])];
        }
        break;
      }
      case 'no-store':
        cc.noStore = true;
        break;
      case 'no-transform':
        cc.noTransform = true;
        break;
      case 'must-revalidate':
        cc.mustRevalidate = true;
        break;
      case 'must-understand':
        cc.mustUnderstand = true;
        break;
      case 'proxy-revalidate':
        cc.proxyRevalidate = true;
        break;
      case 'public':
        cc.public = true;
        break;
      case 'immutable':
        cc.immutable = true;
        break;
      default:
        cc.extensions.set(name, arg ?? true);
    }
  }
  if (unqualifiedNoCache) delete cc.noCacheFields;
  if (unqualifiedPrivate) delete cc.privateFields;
  return cc;
}

// ---------------------------------------------------------------- formatting

function formatArg(v: string): string {
  return TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function formatSeconds(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`expected delta-seconds to be a non-negative integer, got ${String(n)}`);
  return String(Math.min(n, DELTA_SECONDS_MAX));
}

function formatExtensions(out: string[], ext: Map<string, DirectiveArgument>): void {
  for (const [name, v] of ext) {
    if (!TOKEN.test(name)) throw new TypeError(`expected extension directive name to be a token, got ${JSON.stringify(name)}`);
    out.push(v === true ? name : `${name}=${formatArg(v)}`);
  }
}

/**
 * Formats a response directive set as a Cache-Control value (RFC 9111
 * §5.2): delta-seconds as tokens, field lists as quoted strings.
 *
 * @throws TypeError for a negative or fractional number of seconds.
 */
export function formatResponseCacheControl(cc: Partial<ResponseCacheControl>): string {
  const out: string[] = [];
  if (cc.public) out.push('public');
  if (cc.private) out.push(cc.privateFields?.length ? `private="${cc.privateFields.join(', ')}"` : 'private');
  if (cc.noCache) out.push(cc.noCacheFields?.length ? `no-cache="${cc.noCacheFields.join(', ')}"` : 'no-cache');
  if (cc.noStore) out.push('no-store');
  if (cc.noTransform) out.push('no-transform');
  if (cc.mustRevalidate) out.push('must-revalidate');
  if (cc.proxyRevalidate) out.push('proxy-revalidate');
  if (cc.mustUnderstand) out.push('must-understand');
  if (cc.immutable) out.push('immutable');
  if (cc.maxAge !== undefined) out.push(`max-age=${formatSeconds(cc.maxAge)}`);
  if (cc.sMaxAge !== undefined) out.push(`s-maxage=${formatSeconds(cc.sMaxAge)}`);
  if (cc.staleWhileRevalidate !== undefined) out.push(`stale-while-revalidate=${formatSeconds(cc.staleWhileRevalidate)}`);
  if (cc.staleIfError !== undefined) out.push(`stale-if-error=${formatSeconds(cc.staleIfError)}`);
  if (cc.extensions) formatExtensions(out, cc.extensions);
  return out.join(', ');
}

/**
 * Formats a request directive set as a Cache-Control value. `maxStale:
 * Infinity` is written as a bare `max-stale`.
 *
 * @throws TypeError for a negative or fractional number of seconds.
 */
export function formatRequestCacheControl(cc: Partial<RequestCacheControl>): string {
  const out: string[] = [];
  if (cc.noCache) out.push('no-cache');
  if (cc.noStore) out.push('no-store');
  if (cc.noTransform) out.push('no-transform');
  if (cc.onlyIfCached) out.push('only-if-cached');
  if (cc.maxAge !== undefined) out.push(`max-age=${formatSeconds(cc.maxAge)}`);
  if (cc.maxStale !== undefined) out.push(cc.maxStale === Infinity ? 'max-stale' : `max-stale=${formatSeconds(cc.maxStale)}`);
  if (cc.minFresh !== undefined) out.push(`min-fresh=${formatSeconds(cc.minFresh)}`);
  if (cc.staleIfError !== undefined) out.push(`stale-if-error=${formatSeconds(cc.staleIfError)}`);
  if (cc.extensions) formatExtensions(out, cc.extensions);
  return out.join(', ');
}
