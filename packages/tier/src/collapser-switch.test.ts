import { createCollapser, type CollapseOutcome, type Scheduler } from '@cdnlab/core';
import { createSwitchableCollapser } from './collapser-switch';

const scheduler: Scheduler = { now: () => 0, setTimer: () => ({ cancel: () => undefined }) };
const make = (mode: 'wait' | 'off') => createCollapser<string>({ scheduler, mode });

describe('createSwitchableCollapser', () => {
  it('collapses the current way and switches for new requests', () => {
    const c = createSwitchableCollapser(make('wait'));
    expect(c.join('k', () => undefined).role).toBe('leader');
    expect(c.join('k', () => undefined).role).toBe('waiter');
    c.complete('k', 'v', { cacheable: true });
    c.switchTo(make('off'));
    expect(c.join('k', () => undefined)).toEqual({ role: 'bypass', reason: 'off' });
    expect(c.join('k', () => undefined).role).toBe('bypass');
  });

  it('delivers a leader that started before the switch to the waiters it had', () => {
    const c = createSwitchableCollapser(make('wait'));
    const got: Array<CollapseOutcome<string>> = [];
    c.join('k', () => undefined); // leader on the old collapser
    c.join('k', (o) => got.push(o)); // waiter on the old collapser
    c.switchTo(make('off'));
    expect(c.inFlight('k')).toBe(true);
    expect(c.waiterCount('k')).toBe(1);
    expect(c.size).toBe(1);
    c.complete('k', 'answer', { cacheable: true });
    expect(got).toEqual([{ kind: 'result', result: 'answer' }]);
    expect(c.inFlight('k')).toBe(false);
    expect(c.size).toBe(0);
  });

  it('delivers failures to the old waiters too, and keeps counters across switches', () => {
    const c = createSwitchableCollapser(make('wait'));
    const got: Array<CollapseOutcome<string>> = [];
    c.join('a', () => undefined);
    c.join('a', (o) => got.push(o));
    c.switchTo(make('wait'));
    c.join('b', () => undefined);
    c.join('b', () => undefined);
    c.fail('a', new Error('boom'));
    expect(got[0].kind).toBe('error');
    c.complete('b', 'x', { cacheable: true });
    c.switchTo(make('off'));
    c.join('c', () => undefined);
    const s = c.stats();
    expect(s.leaders).toBe(2);
    expect(s.collapsed).toBe(2);
    expect(s.errors).toBe(1);
    expect(s.served).toBe(1);
    expect(s.bypasses.off).toBe(1);
  });
});
