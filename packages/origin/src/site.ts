import { pathGlob, type HeaderList, type PathGlob, type RequestHead, type ResponseHead } from '@cdnlab/core';

/**
 * The synthetic site: a pure function from (request, version, now) to the
 * answer, so tests and the simulator can predict exactly what a client should
 * get. Bodies are deterministic from path, query, version and the request's
 * Vary values, so a test can tell a stale copy from a fresh one by its bytes.
 */

export interface SitePathRule {
  /** Glob on the path (not the query): `*` stays within a segment, `**` crosses segments. */
  match: string;
  status?: number;
  /** Body size in bytes (the body is padded to exactly this). */
  sizeBytes?: number;
  /**
   * Extra response headers; `{path}`, `{version}` and `{header:NAME}` or
   * `{header:NAME|fallback}` (the request's NAME header, else the fallback or
   * nothing: what an origin that builds links from X-Forwarded-Host does,
   * the classic cache-poisoning bug) are substituted.
   */
  headers?: Record<string, string | string[]>;
  etag?: boolean;
  lastModified?: boolean;
  /** Generation latency in ms, applied by the service (the site itself is instant). */
  latencyMs?: number;
  /** Request headers the body depends on; emitted as `Vary`. */
  vary?: string[];
  /** Send a Set-Cookie with every answer (a session cookie, as apps do). */
  setCookie?: boolean;
  /**
   * Send `Expires` this many seconds after the answer's Date (RFC 9111 §5.3);
   * negative gives a date in the past, which makes the answer stale at once.
   */
  expiresInSeconds?: number;
}

export interface SiteConfig {
  paths: SitePathRule[];
  /** When set, every path's version advances by one every this many ms. */
  versionEveryMs?: number;
}

export interface SiteAnswer {
  head: ResponseHead;
  /** The body; empty when the caller asked for `renderBody: false` (then see `bodyBytes`). */
  body: Uint8Array;
  /** Length of the body this answer stands for (its Content-Length), rendered or not. */
  bodyBytes: number;
  latencyMs: number;
  /** What the request was, for the origin's ground-truth counters. */
  kind: RequestKind;
  version: number;
}

export type RequestKind = 'get' | 'head' | 'conditional' | 'not-modified' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'other';

const DEFAULT_RULE: Required<Pick<SitePathRule, 'status' | 'sizeBytes'>> = { status: 200, sizeBytes: 1024 };

interface CompiledRule extends SitePathRule {
  re: PathGlob;
  pattern: string;
  /** `headers`, lower-cased and flattened; lines without placeholders are made once. */
  lines: Array<{ name: string; value: string; fixed?: [string, string] }>;
}

const NO_VARY: readonly string[] = Object.freeze([]);

/** FNV-1a over a string: a small stable hash for ETags and filler bytes. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const encoder = new TextEncoder();
const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_';

/**
 * The body: one readable line that names what it is, padded with filler to
 * the configured size (a size smaller than the line truncates it).
 */
export function makeBody(target: string, version: number, variant: string, sizeBytes: number): Uint8Array {
  const line = `cdnlab origin: ${target} version=${version}${variant ? ` variant=${variant}` : ''}\n`;
  const out = new Uint8Array(sizeBytes);
  const head = encoder.encode(line);
  out.set(head.subarray(0, sizeBytes));
  let seed = fnv1a(line);
  for (let i = head.length; i < sizeBytes; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out[i] = FILLER.charCodeAt(seed >>> 26).valueOf();
  }
  return out;
}

/**
 * A `name: IMF-fixdate` line for the whole second of `ms`, remembering the last second asked:
 * an origin answers many requests within one second, and a simulated one
 * answers hundreds of thousands.
 */
function dateMemo(name: string): (ms: number) => [string, string] {
  let second = NaN;
  let line: [string, string] = [name, ''];
  return (ms) => {
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      line = [name, new Date(s * 1000).toUTCString()];
    }
    return line;
  };
}

// Header lines are never mutated once made (core's HeaderList contract), so
// the lines every answer carries are made once.
const SERVER_LINE: [string, string] = ['server', 'cdnlab-origin'];
const TEXT_LINE: [string, string] = ['content-type', 'text/plain; charset=utf-8'];
const EMPTY = new Uint8Array(0);

export interface AnswerOptions {
  /**
   * Render the body (default true). The simulator, which charges caches by
   * size and never reads the bytes, passes false: `body` is then empty and
   * `bodyBytes` says how long it would have been; the head is the same.
   */
  renderBody?: boolean;
}

function headerValue(h: HeaderList, name: string): string | undefined {
  if (h.length === 0) return undefined;
  const vals = h.filter(([n]) => n === name).map(([, v]) => v);
  return vals.length ? vals.join(', ') : undefined;
}

/** `{header:NAME}` or `{header:NAME|fallback}`: the request's NAME header, else the fallback (or nothing). */
function reflected(h: HeaderList, spec: string): string {
  const bar = spec.indexOf('|');
  const name = (bar === -1 ? spec : spec.slice(0, bar)).toLowerCase();
  return headerValue(h, name) ?? (bar === -1 ? '' : spec.slice(bar + 1));
}

/** `{path}`, `{version}` and `{header:NAME}` in a rule's header values. */
const TEMPLATE_RE = /\{(path|version|header:[^}]+)\}/g;
const HAS_TEMPLATE_RE = new RegExp(TEMPLATE_RE.source);

function methodKind(method: string): RequestKind {
  switch (method) {
    case 'GET': return 'get';
    case 'HEAD': return 'head';
    case 'POST': return 'post';
    case 'PUT': return 'put';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    case 'OPTIONS': return 'options';
    default: return 'other';
  }
}

export interface Site {
  /** What the site was built from. */
  readonly config: SiteConfig;
  /** The rule that serves a path, or undefined (404). */
  ruleFor(path: string): SitePathRule | undefined;
  /** Current version of a path at `now`. */
  versionOf(path: string, now: number): number;
  /** Current version of a path at `now` and since when it has held (its Last-Modified). */
  versionState(path: string, now: number): VersionState;
  /** Pin the version of every path matching `pattern` (all paths when undefined) from `now` on. */
  setVersion(version: number, now: number, pattern?: string): void;
  /** Bump every matching path's version by one. */
  bumpVersion(now: number, pattern?: string): void;
  /**
   * What a site replacing this one at `atMs` inherits (createSite's
   * `previous`): this site, or, when it had no version command of its own,
   * what it inherited plus its scheduled ticks, so a chain of replacements
   * without commands in between stays one level deep.
   */
  historyAt(atMs: number): SiteHistory;
  answer(req: RequestHead, body: Uint8Array | undefined, now: number, options?: AnswerOptions): SiteAnswer;
}

export interface VersionState {
  version: number;
  since: number;
}

/**
 * A path's state inherited from earlier sites: `site.versionState(path, atMs)`
 * (or version 1 since `atMs` when there is no site), then `add` versions on
 * top and Last-Modified no earlier than `sinceFloor`: the ticks of replaced
 * sites that had no version command, folded together.
 */
export interface SiteHistory {
  readonly site: Site | undefined;
  readonly atMs: number;
  readonly add: number;
  readonly sinceFloor: number;
}

export interface CreateSiteOptions {
  /**
   * The site this one replaces at `startMs` (an admin SetSite): every path
   * carries on from the version it had there instead of starting at 1, so a
   * change of rules is not mistaken for a content deploy.
   */
  previous?: Site;
}

export function createSite(config: SiteConfig, startMs: number, options: CreateSiteOptions = {}): Site {
  const inherited: SiteHistory = options.previous ? options.previous.historyAt(startMs) : { site: undefined, atMs: startMs, add: 0, sinceFloor: -Infinity };
  if (!Array.isArray(config.paths)) throw new TypeError('expected site.paths to be a list of path rules');
  if (config.versionEveryMs !== undefined && !(config.versionEveryMs > 0)) {
    throw new TypeError(`expected site.versionEveryMs to be a positive number, got ${config.versionEveryMs}`);
  }
  const rules: CompiledRule[] = config.paths.map((r, i) => {
    if (typeof r.match !== 'string') throw new TypeError(`expected site.paths[${i}].match to be a string`);
    if (r.status !== undefined && !(Number.isInteger(r.status) && r.status >= 100 && r.status <= 599)) {
      throw new TypeError(`expected site.paths[${i}].status to be an HTTP status code, got ${r.status}`);
    }
    if (r.sizeBytes !== undefined && !(Number.isInteger(r.sizeBytes) && r.sizeBytes >= 0)) {
      throw new TypeError(`expected site.paths[${i}].sizeBytes to be a non-negative integer, got ${r.sizeBytes}`);
    }
    const lines: CompiledRule['lines'] = [];
    for (const [name, raw] of Object.entries(r.headers ?? {})) {
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        const n = name.toLowerCase();
        lines.push({ name: n, value, fixed: HAS_TEMPLATE_RE.test(value) ? undefined : [n, value] });
      }
    }
    return { ...r, re: pathGlob(r.match), pattern: r.match, lines };
  });
  // Changes made by command, in order: `set` pins a version, `bump` adds one.
  // A path's version is the last pin that matches it (or 1 at start), plus
  // every later matching bump, plus the scheduled ticks since that pin.
  const changes: Array<{ re?: PathGlob; op: 'set' | 'bump'; version: number; at: number }> = [];

  const ruleFor = (path: string): CompiledRule | undefined => rules.find((r) => r.re.test(path));
  const every = config.versionEveryMs ?? 0;
  const ticks = (now: number, since: number): number => (every ? Math.max(0, Math.floor((now - since) / every)) : 0);

  const inheritedState = (path: string): VersionState => {
    const h = inherited;
    const base = h.site ? h.site.versionState(path, h.atMs) : { version: 1, since: h.atMs };
    return h.add === 0 && base.since >= h.sinceFloor ? base : { version: base.version + h.add, since: Math.max(base.since, h.sinceFloor) };
  };

  const versionInfo = (path: string, now: number): VersionState => {
    let start: VersionState | undefined;
    let pinnedAt = startMs;
    let from = 0;
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i];
      if (c.op === 'set' && (!c.re || c.re.test(path))) { start = { version: c.version, since: c.at }; pinnedAt = c.at; from = i + 1; break; }
    }
    // No pin since this site took over: where the replaced sites left the path.
    start ??= inheritedState(path);
    let { version, since } = start;
    for (let i = from; i < changes.length; i++) {
      const c = changes[i];
      if (c.op === 'bump' && (!c.re || c.re.test(path))) { version++; since = c.at; }
    }
    const t = ticks(now, pinnedAt);
    if (t > 0) { version += t; since = Math.max(since, pinnedAt + t * every); }
    return { version, since };
  };

  const dateLine = dateMemo('date');
  const lastModifiedLine = dateMemo('last-modified');
  const versionLines: Array<[string, string]> = [];
  const versionLine = (v: number): [string, string] => {
    if (v >= 4096) return ['x-origin-version', String(v)];
    return (versionLines[v] ??= ['x-origin-version', String(v)]);
  };
  const lengthLines = new Map<number, [string, string]>();
  const lengthLine = (n: number): [string, string] => {
    let l = lengthLines.get(n);
    if (l === undefined) {
      l = ['content-length', String(n)];
      if (lengthLines.size < 4096) lengthLines.set(n, l);
    }
    return l;
  };

  const site: Site = {
    config,
    ruleFor,
    versionOf: (path, now) => versionInfo(path, now).version,
    versionState: versionInfo,
    setVersion(version, now, pattern) {
      // Safe integers only: int64 arrives as a JS number, and past 2^53 versions collide.
      if (!Number.isSafeInteger(version) || version < 0) throw new TypeError(`expected version to be a non-negative integer below 2^53, got ${version}`);
      changes.push({ re: pattern ? pathGlob(pattern) : undefined, op: 'set', version, at: now });
    },
    bumpVersion(now, pattern) {
      changes.push({ re: pattern ? pathGlob(pattern) : undefined, op: 'bump', version: 0, at: now });
    },
    historyAt(atMs) {
      if (changes.length > 0) return { site, atMs, add: 0, sinceFloor: -Infinity };
      // No command here: every path moved only by this site's schedule, the same for all.
      const t = ticks(atMs, startMs);
      return { site: inherited.site, atMs: inherited.atMs, add: inherited.add + t, sinceFloor: t > 0 ? Math.max(inherited.sinceFloor, startMs + t * every) : inherited.sinceFloor };
    },
    answer(req, reqBody, now, options) {
      const q = req.target.indexOf('?');
      const path = q === -1 ? req.target : req.target.slice(0, q);
      const method = req.method.toUpperCase();
      let kind = methodKind(method);
      const rule = ruleFor(path);
      const headers: HeaderList = [dateLine(now), SERVER_LINE];

      if (kind === 'options') {
        headers.push(['allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'], ['content-length', '0']);
        return { head: { status: 204, headers }, body: EMPTY, bodyBytes: 0, latencyMs: 0, kind, version: 0 };
      }
      if (kind !== 'get' && kind !== 'head') {
        // Unsafe methods: an API that accepts the write and says so; never cacheable.
        const text = encoder.encode(`cdnlab origin: ${method} ${req.target} accepted ${reqBody?.length ?? 0} bytes\n`);
        headers.push(['content-type', 'text/plain'], ['cache-control', 'no-store'], ['content-length', String(text.length)]);
        return { head: { status: method === 'POST' ? 201 : 200, headers }, body: text, bodyBytes: text.length, latencyMs: rule?.latencyMs ?? 0, kind, version: 0 };
      }
      if (!rule) {
        const text = encoder.encode(`cdnlab origin: no rule serves ${path}\n`);
        headers.push(['content-type', 'text/plain'], ['cache-control', 'max-age=10'], ['content-length', String(text.length)]);
        return { head: { status: 404, headers }, body: kind === 'head' ? EMPTY : text, bodyBytes: kind === 'head' ? 0 : text.length, latencyMs: 0, kind, version: 0 };
      }

      const { version, since } = versionInfo(path, now);
      const vary = rule.vary === undefined || rule.vary.length === 0 ? NO_VARY : rule.vary.map((v) => v.toLowerCase());
      const variant = vary.length === 0 ? '' : vary.map((name) => `${name}:${headerValue(req.headers, name) ?? ''}`).join(';');
      const sizeBytes = rule.sizeBytes ?? DEFAULT_RULE.sizeBytes;
      const status = rule.status ?? DEFAULT_RULE.status;
      // A strong validator names one representation (RFC 9110 §8.8.3): the
      // body follows from path, variant, version and size, so all of them go in
      // (a site changed at run time may resize a path without a new version).
      const etag = `"v${version}-${fnv1a(`${req.target}|${variant}|${sizeBytes}`).toString(16)}"`;
      const lmLine = lastModifiedLine(since);
      const lastModified = lmLine[1];

      for (const line of rule.lines) {
        if (line.fixed) headers.push(line.fixed);
        else headers.push([line.name, line.value.replace(TEMPLATE_RE, (_m, key: string) => (key === 'path' ? path : key === 'version' ? String(version) : reflected(req.headers, key.slice(7))))]);
      }
      headers.push(TEXT_LINE);
      if (rule.etag !== false) headers.push(['etag', etag]);
      if (rule.lastModified !== false) headers.push(lmLine);
      if (vary.length) headers.push(['vary', vary.join(', ')]);
      if (rule.expiresInSeconds !== undefined) {
        headers.push(['expires', new Date(Math.floor(now / 1000) * 1000 + rule.expiresInSeconds * 1000).toUTCString()]);
      }
      if (rule.setCookie) headers.push(['set-cookie', `session=${fnv1a(String(now)).toString(36)}; Path=/; HttpOnly`]);
      headers.push(versionLine(version));

      // The origin answers conditionals itself, as a real application server does.
      const inm = headerValue(req.headers, 'if-none-match');
      const ims = headerValue(req.headers, 'if-modified-since');
      if (inm !== undefined || ims !== undefined) {
        kind = 'conditional';
        const etagMatches = inm !== undefined && rule.etag !== false &&
          inm.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === '*' || t === etag);
        const notModifiedSince = inm === undefined && ims !== undefined && rule.lastModified !== false &&
          Date.parse(ims) >= Date.parse(lastModified);
        if (status === 200 && (etagMatches || notModifiedSince)) {
          return { head: { status: 304, headers }, body: EMPTY, bodyBytes: 0, latencyMs: rule.latencyMs ?? 0, kind: 'not-modified', version };
        }
      }
      // makeBody pads or truncates to exactly sizeBytes.
      headers.push(lengthLine(sizeBytes));
      const render = kind !== 'head' && options?.renderBody !== false;
      return {
        head: { status, headers },
        body: render ? makeBody(req.target, version, variant, sizeBytes) : EMPTY,
        bodyBytes: kind === 'head' ? 0 : sizeBytes,
        latencyMs: rule.latencyMs ?? 0,
        kind,
        version,
      };
    },
  };
  return site;
}
