import type { Scheduler, TimerHandle } from '@cdnlab/core';

/**
 * Virtual time (STYLE 2): a binary heap of timers ordered by [time, seq], so two
 * timers due at the same instant always fire in the order they were set and a
 * run is the same for the same inputs. `run` stops after `loopLimit` timers so a
 * model that keeps rescheduling itself fails loudly instead of spinning forever.
 *
 * A simulation of ten million requests sets some eighty million timers, so the
 * heap keeps times and sequence numbers in typed arrays (no per-timer key
 * objects), moves a hole instead of swapping, and `schedule` files the
 * callback itself: a timer nobody will cancel costs no handle object.
 * `scheduleTask` files an object with a `run` method: a model whose steps
 * share state (a call going out, handled, coming back) keeps it in one
 * object it reschedules, instead of a new closure per step.
 */
export interface VirtualScheduler extends Scheduler {
  /** Like setTimer, for a timer that is never cancelled: no handle is made. */
  schedule(delayMs: number, fn: () => void): void;
  /** Like schedule, for an object: `task.run()` is called when it is due. The same task may be scheduled again once it ran. */
  scheduleTask(delayMs: number, task: Task): void;
  /** Fire every timer due up to and including `untilMs`; returns how many fired. */
  runUntil(untilMs: number): number;
  /** Fire timers until none are left (or the loop limit trips). */
  runAll(): number;
  /** Timers still waiting. */
  readonly pending: number;
  /**
   * When the earliest timer in the queue is due (Infinity when it is
   * empty). A cancelled timer still in the queue counts, so nothing due
   * is ever earlier than this.
   */
  nextDueMs(): number;
}

/** A step of a model, scheduled with `scheduleTask`. */
export interface Task {
  run(): void;
}

export interface VirtualSchedulerOptions {
  startMs?: number;
  loopLimit?: number;
}

export class LoopLimitError extends Error {
  readonly code = 'LOOP_LIMIT';
  constructor(limit: number, nowMs: number) {
    super(`virtual scheduler fired ${limit} timers without running dry (now=${nowMs} ms): a model is rescheduling itself forever, or raise opts.loopLimit`);
  }
}

const WAITING = 0;
const FIRED = 1;
const CANCELLED = 2;

/**
 * A timer that may be cancelled. Cancelling flags it; it stays in the heap
 * and is skipped when it surfaces, so cancel is O(1).
 */
class CancellableTimer implements TimerHandle, Task {
  state = WAITING;

  constructor(
    readonly fn: () => void,
    private readonly owner: HeapScheduler,
  ) {}

  run(): void {
    this.state = FIRED;
    this.fn();
  }

  cancel(): void {
    if (this.state !== WAITING) return;
    this.state = CANCELLED;
    this.owner.live--;
  }
}

type Item = (() => void) | Task;

class HeapScheduler implements VirtualScheduler {
  live = 0;
  private nowMs: number;
  private nextSeq = 0;
  private size = 0;
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private items: (Item | undefined)[] = new Array<Item | undefined>(1024).fill(undefined);

  constructor(
    startMs: number,
    private readonly loopLimit: number,
  ) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  get pending(): number {
    return this.live;
  }

  nextDueMs(): number {
    return this.size > 0 ? this.times[0] : Infinity;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    checkDelay(delayMs);
    const timer = new CancellableTimer(fn, this);
    this.push(this.nowMs + delayMs, timer);
    return timer;
  }

  schedule(delayMs: number, fn: () => void): void {
    checkDelay(delayMs);
    this.push(this.nowMs + delayMs, fn);
  }

  scheduleTask(delayMs: number, task: Task): void {
    checkDelay(delayMs);
    this.push(this.nowMs + delayMs, task);
  }

  runUntil(untilMs: number): number {
    return this.fire(untilMs);
  }

  runAll(): number {
    return this.fire(Infinity);
  }

  private push(t: number, item: Item): void {
    if (this.size === this.times.length) this.grow();
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const seq = this.nextSeq++;
    this.live++;
    // Sift the hole up; a new timer is later than every equal-time one (larger seq).
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] <= t) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      items[i] = items[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Removes the earliest timer (the caller read it first). */
  private popRoot(): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const n = --this.size;
    const t = times[n];
    const s = seqs[n];
    const item = items[n];
    items[n] = undefined;
    if (n === 0) return;
    // Sift the hole down from the root with the last element.
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (times[r] < times[c] || (times[r] === times[c] && seqs[r] < seqs[c]))) c = r;
      if (times[c] > t || (times[c] === t && seqs[c] > s)) break;
      times[i] = times[c];
      seqs[i] = seqs[c];
      items[i] = items[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    items[i] = item;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    this.seqs = seqs;
    for (let i = this.items.length; i < n; i++) this.items.push(undefined);
  }

  private fire(untilMs: number): number {
    let fired = 0;
    while (this.size > 0 && this.times[0] <= untilMs) {
      const t = this.times[0];
      const item = this.items[0] as Item;
      this.popRoot();
      if (item instanceof CancellableTimer && item.state === CANCELLED) continue;
      this.live--;
      this.nowMs = t;
      if (++fired > this.loopLimit) throw new LoopLimitError(this.loopLimit, t);
      if (typeof item === 'function') item();
      else item.run();
    }
    if (untilMs !== Infinity && untilMs > this.nowMs) this.nowMs = untilMs;
    return fired;
  }
}

function checkDelay(delayMs: number): void {
  if (!(delayMs >= 0)) throw new TypeError(`expected delayMs to be a non-negative number, got ${delayMs}`);
}

export function createVirtualScheduler(opts: VirtualSchedulerOptions = {}): VirtualScheduler {
  const startMs = opts.startMs ?? 0;
  const loopLimit = opts.loopLimit ?? 1e9;
  if (!Number.isFinite(startMs)) throw new TypeError(`expected opts.startMs to be a finite number, got ${startMs}`);
  if (!Number.isInteger(loopLimit) || loopLimit <= 0) throw new TypeError(`expected opts.loopLimit to be a positive integer, got ${loopLimit}`);
  return new HeapScheduler(startMs, loopLimit);
}
