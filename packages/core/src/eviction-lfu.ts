/**
 * LFU: evict the entry with the fewest accesses since it was inserted
 * ("in-cache" LFU: the count is forgotten when the entry leaves). Ties go to
 * the entry whose last access (or insertion) is oldest, i.e. LRU within a
 * frequency.
 *
 * O(1) per operation with frequency buckets (K. Shah, A. Mitra, D. Matani,
 * "An O(1) algorithm for implementing the LFU cache eviction scheme", 2010):
 * a chain of buckets in increasing frequency, each holding a queue of slots
 * ordered by when they entered the bucket. A hit moves the slot to the head
 * of the bucket for frequency + 1 (creating it next to the current one when
 * missing); the victim is the tail of the first bucket. Buckets come from a
 * pool of slotCount + 1 (every non-empty bucket holds at least one slot, and
 * a hit briefly needs one more), all in typed arrays.
 */
import type { EvictionPolicy } from './eviction-policy';
import { growInt32 } from './eviction-policy';

const NONE = -1;
/** Counts stop here; beyond it, only recency orders the top bucket. */
const MAX_FREQ = 0x7fffffff;

export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu';
  readonly wantsKeyHash = false;

  // Per slot: links inside its bucket (prev = newer) and its bucket.
  private slotPrev = new Int32Array(0);
  private slotNext = new Int32Array(0);
  private slotBucket = new Int32Array(0);

  // Per bucket: frequency, its slot queue, and links in the bucket chain.
  private bucketFreq = new Int32Array(0);
  private bucketHead = new Int32Array(0);
  private bucketTail = new Int32Array(0);
  private bucketPrev = new Int32Array(0);
  private bucketNext = new Int32Array(0);
  private freeBuckets = new Int32Array(0);
  private freeBucketCount = 0;
  /** Lowest-frequency bucket: where victims come from. */
  private first = NONE;

  grow(slotCount: number): void {
    if (slotCount <= this.slotPrev.length) return;
    this.slotPrev = growInt32(this.slotPrev, slotCount, NONE);
    this.slotNext = growInt32(this.slotNext, slotCount, NONE);
    this.slotBucket = growInt32(this.slotBucket, slotCount, NONE);
    const oldBuckets = this.bucketFreq.length;
    const buckets = slotCount + 1;
    this.bucketFreq = growInt32(this.bucketFreq, buckets, 0);
    this.bucketHead = growInt32(this.bucketHead, buckets, NONE);
    this.bucketTail = growInt32(this.bucketTail, buckets, NONE);
    this.bucketPrev = growInt32(this.bucketPrev, buckets, NONE);
    this.bucketNext = growInt32(this.bucketNext, buckets, NONE);
    this.freeBuckets = growInt32(this.freeBuckets, buckets, 0);
    for (let b = buckets - 1; b >= oldBuckets; b--) this.freeBuckets[this.freeBucketCount++] = b;
  }

  /** A new empty bucket of `freq`, linked into the chain after `after` (or first when -1). */
  private newBucket(freq: number, after: number): number {
    const b = this.freeBuckets[--this.freeBucketCount];
    this.bucketFreq[b] = freq;
    this.bucketHead[b] = NONE;
    this.bucketTail[b] = NONE;
    const next = after === NONE ? this.first : this.bucketNext[after];
    this.bucketPrev[b] = after;
    this.bucketNext[b] = next;
    if (after === NONE) this.first = b;
    else this.bucketNext[after] = b;
    if (next !== NONE) this.bucketPrev[next] = b;
    return b;
  }

  private dropBucket(b: number): void {
    const p = this.bucketPrev[b];
    const n = this.bucketNext[b];
    if (p === NONE) this.first = n;
    else this.bucketNext[p] = n;
    if (n !== NONE) this.bucketPrev[n] = p;
    this.freeBuckets[this.freeBucketCount++] = b;
  }

  private pushSlot(b: number, slot: number): void {
    const head = this.bucketHead[b];
    this.slotPrev[slot] = NONE;
    this.slotNext[slot] = head;
    if (head === NONE) this.bucketTail[b] = slot;
    else this.slotPrev[head] = slot;
    this.bucketHead[b] = slot;
    this.slotBucket[slot] = b;
  }

  /** Unlinks `slot` from its bucket; drops the bucket when it empties. */
  private unlinkSlot(slot: number): void {
    const b = this.slotBucket[slot];
    const p = this.slotPrev[slot];
    const n = this.slotNext[slot];
    if (p === NONE) this.bucketHead[b] = n;
    else this.slotNext[p] = n;
    if (n === NONE) this.bucketTail[b] = p;
    else this.slotPrev[n] = p;
    if (this.bucketHead[b] === NONE) this.dropBucket(b);
  }

  insert(slot: number): void {
    const first = this.first;
    const b = first !== NONE && this.bucketFreq[first] === 1 ? first : this.newBucket(1, NONE);
    this.pushSlot(b, slot);
  }

  hit(slot: number): void {
    const b = this.slotBucket[slot];
    const freq = this.bucketFreq[b];
    if (freq === MAX_FREQ) {
      // Not the head means the bucket holds others too, so it survives the unlink.
      if (this.bucketHead[b] !== slot) {
        this.unlinkSlot(slot);
        this.pushSlot(b, slot);
      }
      return;
    }
    const next = this.bucketNext[b];
    const nextFits = next !== NONE && this.bucketFreq[next] === freq + 1;
    // Alone in its bucket and no bucket for freq + 1: raise the bucket in place.
    if (!nextFits && this.bucketHead[b] === slot && this.bucketTail[b] === slot) {
      this.bucketFreq[b] = freq + 1;
      return;
    }
    const target = nextFits ? next : this.newBucket(freq + 1, b);
    this.unlinkSlot(slot);
    this.pushSlot(target, slot);
  }

  update(slot: number): void {
    this.hit(slot);
  }

  remove(slot: number): void {
    this.unlinkSlot(slot);
  }

  evict(): number {
    const b = this.first;
    if (b === NONE) return NONE;
    const victim = this.bucketTail[b];
    this.unlinkSlot(victim);
    return victim;
  }

  clear(): void {
    // Return every bucket to the pool.
    this.freeBucketCount = 0;
    for (let b = this.bucketFreq.length - 1; b >= 0; b--) this.freeBuckets[this.freeBucketCount++] = b;
    this.first = NONE;
  }
}

export function createLfuPolicy(): EvictionPolicy {
  return new LfuPolicy();
}
