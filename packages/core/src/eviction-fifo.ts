/**
 * FIFO: evict the entry inserted longest ago; hits change nothing. The
 * baseline the FIFO-based designs (SIEVE, S3-FIFO) improve on.
 */
import type { EvictionPolicy } from './eviction-policy';
import { SlotQueue } from './eviction-slot-queue';

export class FifoPolicy implements EvictionPolicy {
  readonly name = 'fifo';
  readonly wantsKeyHash = false;
  private readonly queue = new SlotQueue(0);

  grow(slotCount: number): void {
    this.queue.grow(slotCount);
  }

  insert(slot: number): void {
    this.queue.pushHead(slot);
  }

  hit(): void {
    // Insertion order alone decides: an access does not reorder.
  }

  update(): void {
    // An in-place rewrite keeps the entry's place in the queue.
  }

  remove(slot: number): void {
    this.queue.unlink(slot);
  }

  evict(): number {
    return this.queue.popTail();
  }

  clear(): void {
    this.queue.clear();
  }
}

export function createFifoPolicy(): EvictionPolicy {
  return new FifoPolicy();
}
