// STYLE 2: one clock interface, two implementations. The health checker takes
// a Clock so its unit tests run in virtual time instead of sleeping.
// (If a shared clock lands in @cdnlab/core later, this file should give way to it.)

export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A health timer must never keep a process alive on its own.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export interface VirtualClock extends Clock {
  /** Advance virtual time by `ms`, firing due timers in [time, seq] order and
   *  letting promise callbacks settle between them. */
  advance(ms: number): Promise<void>;
  pending(): number;
}

/**
 * Virtual time: timers kept ordered by [time, seq] so runs are deterministic.
 * A sorted array is enough here (tens of timers), and `loopLimit` stops a
 * timer that keeps rescheduling itself at the same instant from hanging a test.
 */
export function createVirtualClock(start = 0, loopLimit = 100_000): VirtualClock {
  let now = start;
  let seq = 0;
  const timers: VirtualTimer[] = [];
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const timer: VirtualTimer = { at: now + Math.max(0, ms), seq: seq++, fn, cancelled: false };
      let i = timers.length;
      while (i > 0 && (timers[i - 1].at > timer.at || (timers[i - 1].at === timer.at && timers[i - 1].seq > timer.seq))) i--;
      timers.splice(i, 0, timer);
      return timer;
    },
    clearTimeout(handle) {
      const timer = handle as VirtualTimer | undefined;
      if (!timer) return;
      timer.cancelled = true;
      const i = timers.indexOf(timer);
      if (i >= 0) timers.splice(i, 1);
    },
    async advance(ms) {
      const until = now + ms;
      let loops = 0;
      await settle();
      while (timers.length > 0 && timers[0].at <= until) {
        if (++loops > loopLimit) throw new Error(`virtual clock: more than ${loopLimit} timers fired in one advance`);
        const timer = timers.shift() as VirtualTimer;
        now = timer.at;
        timer.fn();
        await settle();
      }
      now = until;
      await settle();
    },
    pending: () => timers.length,
  };
}
