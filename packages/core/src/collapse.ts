/**
 * Request collapsing (STYLE 7): a map from cache key to the one upstream
 * fetch in flight. The first request for a cold key becomes the *leader* and
 * goes upstream; the rest become *waiters* and receive the leader's answer.
 * Without it, a popular object that expires sends one origin request per
 * client request until the first answer lands (the thundering herd).
 *
 * Modelled on Varnish's waiting list (with hit-for-miss) and nginx's
 * `proxy_cache_lock` / `proxy_cache_lock_timeout`. The collapser is
 * callback-based and reads time only through the `Scheduler`, so the same
 * code runs behind real sockets and inside the virtual-time simulator.
 *
 * Named edge cases:
 * - **Uncacheable answer** (private, Set-Cookie, no-store …): the leader's
 *   answer may not be shared, so every waiter is released *at once* with
 *   `uncacheable` and goes upstream in parallel. Handing them out one by one
 *   would serialise them behind each other: Varnish's classic waiting-list
 *   stall. The key is then remembered as *hit-for-miss* for `hitForMissMs`,
 *   so later requests skip the waiting list until a cacheable answer arrives
 *   (`clearHitForMiss`).
 * - **Lock timeout** (`mode: 'lock-timeout'`): a waiter that has waited
 *   `lockTimeoutMs` is released with `timeout` to fetch on its own, and
 *   must not store what it gets (nginx does the same), so a slow leader cannot
 *   be overtaken by a second copy racing into the cache.
 * - **Waiting list full** (`maxWaiters`): further requests bypass collapsing
 *   rather than pile up without bound.
 * - **Leader's client gone**: the collapser does not know about clients. The
 *   caller keeps the upstream fetch running while `waiterCount(key) > 0` and
 *   may abort it, then call `fail`, once nobody waits.
 * - **Body already streaming**: out of scope here; results are whole values.
 */
import type { Scheduler, TimerHandle } from './types';

/**
 * What a collapser tells fetches apart by: a cache key, or a number that
 * stands for one (the simulator's key ids, key-ids.ts: a Map finds a small
 * int without reading a key string far away in memory). A caller uses one
 * form per key, always the same: 5 and '5' are two keys.
 */
export type CollapseKey = string | number;

/** How requests for the same key are combined. */
export type CollapseMode = 'wait' | 'lock-timeout' | 'off';

/** Options for {@link createCollapser}. */
export interface CollapserOptions {
  scheduler: Scheduler;
  /** `wait`: wait for the leader however long it takes; `lock-timeout`: at most `lockTimeoutMs`; `off`: every request bypasses. */
  mode: CollapseMode;
  /** Longest wait in `lock-timeout` mode. Default 5000 (nginx `proxy_cache_lock_timeout`). */
  lockTimeoutMs?: number;
  /** Most waiters per key; more bypass with `waiters-full`. Default unlimited. */
  maxWaiters?: number;
  /** How long a key stays hit-for-miss after an uncacheable answer; 0 disables. Default 120000 (Varnish's built-in VCL). */
  hitForMissMs?: number;
}

/** What a waiter receives. */
export type CollapseOutcome<R> =
  /** The leader's cacheable answer, shared. */
  | { kind: 'result'; result: R }
  /** The leader's fetch failed. */
  | { kind: 'error'; error: unknown }
  /** The answer may not be shared: fetch upstream yourself (everyone does, in parallel). */
  | { kind: 'uncacheable' }
  /** Waited `lockTimeoutMs`: fetch upstream yourself and do NOT store the answer. */
  | { kind: 'timeout'; mustNotStore: true };

/**
 * A waiter as an object whose `collapsed` method receives the outcome: a
 * caller that already has an object per request (the simulator's) joins
 * with it instead of making a closure for every miss, most of which never
 * wait.
 */
export interface CollapseWaiter<R> {
  collapsed(outcome: CollapseOutcome<R>): void;
}

/** Why a request was not collapsed. */
export type BypassReason = 'off' | 'hit-for-miss' | 'waiters-full';

/** The role a request got from {@link Collapser.join}. */
export type JoinResult =
  /** Fetch upstream, then call `complete` or `fail`. */
  | { role: 'leader' }
  /** Wait for `onResult`; `cancel` if the client goes away (onResult is then never called). */
  | { role: 'waiter'; cancel(): void }
  /** Fetch upstream on your own; `onResult` is never called. */
  | { role: 'bypass'; reason: BypassReason };

/** Counters since creation. */
export interface CollapserStats {
  leaders: number;
  /** Requests that joined as waiters. */
  collapsed: number;
  /** Waiters answered with the leader's result. */
  served: number;
  timeouts: number;
  /** Waiters released because the answer was uncacheable. */
  uncacheableReleased: number;
  /** Waiters that received the leader's error. */
  errors: number;
  cancelled: number;
  bypasses: { off: number; hitForMiss: number; waitersFull: number };
}

export interface Collapser<R> {
  /** Joins the fetch for `key`, starting one (leader) if none is in flight. A waiter hears the outcome through `onResult`. */
  join(key: CollapseKey, onResult: ((outcome: CollapseOutcome<R>) => void) | CollapseWaiter<R>): JoinResult;
  /** The leader's fetch succeeded. Delivers to every waiter before returning. */
  complete(key: CollapseKey, result: R, opts: { cacheable: boolean }): void;
  /** The leader's fetch failed (or was abandoned). Delivers to every waiter. */
  fail(key: CollapseKey, error: unknown): void;
  /** Waiters still waiting on `key` (0 if none or nothing in flight). */
  waiterCount(key: CollapseKey): number;
  /** Whether a leader is fetching `key`. */
  inFlight(key: CollapseKey): boolean;
  /** A later fetch of `key` was cacheable: stop bypassing it. */
  clearHitForMiss(key: CollapseKey): void;
  /** Keys with a fetch in flight. */
  readonly size: number;
  stats(): CollapserStats;
}

interface Waiter<R> {
  onResult: ((o: CollapseOutcome<R>) => void) | CollapseWaiter<R>;
  deadline: number;
}

const NOBODY: never[] = [];
const LEADER: JoinResult = Object.freeze({ role: 'leader' });

interface Flight<R> {
  /** Insertion order = join order = deadline order (one constant timeout). */
  waiters: Map<number, Waiter<R>>;
  timer: TimerHandle | undefined;
}

/**
 * The flight of a leader nobody has joined yet. Most fetches gather no
 * waiter: they all share this value, never written to, and a flight gets
 * an object (and a waiter map) of its own when its first waiter comes.
 */
const ALONE: Flight<never> = Object.freeze({ waiters: new Map<number, Waiter<never>>(), timer: undefined });

/**
 * Creates a collapser. Options are validated here.
 *
 * @throws TypeError naming the bad option.
 */
export function createCollapser<R>(opts: CollapserOptions): Collapser<R> {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`expected opts to be an object, got ${String(opts)}`);
  const { scheduler, mode } = opts;
  if (!scheduler || typeof scheduler.now !== 'function' || typeof scheduler.setTimer !== 'function') {
    throw new TypeError('expected opts.scheduler to be a Scheduler with now() and setTimer()');
  }
  if (mode !== 'wait' && mode !== 'lock-timeout' && mode !== 'off') {
    throw new TypeError(`expected opts.mode to be 'wait', 'lock-timeout' or 'off', got ${JSON.stringify(mode)}`);
  }
  const lockTimeoutMs = opts.lockTimeoutMs ?? 5000;
  if (!Number.isFinite(lockTimeoutMs) || lockTimeoutMs <= 0) {
    throw new TypeError(`expected opts.lockTimeoutMs to be a positive number, got ${String(opts.lockTimeoutMs)}`);
  }
  const maxWaiters = opts.maxWaiters ?? Infinity;
  if (maxWaiters !== Infinity && (!Number.isInteger(maxWaiters) || maxWaiters < 0)) {
    throw new TypeError(`expected opts.maxWaiters to be a non-negative integer, got ${String(opts.maxWaiters)}`);
  }
  const hitForMissMs = opts.hitForMissMs ?? 120_000;
  if (!Number.isFinite(hitForMissMs) || hitForMissMs < 0) {
    throw new TypeError(`expected opts.hitForMissMs to be a non-negative number, got ${String(opts.hitForMissMs)}`);
  }

  return new FlightTable<R>(scheduler, mode, lockTimeoutMs, maxWaiters, hitForMissMs);
}

/**
 * The collapser itself: a class, not an object of closures, so every
 * collapser's methods are the same functions, on one prototype (as
 * http-cache.ts's TierCache, which says why).
 */
class FlightTable<R> implements Collapser<R> {
  private readonly flights = new Map<CollapseKey, Flight<R>>();
  /** key → until. Insertion order is expiry order (constant duration), so pruning pops from the front. */
  private readonly hitForMiss = new Map<CollapseKey, number>();
  /**
   * hitForMiss.size, kept beside it: join asks on every miss, and while the
   * map is empty (nearly always) it is then not read at all (on a thousand
   * simulated edges, every map read is a cold fetch).
   */
  private hitForMissCount = 0;
  private nextId = 0;
  private readonly s: CollapserStats = {
    leaders: 0,
    collapsed: 0,
    served: 0,
    timeouts: 0,
    uncacheableReleased: 0,
    errors: 0,
    cancelled: 0,
    bypasses: { off: 0, hitForMiss: 0, waitersFull: 0 },
  };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly mode: CollapseMode,
    private readonly lockTimeoutMs: number,
    private readonly maxWaiters: number,
    private readonly hitForMissMs: number,
  ) {}

  private pruneHitForMiss(now: number): void {
    for (const [k, until] of this.hitForMiss) {
      if (until > now) break;
      this.hitForMiss.delete(k);
    }
    this.hitForMissCount = this.hitForMiss.size;
  }

  private armTimer(key: CollapseKey, flight: Flight<R>): void {
    const first = flight.waiters.values().next();
    if (first.done) return;
    const delay = Math.max(0, first.value.deadline - this.scheduler.now());
    flight.timer = this.scheduler.setTimer(delay, () => this.onLockTimeout(key, flight));
  }

  private onLockTimeout(key: CollapseKey, flight: Flight<R>): void {
    flight.timer = undefined;
    if (this.flights.get(key) !== flight) return; // already settled
    const now = this.scheduler.now();
    const expired: Waiter<R>[] = [];
    for (const [id, w] of flight.waiters) {
      if (w.deadline > now) break;
      flight.waiters.delete(id);
      expired.push(w);
    }
    this.s.timeouts += expired.length;
    this.armTimer(key, flight);
    deliver(expired, { kind: 'timeout', mustNotStore: true });
  }

  /** Removes the flight first, so callbacks that re-join start afresh. */
  private settle(key: CollapseKey): Waiter<R>[] {
    const flights = this.flights;
    const flight = flights.get(key);
    if (!flight) throw new Error(`no fetch in flight for key ${JSON.stringify(key)}: complete/fail must be called once, by the leader`);
    flights.delete(key);
    if (flight === ALONE) return NOBODY;
    flight.timer?.cancel();
    return flight.waiters.size === 0 ? NOBODY : [...flight.waiters.values()];
  }

  join(key: CollapseKey, onResult: ((outcome: CollapseOutcome<R>) => void) | CollapseWaiter<R>): JoinResult {
    if (typeof onResult !== 'function' && typeof (onResult as CollapseWaiter<R> | null)?.collapsed !== 'function') {
      throw new TypeError(`expected onResult to be a function or an object with a collapsed(outcome) method, got ${String(onResult)}`);
    }
    const s = this.s;
    if (this.mode === 'off') {
      s.bypasses.off++;
      return { role: 'bypass', reason: 'off' };
    }
    if (this.hitForMissCount > 0) {
      this.pruneHitForMiss(this.scheduler.now());
      if (this.hitForMiss.has(key)) {
        s.bypasses.hitForMiss++;
        return { role: 'bypass', reason: 'hit-for-miss' };
      }
    }
    const flights = this.flights;
    let flight = flights.get(key);
    if (!flight) {
      flights.set(key, ALONE as Flight<R>);
      s.leaders++;
      return LEADER;
    }
    if (flight.waiters.size >= this.maxWaiters) {
      s.bypasses.waitersFull++;
      return { role: 'bypass', reason: 'waiters-full' };
    }
    if (flight === ALONE) {
      flight = { waiters: new Map(), timer: undefined } satisfies Flight<R>;
      flights.set(key, flight);
    }
    const id = this.nextId++;
    const waiters = flight.waiters;
    waiters.set(id, { onResult, deadline: this.scheduler.now() + this.lockTimeoutMs });
    s.collapsed++;
    if (this.mode === 'lock-timeout' && flight.timer === undefined) this.armTimer(key, flight);
    return {
      role: 'waiter',
      cancel() {
        if (waiters.delete(id)) s.cancelled++;
      },
    };
  }

  complete(key: CollapseKey, result: R, { cacheable }: { cacheable: boolean }): void {
    const waiters = this.settle(key);
    const s = this.s;
    if (cacheable) {
      s.served += waiters.length;
      deliver(waiters, { kind: 'result', result });
      return;
    }
    if (this.hitForMissMs > 0) {
      this.hitForMiss.delete(key);
      this.hitForMiss.set(key, this.scheduler.now() + this.hitForMissMs);
      this.hitForMissCount = this.hitForMiss.size;
    }
    s.uncacheableReleased += waiters.length;
    deliver(waiters, { kind: 'uncacheable' });
  }

  fail(key: CollapseKey, error: unknown): void {
    const waiters = this.settle(key);
    this.s.errors += waiters.length;
    deliver(waiters, { kind: 'error', error });
  }

  waiterCount(key: CollapseKey): number {
    return this.flights.get(key)?.waiters.size ?? 0;
  }

  inFlight(key: CollapseKey): boolean {
    return this.flights.has(key);
  }

  clearHitForMiss(key: CollapseKey): void {
    this.hitForMiss.delete(key);
    this.hitForMissCount = this.hitForMiss.size;
  }

  get size(): number {
    return this.flights.size;
  }

  stats(): CollapserStats {
    const s = this.s;
    return { ...s, bypasses: { ...s.bypasses } };
  }
}

/**
 * Calls every waiter even if one throws, then rethrows the first error:
 * a faulty callback must not strand the others.
 */
function deliver<R>(waiters: Waiter<R>[], outcome: CollapseOutcome<R>): void {
  if (waiters.length === 0) return;
  let firstError: { error: unknown } | undefined;
  for (const w of waiters) {
    try {
      const to = w.onResult;
      if (typeof to === 'function') to(outcome);
      else to.collapsed(outcome);
    } catch (error) {
      firstError ??= { error };
    }
  }
  if (firstError) throw firstError.error;
}

/** What {@link collapseAsync} resolves to. */
export interface CollapsedFetch<R> {
  result: R;
  /** Whether the answer is cacheable as fetched. */
  cacheable: boolean;
  /** How it was obtained: own fetch as leader, shared, bypassing, or after release. */
  via: 'leader' | 'waiter' | 'bypass' | 'uncacheable' | 'timeout';
  /**
   * Whether THIS caller should store it: false for a waiter (the leader
   * stores) and after a lock timeout (nginx rule), else `cacheable`.
   */
  mayStore: boolean;
}

/**
 * Promise wrapper for services: runs `fetch` at most once per key among
 * concurrent callers, following the collapser's rules. A fetch by a request
 * that was released or bypassed runs uncollapsed; if its answer turns out
 * cacheable, the key leaves hit-for-miss.
 */
export async function collapseAsync<R>(
  collapser: Collapser<R>,
  key: string,
  fetch: () => Promise<{ result: R; cacheable: boolean }>,
): Promise<CollapsedFetch<R>> {
  let resolveOutcome!: (o: CollapseOutcome<R>) => void;
  const outcome = new Promise<CollapseOutcome<R>>((resolve) => {
    resolveOutcome = resolve;
  });
  const role = collapser.join(key, resolveOutcome);

  const own = async (via: CollapsedFetch<R>['via']): Promise<CollapsedFetch<R>> => {
    const got = await fetch();
    if (got.cacheable && via !== 'timeout') collapser.clearHitForMiss(key);
    return { result: got.result, cacheable: got.cacheable, via, mayStore: via === 'timeout' ? false : got.cacheable };
  };

  if (role.role === 'bypass') return own('bypass');
  if (role.role === 'leader') {
    let got: { result: R; cacheable: boolean };
    try {
      got = await fetch();
    } catch (error) {
      collapser.fail(key, error);
      throw error;
    }
    collapser.complete(key, got.result, { cacheable: got.cacheable });
    return { result: got.result, cacheable: got.cacheable, via: 'leader', mayStore: got.cacheable };
  }
  const o = await outcome;
  switch (o.kind) {
    case 'result':
      return { result: o.result, cacheable: true, via: 'waiter', mayStore: false };
    case 'error':
      throw o.error;
    case 'uncacheable':
      return own('uncacheable');
    case 'timeout':
      return own('timeout');
  }
}
