/**
 * A byte-bounded object store with a pluggable eviction policy.
 *
 * The get -> evict-until-fits -> insert loop is written once, here; policies
 * (eviction-*.ts, chosen by name from the registry in eviction.ts) only order
 * integer slot ids. Each stored entry owns a slot: its key and value sit in
 * plain arrays, its size in a Float64Array, all indexed by slot and grown by
 * doubling. Two indexes find the slot: an int32 open-addressing table
 * (int-index.ts) for int32 keys, as the simulator's are, and a Map<key,
 * slot> for every other key, made at the first one (64 of them, a key's
 * chosen by its hash, past the 2^24 keys one V8 Map can hold). A store may
 * hold both kinds at once: an HTTP cache given key ids (key-ids.ts) files
 * most entries under their ids and the rest under their strings. Freed
 * slots are reused.
 *
 * Two ways in:
 * - `get` / `set` / `delete` for the services (values, updates, removal).
 * - `access(key, size)` for the simulator and benchmarks: a lookup that
 *   inserts on a miss, allocating nothing of its own. It does the same work
 *   as `get` then `set` on a miss, minus the value.
 *
 * Sizes are whole bytes, at least 1 (an empty body still costs its headers
 * and metadata; it also bounds the number of entries by the capacity).
 */
import type { EvictionPolicy } from './eviction-policy';
import { createEvictionPolicy, evictionPolicyNames, hasEvictionPolicy } from './eviction';
import { IntIndex } from './int-index';

export type StoreKey = string | number;

export interface StoreOptions<K extends StoreKey, V> {
  /** Total bytes the store may hold. */
  capacityBytes: number;
  /** Larger objects are refused (set returns false). Default and maximum: capacityBytes. */
  maxObjectBytes?: number;
  /** A registered eviction policy: `lru`, `lfu`, `fifo`, `s3fifo`, `sieve`, ... */
  policy: string;
  /**
   * Called once for every entry evicted to make room (never for delete,
   * clear or replacement). Runs after the entry is gone; it may read the
   * store but must not modify it.
   */
  onEvict?: (key: K, value: V, sizeBytes: number) => void;
  /**
   * The 30-bit hash policies that remember evicted keys (S3-FIFO's ghost)
   * use; default {@link hashKey}. A caller whose keys stand for other
   * strings passes the hash of what they stand for.
   */
  keyHash?: (key: K) => number;
  /**
   * Entries one Map holds before the key index is split over
   * SHARDED_INDEX_MAPS Maps. Default and maximum {@link MAP_MAX_ENTRIES};
   * smaller only to test the split without 16.7 million keys.
   */
  mapLimit?: number;
}

/** V8 refuses to grow one Map past 2^24 entries ("RangeError: Map maximum size exceeded"). */
export const MAP_MAX_ENTRIES = 2 ** 24;
/** Maps of a split key index: a store may then hold 64 × 2^24 keys that are not int32s. */
const SHARDED_INDEX_MAPS = 64;

/** What the store needs of its key index: a Map, or a ShardedIndex past one Map's limit. */
interface SlotIndex<K> {
  get(key: K): number | undefined;
  set(key: K, slot: number): unknown;
  delete(key: K): boolean;
}

/**
 * The key index of a store that holds more keys than one Map can (more
 * than 16.7 million objects under string keys, as a bare cache on a large
 * trace may): SHARDED_INDEX_MAPS Maps, a key's chosen by hashKey. A store
 * takes it on only when its one Map is full, so no other store pays for
 * the hash.
 */
class ShardedIndex<K extends StoreKey> implements SlotIndex<K> {
  private readonly maps: Map<K, number>[] = Array.from({ length: SHARDED_INDEX_MAPS }, () => new Map<K, number>());

  get(key: K): number | undefined {
    return this.maps[hashKey(key) % SHARDED_INDEX_MAPS].get(key);
  }

  set(key: K, slot: number): this {
    this.maps[hashKey(key) % SHARDED_INDEX_MAPS].set(key, slot);
    return this;
  }

  delete(key: K): boolean {
    return this.maps[hashKey(key) % SHARDED_INDEX_MAPS].delete(key);
  }
}

export interface StoreStats {
  /** get/access calls that found the key. */
  hits: number;
  /** get/access calls that did not. hits + misses = get + access calls. */
  misses: number;
  /** New entries stored (set of an absent key, or an access miss). */
  inserts: number;
  /** set calls that rewrote a present key. */
  updates: number;
  /** Entries removed to make room. */
  evictions: number;
  evictedBytes: number;
  /** Entries removed otherwise: delete, clear, a too-large replacement. */
  deletes: number;
  /** Objects refused for being larger than maxObjectBytes. */
  rejectedTooLarge: number;
}

/**
 * Slots a new store starts with (it doubles as it fills). Small, because a
 * simulated topology has a store per node and most of a large one's edges
 * hold little: at 1,024 the empty arrays took 36 KB per node (30,000 edges:
 * 1 GB of arrays before any request, and the simulation took 28 s to start
 * rather than 4).
 */
const INITIAL_SLOTS = 16;

/** Scratch space to read a double's bits when hashing non-integer keys. */
const hashF64 = new Float64Array(1);
const hashI32 = new Int32Array(hashF64.buffer);

/** Murmur3's finaliser: spreads every input bit over the output. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A 30-bit hash of a key, for policies that remember keys after their slot
 * is gone (S3-FIFO's ghost). Small non-negative integers hash to themselves,
 * so integer traces never collide; 30 bits keep the value a V8 small integer.
 */
export function hashKey(key: StoreKey): number {
  if (typeof key === 'number') {
    if ((key & 0x3fffffff) === key) return key;
    hashF64[0] = key;
    return mix32(hashI32[0] ^ Math.imul(hashI32[1], 0x9e3779b1)) & 0x3fffffff;
  }
  // FNV-1a over UTF-16 code units, then mixed.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h) & 0x3fffffff;
}

function isPositiveInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

function describe(x: unknown): string {
  return typeof x === 'string' ? JSON.stringify(x) : String(x);
}

export class Store<K extends StoreKey, V> {
  readonly capacityBytes: number;
  readonly maxObjectBytes: number;
  readonly policyName: string;

  private readonly policy: EvictionPolicy;
  private readonly wantsKeyHash: boolean;
  private readonly onEvict: ((key: K, value: V, sizeBytes: number) => void) | undefined;
  private readonly keyHash: (key: K) => number;
  /** The index of the int32 keys. */
  private readonly intIndex: IntIndex;
  /** The index of every other key, from the first: one Map, then, past mapLimit keys, a ShardedIndex. */
  private map: SlotIndex<K> | null = null;
  private sharded = false;
  private readonly mapLimit: number;
  private entryCount = 0;
  private keyOf: (K | undefined)[] = [];
  private valueOf: (V | undefined)[] = [];
  private sizeOf: Float64Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  /** Slots handed out at least once; slots below it are live or free. */
  private highWater = 0;
  private usedBytes = 0;
  private inCallback = false;

  private hitCount = 0;
  private missCount = 0;
  private insertCount = 0;
  private updateCount = 0;
  private evictionCount = 0;
  private evictedByteCount = 0;
  private deleteCount = 0;
  private rejectedCount = 0;

  /** Prefer `createStore`, which validates its options. */
  constructor(opts: StoreOptions<K, V>) {
    this.capacityBytes = opts.capacityBytes;
    this.maxObjectBytes = Math.min(opts.maxObjectBytes ?? opts.capacityBytes, opts.capacityBytes);
    this.policyName = opts.policy;
    this.policy = createEvictionPolicy(opts.policy, opts.capacityBytes);
    this.wantsKeyHash = this.policy.wantsKeyHash;
    this.onEvict = opts.onEvict;
    this.keyHash = opts.keyHash ?? hashKey;
    this.mapLimit = Math.min(opts.mapLimit ?? MAP_MAX_ENTRIES, MAP_MAX_ENTRIES);
    const slots = Math.min(INITIAL_SLOTS, opts.capacityBytes);
    this.sizeOf = new Float64Array(slots);
    this.freeSlots = new Int32Array(slots);
    for (let i = 0; i < slots; i++) {
      this.keyOf.push(undefined);
      this.valueOf.push(undefined);
    }
    this.policy.grow(slots);
    this.intIndex = new IntIndex(slots);
  }

  /** Number of entries. */
  get size(): number {
    return this.entryCount;
  }

  /** Sum of the sizes of the entries. */
  get bytes(): number {
    return this.usedBytes;
  }

  get stats(): StoreStats {
    return {
      hits: this.hitCount,
      misses: this.missCount,
      inserts: this.insertCount,
      updates: this.updateCount,
      evictions: this.evictionCount,
      evictedBytes: this.evictedByteCount,
      deletes: this.deleteCount,
      rejectedTooLarge: this.rejectedCount,
    };
  }

  /** The value under key, as an access (the policy sees a hit), or undefined. */
  get(key: K): V | undefined {
    const slot = this.find(key);
    if (slot < 0) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    this.policy.hit(slot);
    return this.valueOf[slot];
  }

  /** The value under key without touching the policy or the stats. */
  peek(key: K): V | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.valueOf[slot];
  }

  has(key: K): boolean {
    return this.find(key) >= 0;
  }

  /** The stored size of key, or undefined. No policy hook. */
  entrySize(key: K): number | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.sizeOf[slot];
  }

  /**
   * The simulator's lookup: true on a hit (an access for the policy); on a
   * miss, stores the key with `sizeBytes` (value undefined), evicting as
   * needed, and returns false. A hit keeps the stored size.
   */
  access(key: K, sizeBytes: number): boolean {
    const slot = this.find(key);
    if (slot >= 0) {
      this.hitCount++;
      this.policy.hit(slot);
      return true;
    }
    this.missCount++;
    this.admit(key, undefined, sizeBytes);
    return false;
  }

  /**
   * Stores value under key. Returns false, storing nothing and removing any
   * entry under key, when sizeBytes exceeds maxObjectBytes. Rewriting a
   * present key counts as an access; when the new size no longer fits, the
   * old entry is detached first and the replacement enters as a new entry
   * (so eviction never picks the entry being written).
   */
  set(key: K, value: V, sizeBytes: number): boolean {
    this.assertNotInCallback('set');
    const slot = this.find(key);
    if (slot < 0) return this.admit(key, value, sizeBytes);
    checkSize(sizeBytes);
    if (sizeBytes > this.maxObjectBytes) {
      this.rejectedCount++;
      this.deleteCount++;
      this.drop(slot);
      return false;
    }
    this.updateCount++;
    const old = this.sizeOf[slot];
    if (this.usedBytes - old + sizeBytes <= this.capacityBytes) {
      this.valueOf[slot] = value;
      this.sizeOf[slot] = sizeBytes;
      this.usedBytes += sizeBytes - old;
      this.policy.update(slot, sizeBytes);
      return true;
    }
    this.drop(slot);
    this.place(key, value, sizeBytes);
    return true;
  }

  /** Removes key; true when it was present. Not an eviction: onEvict is not called. */
  delete(key: K): boolean {
    this.assertNotInCallback('delete');
    const slot = this.find(key);
    if (slot < 0) return false;
    this.deleteCount++;
    this.drop(slot);
    return true;
  }

  /** Removes every entry (counted as deletes, no onEvict). Stats are kept. */
  clear(): void {
    this.assertNotInCallback('clear');
    this.deleteCount += this.entryCount;
    this.entryCount = 0;
    this.map = null;
    this.sharded = false;
    this.intIndex.clear();
    this.keyOf.fill(undefined);
    this.valueOf.fill(undefined);
    this.freeCount = 0;
    this.highWater = 0;
    this.usedBytes = 0;
    this.policy.clear();
  }

  /** The stored keys, in no particular order. */
  *keys(): IterableIterator<K> {
    const keyOf = this.keyOf;
    for (let slot = 0; slot < this.highWater; slot++) {
      const key = keyOf[slot];
      if (key !== undefined) yield key;
    }
  }

  /** The slot of key, or -1. */
  private find(key: K): number {
    if (typeof key === 'number' && (key | 0) === key) return this.intIndex.get(key);
    const map = this.map;
    if (map === null) return -1;
    const slot = map.get(key);
    return slot === undefined ? -1 : slot;
  }

  private indexSet(key: K, slot: number): void {
    if (typeof key === 'number' && (key | 0) === key) {
      this.intIndex.set(key, slot);
      return;
    }
    const map = (this.map ??= new Map<K, number>());
    if (!this.sharded && (map as Map<K, number>).size >= this.mapLimit) this.shard();
    (this.map as SlotIndex<K>).set(key, slot);
  }

  private indexDelete(key: K): void {
    if (typeof key === 'number' && (key | 0) === key) this.intIndex.delete(key);
    else (this.map as SlotIndex<K>).delete(key);
  }

  /** The one Map is full: its keys go to a ShardedIndex, for good (until clear). */
  private shard(): void {
    const index = new ShardedIndex<K>();
    for (const [key, slot] of this.map as Map<K, number>) index.set(key, slot);
    this.map = index;
    this.sharded = true;
  }

  private admit(key: K, value: V | undefined, sizeBytes: number): boolean {
    this.assertNotInCallback('access');
    checkSize(sizeBytes);
    if (sizeBytes > this.maxObjectBytes) {
      this.rejectedCount++;
      return false;
    }
    this.insertCount++;
    this.place(key, value, sizeBytes);
    return true;
  }

  /** Evict until sizeBytes fits, then link a new entry. Stats are the caller's. */
  private place(key: K, value: V | undefined, sizeBytes: number): void {
    const limit = this.capacityBytes - sizeBytes;
    while (this.usedBytes > limit) this.evictOne();
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount] : this.newSlot();
    this.keyOf[slot] = key;
    this.valueOf[slot] = value;
    this.sizeOf[slot] = sizeBytes;
    this.usedBytes += sizeBytes;
    this.indexSet(key, slot);
    this.entryCount++;
    this.policy.insert(slot, sizeBytes, this.wantsKeyHash ? this.keyHash(key) : 0);
  }

  private evictOne(): void {
    const slot = this.policy.evict();
    if (slot < 0) {
      throw new Error(`eviction policy "${this.policyName}" had nothing to evict while the store holds ${this.usedBytes} bytes`);
    }
    const key = this.keyOf[slot] as K;
    const value = this.valueOf[slot] as V;
    const size = this.sizeOf[slot];
    this.indexDelete(key);
    this.entryCount--;
    this.release(slot);
    this.usedBytes -= size;
    this.evictionCount++;
    this.evictedByteCount += size;
    if (this.onEvict !== undefined) this.notifyEvict(key, value, size);
  }

  private notifyEvict(key: K, value: V, size: number): void {
    this.inCallback = true;
    try {
      (this.onEvict as (key: K, value: V, sizeBytes: number) => void)(key, value, size);
    } finally {
      this.inCallback = false;
    }
  }

  /** Removes a live entry without counting it anywhere. */
  private drop(slot: number): void {
    this.policy.remove(slot);
    this.indexDelete(this.keyOf[slot] as K);
    this.entryCount--;
    this.usedBytes -= this.sizeOf[slot];
    this.release(slot);
  }

  private release(slot: number): void {
    this.keyOf[slot] = undefined;
    this.valueOf[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }

  private newSlot(): number {
    const count = this.sizeOf.length;
    if (this.highWater === count) {
      const next = count * 2;
      const sizes = new Float64Array(next);
      sizes.set(this.sizeOf);
      this.sizeOf = sizes;
      const free = new Int32Array(next);
      free.set(this.freeSlots);
      this.freeSlots = free;
      for (let i = count; i < next; i++) {
        this.keyOf.push(undefined);
        this.valueOf.push(undefined);
      }
      this.policy.grow(next);
    }
    return this.highWater++;
  }

  private assertNotInCallback(method: string): void {
    if (this.inCallback) throw new Error(`store.${method} called from onEvict: onEvict must not modify the store`);
  }
}

function checkSize(sizeBytes: number): void {
  if (!isPositiveInteger(sizeBytes)) {
    throw new Error(`expected sizeBytes to be a positive integer, got ${describe(sizeBytes)}`);
  }
}

/** A validated store: `createStore({ capacityBytes: 1 << 30, policy: 's3fifo' })`. */
export function createStore<K extends StoreKey, V>(opts: StoreOptions<K, V>): Store<K, V> {
  if (opts === null || typeof opts !== 'object') throw new Error(`expected opts to be an object, got ${describe(opts)}`);
  if (!isPositiveInteger(opts.capacityBytes)) {
    throw new Error(`expected opts.capacityBytes to be a positive integer, got ${describe(opts.capacityBytes)}`);
  }
  if (opts.maxObjectBytes !== undefined && !isPositiveInteger(opts.maxObjectBytes)) {
    throw new Error(`expected opts.maxObjectBytes to be a positive integer, got ${describe(opts.maxObjectBytes)}`);
  }
  if (typeof opts.policy !== 'string' || !hasEvictionPolicy(opts.policy)) {
    throw new Error(`expected opts.policy to be one of ${evictionPolicyNames().join(', ')}, got ${describe(opts.policy)}`);
  }
  if (opts.onEvict !== undefined && typeof opts.onEvict !== 'function') {
    throw new Error(`expected opts.onEvict to be a function, got ${typeof opts.onEvict}`);
  }
  if (opts.mapLimit !== undefined && !isPositiveInteger(opts.mapLimit)) {
    throw new Error(`expected opts.mapLimit to be a positive integer, got ${describe(opts.mapLimit)}`);
  }
  if (opts.keyHash !== undefined && typeof opts.keyHash !== 'function') {
    throw new Error(`expected opts.keyHash to be a function, got ${typeof opts.keyHash}`);
  }
  return new Store<K, V>(opts);
}
