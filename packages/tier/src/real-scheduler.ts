import type { Scheduler } from '@cdnlab/core';

/**
 * Longest delay Node's timers hold (2^31 - 1 ms, 24.8 days). Node runs a
 * longer one after 1 ms, with a warning: under a lock timeout of 2^40 ms set
 * over TierAdmin, the collapser's timer fired and re-armed itself every
 * millisecond while anyone waited, printing a TimeoutOverflowWarning each time.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Wall-clock time and real timers: the services' half of STYLE 2 (the
 * simulator's half is @cdnlab/sim's virtual scheduler). Timers are unref'd so
 * a pending background refresh never keeps a stopping process alive. A delay
 * past MAX_TIMER_MS waits MAX_TIMER_MS: for a running node, 24.8 days is
 * as good as never.
 */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.min(delayMs, MAX_TIMER_MS));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
