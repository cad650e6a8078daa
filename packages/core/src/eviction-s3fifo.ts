/**
 * S3-FIFO (Yang, Zhang, Qiu, Yue, Rashmi: "FIFO queues are all you need for
 * cache eviction", SOSP '23). Three FIFO queues:
 *
 * - small (S), 10 % of the bytes: where new entries land. Most objects in
 *   web traces are requested once ("one-hit wonders"); S lets them leave
 *   quickly without disturbing the rest (quick demotion).
 * - main (M), the other 90 %: entries that proved themselves. Eviction from
 *   M is FIFO with reinsertion: an entry accessed since it was last looked at
 *   goes back to the head with its counter decremented (lazy promotion).
 * - ghost (G): keys (hashes) of entries recently evicted from S, no data,
 *   holding as many bytes' worth as M. A miss on a key still in G goes
 *   straight to M: it was evicted too early.
 *
 * Each entry has a frequency counter capped at 3 (two bits in the paper),
 * incremented on every hit.
 *
 * Choices where the paper leaves room, each mirrored by the reference model
 * in the tests:
 * - Evict from M when M holds more than its 90 % or S is empty; otherwise
 *   from S (as the authors' libCacheSim does).
 * - Evicting from S: the tail moves to M's head with its counter reset to 0
 *   if it was hit at least once while in S; otherwise it is evicted and its
 *   key hash enters G. This repeats until something is evicted; if S drains
 *   entirely into M, eviction continues from M.
 * - Evicting from M: the tail is evicted when its counter is 0; otherwise it
 *   is decremented and the entry goes back to M's head.
 * - Unlike libCacheSim we do not refuse objects larger than S: admission is
 *   the Store's job (maxObjectBytes); such an object simply leaves S soon.
 * - G is a FIFO with a byte budget equal to M's share; an entry taken out
 *   on a ghost hit frees its bytes at once. It remembers 30-bit key hashes
 *   (two keys may collide: the cost is one entry admitted to M early, never
 *   a wrong answer).
 *
 * Speed: every miss probes G's hash table for the key, and every eviction
 * from S inserts one entry into it and usually retires the oldest: three
 * probes per miss, mostly into memory no other request touches. On the
 * eviction benchmark (100 k entries) they are most of S3-FIFO's time: with
 * G disabled it runs about 3x faster, at LRU's speed. G is already a ring of
 * (hash, size) with an IntIndex from hash to ring position (a linked ghost
 * with a Map index was slower still); per slot, the counter and queue flag
 * share one byte, size and hash one Float64Array line, and S and M share
 * one link array. The remaining fix would be to keep G's hashes in the
 * Store's own index (a tombstone where the evicted key was), so that the
 * miss's own lookup answers "was it in G?"; not done.
 */
import type { EvictionPolicy } from './eviction-policy';
import { growFloat64, growUint8 } from './eviction-policy';
import { SlotQueue } from './eviction-slot-queue';
import { IntIndex } from './int-index';

const NONE = -1;
/** Counter cap: two bits, as in the paper. */
const MAX_FREQ = 3;
const FREQ_MASK = 3;
/** State bit set while the slot is in M. */
const IN_MAIN = 4;
/** Ring size of an entry taken out of G (live entries are at least 1 byte). */
const DEAD = -1;
/** S's share of the bytes, as in the paper. */
export const S3FIFO_SMALL_RATIO = 0.1;

/** A FIFO of remembered key hashes with a byte budget and O(1) take-out. */
class GhostRing {
  private hashes = new Int32Array(16);
  private sizes = new Float64Array(16);
  private mask = 15;
  /** Ring position of the oldest entry. */
  private oldest = 0;
  /** Entries in the ring, dead ones included. */
  private count = 0;
  private bytes = 0;
  private readonly index = new IntIndex();

  constructor(private readonly capacityBytes: number) {}

  add(hash: number, size: number): void {
    if (this.capacityBytes <= 0) return;
    if (this.count === this.mask + 1) this.grow();
    const pos = (this.oldest + this.count) & this.mask;
    this.hashes[pos] = hash;
    this.sizes[pos] = size;
    this.count++;
    this.bytes += size;
    const previous = this.index.set(hash, pos);
    if (previous >= 0) this.kill(previous);
    while (this.bytes > this.capacityBytes) this.popOldest();
    this.popDead();
  }

  /** True (and forgets it) when `hash` is remembered. */
  take(hash: number): boolean {
    const pos = this.index.take(hash);
    if (pos < 0) return false;
    this.kill(pos);
    this.popDead();
    return true;
  }

  clear(): void {
    this.index.clear();
    this.oldest = 0;
    this.count = 0;
    this.bytes = 0;
  }

  private kill(pos: number): void {
    this.bytes -= this.sizes[pos];
    this.sizes[pos] = DEAD;
  }

  private popOldest(): void {
    const pos = this.oldest;
    const size = this.sizes[pos];
    if (size !== DEAD) {
      this.bytes -= size;
      this.index.deleteIfValue(this.hashes[pos], pos);
    }
    this.oldest = (pos + 1) & this.mask;
    this.count--;
  }

  /** Dead entries at the old end hold nothing: drop them so the ring stays short. */
  private popDead(): void {
    while (this.count > 0 && this.sizes[this.oldest] === DEAD) {
      this.oldest = (this.oldest + 1) & this.mask;
      this.count--;
    }
  }

  /** Doubles the ring, laying entries out from position 0 (so live positions change). */
  private grow(): void {
    const size = (this.mask + 1) * 2;
    const hashes = new Int32Array(size);
    const sizes = new Float64Array(size);
    for (let i = 0; i < this.count; i++) {
      const from = (this.oldest + i) & this.mask;
      hashes[i] = this.hashes[from];
      sizes[i] = this.sizes[from];
      if (sizes[i] !== DEAD) this.index.set(hashes[i], i);
    }
    this.hashes = hashes;
    this.sizes = sizes;
    this.mask = size - 1;
    this.oldest = 0;
  }
}

export class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo';
  readonly wantsKeyHash = true;
  private readonly small = new SlotQueue(0);
  private readonly main = new SlotQueue(0);
  private readonly ghost: GhostRing;
  /** Per slot: bits 0-1 the counter, IN_MAIN while in M. */
  private state = new Uint8Array(0);
  /** Per slot: [size, key hash]. */
  private sizeHash = new Float64Array(0);
  private smallBytes = 0;
  private mainBytes = 0;
  private readonly mainTarget: number;

  constructor(capacityBytes: number) {
    const smallTarget = Math.max(1, Math.floor(capacityBytes * S3FIFO_SMALL_RATIO));
    this.mainTarget = Math.max(0, capacityBytes - smallTarget);
    this.ghost = new GhostRing(this.mainTarget);
  }

  grow(slotCount: number): void {
    this.small.grow(slotCount);
    this.main.shareLinks(this.small);
    if (slotCount <= this.state.length) return;
    this.state = growUint8(this.state, slotCount);
    this.sizeHash = growFloat64(this.sizeHash, slotCount * 2);
  }

  insert(slot: number, size: number, keyHash: number): void {
    this.sizeHash[2 * slot] = size;
    this.sizeHash[2 * slot + 1] = keyHash;
    if (this.ghost.take(keyHash)) {
      this.state[slot] = IN_MAIN;
      this.main.pushHead(slot);
      this.mainBytes += size;
    } else {
      this.state[slot] = 0;
      this.small.pushHead(slot);
      this.smallBytes += size;
    }
  }

  hit(slot: number): void {
    const s = this.state[slot];
    if ((s & FREQ_MASK) < MAX_FREQ) this.state[slot] = s + 1;
  }

  update(slot: number, size: number): void {
    this.hit(slot);
    const delta = size - this.sizeHash[2 * slot];
    this.sizeHash[2 * slot] = size;
    if ((this.state[slot] & IN_MAIN) !== 0) this.mainBytes += delta;
    else this.smallBytes += delta;
  }

  remove(slot: number): void {
    const size = this.sizeHash[2 * slot];
    if ((this.state[slot] & IN_MAIN) !== 0) {
      this.main.unlink(slot);
      this.mainBytes -= size;
    } else {
      this.small.unlink(slot);
      this.smallBytes -= size;
    }
  }

  evict(): number {
    for (;;) {
      if (this.mainBytes > this.mainTarget || this.small.length === 0) return this.evictMain();
      const victim = this.evictSmall();
      if (victim !== NONE) return victim;
    }
  }

  private evictSmall(): number {
    const small = this.small;
    const state = this.state;
    while (small.length > 0) {
      const t = small.popTail();
      const size = this.sizeHash[2 * t];
      this.smallBytes -= size;
      if ((state[t] & FREQ_MASK) !== 0) {
        // Hit while in S: promote to M with a fresh counter.
        state[t] = IN_MAIN;
        this.main.pushHead(t);
        this.mainBytes += size;
      } else {
        this.ghost.add(this.sizeHash[2 * t + 1], size);
        return t;
      }
    }
    return NONE;
  }

  private evictMain(): number {
    const main = this.main;
    const state = this.state;
    for (;;) {
      const t = main.tail;
      if (t === NONE) return NONE;
      const s = state[t];
      if ((s & FREQ_MASK) === 0) {
        main.unlink(t);
        this.mainBytes -= this.sizeHash[2 * t];
        return t;
      }
      state[t] = s - 1;
      main.moveToHead(t);
    }
  }

  clear(): void {
    this.small.clear();
    this.main.clear();
    this.ghost.clear();
    this.smallBytes = 0;
    this.mainBytes = 0;
  }
}

export function createS3FifoPolicy(capacityBytes: number): EvictionPolicy {
  return new S3FifoPolicy(capacityBytes);
}
