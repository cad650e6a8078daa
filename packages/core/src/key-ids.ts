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
 * keys are filed under their strings (slower, never wrong).
 *
 * The table itself is open addressing over one Int32Array of [hash, id]
 * cells (store.ts's 30-bit hashKey; linear probing, load at most 1/2; ids
 * are never removed, so no deletion is needed), with the keys in an array
 * by id. A probe compares the hash first and reads a key string only when the hashes match:
 * asking about a key never seen before (every first request for an object)
 * reads one line of the table, where a Map of a million strings read
 * a key string or two of others, each far away in memory. About 16 to 32
 * bytes per id besides the key strings, which the table keeps alive.
 */
import { hashKey, MAP_MAX_ENTRIES } from './store';

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

/** Default {@link KeyIds} capacity: 4 M keys, about 320 MB with keys of 40 characters (224 MB of it the key strings). */
export const DEFAULT_MAX_KEY_IDS = 1 << 22;

/**
 * Throws unless `maxIds` is a table capacity: at most MAP_MAX_ENTRIES (as
 * when one Map held the ids), and ids are then int32s, which a store's int
 * index takes. `name` is the option as its caller calls it.
 */
export function checkMaxKeyIds(maxIds: number, name: string): void {
  if (!Number.isInteger(maxIds) || maxIds < 0 || maxIds > MAP_MAX_ENTRIES) {
    throw new TypeError(`expected ${name} to be an integer from 0 to 2^24, got ${String(maxIds)}`);
  }
}

const GOLDEN = 0x9e3779b1;
const EMPTY = -1;

class KeyIdTable implements KeyIds {
  /** [hash0, id0, hash1, id1, ...]; id -1 marks an empty cell. */
  private cells: Int32Array;
  private shift: number;
  private mask: number;
  private readonly keys: string[] = [];

  constructor(readonly maxIds: number) {
    this.cells = new Int32Array(2 * 1024).fill(EMPTY);
    this.mask = 1023;
    this.shift = 22;
  }

  get size(): number {
    return this.keys.length;
  }

  idOf(key: string): number | undefined {
    const h = hashKey(key);
    const i = this.find(key, h);
    const id = this.cells[2 * i + 1];
    if (id !== EMPTY) return id;
    const keys = this.keys;
    if (keys.length >= this.maxIds) return undefined;
    const given = keys.length;
    keys.push(key);
    this.cells[2 * i] = h;
    this.cells[2 * i + 1] = given;
    if (2 * keys.length > this.mask + 1) this.grow();
    return given;
  }

  peek(key: string): number | undefined {
    const id = this.cells[2 * this.find(key, hashKey(key)) + 1];
    return id === EMPTY ? undefined : id;
  }

  keyOf(id: number): string {
    const key = this.keys[id];
    if (key === undefined) throw new RangeError(`no key has id ${id}`);
    return key;
  }

  /** The cell that holds `key` (hash `h`), or the empty cell where it would go. */
  private find(key: string, h: number): number {
    const cells = this.cells;
    const keys = this.keys;
    const mask = this.mask;
    let i = Math.imul(h, GOLDEN) >>> this.shift;
    for (;;) {
      const id = cells[2 * i + 1];
      if (id === EMPTY || (cells[2 * i] === h && keys[id] === key)) return i;
      i = (i + 1) & mask;
    }
  }

  /** Doubles the cells, placing each id again by its stored hash (no key string is read). */
  private grow(): void {
    const old = this.cells;
    const n = (this.mask + 1) * 2;
    const cells = new Int32Array(2 * n).fill(EMPTY);
    const mask = n - 1;
    const shift = 32 - Math.log2(n);
    for (let j = 0; j < old.length; j += 2) {
      const id = old[j + 1];
      if (id === EMPTY) continue;
      const h = old[j];
      let i = Math.imul(h, GOLDEN) >>> shift;
      while (cells[2 * i + 1] !== EMPTY) i = (i + 1) & mask;
      cells[2 * i] = h;
      cells[2 * i + 1] = id;
    }
    this.cells = cells;
    this.mask = mask;
    this.shift = shift;
  }
}

export function createKeyIds(opts: { maxIds?: number } = {}): KeyIds {
  const maxIds = opts.maxIds ?? DEFAULT_MAX_KEY_IDS;
  checkMaxKeyIds(maxIds, 'opts.maxIds');
  return new KeyIdTable(maxIds);
}
