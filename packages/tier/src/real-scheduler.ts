import type { Scheduler } from '@cdnlab/core';

/**
 * Wall-clock time and real timers: the services' half of STYLE 2 (the
 * simulator's half is @cdnlab/sim's virtual scheduler). Timers are unref'd so
 * a pending background refresh never keeps a stopping process alive.
 */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
