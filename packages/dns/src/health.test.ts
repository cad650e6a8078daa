import { createVirtualClock } from './clock';
import { HealthChecker, type HealthProbe, type HealthTransition } from './health';

const targets = [
  { id: 'e1', grpcAddress: '127.0.0.1:1' },
  { id: 'e2', grpcAddress: '127.0.0.1:2' },
];
const config = { intervalMs: 2000, timeoutMs: 1000, fall: 2, rise: 3 };

/** A probe whose answers the test sets per edge: 'ok', 'fail' (rejects), 'hang' (never settles). */
function scriptedProbe() {
  const mode: Record<string, 'ok' | 'fail' | 'not-serving' | 'hang'> = { e1: 'ok', e2: 'ok' };
  const calls: string[] = [];
  const probe: HealthProbe = (t) => {
    calls.push(t.id);
    switch (mode[t.id]) {
      case 'ok':
        return Promise.resolve(true);
      case 'not-serving':
        return Promise.resolve(false);
      case 'fail':
        return Promise.reject(new Error('connection refused'));
      default:
        return new Promise(() => undefined);
    }
  };
  return { mode, calls, probe };
}

function setup() {
  const clock = createVirtualClock(0);
  const script = scriptedProbe();
  const checker = new HealthChecker({ targets, config, probe: script.probe, clock });
  const transitions: HealthTransition[] = [];
  checker.onTransition((t) => transitions.push(t));
  return { clock, checker, transitions, ...script };
}

describe('HealthChecker (virtual time)', () => {
  it('starts unknown and usable, not down', () => {
    const { checker } = setup();
    expect(checker.state('e1')).toBe('unknown');
    expect(checker.usable('e1')).toBe(true);
  });

  it('checks at the interval and goes up after `rise` successes', async () => {
    const { clock, checker, calls, transitions } = setup();
    checker.start();
    await clock.advance(0);
    expect(calls).toEqual(['e1', 'e2']);
    await clock.advance(2000);
    expect(checker.state('e1')).toBe('unknown');
    await clock.advance(2000); // third success
    expect(checker.state('e1')).toBe('up');
    expect(transitions.filter((t) => t.edgeId === 'e1')).toEqual([{ edgeId: 'e1', from: 'unknown', to: 'up', at: 4000, reason: undefined }]);
    expect(calls.length).toBe(6);
    checker.stop();
  });

  it('goes down after `fall` failures and back up after `rise` successes', async () => {
    const { clock, checker, mode, transitions } = setup();
    checker.start();
    await clock.advance(4000);
    expect(checker.state('e1')).toBe('up');
    mode.e1 = 'fail';
    await clock.advance(2000);
    expect(checker.state('e1')).toBe('up');
    expect(checker.instability('e1')).toBe(1);
    await clock.advance(2000);
    expect(checker.state('e1')).toBe('down');
    expect(checker.usable('e1')).toBe(false);
    expect(checker.snapshot().e1.lastError).toBe('connection refused');
    mode.e1 = 'ok';
    await clock.advance(4000);
    expect(checker.state('e1')).toBe('down');
    expect(checker.instability('e1')).toBe(2);
    await clock.advance(2000);
    expect(checker.state('e1')).toBe('up');
    expect(transitions.filter((t) => t.edgeId === 'e1').map((t) => `${t.from}->${t.to}@${t.at}`)).toEqual([
      'unknown->up@4000',
      'up->down@8000',
      'down->up@14000',
    ]);
    expect(checker.state('e2')).toBe('up');
    checker.stop();
  });

  it('counts NOT_SERVING as a failure', async () => {
    const { clock, checker, mode } = setup();
    mode.e2 = 'not-serving';
    checker.start();
    await clock.advance(2000);
    expect(checker.state('e2')).toBe('down');
    expect(checker.snapshot().e2.lastError).toBe('not serving');
    checker.stop();
  });

  it('times a hanging probe out on its own clock, and skips an edge whose check is in flight', async () => {
    const { clock, checker, mode, calls, transitions } = setup();
    const slow = new HealthChecker({ targets, config: { ...config, timeoutMs: 3000 }, probe: (t, ms) => (t.id === 'e1' ? new Promise(() => undefined) : Promise.resolve(ms > 0)), clock });
    slow.start();
    await clock.advance(2000); // e1's first check still in flight: no second call, not down yet
    expect(slow.snapshot().e1.failures).toBe(0);
    await clock.advance(1000); // timed out at 3000
    expect(slow.snapshot().e1.failures).toBe(1);
    expect(slow.snapshot().e1.lastError).toBe('timed out after 3000 ms');
    slow.stop();

    mode.e1 = 'hang';
    checker.start();
    await clock.advance(1000);
    expect(checker.snapshot().e1.failures).toBe(1);
    await clock.advance(2000);
    expect(checker.state('e1')).toBe('down');
    expect(transitions.find((t) => t.to === 'down')?.reason).toBe('timed out after 1000 ms');
    expect(calls.filter((c) => c === 'e1').length).toBe(2);
    checker.stop();
  });

  it('stops scheduling after stop()', async () => {
    const { clock, checker, calls } = setup();
    checker.start();
    await clock.advance(0);
    checker.stop();
    const before = calls.length;
    await clock.advance(10_000);
    expect(calls.length).toBe(before);
  });

  it('validates its options', () => {
    expect(() => new HealthChecker({ targets, config: { ...config, fall: 0 }, probe: () => Promise.resolve(true) })).toThrow(
      'expected opts.config.fall to be a positive integer, got 0',
    );
  });
});
