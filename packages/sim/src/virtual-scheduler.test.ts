import fc from 'fast-check';
import { createVirtualScheduler, LoopLimitError, type VirtualScheduler } from './virtual-scheduler';

/** Sets a timer one of three ways (0 schedule, 1 scheduleTask, 2 setTimer, then cancelled if asked); true when it is to fire. */
function setBy(s: VirtualScheduler, kind: number, delay: number, fire: () => void, cancel: boolean): boolean {
  if (kind === 0) s.schedule(delay, fire);
  else if (kind === 1) s.scheduleTask(delay, { run: fire });
  else {
    const h = s.setTimer(delay, fire);
    if (cancel) {
      h.cancel();
      return false;
    }
  }
  return true;
}

describe('virtual scheduler', () => {
  it('fires timers in time order and, at equal times, in the order they were set', () => {
    const s = createVirtualScheduler();
    const seen: string[] = [];
    s.setTimer(20, () => seen.push('b@20'));
    s.setTimer(10, () => seen.push('a@10'));
    s.setTimer(20, () => seen.push('c@20'));
    s.setTimer(0, () => seen.push('z@0'));
    expect(s.runAll()).toBe(4);
    expect(seen).toEqual(['z@0', 'a@10', 'b@20', 'c@20']);
    expect(s.now()).toBe(20);
  });

  it('advances now to each timer and to the horizon of runUntil', () => {
    const s = createVirtualScheduler({ startMs: 1000 });
    const at: number[] = [];
    s.setTimer(5, () => { at.push(s.now()); s.setTimer(5, () => at.push(s.now())); });
    expect(s.runUntil(1007)).toBe(1);
    expect(s.now()).toBe(1007);
    expect(s.pending).toBe(1);
    s.runUntil(1010);
    expect(at).toEqual([1005, 1010]);
  });

  it('runs task objects in the same (time, order set) order as callbacks, and a task may reschedule itself', () => {
    const s = createVirtualScheduler();
    const seen: string[] = [];
    // A three-step task (out, there, back), like a call over the simulated network.
    const task = {
      step: 0,
      run(): void {
        seen.push(`task${this.step}@${s.now()}`);
        if (++this.step < 3) s.scheduleTask(10, this);
      },
    };
    s.schedule(10, () => seen.push('fn@10'));
    s.scheduleTask(10, task);
    s.setTimer(20, () => seen.push('timer@20'));
    expect(s.pending).toBe(3);
    expect(s.runAll()).toBe(5);
    expect(seen).toEqual(['fn@10', 'task0@10', 'timer@20', 'task1@20', 'task2@30']);
    expect(s.pending).toBe(0);
    expect(() => s.scheduleTask(-1, task)).toThrow(/expected delayMs to be a non-negative number, got -1/);
  });

  it('skips cancelled timers and counts pending correctly', () => {
    const s = createVirtualScheduler();
    const fired: number[] = [];
    const h = s.setTimer(1, () => fired.push(1));
    s.setTimer(2, () => fired.push(2));
    h.cancel();
    h.cancel();
    expect(s.pending).toBe(1);
    s.runAll();
    expect(fired).toEqual([2]);
    expect(s.pending).toBe(0);
  });

  it('is deterministic on a large random schedule', () => {
    const run = (): number[] => {
      const s = createVirtualScheduler();
      const out: number[] = [];
      let x = 7;
      for (let i = 0; i < 5000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const id = i;
        s.setTimer(x % 100, () => out.push(id));
      }
      s.runAll();
      return out;
    };
    const a = run();
    expect(a).toHaveLength(5000);
    expect(run()).toEqual(a);
  });

  it('keeps [time, seq] order past its first growth, with timers set and cancelled while it drains', () => {
    const s = createVirtualScheduler();
    const fired: Array<[number, number]> = [];
    const expected: Array<{ at: number; seq: number; id: number }> = [];
    let seq = 0;
    let x = 11;
    const rand = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    const set = (id: number, delay: number, cancel: boolean, kind: number): void => {
      const at = s.now() + delay;
      const mySeq = seq++;
      const fire = (): void => {
        fired.push([s.now(), id]);
        // Half the timers set another while the heap is being drained.
        if (id < 100_000 && rand(2) === 0) set(id + 100_000, rand(40), rand(5) === 0, rand(3));
      };
      if (setBy(s, kind, delay, fire, cancel)) expected.push({ at, seq: mySeq, id });
    };
    // 3,000 at once (the heap starts with room for 1,024), then more while it drains in steps.
    for (let i = 0; i < 3000; i++) set(i, rand(200), rand(4) === 0, rand(3));
    for (let until = 0; until <= 400; until += 7) {
      s.runUntil(until);
      for (let k = 0; k < 20; k++) set(3000 + until * 20 + k, rand(100), rand(4) === 0, rand(3));
    }
    s.runAll();
    expect(s.pending).toBe(0);
    expected.sort((a, b) => a.at - b.at || a.seq - b.seq);
    expect(fired.length).toBeGreaterThan(4000);
    expect(fired).toEqual(expected.map((e) => [e.at, e.id]));
  });

  it('tells when the earliest timer is due, a cancelled one included, Infinity when none is left', () => {
    const s = createVirtualScheduler({ startMs: 100 });
    expect(s.nextDueMs()).toBe(Infinity);
    s.schedule(50, () => undefined);
    const early = s.setTimer(20, () => undefined);
    expect(s.nextDueMs()).toBe(120);
    early.cancel();
    expect(s.nextDueMs()).toBe(120); // still queued: nothing due is ever earlier
    expect(s.runUntil(130)).toBe(0);
    expect(s.nextDueMs()).toBe(150);
    s.runAll();
    expect(s.nextDueMs()).toBe(Infinity);
  });

  it('stops a model that reschedules itself forever', () => {
    const s = createVirtualScheduler({ loopLimit: 100 });
    const again = (): void => { s.setTimer(1, again); };
    again();
    expect(() => s.runAll()).toThrow(LoopLimitError);
  });

  it('validates its options', () => {
    expect(() => createVirtualScheduler({ loopLimit: -1 })).toThrow('expected opts.loopLimit to be a positive integer, got -1');
    expect(() => createVirtualScheduler().setTimer(-5, () => undefined)).toThrow('expected delayMs to be a non-negative number, got -5');
  });

  it('files schedule() timers in the same [time, seq] order as setTimer ones, and counts them as pending', () => {
    const s = createVirtualScheduler();
    const seen: string[] = [];
    s.schedule(10, () => seen.push('a@10'));
    const h = s.setTimer(10, () => seen.push('b@10'));
    s.schedule(5, () => {
      seen.push('c@5');
      s.schedule(5, () => seen.push('d@10'));
    });
    s.setTimer(10, () => seen.push('e@10')).cancel();
    expect(s.pending).toBe(3);
    expect(s.runAll()).toBe(4);
    expect(seen).toEqual(['c@5', 'a@10', 'b@10', 'd@10']);
    h.cancel(); // after firing: no effect on the count
    expect(s.pending).toBe(0);
    expect(() => s.schedule(-1, () => undefined)).toThrow('expected delayMs to be a non-negative number, got -1');
  });

  it('fires any mix of timers, nested timers and cancellations in [time, seq] order (property)', () => {
    const op = fc.record({ delay: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean(), handle: fc.boolean(), child: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const s = createVirtualScheduler();
        const fired: Array<[number, number]> = [];
        // The reference: every timer that is not cancelled, by (due time, order of setting).
        const expected: Array<{ at: number; seq: number; id: number }> = [];
        let seq = 0;
        ops.forEach((o, id) => {
          const mySeq = seq++;
          const fire = (): void => {
            fired.push([s.now(), id]);
            if (o.child !== undefined) {
              const childSeq = seq++;
              expected.push({ at: s.now() + o.child, seq: childSeq, id: -id - 1 });
              s.schedule(o.child, () => fired.push([s.now(), -id - 1]));
            }
          };
          if (o.handle || o.cancel) {
            const h = s.setTimer(o.delay, fire);
            if (o.cancel) h.cancel();
          } else s.schedule(o.delay, fire);
          if (!o.cancel) expected.push({ at: o.delay, seq: mySeq, id });
        });
        expect(s.pending).toBe(ops.filter((o) => !o.cancel).length);
        s.runAll();
        expect(s.pending).toBe(0);
        expected.sort((a, b) => a.at - b.at || a.seq - b.seq);
        expect(fired).toEqual(expected.map((e) => [e.at, e.id]));
      }),
    );
  });

  it('fires in [time, seq] order whether a delay repeats (a lane) or not, across lanes made, emptied and given to other delays (property)', () => {
    // Repeated delays get lanes (a few very often: lanes past their first
    // 16 timers); one-off ones (jitter) go into the heap; 600 distinct
    // repeated delays are more than the lane table's 256 slots, so slots
    // collide and empty lanes change hands. Timers are set from inside
    // others and between runUntil steps, as a simulation sets them.
    const delay = fc.oneof(
      { arbitrary: fc.constantFrom(0, 1, 2, 15, 0.1 + 0.2, 40.5, 1e6), weight: 2 },
      { arbitrary: fc.integer({ min: 0, max: 599 }).map((k) => k * 0.37), weight: 4 },
      { arbitrary: fc.double({ min: 0, max: 100, noNaN: true }), weight: 1 },
    );
    const op = fc.record({ delay, child: fc.option(delay, { nil: undefined }), kind: fc.integer({ min: 0, max: 2 }), cancel: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 1500, size: 'max' }), fc.integer({ min: 1, max: 50 }), (ops, step) => {
        const s = createVirtualScheduler();
        const fired: Array<[number, number]> = [];
        const expected: Array<{ at: number; seq: number; id: number }> = [];
        let seq = 0;
        const set = (id: number, d: number, kind: number, cancel: boolean, child: number | undefined): void => {
          const at = s.now() + d;
          const mySeq = seq++;
          const fire = (): void => {
            fired.push([s.now(), id]);
            if (child !== undefined) set(-id - 1, child, kind, false, undefined);
          };
          if (setBy(s, kind, d, fire, cancel)) expected.push({ at, seq: mySeq, id });
        };
        ops.forEach((o, i) => {
          set(i, o.delay, o.kind, o.cancel, o.child);
          if (i % 100 === 99) s.runUntil(s.now() + step);
        });
        s.runAll();
        expect(s.pending).toBe(0);
        expected.sort((a, b) => a.at - b.at || a.seq - b.seq);
        expect(fired).toEqual(expected.map((e) => [e.at, e.id]));
      }),
      { numRuns: 100, seed: 23 },
    );
  });
});
