/**
 * Purge: which stored entries a purge command hits now, and the purge-time
 * rule that keeps purged content from flowing back down the tree later.
 *
 * ## Eager matching, and the trade-off with Varnish's lazy bans
 *
 * `apply` finds the matching entries at once: through an index for url and
 * tag purges, and by scanning the indexed URLs for prefix and "all" purges.
 * That is O(entries) per prefix purge, cheap for the thousands of keys a
 * testbed node holds, and it frees memory at purge time. Varnish instead
 * appends a *ban* to a list and tests each object against newer bans when it
 * is next looked up (and in a background "lurker"): a ban costs O(1) to
 * issue whatever the cache size, but every lookup pays for the bans newer
 * than the object until they are retired. For millions of objects lazy is the
 * better bet; here eager is simpler and makes the purge visible in metrics
 * at once. `check` is our small lazy part: it guards against copies that
 * arrive *after* the purge (below).
 *
 * ## The purge-time rule
 *
 * A purge reaches nodes at different moments. Suppose an edge is purged at
 * t=10 and its regional parent only at t=12: an edge miss at t=11 would
 * fetch the parent's stale copy (fetched from origin at t=3) and store it
 * again: the purge is undone. So every entry carries the time its content
 * was fetched from ORIGIN (not the time a tier stored it), and
 * `check(url, tags, originFetchedAt)` rejects content fetched before a
 * matching purge. The child also sends `notBefore(url, tags)` upstream so
 * the parent treats older copies as misses before it even replies.
 *
 * Ties: content fetched at the same instant as the purge counts as fetched
 * after it, otherwise the purge's own refetch could never be stored (with
 * zero latency in the simulator it would loop for ever).
 *
 * Records are kept for `retentionMs`, which must be at least the longest
 * time any copy may be served (max TTL plus any stale-while-revalidate /
 * stale-if-error window): an older copy can no longer be served anyway.
 * Only the newest hard and soft time per target is kept: an older record is
 * dominated by a newer one for every question `check` can ask.
 */
import type { HeaderList } from './types';

export type PurgeKind = 'url' | 'tag' | 'prefix' | 'all';
/** `hard`: delete; `soft`: mark stale (serve only after revalidation, or as stale-if-error allows). */
export type PurgeMode = 'hard' | 'soft';

export interface PurgeCommand {
  kind: PurgeKind;
  /** URL, tag or URL prefix; ignored for `all`. */
  value: string;
  mode: PurgeMode;
  /** When the purge was issued, in ms (epoch or virtual time): the same instant on every node. */
  at: number;
}

export type PurgeVerdict = 'ok' | 'purged-hard' | 'purged-soft';

/** What the index knows about a stored entry. */
export interface IndexedEntry {
  /** The URL the purge commands name (all variants of a URL share it). */
  url: string;
  /** Surrogate keys / cache tags of the stored response. */
  tags: readonly string[];
  /**
   * When the content was fetched from origin. If given, `apply` skips
   * entries fetched at or after the purge (a late-arriving command must not
   * delete the fresh copy that replaced the purged one).
   */
  fetchedAt?: number;
}

export interface PurgeIndexOptions {
  /** How long purge records are kept: at least the longest time a copy may be served. */
  retentionMs: number;
}

export interface PurgeIndex {
  /** Adds or replaces the index entry of a stored object. */
  indexEntry(storeKey: string, entry: IndexedEntry): void;
  /** Forgets a stored object (evicted, deleted). Unknown keys are ignored. */
  unindexEntry(storeKey: string): void;
  /**
   * Records the command and returns the store keys it matches now; the
   * caller deletes them (hard) or marks them stale (soft), and calls
   * `unindexEntry` for what it deletes.
   *
   * @throws TypeError on a malformed command, naming the field.
   */
  apply(cmd: PurgeCommand): string[];
  /** Whether content fetched from origin at `originFetchedAt` has been purged since. */
  check(url: string, tags: readonly string[], originFetchedAt: number): PurgeVerdict;
  /** Latest hard purge matching url/tags, to send upstream; undefined if none is recorded. */
  notBefore(url: string, tags: readonly string[]): number | undefined;
  /** Drops records older than `now - retentionMs`; returns how many were dropped. */
  compact(now: number): number;
  /** Indexed store keys. */
  readonly entryCount: number;
  /** Purge records held (one per target and mode). */
  readonly recordCount: number;
}

interface Latest {
  hard: number;
  soft: number;
}

const NONE = -Infinity;

/** Creates a {@link PurgeIndex}. */
export function createPurgeIndex(opts: PurgeIndexOptions): PurgeIndex {
  const retentionMs = opts?.retentionMs;
  if (typeof retentionMs !== 'number' || !(retentionMs > 0) || retentionMs === Infinity) {
    throw new TypeError(`expected opts.retentionMs to be a positive finite number, got ${String(retentionMs)}`);
  }

  const entries = new Map<string, IndexedEntry>();
  const byUrl = new Map<string, Set<string>>();
  const byTag = new Map<string, Set<string>>();
  const records = {
    url: new Map<string, Latest>(),
    tag: new Map<string, Latest>(),
    prefix: new Map<string, Latest>(),
    all: { hard: NONE, soft: NONE } as Latest,
  };
  // Until the first purge there is nothing `check` or `notBefore` could
  // find: every lookup and store of a cache that is never purged asks them.
  let anyRecord = false;

  function addTo(map: Map<string, Set<string>>, k: string, storeKey: string): void {
    let set = map.get(k);
    if (!set) map.set(k, (set = new Set()));
    set.add(storeKey);
  }

  function removeFrom(map: Map<string, Set<string>>, k: string, storeKey: string): void {
    const set = map.get(k);
    if (set && set.delete(storeKey) && set.size === 0) map.delete(k);
  }

  function unindex(storeKey: string): void {
    const e = entries.get(storeKey);
    if (!e) return;
    entries.delete(storeKey);
    removeFrom(byUrl, e.url, storeKey);
    for (const t of e.tags) removeFrom(byTag, t, storeKey);
  }

  function bump(map: Map<string, Latest>, k: string, mode: PurgeMode, at: number): void {
    let l = map.get(k);
    if (!l) map.set(k, (l = { hard: NONE, soft: NONE }));
    l[mode] = Math.max(l[mode], at);
  }

  /** Newest hard and soft purge times matching url/tags. */
  function latest(url: string, tags: readonly string[]): Latest {
    let hard = records.all.hard;
    let soft = records.all.soft;
    const take = (l: Latest | undefined) => {
      if (!l) return;
      if (l.hard > hard) hard = l.hard;
      if (l.soft > soft) soft = l.soft;
    };
    take(records.url.get(url));
    for (const t of tags) take(records.tag.get(t));
    // Linear in the number of live prefix records; a trie would do if that grew.
    for (const [p, l] of records.prefix) if (url.startsWith(p)) take(l);
    return { hard, soft };
  }

  return {
    indexEntry(storeKey, entry) {
      if (typeof storeKey !== 'string') throw new TypeError(`expected storeKey to be a string, got ${String(storeKey)}`);
      if (!entry || typeof entry.url !== 'string') throw new TypeError('expected entry.url to be a string');
      if (!Array.isArray(entry.tags) || entry.tags.some((t) => typeof t !== 'string')) {
        throw new TypeError('expected entry.tags to be an array of strings');
      }
      unindex(storeKey);
      const copy: IndexedEntry = { url: entry.url, tags: [...new Set(entry.tags)], fetchedAt: entry.fetchedAt };
      entries.set(storeKey, copy);
      addTo(byUrl, copy.url, storeKey);
      for (const t of copy.tags) addTo(byTag, t, storeKey);
    },

    unindexEntry: unindex,

    apply(cmd) {
      validateCommand(cmd);
      const { kind, value, mode, at } = cmd;
      anyRecord = true;
      let candidates: Iterable<string>;
      switch (kind) {
        case 'url':
          bump(records.url, value, mode, at);
          candidates = byUrl.get(value) ?? [];
          break;
        case 'tag':
          bump(records.tag, value, mode, at);
          candidates = byTag.get(value) ?? [];
          break;
        case 'prefix': {
          bump(records.prefix, value, mode, at);
          const keys: string[] = [];
          for (const [url, set] of byUrl) if (url.startsWith(value)) keys.push(...set);
          candidates = keys;
          break;
        }
        case 'all':
          records.all[mode] = Math.max(records.all[mode], at);
          candidates = entries.keys();
          break;
      }
      const out: string[] = [];
      for (const k of candidates) {
        const f = entries.get(k)?.fetchedAt;
        if (f === undefined || f < at) out.push(k);
      }
      return out;
    },

    check(url, tags, originFetchedAt) {
      // NaN would compare false with every purge time and pass everything.
      if (typeof originFetchedAt !== 'number' || Number.isNaN(originFetchedAt)) {
        throw new TypeError(`expected originFetchedAt to be a number, got ${String(originFetchedAt)}`);
      }
      if (!anyRecord) return 'ok';
      const l = latest(url, tags);
      if (l.hard > originFetchedAt) return 'purged-hard';
      if (l.soft > originFetchedAt) return 'purged-soft';
      return 'ok';
    },

    notBefore(url, tags) {
      if (!anyRecord) return undefined;
      const { hard } = latest(url, tags);
      return hard === NONE ? undefined : hard;
    },

    compact(now) {
      if (!Number.isFinite(now)) throw new TypeError(`expected now to be a finite number, got ${String(now)}`);
      const cutoff = now - retentionMs;
      let dropped = 0;
      const trim = (l: Latest): boolean => {
        for (const m of ['hard', 'soft'] as const) {
          if (l[m] !== NONE && l[m] < cutoff) {
            l[m] = NONE;
            dropped++;
          }
        }
        return l.hard === NONE && l.soft === NONE;
      };
      for (const map of [records.url, records.tag, records.prefix]) {
        for (const [k, l] of map) if (trim(l)) map.delete(k);
      }
      trim(records.all);
      return dropped;
    },

    get entryCount() {
      return entries.size;
    },

    get recordCount() {
      let n = 0;
      const count = (l: Latest) => (n += (l.hard !== NONE ? 1 : 0) + (l.soft !== NONE ? 1 : 0));
      for (const map of [records.url, records.tag, records.prefix]) for (const l of map.values()) count(l);
      count(records.all);
      return n;
    },
  };
}

function validateCommand(cmd: PurgeCommand): void {
  if (!cmd || typeof cmd !== 'object') throw new TypeError(`expected a purge command object, got ${String(cmd)}`);
  if (!['url', 'tag', 'prefix', 'all'].includes(cmd.kind)) {
    throw new TypeError(`expected cmd.kind to be 'url', 'tag', 'prefix' or 'all', got ${JSON.stringify(cmd.kind)}`);
  }
  if (cmd.mode !== 'hard' && cmd.mode !== 'soft') throw new TypeError(`expected cmd.mode to be 'hard' or 'soft', got ${JSON.stringify(cmd.mode)}`);
  if (cmd.kind !== 'all' && (typeof cmd.value !== 'string' || cmd.value === '')) {
    throw new TypeError(`expected cmd.value to be a non-empty string for a ${cmd.kind} purge, got ${JSON.stringify(cmd.value)}`);
  }
  if (typeof cmd.at !== 'number' || !Number.isFinite(cmd.at)) throw new TypeError(`expected cmd.at to be a finite number, got ${String(cmd.at)}`);
}

/**
 * Tags of a response: `Surrogate-Key` (space separated, Fastly) and
 * `Cache-Tag` (comma separated, Cloudflare), all lines combined, deduplicated
 * in order of appearance. Tags are case-sensitive.
 */
export function parseSurrogateKeys(headers: HeaderList): string[] {
  const tags = new Set<string>();
  for (const [name, value] of headers) {
    let parts: string[];
    if (name === 'surrogate-key') parts = value.split(/[ \t]+/);
    else if (name === 'cache-tag') parts = value.split(',');
    else continue;
    for (const p of parts) {
      const t = p.trim();
      if (t !== '') tags.add(t);
    }
  }
  return [...tags];
}
