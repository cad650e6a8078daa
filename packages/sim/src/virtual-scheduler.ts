import type { Scheduler, TimerHandle } from '@cdnlab/core';

/**
 * Virtual time (STYLE 2): a binary heap of timers ordered by [time, seq], so two
 * timers due at the same instant always fire in the order they were set and a
 * run is the same for the same inputs. `run` stops after `loopLimit` timers so a
 * model that keeps rescheduling itself fails loudly instead of spinning forever.
 */
export interface VirtualScheduler extends Scheduler {
  /** Fire every timer due up to and including `untilMs`; returns how many fired. */
  runUntil(untilMs: number): number;
  /** Fire timers until none are left (or the loop limit trips). */
  runAll(): number;
  /** Timers still waiting. */
  readonly pending: number;
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

export function createVirtualScheduler(opts: VirtualSchedulerOptions = {}): VirtualScheduler {
  const startMs = opts.startMs ?? 0;
  const loopLimit = opts.loopLimit ?? 1e9;
  if (!Number.isFinite(startMs)) throw new TypeError(`expected opts.startMs to be a finite number, got ${startMs}`);
  if (!Number.isInteger(loopLimit) || loopLimit <= 0) throw new TypeError(`expected opts.loopLimit to be a positive integer, got ${loopLimit}`);

  // A timer is cancelled by flagging it; it stays in the heap and is skipped
  // when it surfaces, so cancel is O(1).
  interface Timer { fn: () => void; state: 'waiting' | 'fired' | 'cancelled' }
  const times: number[] = [];
  const seqs: number[] = [];
  const entries: Timer[] = [];
  let now = startMs;
  let nextSeq = 0;
  let live = 0;

  const less = (a: number, b: number): boolean => times[a] < times[b] || (times[a] === times[b] && seqs[a] < seqs[b]);
  const swap = (a: number, b: number): void => {
    [times[a], times[b]] = [times[b], times[a]];
    [seqs[a], seqs[b]] = [seqs[b], seqs[a]];
    [entries[a], entries[b]] = [entries[b], entries[a]];
  };
  const push = (t: number, timer: Timer): void => {
    let i = times.length;
    times.push(t); seqs.push(nextSeq++); entries.push(timer);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p); i = p;
    }
  };
  const pop = (): void => {
    const last = times.length - 1;
    swap(0, last);
    times.pop(); seqs.pop(); entries.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < times.length && less(l, m)) m = l;
      if (r < times.length && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m); i = m;
    }
  };

  const fire = (untilMs: number): number => {
    let fired = 0;
    while (times.length > 0 && times[0] <= untilMs) {
      const t = times[0], timer = entries[0];
      pop();
      if (timer.state === 'cancelled') continue;
      timer.state = 'fired';
      live--;
      now = t;
      if (++fired > loopLimit) throw new LoopLimitError(loopLimit, now);
      timer.fn();
    }
    if (untilMs !== Infinity && untilMs > now) now = untilMs;
    return fired;
  };

  return {
    now: () => now,
    setTimer(delayMs: number, fn: () => void): TimerHandle {
      if (!(delayMs >= 0)) throw new TypeError(`expected delayMs to be a non-negative number, got ${delayMs}`);
      const timer: Timer = { fn, state: 'waiting' };
      push(now + delayMs, timer);
      live++;
      return {
        cancel: () => {
          if (timer.state !== 'waiting') return;
          timer.state = 'cancelled';
          live--;
        },
      };
    },
    runUntil: (untilMs: number) => fire(untilMs),
    runAll: () => fire(Infinity),
    get pending() { return live; },
  };
}
