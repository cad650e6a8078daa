/**
 * Int ids for cache keys, for the HTTP caches of one simulation to share.
 *
 * A store finds an int32 key in its open-addressing table (int-index.ts)
 * several times faster than a string in a Map of a million entries, where
 * every probe may touch a key string far away in memory. The simulator
 * memoises each object's key, so it can memoise the key's id beside it and
 * hand both to every tier: each tier's store then files the entry under
 * the id (HttpCacheOptions.keyIds, LookupOptions.keyId).
 *
 * An id, once given, is the key's for the table's life, and ids are never
 * given back: a key either has an id from before it was first stored
 * anywhere or never gets one, so `peek(key) ?? key` is always what an entry
 * for that key is filed under. Past `maxIds` keys the table is full and new
 * keys are filed under their strings (slower, never wrong). That bounds
 * its memory: about 60 bytes per id besides the key strings, which the
 * table keeps alive.
 */
import { MAP_MAX_ENTRIES } from './store';

export interface KeyIds {
  /** The key's id: given now when it has none and the table has room; undefined once the table is full. */
  idOf(key: string): number | undefined;
  /** The key's id if it has one (gives none). */
  peek(key: string): number | undefined;
  /** The key an id stands for. */
  keyOf(id: number): string;
  /** Ids given. */
  readonly size: number;
  readonly maxIds: number;
}

/** Default {@link KeyIds} capacity: 4 M keys, about 250 MB with keys of 40 characters. */
export const DEFAULT_MAX_KEY_IDS = 1 << 22;

/**
 * Throws unless `maxIds` is a table capacity: one Map holds the ids (so at
 * most MAP_MAX_ENTRIES), and they are then int32s, which a store's int
 * index takes. `name` is the option as its caller calls it.
 */
export function checkMaxKeyIds(maxIds: number, name: string): void {
  if (!Number.isInteger(maxIds) || maxIds < 0 || maxIds > MAP_MAX_ENTRIES) {
    throw new TypeError(`expected ${name} to be an integer from 0 to 2^24, got ${String(maxIds)}`);
  }
}

export function createKeyIds(opts: { maxIds?: number } = {}): KeyIds {
  const maxIds = opts.maxIds ?? DEFAULT_MAX_KEY_IDS;
  checkMaxKeyIds(maxIds, 'opts.maxIds');
  const ids = new Map<string, number>();
  const keys: string[] = [];
  return {
    idOf(key) {
      const id = ids.get(key);
      if (id !== undefined || keys.length >= maxIds) return id;
      const given = keys.length;
      keys.push(key);
      ids.set(key, given);
      return given;
    },
    peek: (key) => ids.get(key),
    keyOf(id) {
      const key = keys[id];
      if (key === undefined) throw new RangeError(`no key has id ${id}`);
      return key;
    },
    get size() {
      return keys.length;
    },
    maxIds,
  };
}
