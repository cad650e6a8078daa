/**
 * Secondary cache keys (RFC 9111 §4.1): a response with `Vary` may only be
 * reused for a request whose listed header fields match those of the request
 * that produced it.
 *
 * A cache stores one variant per distinct combination of those values, so an
 * unnormalised `Vary: User-Agent` or `Vary: Accept-Encoding` explodes into
 * thousands of variants that each hold the same few bodies. Normalisers fold
 * the raw values into the few classes the origin actually distinguishes.
 *
 * Normalising is only correct if the request forwarded upstream carries the
 * normalised value too (send `Accept-Encoding: br`, not the browser's list;
 * send a device-class header, not the raw User-Agent): otherwise the origin
 * could answer a different variant than the one the key files it under.
 */
import type { HeaderList } from './types';

/** Field names a response varies on: sorted, lower-case, deduplicated; or `'*'`. */
export type VaryNames = readonly string[] | '*';

/**
 * Maps a request's (combined, whitespace-normalised) field value to its
 * class. `undefined` in means the field is absent; `undefined` out means
 * "treat as absent".
 */
export type VaryNormaliser = (value: string | undefined) => string | undefined;

/** Normalisers by lower-case field name. */
export type VaryNormalisers = Readonly<Record<string, VaryNormaliser>>;

/**
 * Reads the Vary field names of a response (RFC 9110 §12.5.5), combining all
 * Vary lines. Returns `'*'` when any member is `*`: such a response never
 * matches a later request (RFC 9111 §4.1), so the caller must not reuse it.
 * Returns `[]` when there is no Vary.
 */
export function varyFieldNames(responseHeaders: HeaderList): VaryNames {
  const names = new Set<string>();
  for (const [name, value] of responseHeaders) {
    if (name !== 'vary') continue;
    for (const raw of value.split(',')) {
      const n = raw.trim().toLowerCase();
      if (n === '*') return '*';
      if (n !== '') names.add(n);
    }
  }
  return [...names].sort();
}

/**
 * The secondary key of a request for a response that varies on `varyNames`
 * (as returned by {@link varyFieldNames}: sorted and lower-case).
 *
 * Values of a field sent on several lines are combined with `, ` and
 * whitespace is normalised, which §4.1 allows; then a normaliser for that
 * name, if any, maps the value to its class. An absent field stays distinct
 * from an empty one (§4.1: absent only matches absent). Names and values are
 * percent-escaped, so the key is unambiguous.
 *
 * @returns `''` when the response varies on nothing.
 */
export function secondaryKey(varyNames: readonly string[], requestHeaders: HeaderList, normalisers: VaryNormalisers = {}): string {
  if (!Array.isArray(varyNames)) {
    throw new TypeError(`expected varyNames to be an array of field names, got ${String(varyNames)} (a Vary: * response has no secondary key)`);
  }
  const parts: string[] = [];
  for (const name of varyNames) {
    let value = combinedValue(requestHeaders, name);
    if (value !== undefined) value = value.replace(/[ \t]+/g, ' ').replace(/ ?, ?/g, ',').trim();
    // hasOwn: a field called `constructor` must not find Object.prototype.constructor.
    if (Object.hasOwn(normalisers, name)) value = normalisers[name](value);
    parts.push(value === undefined ? esc(name) : `${esc(name)}=${esc(value)}`);
  }
  return parts.join('&');
}

function combinedValue(headers: HeaderList, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of headers) {
    if (n === name) value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}

/** `%XX` for code units up to 0xFF, `%uXXXX` above: fixed widths, so no two inputs collide. */
function esc(s: string): string {
  return s.replace(/[^A-Za-z0-9\-._~!'()*,;:@/]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : `%u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

// ---------------------------------------------------------------- built-in normalisers

/** The content codings a cache's Accept-Encoding normaliser knows when not told otherwise, best first. */
export const DEFAULT_CONTENT_CODINGS: readonly string[] = Object.freeze(['br', 'gzip', 'identity']);

/**
 * Accept-Encoding → the one coding the cache will ask the origin for: the
 * acceptable coding (q > 0) with the highest client weight, ties broken by
 * the order of `supported` (the server's preference). `identity` is
 * acceptable unless excluded by `identity;q=0` or by `*;q=0` with no
 * explicit identity entry (RFC 9110 §12.5.3); when only implied, it ranks
 * below every coding the client listed. `x-gzip` counts as `gzip`. Members
 * with a malformed weight are ignored. An absent field is treated as
 * `identity` (what the origin will send); `'none'` when nothing is acceptable.
 *
 * @param supported codings the origin can produce, most preferred first,
 *   e.g. `['br', 'gzip', 'identity']`.
 */
export function acceptEncodingNormaliser(supported: readonly string[]): VaryNormaliser {
  if (!Array.isArray(supported) || supported.length === 0) {
    throw new TypeError(`expected supported to be a non-empty array of content codings, got ${String(supported)}`);
  }
  const codings = supported.map((c, i) => {
    if (typeof c !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(c) || c === '*') {
      throw new TypeError(`expected supported[${i}] to be a content coding name, got ${String(c)}`);
    }
    return c.toLowerCase();
  });
  if (!codings.includes('identity')) codings.push('identity');

  return (value) => {
    if (value === undefined) return 'identity';
    const weights = new Map<string, number>();
    for (const item of value.split(',')) {
      const [codingRaw, ...params] = item.split(';');
      let coding = codingRaw.trim().toLowerCase();
      if (coding === '') continue;
      if (coding === 'x-gzip') coding = 'gzip'; // RFC 9110 §8.4.1.3
      let q = 1;
      for (const p of params) {
        const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
        if (m) q = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(m[1]) ? Number(m[1]) : NaN;
      }
      if (Number.isNaN(q)) continue; // a malformed weight: ignore the member
      if (!weights.has(coding)) weights.set(coding, q);
    }
    const star = weights.get('*');
    let best: string | undefined;
    let bestQ = 0;
    for (const c of codings) {
      // Implicit identity is acceptable but ranks below anything the client
      // listed (smaller than the smallest qvalue, 0.001).
      const q = weights.get(c) ?? star ?? (c === 'identity' ? 0.0001 : 0);
      if (q > bestQ) {
        best = c;
        bestQ = q;
      }
    }
    return best ?? 'none';
  };
}

/**
 * User-Agent → `'mobile' | 'tablet' | 'desktop'` by plain substrings: a
 * coarse class is all most "Vary: User-Agent" origins really distinguish,
 * and it turns thousands of variants into three. Android without "Mobile" is
 * a tablet by Google's own convention.
 */
export const deviceClassNormaliser: VaryNormaliser = (value) => {
  const ua = (value ?? '').toLowerCase();
  if (/ipad|tablet|kindle|silk\/|playbook/.test(ua) || (ua.includes('android') && !ua.includes('mobile'))) return 'tablet';
  if (/mobi|iphone|ipod|android|blackberry|opera mini|windows phone/.test(ua)) return 'mobile';
  return 'desktop';
};

// ---------------------------------------------------------------- variant index

/** Options for {@link createVariantIndex}. */
export interface VariantIndexOptions {
  /** Most variants kept per primary key; more evicts the least recently used. */
  maxVariantsPerKey: number;
}

/**
 * Tracks, per primary key, the Vary names last seen and which secondary keys
 * are stored, in least-recently-used order. It holds no bodies: whenever it
 * returns secondary keys, the caller deletes those variants from its store.
 */
export interface VariantIndex {
  /** Vary names of the last response stored for `primaryKey`; undefined if none is tracked. */
  varyOf(primaryKey: string): readonly string[] | undefined;
  /**
   * Records that a variant was stored. If the Vary names changed, every
   * variant keyed with the old names is dropped (lookups would never find
   * them again); if the cap is exceeded, the least recently used variant is
   * dropped. `vary === '*'` drops everything and tracks nothing.
   *
   * @returns the secondary keys the caller must delete from the store.
   */
  record(primaryKey: string, vary: VaryNames, secondaryKey: string): string[];
  /** Marks a variant as just used (on a hit). Returns false if it is not tracked. */
  touch(primaryKey: string, secondaryKey: string): boolean;
  /** Forgets one variant (the store evicted or purged it). */
  remove(primaryKey: string, secondaryKey: string): void;
  /** Forgets a primary key; returns its secondary keys so the caller can delete them. */
  removeAll(primaryKey: string): string[];
  /** Secondary keys stored for `primaryKey`, least recently used first. */
  variants(primaryKey: string): string[];
  /** Number of primary keys tracked. */
  readonly size: number;
}

interface Tracked {
  vary: readonly string[];
  varyId: string;
  /** Insertion order of a Map is the LRU order: touch = delete + set. */
  variants: Map<string, true>;
}

/** Creates a {@link VariantIndex}. */
export function createVariantIndex(opts: VariantIndexOptions): VariantIndex {
  const max = opts?.maxVariantsPerKey;
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError(`expected opts.maxVariantsPerKey to be a positive integer, got ${String(max)}`);
  }
  const byKey = new Map<string, Tracked>();

  return {
    // Most caches never store a Vary response: no lookup for them.
    varyOf: (pk) => (byKey.size === 0 ? undefined : byKey.get(pk)?.vary),
    record(pk, vary, sk) {
      const t = byKey.get(pk);
      if (vary === '*') {
        byKey.delete(pk);
        return t ? [...t.variants.keys()] : [];
      }
      const names = [...new Set(vary.map((n) => n.toLowerCase()))].sort();
      const varyId = names.join(',');
      if (!t) {
        byKey.set(pk, { vary: names, varyId, variants: new Map([[sk, true]]) });
        return [];
      }
      const dropped: string[] = [];
      if (t.varyId !== varyId) {
        for (const old of t.variants.keys()) if (old !== sk) dropped.push(old);
        t.variants.clear();
        t.vary = names;
        t.varyId = varyId;
      }
      t.variants.delete(sk);
      t.variants.set(sk, true);
      while (t.variants.size > max) {
        const lru = t.variants.keys().next().value as string;
        t.variants.delete(lru);
        dropped.push(lru);
      }
      return dropped;
    },
    touch(pk, sk) {
      const t = byKey.get(pk);
      if (!t || !t.variants.delete(sk)) return false;
      t.variants.set(sk, true);
      return true;
    },
    remove(pk, sk) {
      const t = byKey.get(pk);
      if (t && t.variants.delete(sk) && t.variants.size === 0) byKey.delete(pk);
    },
    removeAll(pk) {
      const t = byKey.get(pk);
      byKey.delete(pk);
      return t ? [...t.variants.keys()] : [];
    },
    variants: (pk) => [...(byKey.get(pk)?.variants.keys() ?? [])],
    get size() {
      return byKey.size;
    },
  };
}
