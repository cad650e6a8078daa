/**
 * A doubly linked queue of slot ids kept in one Int32Array, the building
 * block the list-based policies share (LRU, FIFO, SIEVE, S3-FIFO's small,
 * main and ghost queues). Head = newest, tail = oldest. O(1) push, unlink
 * and pop; no allocation except when `grow` doubles the array.
 *
 * A slot's two links sit side by side (`links[2s]` towards the head,
 * `links[2s + 1]` towards the tail) so a move touches one cache line per
 * node rather than two: on a 100 k-entry LRU that is most of the cost.
 *
 * A slot must be in at most one position of a queue; the caller keeps track
 * of membership (unlinking a slot that is not linked corrupts the queue).
 */
import { growInt32 } from './eviction-policy';

const NONE = -1;

export class SlotQueue {
  /** links[2s] = newer neighbour (-1 at the head), links[2s+1] = older (-1 at the tail). */
  links: Int32Array;
  head = NONE;
  tail = NONE;
  length = 0;

  constructor(slotCount: number) {
    this.links = new Int32Array(slotCount * 2).fill(NONE);
  }

  grow(slotCount: number): void {
    if (slotCount * 2 <= this.links.length) return;
    this.links = growInt32(this.links, slotCount * 2, NONE);
  }

  /**
   * Use `other`'s link array (call again after `other` grows). Queues whose
   * slots never overlap, like S3-FIFO's small and main, can share one array
   * and so one cache line per slot.
   */
  shareLinks(other: SlotQueue): void {
    this.links = other.links;
  }

  /** The neighbour towards the head (newer), or -1. */
  newer(slot: number): number {
    return this.links[2 * slot];
  }

  /** The neighbour towards the tail (older), or -1. */
  older(slot: number): number {
    return this.links[2 * slot + 1];
  }

  pushHead(slot: number): void {
    const links = this.links;
    const head = this.head;
    links[2 * slot] = NONE;
    links[2 * slot + 1] = head;
    if (head === NONE) this.tail = slot;
    else links[2 * head] = slot;
    this.head = slot;
    this.length++;
  }

  unlink(slot: number): void {
    const links = this.links;
    const p = links[2 * slot];
    const n = links[2 * slot + 1];
    if (p === NONE) this.head = n;
    else links[2 * p + 1] = n;
    if (n === NONE) this.tail = p;
    else links[2 * n] = p;
    this.length--;
  }

  /** Moves a linked slot to the head (LRU's hit). */
  moveToHead(slot: number): void {
    const head = this.head;
    if (slot === head) return;
    const links = this.links;
    // slot is not the head, so it has a newer neighbour p.
    const p = links[2 * slot];
    const n = links[2 * slot + 1];
    links[2 * p + 1] = n;
    if (n === NONE) this.tail = p;
    else links[2 * n] = p;
    links[2 * slot] = NONE;
    links[2 * slot + 1] = head;
    links[2 * head] = slot;
    this.head = slot;
  }

  /** Unlinks and returns the tail, or -1 when empty. */
  popTail(): number {
    const t = this.tail;
    if (t !== NONE) this.unlink(t);
    return t;
  }

  clear(): void {
    this.head = NONE;
    this.tail = NONE;
    this.length = 0;
  }
}
