import { createVirtualScheduler, LoopLimitError } from './virtual-scheduler';

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
});
