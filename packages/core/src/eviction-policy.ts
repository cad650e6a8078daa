/**
 * The narrow interface every eviction policy implements (STYLE 3).
 *
 * The Store owns keys, values, sizes and the index; it hands each entry an
 * integer slot id and runs the one get -> evict-until-fits -> insert loop.
 * A policy only orders slot ids: it keeps its links, bits and counters in
 * typed arrays indexed by slot, sized by `grow` (the Store doubles its slot
 * space), so no hook allocates per access.
 *
 * Call protocol, all driven by the Store:
 * - `grow(n)` before any slot >= the previous size is used.
 * - `insert(slot, size, keyHash)` once when an entry is stored in `slot`.
 * - `hit(slot)` on every access that found the entry.
 * - `update(slot, size)` when a stored entry is rewritten in place with a new
 *   size: it counts as an access.
 * - `remove(slot)` when the Store drops the entry itself (delete, a too-large
 *   replacement); the policy forgets the slot.
 * - `evict()` returns the slot to evict and forgets it; -1 only when the
 *   policy holds nothing. The Store then frees the slot.
 * - `clear()` forgets every slot (capacity of the arrays is kept).
 */
export interface EvictionPolicy {
  /** The registered name, e.g. `lru`. */
  readonly name: string;
  /**
   * True when `insert` needs a 30-bit hash of the key (S3-FIFO's ghost
   * queue remembers evicted keys after their slots are reused). The Store
   * only computes it for policies that ask.
   */
  readonly wantsKeyHash: boolean;
  grow(slotCount: number): void;
  insert(slot: number, size: number, keyHash: number): void;
  hit(slot: number): void;
  update(slot: number, size: number): void;
  remove(slot: number): void;
  evict(): number;
  clear(): void;
}

/**
 * Makes a policy for a store of `capacityBytes`. Policies that split the
 * space (S3-FIFO's 10 % small queue) size their parts from it; the others
 * may ignore it.
 */
export type EvictionPolicyFactory = (capacityBytes: number) => EvictionPolicy;

/** A copy of `old` in a larger array (slot spaces grow by doubling). */
export function growInt32(old: Int32Array, size: number, fill: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(old);
  if (fill !== 0) next.fill(fill, old.length);
  return next;
}

export function growUint8(old: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const next = new Uint8Array(size);
  next.set(old);
  return next;
}

export function growFloat64(old: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(old);
  return next;
}
