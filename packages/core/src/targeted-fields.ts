/**
 * Targeted cache-control fields (RFC 9213): `CDN-Cache-Control` and
 * friends, which speak to one class of cache and override Cache-Control for
 * it, plus the older `Surrogate-Control` (W3C Edge Architecture 1.0 note).
 *
 * A tier has an ordered target list, e.g. `['cdnlab-cache-control',
 * 'cdn-cache-control']`: the most specific field first. RFC 9213 §2.1: the
 * first field of the list that is present with a valid, non-empty value
 * decides the caching policy, and then Cache-Control **and Expires** are
 * ignored for this response. A field that is empty or fails to parse is
 * treated as absent (§2.2), so the next one (finally Cache-Control) applies.
 *
 * Targeted fields are Structured Field Dictionaries (RFC 8941 §3.2). §2.2
 * maps directive arguments to SF types: no argument → Boolean true,
 * delta-seconds → Integer, field-name lists → String. Parsing uses the
 * `structured-headers` package. Known limit: that package returns a plain
 * number for both Integer and Decimal, so `max-age=60.0` reads as 60, while
 * `max-age=1.5` is rejected (not an integer) as §2.2 asks.
 */
import { parseDictionary, Token } from 'structured-headers';
import { interpretResponseDirectives, readDirectives, type RawDirective, type ResponseCacheControl } from './cache-control';
import { parseResponseCacheControl, ParseMemo } from './cache-control';
import { getAll, lowerCaseName, removeHeader, splitList } from './headers';
import type { HeaderList } from './types';

/** Options for {@link effectiveCacheControl}. */
export interface TargetedFieldOptions {
  /**
   * Targeted field names this tier obeys, most specific first, e.g.
   * `['cdnlab-cache-control', 'cdn-cache-control']`. `'surrogate-control'`
   * may appear too and is read with its own (non-SF) syntax.
   */
  targets: readonly string[];
  /**
   * Surrogate-Control device token of this tier: directives suffixed
   * `;token` apply only to a surrogate with that token; unsuffixed ones
   * apply to all. Default: only unsuffixed directives apply.
   */
  surrogateDeviceToken?: string;
}

/** The directives that govern this tier's caching of one response. */
export interface EffectiveCacheControl {
  /** Which field they came from: a target name or `'cache-control'`. */
  source: string;
  cc: ResponseCacheControl;
  /** True when a targeted field won: Expires must then be ignored too (RFC 9213 §2.1). */
  ignoreExpires: boolean;
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

function validateTargets(opts: TargetedFieldOptions): void {
  if (opts === null || typeof opts !== 'object' || !Array.isArray(opts.targets)) {
    throw new TypeError(`expected opts.targets to be an array of lower-case field names, got ${String(opts?.targets)}`);
  }
  opts.targets.forEach((t, i) => {
    if (typeof t !== 'string' || !FIELD_NAME.test(t)) {
      throw new TypeError(`expected opts.targets[${i}] to be a lower-case field name, got ${JSON.stringify(t)}`);
    }
    if (t === 'cache-control') throw new TypeError('expected opts.targets not to contain cache-control: it is always the fallback');
  });
  if (opts.surrogateDeviceToken !== undefined && (typeof opts.surrogateDeviceToken !== 'string' || !FIELD_NAME.test(opts.surrogateDeviceToken.toLowerCase()))) {
    throw new TypeError(`expected opts.surrogateDeviceToken to be a token, got ${JSON.stringify(opts.surrogateDeviceToken)}`);
  }
}

/**
 * Parses one RFC 9213 targeted field (all of its lines combined). Returns
 * `undefined` when the field is absent, empty, or not a valid SF
 * Dictionary: RFC 9213 §2.2 says to then behave as if it were not present.
 * Directive parameters are ignored (§2.2). Never throws.
 */
export function parseTargetedField(headers: HeaderList, name: string): ResponseCacheControl | undefined {
  const lines = getAll(headers, name);
  if (lines.length === 0) return undefined;
  return parseTargetedValue(lines.join(', '));
}

/** {@link parseTargetedField} of a combined field value. */
function parseTargetedValue(value: string): ResponseCacheControl | undefined {
  if (value.trim() === '') return undefined;
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(value);
  } catch {
    return undefined;
  }
  if (dict.size === 0) return undefined;
  const directives: RawDirective[] = [];
  const bad: string[] = [];
  for (const [key, member] of dict) {
    const bare = member[0];
    if (Array.isArray(bare)) {
      bad.push(key); // an Inner List is no cache directive argument
      continue;
    }
    if (bare === true) directives.push({ name: key, arg: undefined });
    else if (bare === false) continue; // `no-store=?0`: explicitly not set
    else if (typeof bare === 'number') directives.push({ name: key, arg: Number.isInteger(bare) ? String(bare) : `${bare}!` });
    else if (typeof bare === 'string') directives.push({ name: key, arg: bare });
    else if (bare instanceof Token) directives.push({ name: key, arg: bare.toString() });
    else bad.push(key); // byte sequence, date, display string: no directive takes one
  }
  return interpretResponseDirectives(directives, bad);
}

/**
 * Parses Surrogate-Control (W3C Edge Architecture Specification 1.0):
 * `max-age=N[+M]`, `no-store`, `no-store-remote`, `content="…"`, each
 * optionally targeted with `;device-token`. Returns `undefined` when absent
 * or when no directive applies to this tier.
 *
 * Mapping: `max-age=N` → maxAge; the optional `+M` is read as a
 * stale-if-error window (the note leaves its use loose; releasing a stale
 * copy only when the origin fails is the cautious reading); `no-store` and
 * `no-store-remote` → noStore, since every cdnlab tier is a remote
 * surrogate; anything else is kept as an extension.
 */
export function parseSurrogateControl(headers: HeaderList, deviceToken?: string): ResponseCacheControl | undefined {
  const lines = getAll(headers, 'surrogate-control');
  if (lines.length === 0) return undefined;
  const mine = deviceToken?.toLowerCase();
  const applicable: string[] = [];
  for (const member of splitList(lines.join(', '))) {
    // The target suffix follows the directive: `max-age=60;edge1`.
    const m = /^(.*?);\s*([^;"]*)$/.exec(member);
    const body = m ? m[1] : member;
    const target = m ? m[2].trim().toLowerCase() : undefined;
    if (target !== undefined && target !== mine) continue;
    applicable.push(body);
  }
  if (applicable.length === 0) return undefined;
  const directives: RawDirective[] = [];
  const bad: string[] = [];
  for (const d of readDirectives(applicable.join(', '), (x) => bad.push(x))) {
    if (d.name === 'max-age' && d.arg !== undefined) {
      const plus = /^([0-9]+)\+([0-9]+)$/.exec(d.arg);
      if (plus) {
        directives.push({ name: 'max-age', arg: plus[1] }, { name: 'stale-if-error', arg: plus[2] });
        continue;
      }
    }
    if (d.name === 'no-store-remote') {
      directives.push({ name: 'no-store', arg: undefined });
      continue;
    }
    directives.push(d);
  }
  return interpretResponseDirectives(directives, bad);
}

/**
 * The directives that govern this tier for one response (RFC 9213 §2.1):
 * the first target of `opts.targets` that is present and valid, or else
 * Cache-Control.
 *
 * @throws TypeError when `opts` is malformed (never because of the headers).
 */
export function effectiveCacheControl(headers: HeaderList, opts: TargetedFieldOptions): EffectiveCacheControl {
  validateTargets(opts);
  for (const target of opts.targets) {
    const cc = target === 'surrogate-control' ? parseSurrogateControl(headers, opts.surrogateDeviceToken) : parseTargetedField(headers, target);
    if (cc) return { source: target, cc, ignoreExpires: true };
  }
  return { source: 'cache-control', cc: parseResponseCacheControl(headers), ignoreExpires: false };
}

/** The combined value of every line called `name` (lower-case), or undefined. */
function combinedLines(headers: HeaderList, name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h[0] === name) value = value === undefined ? h[1] : `${value}, ${h[1]}`;
  }
  return value;
}

/**
 * {@link effectiveCacheControl} with the options checked once, for a cache
 * that reads every response it stores: targets are validated here, and each
 * distinct field value is parsed once (origins repeat the same few values)
 * and the result shared, so callers must treat it as read-only.
 */
export function createEffectiveCacheControl(opts: TargetedFieldOptions): (headers: HeaderList) => EffectiveCacheControl {
  validateTargets(opts);
  const token = opts.surrogateDeviceToken;
  const targets = opts.targets.map((name) => ({
    name,
    memo: new ParseMemo<EffectiveCacheControl | undefined>((value) => {
      const cc = parseTargetedValue(value);
      return cc ? Object.freeze({ source: name, cc, ignoreExpires: true }) : undefined;
    }),
  }));
  const fallback = new ParseMemo<EffectiveCacheControl>((value) => Object.freeze({ source: 'cache-control', cc: parseResponseCacheControl(value), ignoreExpires: false }));
  return (headers) => {
    for (const t of targets) {
      if (t.name === 'surrogate-control') {
        const cc = parseSurrogateControl(headers, token);
        if (cc) return { source: t.name, cc, ignoreExpires: true };
        continue;
      }
      const value = combinedLines(headers, t.name);
      if (value === undefined) continue;
      const e = t.memo.get(value);
      if (e) return e;
    }
    // Same reading as parseResponseCacheControl(headers): names compared in any case.
    let value: string | undefined;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      const n = h[0];
      if (n === 'cache-control' || (n.length === 13 && lowerCaseName(n) === 'cache-control')) value = value === undefined ? h[1] : `${value}, ${h[1]}`;
    }
    return fallback.get(value ?? '');
  };
}

/**
 * Removes the targeted fields this tier consumes before the response goes
 * downstream. Which ones is configuration: `CDN-Cache-Control` is meant to
 * reach every CDN tier (so a CDN usually keeps it), while a field aimed at
 * exactly this tier (`cdnlab-edge-cache-control`, Surrogate-Control at the
 * last surrogate) should not leak to clients.
 */
export function stripTargetedFields(headers: HeaderList, names: readonly string[]): HeaderList {
  return names.length === 0 ? headers : removeHeader(headers, ...names);
}
