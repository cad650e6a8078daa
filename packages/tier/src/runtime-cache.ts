/**
 * A tier's HttpCache whose settings can change while the node runs (the
 * TierAdmin service): the node and its purge and stats paths hold this one
 * object, and it forwards to the core cache it currently wraps.
 *
 * - Collapsing (mode, lock timeout, waiters) is the node's, not the cache's:
 *   changing only those changes nothing here.
 * - Any other setting (capacity, eviction, freshness policy and the
 *   stale-while-revalidate / stale-if-error switches, limits, targeted
 *   fields) rebuilds the store: it starts empty, like a cache server
 *   restarted with a new configuration. The core computes every entry's
 *   instants once, at insert, from options fixed when the cache is built
 *   (STYLE 1), so a stored object could not follow a new policy anyway.
 * - TTL overrides apply to objects stored or revalidated from now on,
 *   without a rebuild: for a matching path the core is shown the answer with
 *   one more targeted field (RFC 9213 §2), `cdnlab-ttl-override: max-age=N`,
 *   which it obeys before CDN-Cache-Control and Cache-Control because it is
 *   first in its list; the field is taken off the stored copy again, so it
 *   never travels to the tier below. Answers that say no-store, private or
 *   no-cache are left alone: an operator's TTL must not make a personal
 *   answer shared or skip a validation the origin demands. The node's own
 *   min/max TTL caps still apply to the override, as to every lifetime.
 */
import {
  computeEntryTimes,
  createHttpCache,
  effectiveCacheControl,
  parseResponseCacheControl,
  httpCacheOptionsFromSettings,
  pathGlob,
  pathOfTarget,
  type PathGlob,
  type CacheEntry,
  type CacheKeyOptions,
  type HeaderList,
  type HttpCache,
  type HttpCacheStats,
  type ResponseHead,
  type TierCacheSettings,
} from '@cdnlab/core';

/** The targeted field a TTL override travels in, between this wrapper and the core only. */
export const TTL_OVERRIDE_FIELD = 'cdnlab-ttl-override';

/** An operator's TTL for paths matching a glob (`*` within a segment, `**` across). */
export interface TtlOverrideRule {
  match: string;
  ttlMs: number;
}

/** Settings the node applies itself (the collapser): changing only these leaves the store as it is. */
export const NODE_SETTINGS = ['collapsing', 'lockTimeoutMs', 'maxWaiters'] as const satisfies ReadonlyArray<keyof TierCacheSettings>;

export interface RuntimeCache extends HttpCache {
  /** The settings in force (a copy). */
  settings(): TierCacheSettings;
  /** TTL overrides in force, in the order they were added. */
  ttlOverrides(): TtlOverrideRule[];
  /**
   * Apply a whole settings object. Returns whether the store was rebuilt
   * (any change outside NODE_SETTINGS). The core validates the new cache's
   * options: a rejected change leaves everything as it was.
   */
  apply(next: TierCacheSettings): { rebuilt: boolean };
  /** Replace every TTL override. */
  setTtlOverrides(rules: readonly TtlOverrideRule[]): void;
  /** Drop every stored object without leaving a purge record; returns how many were stored. */
  clear(): number;
}

function pathOfUrl(url: string): string {
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return pathOfTarget(url);
  }
}

/** Whether `a` and `b` build the same store: equal outside NODE_SETTINGS. */
export function sameStoreSettings(a: TierCacheSettings, b: TierCacheSettings): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof TierCacheSettings>);
  for (const k of keys) {
    if ((NODE_SETTINGS as readonly string[]).includes(k)) continue;
    if (k === 'targetedFields' ? a.targetedFields.join('\n') !== b.targetedFields.join('\n') : a[k] !== b[k]) return false;
  }
  return true;
}

/** Counters that must not go back to zero when the store is rebuilt. */
const GAUGES: ReadonlySet<keyof HttpCacheStats> = new Set(['objects', 'bytes']);

function withoutOverride(headers: HeaderList): HeaderList {
  for (const [n] of headers) if (n === TTL_OVERRIDE_FIELD) return headers.filter(([name]) => name !== TTL_OVERRIDE_FIELD);
  return headers;
}

function copySettings(s: TierCacheSettings): TierCacheSettings {
  return { ...s, targetedFields: [...s.targetedFields] };
}

export function createRuntimeCache(name: string, initial: TierCacheSettings, key: CacheKeyOptions, defaultOrigin: string): RuntimeCache {
  let settings = copySettings(initial);
  const build = (s: TierCacheSettings): HttpCache => {
    const withField = { ...s, targetedFields: [TTL_OVERRIDE_FIELD, ...s.targetedFields.filter((f) => f.toLowerCase() !== TTL_OVERRIDE_FIELD)] };
    const opts = httpCacheOptionsFromSettings(name, withField, key, defaultOrigin);
    // The core checks freshness options only when it stores: check them now,
    // so a bad value is refused here instead of failing every later store.
    computeEntryTimes(0, 0, { status: 200, headers: [] }, parseResponseCacheControl(undefined), opts.freshness);
    return createHttpCache(opts);
  };
  let inner = build(settings);
  let rules: Array<TtlOverrideRule & { re: PathGlob }> = [];
  const retired: Partial<Record<keyof HttpCacheStats, number>> = {};

  const retire = (): void => {
    const s = inner.stats();
    for (const k of Object.keys(s) as Array<keyof HttpCacheStats>) if (!GAUGES.has(k)) retired[k] = (retired[k] ?? 0) + s[k];
  };

  const ruleFor = (path: string): TtlOverrideRule | undefined => {
    for (let i = rules.length - 1; i >= 0; i--) if (rules[i].re.test(path)) return rules[i];
    return undefined;
  };

  /** `res` as the core should see it: the override added when one applies, any copy from upstream removed. */
  const shown = (path: string, res: ResponseHead): ResponseHead => {
    const clean = withoutOverride(res.headers);
    const rule = rules.length > 0 ? ruleFor(path) : undefined;
    if (!rule) return clean === res.headers ? res : { status: res.status, headers: clean };
    const { cc } = effectiveCacheControl(clean, { targets: settings.targetedFields.map((f) => f.toLowerCase()) });
    if (cc.noStore || cc.private || cc.noCache) return { status: res.status, headers: clean };
    return { status: res.status, headers: [...clean, [TTL_OVERRIDE_FIELD, `max-age=${Math.max(0, Math.round(rule.ttlMs / 1000))}`]] };
  };
  const strip = (entry: CacheEntry): void => {
    const h = withoutOverride(entry.head.headers);
    if (h !== entry.head.headers) entry.head = { status: entry.head.status, headers: h };
  };

  return {
    get name() {
      return inner.name;
    },
    key: (req) => inner.key(req),
    lookup: (req, now, opts) => inner.lookup(req, now, opts),
    store(req, res, body, times) {
      const out = inner.store(req, shown(pathOfTarget(req.target), res), body, times);
      if (out.stored) strip(out.entry);
      return out;
    },
    revalidated(entry, notModified, times) {
      const out = inner.revalidated(entry, shown(pathOfUrl(entry.url), notModified), times);
      if (out) strip(out);
      return out;
    },
    refreshAbandoned: (entry) => inner.refreshAbandoned(entry),
    serveStaleOnError: (entry, status, now, req) => inner.serveStaleOnError(entry, status, now, req),
    responseHead: (entry, req, now) => inner.responseHead(entry, req, now),
    answerAge: (entry, req, now) => inner.answerAge(entry, req, now),
    ttlSeconds: (entry, now) => inner.ttlSeconds(entry, now),
    invalidateAfterUnsafe: (req, res) => inner.invalidateAfterUnsafe(req, res),
    purge: (cmd) => inner.purge(cmd),
    notBeforeFor: (req, tags) => inner.notBeforeFor(req, tags),
    stats() {
      const s = inner.stats();
      const out = { ...s };
      for (const k of Object.keys(retired) as Array<keyof HttpCacheStats>) out[k] = s[k] + (retired[k] ?? 0);
      return out;
    },
    compact: (now) => inner.compact(now),
    entries: () => inner.entries(),

    settings: () => copySettings(settings),
    ttlOverrides: () => rules.map(({ match, ttlMs }) => ({ match, ttlMs })),
    apply(next) {
      const copy = copySettings(next);
      if (sameStoreSettings(settings, copy)) {
        settings = copy;
        return { rebuilt: false };
      }
      // Build first: options the core rejects throw here and nothing changes.
      const fresh = build(copy);
      retire();
      inner = fresh;
      settings = copy;
      return { rebuilt: true };
    },
    setTtlOverrides(next) {
      rules = next.map((r) => ({ match: r.match, ttlMs: r.ttlMs, re: pathGlob(r.match) }));
    },
    clear() {
      const objects = inner.stats().objects;
      retire();
      inner = build(settings);
      return objects;
    },
  };
}
