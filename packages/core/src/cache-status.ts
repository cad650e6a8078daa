/**
 * The Cache-Status response field (RFC 9211): one list member per cache
 * that handled the response, each saying what that cache did.
 *
 * The field is a Structured Field List (RFC 8941 §3.1) of Items: the cache
 * name (a Token if it can be one, else a String) with parameters `hit`,
 * `fwd`, `fwd-status`, `ttl`, `stored`, `collapsed`, `key`, `detail`
 * (RFC 9211 §2.1–2.8). Serialising and parsing use the `structured-headers`
 * package, which escapes Strings and checks Tokens per RFC 8941.
 *
 * Order (RFC 9211 §2): the member of the cache closest to the origin comes
 * first; each cache appends its own after those it received from upstream,
 * so the edge's member is last.
 */
import { parseList, serializeList, Token } from 'structured-headers';
import { getAll, setHeader } from './headers';
import type { HeaderList } from './types';

/** Why a cache forwarded the request (RFC 9211 §2.2). */
export type CacheStatusFwd = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale' | 'partial';

const FWD_VALUES: ReadonlySet<string> = new Set(['bypass', 'method', 'uri-miss', 'vary-miss', 'miss', 'request', 'stale', 'partial']);

/** One Cache-Status member. */
export interface CacheStatusMember {
  /** The cache's name (RFC 9211 §2: "an identifier for the cache"). */
  cacheName: string;
  /** §2.1: the response was served from cache without going forward. */
  hit?: boolean;
  /** §2.2: why the request went forward. */
  fwd?: CacheStatusFwd;
  /** §2.3: the status the next hop answered with. */
  fwdStatus?: number;
  /** §2.4: remaining freshness in seconds, negative when stale. Fractions are floored. */
  ttl?: number;
  /** §2.5: the response was stored. */
  stored?: boolean;
  /** §2.6: the request was collapsed with another. */
  collapsed?: boolean;
  /** §2.7: the cache key, for debugging. */
  key?: string;
  /** §2.8: implementation-specific detail (a Token when it can be one). */
  detail?: string;
}

// RFC 8941 §3.3.4 token: first char ALPHA or "*", then tchar / ":" / "/".
const SF_TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;
const SF_STRING = /^[\x20-\x7e]*$/;
const SF_INT_MAX = 999_999_999_999_999;

function stringOrToken(v: string, what: string): string | Token {
  if (SF_TOKEN.test(v)) return new Token(v);
  if (!SF_STRING.test(v)) throw new TypeError(`expected ${what} to hold printable ASCII only (RFC 8941 sf-string), got ${JSON.stringify(v)}`);
  return v;
}

function integer(v: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`expected ${what} to be a finite number, got ${String(v)}`);
  return Math.max(-SF_INT_MAX, Math.min(SF_INT_MAX, Math.floor(v)));
}

/**
 * Serialises one member, e.g. `edge-1; fwd=uri-miss; fwd-status=200; stored; ttl=60`.
 *
 * @throws TypeError when a value cannot be represented (non-ASCII name or
 *   key, unknown fwd, non-finite number).
 */
export function formatCacheStatusMember(m: CacheStatusMember): string {
  if (m === null || typeof m !== 'object' || typeof m.cacheName !== 'string' || m.cacheName === '') {
    throw new TypeError(`expected member.cacheName to be a non-empty string, got ${JSON.stringify(m?.cacheName)}`);
  }
  // Hot path (every answer of every tier): a token name and token detail need
  // no escaping, so the member is written directly, in the same form the
  // general serializer below produces.
  if (SF_TOKEN.test(m.cacheName) && (m.detail === undefined || SF_TOKEN.test(m.detail)) && m.key === undefined &&
      (m.fwd === undefined || FWD_VALUES.has(m.fwd)) && (m.fwdStatus === undefined || (Number.isInteger(m.fwdStatus) && m.fwdStatus >= 100 && m.fwdStatus <= 999)) &&
      (m.ttl === undefined || Number.isFinite(m.ttl))) {
    let out = m.cacheName;
    if (m.hit) out += ';hit';
    if (m.fwd !== undefined) out += `;fwd=${m.fwd}`;
    if (m.fwdStatus !== undefined) out += `;fwd-status=${m.fwdStatus}`;
    if (m.ttl !== undefined) out += `;ttl=${integer(m.ttl, 'member.ttl')}`;
    if (m.stored) out += ';stored';
    if (m.collapsed) out += ';collapsed';
    if (m.detail !== undefined) out += `;detail=${m.detail}`;
    return out;
  }
  const params = new Map<string, number | string | boolean | Token>();
  if (m.hit) params.set('hit', true);
  if (m.fwd !== undefined) {
    if (!FWD_VALUES.has(m.fwd)) throw new TypeError(`expected member.fwd to be one of ${[...FWD_VALUES].join(', ')}, got ${JSON.stringify(m.fwd)}`);
    params.set('fwd', new Token(m.fwd));
  }
  if (m.fwdStatus !== undefined) {
    if (!Number.isInteger(m.fwdStatus) || m.fwdStatus < 100 || m.fwdStatus > 999) {
      throw new TypeError(`expected member.fwdStatus to be an HTTP status code, got ${String(m.fwdStatus)}`);
    }
    params.set('fwd-status', m.fwdStatus);
  }
  if (m.ttl !== undefined) params.set('ttl', integer(m.ttl, 'member.ttl'));
  if (m.stored) params.set('stored', true);
  if (m.collapsed) params.set('collapsed', true);
  if (m.key !== undefined) {
    if (!SF_STRING.test(m.key)) throw new TypeError(`expected member.key to hold printable ASCII only, got ${JSON.stringify(m.key)}`);
    params.set('key', m.key);
  }
  if (m.detail !== undefined) params.set('detail', stringOrToken(m.detail, 'member.detail'));
  return serializeList([[stringOrToken(m.cacheName, 'member.cacheName'), params]]);
}

/**
 * Adds this cache's member after those received from upstream (RFC 9211
 * §2), returning a new list with one combined Cache-Status line where the
 * first one was (or appended). Upstream members are kept as received.
 */
export function appendCacheStatus(headers: HeaderList, member: CacheStatusMember | string): HeaderList {
  const text = typeof member === 'string' ? member : formatCacheStatusMember(member);
  const upstream = getAll(headers, 'cache-status')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return setHeader(headers, 'cache-status', [...upstream, text].join(', '));
}

/**
 * Parses a Cache-Status value (all lines joined with `, `) into members,
 * origin-side first. Per RFC 8941 a malformed field is ignored as a whole:
 * returns `[]`. Unknown parameters are dropped; a known parameter with the
 * wrong type is ignored (RFC 9211 §2). Never throws.
 */
export function parseCacheStatus(value: string | undefined): CacheStatusMember[] {
  if (value === undefined || value.trim() === '') return [];
  let list: ReturnType<typeof parseList>;
  try {
    list = parseList(value);
  } catch {
    return [];
  }
  const out: CacheStatusMember[] = [];
  for (const [bare, params] of list) {
    if (Array.isArray(bare)) continue; // an inner list names no cache
    let cacheName: string;
    if (typeof bare === 'string') cacheName = bare;
    else if (bare instanceof Token) cacheName = bare.toString();
    else continue;
    const m: CacheStatusMember = { cacheName };
    if (params.get('hit') === true) m.hit = true;
    const fwd = params.get('fwd');
    if (fwd instanceof Token && FWD_VALUES.has(fwd.toString())) m.fwd = fwd.toString() as CacheStatusFwd;
    const fwdStatus = params.get('fwd-status');
    if (typeof fwdStatus === 'number' && Number.isInteger(fwdStatus)) m.fwdStatus = fwdStatus;
    const ttl = params.get('ttl');
    if (typeof ttl === 'number' && Number.isInteger(ttl)) m.ttl = ttl;
    if (params.get('stored') === true) m.stored = true;
    if (params.get('collapsed') === true) m.collapsed = true;
    const key = params.get('key');
    if (typeof key === 'string') m.key = key;
    const detail = params.get('detail');
    if (typeof detail === 'string') m.detail = detail;
    else if (detail instanceof Token) m.detail = detail.toString();
    out.push(m);
  }
  return out;
}
