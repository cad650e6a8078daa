import type { HealthConfig } from './config';
import { type Clock, type TimerHandle, realClock } from './clock';

// Active health checking of edges. Each edge is probed every intervalMs with
// a timeout; `fall` consecutive failures mark it down, `rise` consecutive
// successes mark it up. Edges start 'unknown', which callers treat as usable:
// a DNS server that just restarted must not black-hole every edge until the
// first checks come back.

export type HealthState = 'unknown' | 'up' | 'down';

export interface HealthTarget {
  id: string;
  grpcAddress: string;
}

/** Resolves true when the target is serving; false or a rejection is a failure. */
export type HealthProbe = (target: HealthTarget, timeoutMs: number) => Promise<boolean>;

export interface HealthTransition {
  edgeId: string;
  from: HealthState;
  to: HealthState;
  at: number;
  /** Why the last check failed (when going down). */
  reason?: string;
}

export interface EdgeHealth {
  state: HealthState;
  /** Clock time of the last transition (or of start). */
  since: number;
  successes: number;
  failures: number;
  lastError?: string;
}

export interface HealthCheckerOptions {
  targets: readonly HealthTarget[];
  config: HealthConfig;
  probe: HealthProbe;
  clock?: Clock;
}

interface Slot extends EdgeHealth {
  target: HealthTarget;
  inFlight: boolean;
}

export class HealthChecker {
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<(t: HealthTransition) => void>();
  private readonly clock: Clock;
  private readonly config: HealthConfig;
  private readonly probe: HealthProbe;
  private timer: TimerHandle | undefined;
  private running = false;
  private stopped = false;

  constructor(opts: HealthCheckerOptions) {
    const { intervalMs, timeoutMs, fall, rise } = opts.config;
    for (const [name, v] of Object.entries({ intervalMs, timeoutMs, fall, rise })) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`expected opts.config.${name} to be a positive integer, got ${v}`);
    }
    if (typeof opts.probe !== 'function') throw new Error('expected opts.probe to be a function');
    this.clock = opts.clock ?? realClock;
    this.config = { ...opts.config };
    this.probe = opts.probe;
    for (const target of opts.targets) {
      this.slots.set(target.id, { target, state: 'unknown', since: this.clock.now(), successes: 0, failures: 0, inFlight: false });
    }
  }

  /** Subscribe to transitions; returns an unsubscribe function. */
  onTransition(fn: (t: HealthTransition) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  state(edgeId: string): HealthState {
    return this.slots.get(edgeId)?.state ?? 'unknown';
  }

  /** Unknown counts as usable; only a confirmed 'down' removes an edge. */
  usable(edgeId: string): boolean {
    return this.state(edgeId) !== 'down';
  }

  /**
   * How many consecutive check results disagree with the current state: a
   * failing-but-not-yet-down edge, or a recovering-but-not-yet-up one. The
   * state-aware TTL shrinks with it.
   */
  instability(edgeId: string): number {
    const s = this.slots.get(edgeId);
    if (!s) return 0;
    return s.state === 'down' ? s.successes : s.failures;
  }

  snapshot(): Record<string, EdgeHealth> {
    const out: Record<string, EdgeHealth> = {};
    for (const [id, s] of this.slots) {
      out[id] = { state: s.state, since: s.since, successes: s.successes, failures: s.failures, lastError: s.lastError };
    }
    return out;
  }

  /** Run one round of checks now and wait for all of them (also used by tests). */
  async checkAll(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => this.checkOne(slot)));
  }

  private tick(): void {
    if (!this.running) return;
    // Fixed rate: a slow probe does not stretch the interval; an edge whose
    // previous check is still running is skipped this round.
    void this.checkAll();
    this.timer = this.clock.setTimeout(() => this.tick(), this.config.intervalMs);
  }

  private async checkOne(slot: Slot): Promise<void> {
    if (slot.inFlight) return;
    slot.inFlight = true;
    let ok = false;
    let error: string | undefined;
    let timer: TimerHandle | undefined;
    try {
      // The timeout runs on our clock (virtual in tests) as well as being
      // handed to the probe as its own deadline.
      const timeout = new Promise<boolean>((_, reject) => {
        timer = this.clock.setTimeout(() => reject(new Error(`timed out after ${this.config.timeoutMs} ms`)), this.config.timeoutMs);
      });
      ok = await Promise.race([this.probe(slot.target, this.config.timeoutMs), timeout]);
      if (!ok) error = 'not serving';
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      slot.inFlight = false;
    }
    // A check that finishes after stop() must not flip state or log.
    if (this.stopped) return;
    this.record(slot, ok, error);
  }

  private record(slot: Slot, ok: boolean, error: string | undefined): void {
    if (ok) {
      slot.successes++;
      slot.failures = 0;
      slot.lastError = undefined;
      if (slot.state !== 'up' && slot.successes >= this.config.rise) this.transition(slot, 'up');
    } else {
      slot.failures++;
      slot.successes = 0;
      slot.lastError = error;
      if (slot.state !== 'down' && slot.failures >= this.config.fall) this.transition(slot, 'down', error);
    }
  }

  private transition(slot: Slot, to: HealthState, reason?: string): void {
    const from = slot.state;
    slot.state = to;
    slot.since = this.clock.now();
    const t: HealthTransition = { edgeId: slot.target.id, from, to, at: slot.since, reason };
    for (const fn of this.listeners) fn(t);
  }
}
