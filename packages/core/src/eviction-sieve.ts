/**
 * SIEVE (Zhang, Yang, Yue, Vigfusson, Rashmi: "SIEVE is Simpler than LRU",
 * NSDI '24). One FIFO queue, one visited bit per entry and a moving hand.
 *
 * - A hit only sets the visited bit: no list operation, which is why it is
 *   cheap and scales.
 * - New entries go to the head; they never jump over the hand.
 * - To evict, the hand walks from where it stopped (from the tail the first
 *   time, and again after it falls off the head) towards the head, clearing
 *   visited bits, and evicts the first entry whose bit is clear. Survivors
 *   keep their position (unlike CLOCK/FIFO-reinsertion, which move them to
 *   the head), so old popular entries sit behind the hand and new entries
 *   are judged quickly: "lazy promotion and quick demotion".
 */
import type { EvictionPolicy } from './eviction-policy';
import { growUint8 } from './eviction-policy';
import { SlotQueue } from './eviction-slot-queue';

const NONE = -1;

export class SievePolicy implements EvictionPolicy {
  readonly name = 'sieve';
  readonly wantsKeyHash = false;
  private readonly queue = new SlotQueue(0);
  private visited = new Uint8Array(0);
  /** Next slot the hand inspects, or -1 to start again from the tail. */
  private hand = NONE;

  grow(slotCount: number): void {
    this.queue.grow(slotCount);
    if (slotCount > this.visited.length) this.visited = growUint8(this.visited, slotCount);
  }

  insert(slot: number): void {
    this.visited[slot] = 0;
    this.queue.pushHead(slot);
  }

  hit(slot: number): void {
    this.visited[slot] = 1;
  }

  update(slot: number): void {
    this.visited[slot] = 1;
  }

  remove(slot: number): void {
    // The hand must not point at a slot that is gone: step it to the newer neighbour.
    if (slot === this.hand) this.hand = this.queue.newer(slot);
    this.queue.unlink(slot);
  }

  evict(): number {
    const queue = this.queue;
    const visited = this.visited;
    let h = this.hand === NONE ? queue.tail : this.hand;
    if (h === NONE) return NONE;
    while (visited[h] !== 0) {
      visited[h] = 0;
      h = queue.newer(h);
      if (h === NONE) h = queue.tail;
    }
    this.hand = queue.newer(h);
    queue.unlink(h);
    return h;
  }

  clear(): void {
    this.queue.clear();
    this.hand = NONE;
  }
}

export function createSievePolicy(): EvictionPolicy {
  return new SievePolicy();
}
