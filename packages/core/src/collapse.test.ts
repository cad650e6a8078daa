import { collapseAsync, createCollapser, type CollapseOutcome, type Collapser } from './collapse';
import type { Scheduler, TimerHandle } from './types';

/**
 * A tiny virtual-time scheduler: a binary heap ordered by [time, seq], so
 * timers due at the same instant run in the order they were set.
 */
class VirtualScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private heap: Array<{ at: number; seq: number; fn: () => void; cancelled: boolean }> = [];

  now(): number {
    return this.t;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const item = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.heap.push(item);
    this.up(this.heap.length - 1);
    return { cancel: () => void (item.cancelled = true) };
  }

  /** Runs every timer due up to `target`, then sets the clock to it. Bounded by a loop limit. */
  advanceTo(target: number, loopLimit = 100_000): void {
    for (let n = 0; this.heap.length > 0 && this.heap[0].at <= target; n++) {
      if (n >= loopLimit) throw new Error('loop limit reached');
      const item = this.pop();
      this.t = item.at;
      if (!item.cancelled) item.fn();
    }
    this.t = target;
  }

  get pending(): number {
    return this.heap.filter((i) => !i.cancelled).length;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      [this.heap[i], this.heap[p]] = [this.heap[p], this.heap[i]];
      i = p;
    }
  }

  private pop() {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        [this.heap[i], this.heap[m]] = [this.heap[m], this.heap[i]];
        i = m;
      }
    }
    return top;
  }
}

function joinMany(c: Collapser<string>, key: string, n: number) {
  const outcomes: Array<{ i: number; o: CollapseOutcome<string> }> = [];
  const roles = [];
  for (let i = 0; i < n; i++) roles.push(c.join(key, (o) => outcomes.push({ i, o })));
  return { roles, outcomes };
}

describe('virtual scheduler used by these tests', () => {
  it('runs timers in [time, seq] order', () => {
    const s = new VirtualScheduler();
    const seen: string[] = [];
    s.setTimer(5, () => seen.push('b'));
    s.setTimer(1, () => seen.push('a'));
    s.setTimer(5, () => seen.push('c'));
    s.setTimer(9, () => seen.push('late')).cancel();
    s.advanceTo(10);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(s.now()).toBe(10);
  });
});

describe('createCollapser', () => {
  it('validates options', () => {
    const scheduler = new VirtualScheduler();
    expect(() => createCollapser({ scheduler, mode: 'sometimes' as never })).toThrow(/opts\.mode/);
    expect(() => createCollapser({ scheduler, mode: 'lock-timeout', lockTimeoutMs: 0 })).toThrow('expected opts.lockTimeoutMs to be a positive number, got 0');
    expect(() => createCollapser({ scheduler, mode: 'wait', maxWaiters: -1 })).toThrow(/opts\.maxWaiters/);
    expect(() => createCollapser({ scheduler, mode: 'wait', hitForMissMs: NaN })).toThrow(/opts\.hitForMissMs/);
    expect(() => createCollapser({ scheduler: {} as never, mode: 'wait' })).toThrow(/opts\.scheduler/);
  });

  it('1,000 concurrent joins for a cold key: one leader, 999 results', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    const { roles, outcomes } = joinMany(c, 'k', 1000);
    expect(roles.filter((r) => r.role === 'leader')).toHaveLength(1);
    expect(roles[0].role).toBe('leader');
    expect(roles.filter((r) => r.role === 'waiter')).toHaveLength(999);
    expect(c.waiterCount('k')).toBe(999);
    expect(outcomes).toHaveLength(0);

    c.complete('k', 'body-v1', { cacheable: true });
    expect(outcomes).toHaveLength(999);
    expect(new Set(outcomes.map((x) => x.i)).size).toBe(999);
    expect(outcomes.every((x) => x.o.kind === 'result' && x.o.result === 'body-v1')).toBe(true);
    expect(c.inFlight('k')).toBe(false);
    expect(c.stats()).toMatchObject({ leaders: 1, collapsed: 999, served: 999 });
    // The next request after completion starts a fresh fetch (the cache serves it in practice).
    expect(c.join('k', () => undefined).role).toBe('leader');
  });

  it('keys are independent', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    expect(c.join('a', () => undefined).role).toBe('leader');
    expect(c.join('b', () => undefined).role).toBe('leader');
    expect(c.size).toBe(2);
  });

  it('a number key is its own key: 5 and "5" are two fetches, and two lone leaders never share waiters', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    expect(c.join(5, () => undefined).role).toBe('leader');
    expect(c.join('5', () => undefined).role).toBe('leader');
    expect(c.join(6, () => undefined).role).toBe('leader');
    const heard: string[] = [];
    expect(c.join(5, (o) => heard.push(`5:${o.kind === 'result' ? o.result : o.kind}`)).role).toBe('waiter');
    expect([c.waiterCount(5), c.waiterCount('5'), c.waiterCount(6)]).toEqual([1, 0, 0]);
    c.complete(6, 'six', { cacheable: true });
    c.complete('5', 'string five', { cacheable: true });
    expect(heard).toEqual([]);
    expect(c.inFlight(5)).toBe(true);
    c.complete(5, 'five', { cacheable: true });
    expect(heard).toEqual(['5:five']);
    expect(c.size).toBe(0);
    // A key whose one waiter left is still in flight until its leader settles it.
    c.join(7, () => undefined);
    const w = c.join(7, () => heard.push('7'));
    if (w.role !== 'waiter') throw new Error(`expected a waiter, got ${w.role}`);
    w.cancel();
    expect(c.waiterCount(7)).toBe(0);
    c.fail(7, new Error('gone'));
    expect(heard).toEqual(['5:five']);
    expect(() => c.complete(7, 'x', { cacheable: true })).toThrow('no fetch in flight for key 7');
    expect(c.stats()).toMatchObject({ leaders: 4, collapsed: 2, served: 1, cancelled: 1 });
  });

  it('keeps int32, other number and string keys apart through random joins, completions and failures (a model of flights)', () => {
    // Int32 keys live in an int table, others in a Map: both must act as one map of flights.
    const keys: Array<string | number> = [0, 1, 7, 8, 15, 16, 1023, -3, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2.5, '1', 'a', 'b'];
    const c = createCollapser<number>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    const waiting = new Map<string | number, number[]>(); // key -> ids of its waiters, join order
    const heard: Array<[number, string]> = [];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let op = 0; op < 20_000; op++) {
      const key = keys[next(keys.length)];
      const r = next(10);
      if (r < 6) {
        const id = op;
        const j = c.join(key, (o) => heard.push([id, o.kind === 'result' ? `result ${o.result}` : o.kind]));
        if (waiting.has(key)) {
          expect(j.role).toBe('waiter');
          waiting.get(key)!.push(id);
        } else {
          expect(j.role).toBe('leader');
          waiting.set(key, []);
        }
      } else if (waiting.has(key)) {
        const ids = waiting.get(key)!;
        waiting.delete(key);
        heard.length = 0;
        if (r < 9) c.complete(key, op, { cacheable: true });
        else c.fail(key, new Error('x'));
        expect(heard).toEqual(ids.map((id) => [id, r < 9 ? `result ${op}` : 'error']));
      } else {
        expect(() => c.complete(key, op, { cacheable: true })).toThrow('no fetch in flight');
      }
      expect(c.size).toBe(waiting.size);
      for (const k of keys) {
        expect(c.inFlight(k)).toBe(waiting.has(k));
        expect(c.waiterCount(k)).toBe(waiting.get(k)?.length ?? 0);
      }
    }
  });

  it('uncacheable: all waiters released together, then hit-for-miss bypass', () => {
    const scheduler = new VirtualScheduler();
    const c = createCollapser<string>({ scheduler, mode: 'wait', hitForMissMs: 1000 });
    const { outcomes } = joinMany(c, 'k', 1000);
    scheduler.advanceTo(50);
    // Every waiter must be released inside this one call, at the same instant,
    // with no timer left to drip the rest out later.
    c.complete('k', 'private body', { cacheable: false });
    expect(outcomes).toHaveLength(999);
    expect(outcomes.every((x) => x.o.kind === 'uncacheable')).toBe(true);
    expect(scheduler.pending).toBe(0);

    scheduler.advanceTo(1049);
    expect(c.join('k', () => undefined)).toEqual({ role: 'bypass', reason: 'hit-for-miss' });
    scheduler.advanceTo(1050);
    expect(c.join('k', () => undefined).role).toBe('leader');
    expect(c.stats()).toMatchObject({ uncacheableReleased: 999, bypasses: { hitForMiss: 1, off: 0, waitersFull: 0 } });
  });

  it('clearHitForMiss ends the bypass early', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    c.join('k', () => undefined);
    c.complete('k', 'x', { cacheable: false });
    expect(c.join('k', () => undefined).role).toBe('bypass');
    c.clearHitForMiss('k');
    expect(c.join('k', () => undefined).role).toBe('leader');
  });

  it('hitForMissMs: 0 disables hit-for-miss', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait', hitForMissMs: 0 });
    c.join('k', () => undefined);
    c.complete('k', 'x', { cacheable: false });
    expect(c.join('k', () => undefined).role).toBe('leader');
  });

  it('lock-timeout: each waiter is released lockTimeoutMs after it joined, told not to store', () => {
    const scheduler = new VirtualScheduler();
    const c = createCollapser<string>({ scheduler, mode: 'lock-timeout', lockTimeoutMs: 100 });
    const log: Array<[string, number, CollapseOutcome<string>['kind']]> = [];
    c.join('k', () => undefined); // leader at t=0
    c.join('k', (o) => log.push(['w0', scheduler.now(), o.kind]));
    scheduler.advanceTo(30);
    c.join('k', (o) => log.push(['w30', scheduler.now(), o.kind]));
    scheduler.advanceTo(60);
    c.join('k', (o) => {
      log.push(['w60', scheduler.now(), o.kind]);
      expect(o).toEqual({ kind: 'timeout', mustNotStore: true });
    });

    scheduler.advanceTo(99);
    expect(log).toEqual([]);
    scheduler.advanceTo(130);
    expect(log).toEqual([
      ['w0', 100, 'timeout'],
      ['w30', 130, 'timeout'],
    ]);
    expect(c.waiterCount('k')).toBe(1);
    scheduler.advanceTo(500);
    expect(log.map((l) => l.slice(0, 2))).toEqual([
      ['w0', 100],
      ['w30', 130],
      ['w60', 160],
    ]);
    expect(c.stats().timeouts).toBe(3);
    // The leader's fetch is still in flight; later joiners still wait for it.
    expect(c.inFlight('k')).toBe(true);
    const late: string[] = [];
    c.join('k', (o) => late.push(o.kind));
    c.complete('k', 'v', { cacheable: true });
    expect(late).toEqual(['result']);
    expect(scheduler.pending).toBe(0);
  });

  it("wait mode: waiters wait as long as the leader takes", () => {
    const scheduler = new VirtualScheduler();
    const c = createCollapser<string>({ scheduler, mode: 'wait' });
    c.join('k', () => undefined);
    const got: string[] = [];
    c.join('k', (o) => got.push(o.kind));
    expect(scheduler.pending).toBe(0);
    scheduler.advanceTo(1e9);
    expect(got).toEqual([]);
    c.complete('k', 'v', { cacheable: true });
    expect(got).toEqual(['result']);
  });

  it('maxWaiters: the overflow bypasses', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait', maxWaiters: 3 });
    const { roles } = joinMany(c, 'k', 6);
    expect(roles.map((r) => r.role)).toEqual(['leader', 'waiter', 'waiter', 'waiter', 'bypass', 'bypass']);
    expect(roles[5]).toEqual({ role: 'bypass', reason: 'waiters-full' });
    expect(c.stats().bypasses.waitersFull).toBe(2);
  });

  it("mode 'off' bypasses everything", () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'off' });
    expect(c.join('k', () => undefined)).toEqual({ role: 'bypass', reason: 'off' });
    expect(c.join('k', () => undefined)).toEqual({ role: 'bypass', reason: 'off' });
    expect(c.inFlight('k')).toBe(false);
  });

  it('a cancelled waiter is removed and never called; the leader can see nobody waits', () => {
    const scheduler = new VirtualScheduler();
    const c = createCollapser<string>({ scheduler, mode: 'lock-timeout', lockTimeoutMs: 10 });
    c.join('k', () => undefined);
    const calls: string[] = [];
    const w1 = c.join('k', () => calls.push('w1'));
    const w2 = c.join('k', () => calls.push('w2'));
    if (w1.role !== 'waiter' || w2.role !== 'waiter') throw new Error('expected waiters');
    w1.cancel();
    w1.cancel(); // idempotent
    expect(c.waiterCount('k')).toBe(1);
    w2.cancel();
    expect(c.waiterCount('k')).toBe(0); // the leader may now abort its upstream fetch
    scheduler.advanceTo(100);
    c.fail('k', new Error('aborted: nobody waits'));
    expect(calls).toEqual([]);
    expect(c.stats().cancelled).toBe(2);
  });

  it('leader fail propagates the error to every waiter', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    const { outcomes } = joinMany(c, 'k', 4);
    const err = new Error('origin 502');
    c.fail('k', err);
    expect(outcomes.map((x) => x.o)).toEqual([
      { kind: 'error', error: err },
      { kind: 'error', error: err },
      { kind: 'error', error: err },
    ]);
    expect(c.inFlight('k')).toBe(false);
    expect(c.join('k', () => undefined).role).toBe('leader');
  });

  it('complete/fail without a flight is a programming error', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    expect(() => c.complete('nope', 'x', { cacheable: true })).toThrow(/no fetch in flight for key "nope"/);
  });

  it('a throwing waiter callback does not strand the others', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    c.join('k', () => undefined);
    const got: string[] = [];
    c.join('k', () => {
      throw new Error('bad callback');
    });
    c.join('k', (o) => got.push(o.kind));
    expect(() => c.complete('k', 'v', { cacheable: true })).toThrow('bad callback');
    expect(got).toEqual(['result']);
  });

  it('a waiter may be an object with a collapsed method, mixed with function waiters, in join order', () => {
    const scheduler = new VirtualScheduler();
    const c = createCollapser<string>({ scheduler, mode: 'lock-timeout', lockTimeoutMs: 100 });
    const heard: string[] = [];
    class Req {
      constructor(readonly name: string) {}
      collapsed(o: CollapseOutcome<string>): void {
        heard.push(`${this.name}:${o.kind}${o.kind === 'result' ? `=${o.result}` : ''}`);
      }
    }
    expect(c.join('k', new Req('leader')).role).toBe('leader');
    expect(c.join('k', new Req('a')).role).toBe('waiter');
    expect(c.join('k', (o) => heard.push(`fn:${o.kind}`)).role).toBe('waiter');
    const late = new Req('late');
    scheduler.advanceTo(50);
    expect(c.join('k', late).role).toBe('waiter');
    // The first two time out at 100 ms; `late` waits on and gets the result.
    scheduler.advanceTo(100);
    expect(heard).toEqual(['a:timeout', 'fn:timeout']);
    c.complete('k', 'v1', { cacheable: true });
    expect(heard).toEqual(['a:timeout', 'fn:timeout', 'late:result=v1']);
    // A leader's object is never called.
    expect(heard.some((h) => h.startsWith('leader'))).toBe(false);
  });

  it('names a waiter that is neither a function nor a collapsed(outcome) object', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    expect(() => c.join('k', {} as never)).toThrow('expected onResult to be a function or an object with a collapsed(outcome) method, got [object Object]');
    expect(() => c.join('k', undefined as never)).toThrow(/got undefined/);
    // Nothing was started by the refused joins.
    expect(c.inFlight('k')).toBe(false);
  });

  it('a waiter callback that re-joins starts a fresh flight', () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait', hitForMissMs: 0 });
    c.join('k', () => undefined);
    const roles: string[] = [];
    c.join('k', () => roles.push(c.join('k', () => undefined).role));
    c.complete('k', 'v', { cacheable: false });
    expect(roles).toEqual(['leader']);
  });
});

describe('collapseAsync', () => {
  const tick = () => new Promise<void>((r) => queueMicrotask(r));

  it('runs fetch once for concurrent callers and shares the result', async () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    let fetches = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = async () => {
      fetches++;
      await gate;
      return { result: 'v1', cacheable: true };
    };
    const all = Promise.all(Array.from({ length: 50 }, () => collapseAsync(c, 'k', fetch)));
    await tick();
    release();
    const got = await all;
    expect(fetches).toBe(1);
    expect(got.filter((g) => g.via === 'leader' && g.mayStore)).toHaveLength(1);
    expect(got.filter((g) => g.via === 'waiter' && !g.mayStore && g.result === 'v1')).toHaveLength(49);
  });

  it('uncacheable: every caller fetches on its own, in parallel', async () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    let inFlight = 0;
    let maxInFlight = 0;
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const fetch = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate;
      inFlight--;
      return { result: 'private', cacheable: false };
    };
    const all = Promise.all(Array.from({ length: 10 }, () => collapseAsync(c, 'k', fetch)));
    await tick();
    const firstRelease = release;
    gate = new Promise<void>((r) => (release = r));
    firstRelease();
    for (let i = 0; i < 10; i++) await tick();
    expect(maxInFlight).toBe(9); // the 9 released waiters are upstream at the same time
    release();
    const got = await all;
    expect(got.filter((g) => g.via === 'uncacheable')).toHaveLength(9);
    expect(got.every((g) => !g.mayStore)).toBe(true);
  });

  it('propagates the leader error to every caller', async () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    const fetch = async () => {
      await Promise.resolve();
      throw new Error('boom');
    };
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => collapseAsync(c, 'k', fetch)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(c.inFlight('k')).toBe(false);
  });

  it('after a lock timeout the caller fetches itself and must not store', async () => {
    const scheduler = new VirtualScheduler();
    const c = createCollapser<string>({ scheduler, mode: 'lock-timeout', lockTimeoutMs: 10 });
    let n = 0;
    let releaseLeader!: () => void;
    const leaderGate = new Promise<void>((r) => (releaseLeader = r));
    const fetch = async () => {
      n++;
      if (n === 1) await leaderGate;
      return { result: `v${n}`, cacheable: true };
    };
    const leader = collapseAsync(c, 'k', fetch);
    const waiter = collapseAsync(c, 'k', fetch);
    scheduler.advanceTo(10);
    await expect(waiter).resolves.toEqual({ result: 'v2', cacheable: true, via: 'timeout', mayStore: false });
    releaseLeader();
    await expect(leader).resolves.toMatchObject({ via: 'leader', mayStore: true });
  });

  it('a cacheable answer on a hit-for-miss bypass ends hit-for-miss', async () => {
    const c = createCollapser<string>({ scheduler: new VirtualScheduler(), mode: 'wait' });
    await collapseAsync(c, 'k', async () => ({ result: 'private', cacheable: false }));
    const r = await collapseAsync(c, 'k', async () => ({ result: 'public', cacheable: true }));
    expect(r).toEqual({ result: 'public', cacheable: true, via: 'bypass', mayStore: true });
    expect(c.join('k', () => undefined).role).toBe('leader');
  });
});
