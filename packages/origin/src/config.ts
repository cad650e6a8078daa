import { createSite, type SiteConfig, type SitePathRule } from './site';

/**
 * What the launcher (or a user) hands the origin process: plain JSON, so it
 * can travel in a file, an environment variable or a compose file.
 */
export interface OriginConfig {
  /** Node id, reported as ResponseHead.servedBy and in Stats. */
  id: string;
  region: string;
  /** Where the Tier and OriginAdmin gRPC services listen (port 0: any free port). */
  grpc: { host: string; port: number };
  /** Plain HTTP for curl and Prometheus (`GET /metrics`); off when absent. */
  http?: { host: string; port: number };
  /** The synthetic site. Exactly one of `site` and `upstream`. */
  site?: SiteConfig;
  /** A real HTTP server to front instead (`http://127.0.0.1:3000`, an optional base path is prefixed). */
  upstream?: string;
  /** Send the client's Host to the upstream instead of the upstream's own (default false). */
  preserveHost?: boolean;
  /** Upstream idle timeout: no byte for this long ends the exchange with UPSTREAM_TIMEOUT (default 30 000). */
  upstreamTimeoutMs?: number;
  /** Bearer token for OriginAdmin. Never logged. */
  token: string;
  /** When set, Tier calls (Fetch, Purge, Stats) need this bearer token too. */
  tierToken?: string;
  /** How long a SIGTERM waits for calls in flight before cutting them (default 5 000). */
  shutdownGraceMs?: number;
}

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** A configuration error: the message names the field, never echoes a secret. */
export class OriginConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginConfigError';
  }
}

type Obj = Record<string, unknown>;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // JSON.stringify recurses: a value nested some thousand levels deep (a
    // SetSite request can carry one) overflows the stack. Say what it is.
    return Array.isArray(v) ? 'a deeply nested list' : typeof v === 'object' ? 'a deeply nested object' : typeof v;
  }
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function fail(field: string, expected: string, got: unknown): never {
  throw new OriginConfigError(`expected ${field} to be ${expected}, got ${show(got)}`);
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(o: Obj, key: string, field: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(field, 'a non-empty string', v);
  return v;
}

function optionalPositiveInt(o: Obj, key: string, field: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(field, 'a positive integer', v);
  return v;
}

function secret(o: Obj, key: string, field: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  // Say what is wrong without echoing the value: it is a secret.
  if (typeof v !== 'string' || v === '' || /\s/.test(v)) {
    throw new OriginConfigError(`expected ${field} to be a non-empty string without whitespace`);
  }
  return v;
}

function address(v: unknown, field: string): { host: string; port: number } {
  if (!isObject(v)) fail(field, 'an object { host, port }', v);
  const host = nonEmptyString(v, 'host', `${field}.host`);
  const port = v.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) fail(`${field}.port`, 'an integer in [0, 65535]', port);
  return { host, port };
}

const RULE_KEYS = new Set(['match', 'status', 'sizeBytes', 'headers', 'etag', 'lastModified', 'latencyMs', 'vary', 'setCookie', 'expiresInSeconds']);

function rule(v: unknown, field: string): SitePathRule {
  if (!isObject(v)) fail(field, 'an object with at least "match"', v);
  for (const key of Object.keys(v)) {
    if (!RULE_KEYS.has(key)) fail(`${field}`, `a path rule (unknown key "${key}"; known: ${[...RULE_KEYS].join(', ')})`, v);
  }
  const match = v.match;
  if (typeof match !== 'string' || !match.startsWith('/')) fail(`${field}.match`, 'a path glob starting with "/"', match);
  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const x = v[key];
    if (x !== undefined && (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max)) fail(`${field}.${key}`, `an integer in [${min}, ${max}]`, x);
  };
  int('status', 100, 599);
  // A cap keeps a typo from making the origin allocate gigabytes per request.
  int('sizeBytes', 0, 256 * 1024 * 1024);
  int('latencyMs', 0, 3_600_000);
  int('expiresInSeconds', -31_536_000, 31_536_000);
  for (const key of ['etag', 'lastModified', 'setCookie']) {
    if (v[key] !== undefined && typeof v[key] !== 'boolean') fail(`${field}.${key}`, 'a boolean', v[key]);
  }
  if (v.vary !== undefined && !(Array.isArray(v.vary) && v.vary.every((h) => typeof h === 'string' && h !== ''))) {
    fail(`${field}.vary`, 'a list of header names', v.vary);
  }
  if (v.headers !== undefined) {
    if (!isObject(v.headers)) fail(`${field}.headers`, 'an object of header name to value (or list of values)', v.headers);
    for (const [name, value] of Object.entries(v.headers)) {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) fail(`${field}.headers`, 'keyed by valid header names', name);
      // RFC 9110 §5.5 field-value, as Node's HTTP stack sends it: a value it
      // would refuse fails here, not on every request for the path.
      const ok = (s: unknown): boolean => typeof s === 'string' && !/[^\t\x20-\x7e\x80-\xff]/.test(s);
      if (!(ok(value) || (Array.isArray(value) && value.every(ok)))) fail(`${field}.headers[${JSON.stringify(name)}]`, 'a string or a list of strings without control characters', value);
    }
  }
  return v as unknown as SitePathRule;
}

/** Most path rules a site may have. */
export const MAX_SITE_PATH_RULES = 1000;

/**
 * Validate a synthetic site: the config's `site`, and what OriginAdmin.SetSite
 * receives at run time. `field` names it in errors (`site.paths[2].status`).
 */
export function parseSiteConfig(v: unknown, field = 'site'): SiteConfig {
  if (!isObject(v)) fail(field, 'an object { paths, versionEveryMs? }', v);
  for (const key of Object.keys(v)) {
    if (key !== 'paths' && key !== 'versionEveryMs') throw new OriginConfigError(`unknown field ${field}.${key} (known: paths, versionEveryMs)`);
  }
  if (!Array.isArray(v.paths)) fail(`${field}.paths`, 'a list of path rules', v.paths);
  // Every request is matched against the rules in turn.
  if (v.paths.length > MAX_SITE_PATH_RULES) fail(`${field}.paths`, `a list of at most ${MAX_SITE_PATH_RULES} path rules`, `${v.paths.length} rules`);
  const paths = v.paths.map((r, i) => rule(r, `${field}.paths[${i}]`));
  const versionEveryMs = optionalPositiveInt(v, 'versionEveryMs', `${field}.versionEveryMs`);
  const out: SiteConfig = { paths, ...(versionEveryMs === undefined ? {} : { versionEveryMs }) };
  try {
    createSite(out, 0); // the site's own checks (globs), so a bad site never reaches start-up
  } catch (error) {
    throw new OriginConfigError(`invalid ${field}: ${(error as Error).message}`);
  }
  return out;
}

function upstreamUrl(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, 'an http:// or https:// URL', v);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return fail(field, 'an http:// or https:// URL', v);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(field, 'an http:// or https:// URL', v);
  if (url.search !== '' || url.hash !== '') fail(field, 'a URL without query or fragment (the request supplies those)', v);
  if (url.username !== '' || url.password !== '') fail(field, 'a URL without credentials', '(redacted)');
  return v;
}

/** Validate the JSON the launcher passes; the first problem found is thrown, naming its field. */
export function parseOriginConfig(json: unknown): OriginConfig {
  if (!isObject(json)) fail('config', 'an object', json);
  const known = new Set(['id', 'region', 'grpc', 'http', 'site', 'upstream', 'preserveHost', 'upstreamTimeoutMs', 'token', 'tierToken', 'shutdownGraceMs']);
  for (const key of Object.keys(json)) {
    if (!known.has(key)) throw new OriginConfigError(`unknown field config.${key} (known: ${[...known].join(', ')})`);
  }
  const config: OriginConfig = {
    id: nonEmptyString(json, 'id', 'config.id'),
    region: nonEmptyString(json, 'region', 'config.region'),
    grpc: address(json.grpc, 'config.grpc'),
    token: secret(json, 'token', 'config.token', true) as string,
  };
  if (json.http !== undefined) config.http = address(json.http, 'config.http');
  if ((json.site === undefined) === (json.upstream === undefined)) {
    throw new OriginConfigError('expected exactly one of config.site and config.upstream');
  }
  if (json.site !== undefined) config.site = parseSiteConfig(json.site, 'config.site');
  if (json.upstream !== undefined) config.upstream = upstreamUrl(json.upstream, 'config.upstream');
  if (json.preserveHost !== undefined) {
    if (typeof json.preserveHost !== 'boolean') fail('config.preserveHost', 'a boolean', json.preserveHost);
    config.preserveHost = json.preserveHost;
  }
  const upstreamTimeoutMs = optionalPositiveInt(json, 'upstreamTimeoutMs', 'config.upstreamTimeoutMs');
  if (upstreamTimeoutMs !== undefined) config.upstreamTimeoutMs = upstreamTimeoutMs;
  const tierToken = secret(json, 'tierToken', 'config.tierToken', false);
  if (tierToken !== undefined) config.tierToken = tierToken;
  if (json.shutdownGraceMs !== undefined) {
    const g = json.shutdownGraceMs;
    if (typeof g !== 'number' || !Number.isInteger(g) || g < 0) fail('config.shutdownGraceMs', 'a non-negative integer', g);
    config.shutdownGraceMs = g;
  }
  return config;
}
