/**
 * LRU: evict the entry whose last access is oldest. A hit moves the slot to
 * the head of one linked queue; the victim is the tail.
 */
import type { EvictionPolicy } from './eviction-policy';
import { SlotQueue } from './eviction-slot-queue';

export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  readonly wantsKeyHash = false;
  private readonly queue = new SlotQueue(0);

  grow(slotCount: number): void {
    this.queue.grow(slotCount);
  }

  insert(slot: number): void {
    this.queue.pushHead(slot);
  }

  hit(slot: number): void {
    this.queue.moveToHead(slot);
  }

  update(slot: number): void {
    this.queue.moveToHead(slot);
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

export function createLruPolicy(): EvictionPolicy {
  return new LruPolicy();
}
