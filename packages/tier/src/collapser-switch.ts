/**
 * A collapser whose mode can change while requests are in flight (TierAdmin
 * SetCacheSettings: collapsing off, wait or lock-timeout at run time).
 *
 * New requests join the current collapser. A fetch that started on an older
 * one still has its waiters there, so the leader's complete/fail must reach
 * that one: each call on a key goes to the oldest collapser that has the
 * key in flight (a flight that began before the switch is the one most
 * likely to end first), else to the current one. If two flights of one key overlap across a switch and end in the other
 * order, each set of waiters gets the other leader's answer for the same
 * key, which is as good as their own. Retired collapsers are dropped once
 * nothing is in flight on them; their counters are kept.
 */
import type { CollapseKey, Collapser, CollapserStats } from '@cdnlab/core';

export interface SwitchableCollapser<R> extends Collapser<R> {
  /** New requests use `next` from now on. */
  switchTo(next: Collapser<R>): void;
}

export function emptyCollapserStats(): CollapserStats {
  return { leaders: 0, collapsed: 0, served: 0, timeouts: 0, uncacheableReleased: 0, errors: 0, cancelled: 0, bypasses: { off: 0, hitForMiss: 0, waitersFull: 0 } };
}

export function addCollapserStats(a: CollapserStats, b: CollapserStats): CollapserStats {
  return {
    leaders: a.leaders + b.leaders,
    collapsed: a.collapsed + b.collapsed,
    served: a.served + b.served,
    timeouts: a.timeouts + b.timeouts,
    uncacheableReleased: a.uncacheableReleased + b.uncacheableReleased,
    errors: a.errors + b.errors,
    cancelled: a.cancelled + b.cancelled,
    bypasses: {
      off: a.bypasses.off + b.bypasses.off,
      hitForMiss: a.bypasses.hitForMiss + b.bypasses.hitForMiss,
      waitersFull: a.bypasses.waitersFull + b.bypasses.waitersFull,
    },
  };
}

export function createSwitchableCollapser<R>(initial: Collapser<R>): SwitchableCollapser<R> {
  let current = initial;
  /** Older collapsers with flights still running, oldest first. */
  let retired: Collapser<R>[] = [];
  let finished = emptyCollapserStats();

  const owner = (key: CollapseKey): Collapser<R> => retired.find((c) => c.inFlight(key)) ?? current;
  const prune = (): void => {
    if (retired.length === 0) return;
    const keep: Collapser<R>[] = [];
    for (const c of retired) {
      if (c.size > 0) keep.push(c);
      else finished = addCollapserStats(finished, c.stats());
    }
    retired = keep;
  };

  return {
    join: (key, onResult) => current.join(key, onResult),
    complete(key, result, opts) {
      owner(key).complete(key, result, opts);
      prune();
    },
    fail(key, error) {
      owner(key).fail(key, error);
      prune();
    },
    waiterCount: (key) => owner(key).waiterCount(key),
    inFlight: (key) => current.inFlight(key) || retired.some((c) => c.inFlight(key)),
    clearHitForMiss(key) {
      current.clearHitForMiss(key);
      for (const c of retired) c.clearHitForMiss(key);
    },
    get size() {
      return retired.reduce((n, c) => n + c.size, current.size);
    },
    stats: () => [current, ...retired].reduce((sum, c) => addCollapserStats(sum, c.stats()), finished),
    switchTo(next) {
      if (next === current) return;
      retired.push(current);
      current = next;
      prune();
    },
  };
}
