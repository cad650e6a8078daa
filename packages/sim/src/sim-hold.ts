/**
 * What waits on a simulated process that cannot answer: one frozen
 * (SIGSTOP, `pause`) or one off its network (`disconnect`). The cache nodes
 * and the origin share these rules; each keeps its own lists.
 *
 * - Frozen: what reaches it waits in its socket until it wakes; a caller
 *   whose deadline comes first hears its timeout then (expireIfStill).
 * - Off its network: a message to or from it is lost, and TCP sends it
 *   again (200 ms after it was sent, then at doubling intervals), so it
 *   goes through at the first retransmission after the process is back
 *   (releaseCut), unless its sender's deadline passes first (holdCut).
 *   Measured in compose with `docker network disconnect`: no refusal, no
 *   reset, callers wait.
 */
import { retransmissionAfter } from '@cdnlab/core';
import type { VirtualScheduler } from './virtual-scheduler';

/** A message to or from a process off its network, waiting for it to come back. */
export interface CutOffMessage {
  /** When it was sent: TCP's retransmissions are timed from it. */
  sentAt: number;
  /** Delivered, or given up by its sender. */
  done: boolean;
  deliver: () => void;
}

/**
 * Holds a message in `list` while its process is off its network: `deliver`
 * runs when it gets through after releaseCut (and checks the process's state
 * again), or `giveUp` when the sender's `deadline` passes first.
 */
export function holdCut(list: CutOffMessage[], scheduler: VirtualScheduler, deadline: number, deliver: () => void, giveUp: () => void): void {
  const now = scheduler.now();
  const m: CutOffMessage = { sentAt: now, done: false, deliver };
  list.push(m);
  scheduler.schedule(Math.max(0, deadline - now), () => {
    if (m.done) return;
    m.done = true;
    giveUp();
  });
}

/**
 * Holds a message in `list` until its process is back, however long that
 * takes: one whose sender gave up on it but which TCP still carries (a
 * purge: see SimCacheNode.holdUntilBack).
 */
export function holdCutUntilBack(list: CutOffMessage[], scheduler: VirtualScheduler, deliver: () => void): void {
  list.push({ sentAt: scheduler.now(), done: false, deliver });
}

/** The process is back on its network: each message still waiting goes through at its next retransmission. */
export function releaseCut(waiting: readonly CutOffMessage[], scheduler: VirtualScheduler): void {
  const now = scheduler.now();
  for (const m of waiting) {
    if (m.done) continue;
    scheduler.schedule(retransmissionAfter(m.sentAt, now), () => {
      if (m.done) return;
      m.done = true;
      m.deliver();
    });
  }
}

/**
 * At `deadline`, if `still()` (the process is still frozen and the caller
 * still waiting), runs `giveUp`: the caller's own deadline passing, which a
 * frozen process cannot prevent.
 */
export function expireIfStill(scheduler: VirtualScheduler, deadline: number, still: () => boolean, giveUp: () => void): void {
  scheduler.schedule(Math.max(0, deadline - scheduler.now()), () => {
    if (still()) giveUp();
  });
}

/**
 * Holds a request or answer in `held` (run when the frozen process wakes,
 * or dies) unless the caller's `deadline` comes first while `frozen()`:
 * then `giveUp` runs, and the held delivery is dropped when the process
 * wakes (the caller's cancellation is read with it).
 */
export function holdFrozen(held: Array<() => void>, scheduler: VirtualScheduler, deadline: number, frozen: () => boolean, deliver: () => void, giveUp: () => void): void {
  let waiting = true;
  held.push(() => {
    if (!waiting) return;
    waiting = false;
    deliver();
  });
  expireIfStill(scheduler, deadline, () => frozen() && waiting, () => {
    waiting = false;
    giveUp();
  });
}
