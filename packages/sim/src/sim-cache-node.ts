/**
 * One simulated cache tier (edge, regional or shield): the core's HttpCache
 * and Collapser, the same objects the tier services run, driven in virtual
 * time (each request a node handles is one Visit object, see below). The
 * request handling follows the services' CacheNode
 * (packages/tier/src/cache-node.ts) step for step: look up; hit, or collapse
 * onto one upstream fetch; store; revalidate on 304; serve stale on error
 * where RFC 5861 allows; one background refresh for stale-while-revalidate;
 * refetch once with the purge-time rule when the parent hands back a copy
 * older than a purge; one deadline per request shared down the chain (a
 * frozen or slow parent is given up at it). What is left out is what has
 * no meaning without sockets: Cache-Status headers (outcomes are counted
 * instead), bodies too large to buffer, client cancellation.
 */
import {
  buildConditionalHeaders,
  createCacheKeyer,
  createCollapser,
  createHttpCache,
  preferHealthy,
  rankParents,
  httpCacheOptionsFromSettings,
  NO_HTTP_CACHE_STATS,
  upstreamFillHeaders,
  type CacheEntry,
  type CollapseKey,
  type CollapseOutcome,
  type Collapser,
  type CollapseWaiter,
  type HeaderList,
  type HttpCache,
  type HttpCacheStats,
  type KeyIds,
  type LookupOptions,
  type PurgeCommand,
  type RequestHead,
  type StoreTimes,
} from '@cdnlab/core';
import type { CacheNode } from '@cdnlab/scenario';
import { expireIfStill, holdCut, holdCutUntilBack, holdFrozen, releaseCut, type CutOffMessage } from './sim-hold';
import { linkIdOf, LOST, type SimNetwork } from './sim-network';
import type { TierSeries } from './sim-stats';
import { sentHead, type Caller, type Replier, type SimAnswer, type SimEndpoint, type SimErrorKind, type SimRequest } from './sim-types';
import type { Task, VirtualScheduler } from './virtual-scheduler';

/** The leader's answer, shared with waiters. */
interface Shared {
  answer: SimAnswer;
  entry: CacheEntry | undefined;
  /** The upstream answered our validation with 304 (else it sent a whole answer or an error). */
  revalidated: boolean;
}

/**
 * A validation counts as revalidated only when the upstream said 304, as the
 * testbed reads it from Cache-Status (fwd=stale, fwd-status=304); a new body
 * or an error status in answer to it is a miss.
 */
function validationResult(result: string, revalidated: boolean): string {
  return result === 'revalidated' && !revalidated ? 'miss' : result;
}

/**
 * Told how a fill (fetch upstream, then store) ended: an error, or the
 * answer, with `shared` set when it may be shared with waiters (it was
 * stored). Two arguments rather than an object: a fill ends once per miss
 * at every tier.
 */
interface FillDone {
  filled(error: SimErrorKind | undefined, answer: SimAnswer | undefined, shared: Shared | undefined): void;
}

/**
 * One request a node is handling, from its arrival to the node's reply. It
 * is the node's entry in its list of calls in flight, the Replier of every
 * step below it, and carries what a miss goes upstream with: one object
 * per hop instead of a closure (and its context) per step. Calls in flight
 * are most of what a scavenge copies at 100 k requests per virtual second
 * (bench (b)), so their size is the simulator's speed.
 */
class Visit implements Replier, FillDone, CollapseWaiter<Shared> {
  settled = false;
  prev: Visit | null = null;
  next: Visit | null = null;
  /** Set when the request goes upstream (miss or validation). */
  key = '';
  /** What the collapser knows the key by (collapseKeyOf). */
  ck: CollapseKey = '';
  result = '';
  stale: CacheEntry | undefined = undefined;
  conditional: HeaderList | undefined = undefined;
  /** It leads its collapsed fetch: the collapser hears how the fill ended. */
  leader = false;

  constructor(
    readonly node: SimCacheNode,
    readonly req: SimRequest,
    readonly to: Caller,
  ) {}

  reply(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    this.node.answered(this, error, answer);
  }

  filled(error: SimErrorKind | undefined, answer: SimAnswer | undefined, shared: Shared | undefined): void {
    this.node.visitFilled(this, error, answer, shared);
  }

  collapsed(outcome: CollapseOutcome<Shared>): void {
    this.node.waited(this, outcome);
  }
}

/**
 * The calls a node is handling, as an intrusive list (arrival order: a kill
 * resets them in that order). Add and remove touch only the call and its
 * neighbours: a Set of calls cost (b) a fifth of its time (20.8 k against
 * 16.4 k requests per CPU-second, 600 k requests).
 */
class PendingList {
  size = 0;
  private head: Visit | null = null;
  private tail: Visit | null = null;

  add(v: Visit): void {
    v.prev = this.tail;
    if (this.tail) this.tail.next = v;
    else this.head = v;
    this.tail = v;
    this.size++;
  }

  remove(v: Visit): void {
    if (v.prev) v.prev.next = v.next;
    else this.head = v.next;
    if (v.next) v.next.prev = v.prev;
    else this.tail = v.prev;
    v.prev = v.next = null;
    this.size--;
  }

  /** What it holds now, oldest first. */
  list(): Visit[] {
    const out: Visit[] = [];
    for (let v = this.head; v; v = v.next) out.push(v);
    return out;
  }

  /** Empties the list; returns what it held, oldest first. */
  takeAll(): Visit[] {
    const out = this.list();
    for (const v of out) v.prev = v.next = null;
    this.head = this.tail = null;
    this.size = 0;
    return out;
  }
}

const EMPTY_BODY = new Uint8Array(0);

/**
 * The times of a store, in one object reused for every store: HttpCache
 * reads StoreTimes during the call and keeps none of it (its contract),
 * and a literal per store cost an object and three boxed doubles.
 */
const STORE_TIMES: { requestTime: number; responseTime: number; originFetchedAt: number; age: string | undefined } = { requestTime: 0.5, responseTime: 0.5, originFetchedAt: 0.5, age: undefined };
function storeTimes(requestTime: number, responseTime: number, originFetchedAt: number, age: string | undefined): StoreTimes {
  const t = STORE_TIMES;
  t.requestTime = requestTime;
  t.responseTime = responseTime;
  t.originFetchedAt = originFetchedAt;
  t.age = age;
  return t;
}
/** Upstream deadline for a whole fetch (the tier default). */
export const UPSTREAM_TIMEOUT_MS = 10_000;
const MAX_HOPS = 8;

/** One token per distinct key setting (and default origin): nodes that share one share request keys. */
interface KeyToken {
  token: symbol;
  /** Keys depend on scheme, host and target alone (no header or cookie parts). */
  urlOnly: boolean;
}
const KEY_TOKENS = new Map<string, KeyToken>();
function keyTokenOf(config: CacheNode, defaultOrigin: string): KeyToken {
  const k = JSON.stringify([config.key, defaultOrigin]);
  let t = KEY_TOKENS.get(k);
  if (t === undefined) {
    const keyer = createCacheKeyer(config.key);
    t = { token: Symbol(k), urlOnly: keyer.headerNames.length === 0 && keyer.cookieNames.length === 0 };
    KEY_TOKENS.set(k, t);
  }
  return t;
}

/** Counters kept across restarts (a restarted node starts cold, not from zero in reports). */
export interface SimNodeCounters {
  /** Answers by outcome (hit, stale, miss, revalidated, pass, error), as the tier services count them. */
  results: Record<string, number>;
  upstreamFetches: number;
  /** The cache's and collapser's counts from before the last cold start (a kill empties both). */
  evictionsBefore: number;
  revalidatedBefore: number;
  servedBefore: number;
}

/** The tiers' rendezvous parent selection (core), so keys land on the same parent in both engines. */
function rankParentsOf(key: string, parents: readonly SimEndpoint[], weights: readonly number[]): SimEndpoint[] {
  const ranked = rankParents(key, parents.map((p, i) => ({ id: p.id, weight: weights[i], p })));
  return ranked.map((r) => r.p);
}

/**
 * Errors after which the next parent is tried: the parent is not there
 * (refused) or dropped the connection, as the tiers fail over only on
 * UPSTREAM_UNAVAILABLE (tier upstream-grpc.ts). Not a timeout: the call's
 * deadline is spent, for the next parent as well.
 */
function isRetryable(e: SimErrorKind): boolean {
  return e === 'connect' || e === 'reset';
}

export class SimCacheNode implements SimEndpoint {
  readonly id: string;
  readonly role: 'edge' | 'regional' | 'shield';
  readonly region: string;
  /** Position among the simulation's edges (-1 for other tiers). */
  edgeIndex = -1;
  /**
   * The node's cache and collapser, made when first used: a node that no
   * request reaches costs no cache (about 11 KB of heap each: 1.1 GB in a
   * topology of 99,000 edges of which a run reaches a few thousand). Both
   * are free of time and I/O, so one made at its first request acts as one
   * made at the start would. Settings they would refuse (a capacity of 0,
   * say) are refused by the topology loader with their file and line; a
   * program that builds a topology by hand meets createHttpCache's own
   * checks at the node's first request instead of at construction (checking
   * each node's settings up front cost 1 s at 99,000 nodes). Both are
   * fields of the node itself, not of an object of their own: every
   * request reads them, one object fewer to reach (measured together with
   * the collapser as a class, 2026-12-07).
   */
  private madeCache: HttpCache | undefined = undefined;
  private madeCollapser: Collapser<Shared> | undefined = undefined;
  private parents: SimEndpoint[] = [];
  private parentWeights: number[] = [];
  /** When each parent last refused or reset a call (-Infinity: never), for the order of the next ones (preferHealthy). */
  private parentFailedAt = new Float64Array(0);
  /** The ids of the links to each parent and back, by parent index (read by UpstreamCall; NO_LINK for none). */
  parentLinks = new Int32Array(0);
  backLinks = new Int32Array(0);
  private epoch = 0;
  private alive = true;
  private disconnected = false;
  /** When it last left its network. */
  private cutAt = 0;
  private paused = false;
  private readonly held: Array<() => void> = [];
  /** Messages to and from the node while it is off its network (holdWhileCut). */
  private cutOff: CutOffMessage[] = [];
  /** Whether a purge was ever applied to this cache (see `purge`). */
  private purged = false;
  /** Requests being handled now. */
  private readonly pending = new PendingList();
  readonly counters: SimNodeCounters = { results: {}, upstreamFetches: 0, evictionsBefore: 0, revalidatedBefore: 0, servedBefore: 0 };
  /** Identifies this node's key settings (see SimRequest.key). */
  readonly keyToken: symbol;
  /** Whether keys depend on scheme, host and target alone (no header or cookie parts). */
  readonly keyIsUrlOnly: boolean;
  /** Its tier's answers and hits per bucket, shared by the tier's nodes (set by the engine). */
  tierSeries: TierSeries | undefined = undefined;
  /** Reused for every lookup (lookup is synchronous and keeps nothing of it). */
  private readonly lookupOpts: LookupOptions = { notBefore: undefined, key: undefined, keyId: undefined };

  constructor(
    readonly config: CacheNode,
    readonly scheduler: VirtualScheduler,
    readonly net: SimNetwork,
    private readonly defaultOrigin: string,
    /** The simulation's key ids, shared by its caches (core key-ids.ts); none: keys stay strings. */
    private readonly keyIds?: KeyIds,
  ) {
    this.id = config.id;
    this.role = config.role;
    this.region = config.region;
    const k = keyTokenOf(config, defaultOrigin);
    this.keyToken = k.token;
    this.keyIsUrlOnly = k.urlOnly;
  }

  /** The node's cache (made now if it was not yet). */
  get cache(): HttpCache {
    if (this.madeCache === undefined) this.make();
    return this.madeCache!;
  }

  private get collapser(): Collapser<Shared> {
    if (this.madeCollapser === undefined) this.make();
    return this.madeCollapser!;
  }

  /** Makes both (coldStart drops both). */
  private make(): void {
    const c = this.config.cache;
    this.madeCache = createHttpCache({ ...httpCacheOptionsFromSettings(this.id, c, this.config.key, this.defaultOrigin), keyIds: this.keyIds });
    this.madeCollapser = createCollapser<Shared>({ scheduler: this.scheduler, mode: c.collapsing, lockTimeoutMs: c.lockTimeoutMs, maxWaiters: c.maxWaiters });
  }

  /** Whether the cache was made (something reached the node since it last started). */
  get cacheMade(): boolean {
    return this.madeCache !== undefined;
  }

  /** The cache's counts, zero while it has not been made (nothing reached the node). */
  cacheStats(): Readonly<HttpCacheStats> {
    return this.madeCache === undefined ? NO_HTTP_CACHE_STATS : this.madeCache.stats();
  }

  /** Wires the parents (after every node exists). */
  connect(parents: SimEndpoint[]): void {
    this.parents = parents;
    this.parentWeights = parents.map((p) => (p.role === 'origin' ? 1 : ((p as SimCacheNode).config?.weight ?? 1)));
    this.parentFailedAt = new Float64Array(parents.length).fill(-Infinity);
    this.parentLinks = Int32Array.from(parents, (p) => linkIdOf(this.net.link(this.id, p.id)));
    this.backLinks = Int32Array.from(parents, (p) => linkIdOf(this.net.link(p.id, this.id)));
  }

  get up(): boolean {
    return this.alive && !this.paused && !this.disconnected;
  }

  /** A fresh process: empty cache (made again when first used), nothing in flight. */
  private coldStart(): void {
    if (this.madeCache !== undefined && this.madeCollapser !== undefined) {
      const st = this.madeCache.stats();
      this.counters.evictionsBefore += st.evictions;
      this.counters.revalidatedBefore += st.revalidated;
      this.counters.servedBefore += this.madeCollapser.stats().served;
    }
    this.madeCache = undefined;
    this.madeCollapser = undefined;
    this.purged = false;
  }

  /** SIGKILL / SIGTERM: in-flight work is lost, the cache with it. */
  kill(): void {
    this.alive = false;
    this.paused = false;
    this.epoch++;
    // Requests held by a pause find the process gone.
    for (const run of this.held.splice(0)) run();
    this.resetCallers();
  }

  /** Every caller still waiting sees its connection reset (when the news can reach it: replyTo). */
  private resetCallers(): void {
    for (const c of this.pending.takeAll()) {
      c.settled = true;
      this.replyTo(c.to, 'reset', undefined);
    }
  }

  /** A reply the node sends: at once, or, while it is off its network, when it gets through (holdWhileCut). */
  private replyTo(to: Caller, error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    if (this.disconnected) {
      this.holdWhileCut(
        to.givesUpAt(this.cutAt),
        () => to.reply(error, answer),
        () => to.reply('timeout', undefined),
      );
      return;
    }
    to.reply(error, answer);
  }

  /** Requests being handled now (least-loaded DNS reads it). */
  get inflight(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.alive) return;
    this.alive = true;
    this.coldStart();
  }

  pause(): void {
    if (!this.alive || this.paused) return;
    this.paused = true;
    // Callers waiting on the frozen process give up at their own deadlines
    // (not this node's, which it set in the request: a client waits longer).
    for (const v of this.pending.list()) this.expireWhilePaused(v.to.givesUpAt(), () => !v.settled, () => this.expire(v));
  }

  /**
   * At `deadline`, if the node is still frozen and `waiting()`, runs
   * `giveUp` (sim-hold.ts): its callers hear a timeout then, as a tier's
   * gRPC client and the testbed's HTTP client do; the node does what it
   * was doing when it wakes.
   */
  private expireWhilePaused(deadline: number, waiting: () => boolean, giveUp: () => void): void {
    expireIfStill(this.scheduler, deadline, () => this.isPaused && waiting(), giveUp);
  }

  /** A visit whose caller stopped waiting: it hears a timeout; what the node still does for it goes nowhere. */
  private expire(v: Visit): void {
    v.settled = true;
    this.pending.remove(v);
    v.to.reply('timeout', undefined);
  }

  /**
   * Off the network (a container leaving its network, `docker network
   * disconnect`): the process and its cache live on, but nothing gets to it
   * or from it. As measured in compose, peers see no refusal or reset: TCP
   * keeps retransmitting, so callers wait until their deadlines (a tier's
   * call gives up at 10 s: 504 from the edge) unless the node is back first,
   * when what was sent goes through at TCP's next retransmission. Health
   * probes fail meanwhile, so DNS takes an edge out.
   */
  disconnect(): void {
    if (!this.alive || this.disconnected) return;
    this.disconnected = true;
    const cutAt = this.scheduler.now();
    this.cutAt = cutAt;
    // A request it already has sits on a connection gone silent: a client's
    // keepalive may give up on it before the answer could get out (replyTo).
    for (const v of this.pending.list()) {
      this.scheduler.schedule(Math.max(0, v.to.givesUpAt(cutAt) - cutAt), () => {
        if (this.disconnected && this.cutAt === cutAt && !v.settled) this.expire(v);
      });
    }
  }

  /** Back on the network at the same address, cache intact: what waited goes through at its next retransmission. */
  reconnect(): void {
    if (!this.disconnected) return;
    this.disconnected = false;
    const waiting = this.cutOff;
    this.cutOff = [];
    releaseCut(waiting, this.scheduler);
  }

  /**
   * A message to or from the node while it is off its network: `deliver`
   * runs when it gets through after a reconnect (which checks the node's
   * state again), or `giveUp` when the sender's `deadline` passes first.
   */
  holdWhileCut(deadline: number, deliver: () => void, giveUp: () => void): void {
    holdCut(this.cutOff, this.scheduler, deadline, deliver, giveUp);
  }

  /**
   * A message to the node while it is off its network that goes through
   * when it is back, even after its sender gave up: the control plane's
   * purge calls (see the engine's purge), which the node applies whenever
   * it reads them.
   */
  holdUntilBack(deliver: () => void): void {
    holdCutUntilBack(this.cutOff, this.scheduler, deliver);
  }

  /** Whether the node is off its network (see disconnect). */
  get isDisconnected(): boolean {
    return this.disconnected;
  }

  /**
   * Runs `fn` now, or, while the node is paused, when it wakes (or is killed:
   * then `fn` finds it down). A call to a frozen process waits in its socket.
   */
  whenAwake(fn: () => void): void {
    if (this.alive && this.paused) this.held.push(fn);
    else fn();
  }

  /** Requests that arrived while paused are handled now, in arrival order. */
  unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    const queued = this.held.splice(0);
    for (const run of queued) run();
  }

  /** Applies a purge command to this node's cache; returns the objects it removed or marked stale. */
  purge(cmd: PurgeCommand): number {
    this.purged = true;
    return this.cache.purge(cmd);
  }

  /** Waiters answered with their leader's result (requests collapsing kept from going upstream). */
  collapsedWaiters(): number {
    return this.counters.servedBefore + (this.madeCollapser === undefined ? 0 : this.madeCollapser.stats().served);
  }

  /** Stored copies refreshed by a 304. */
  revalidations(): number {
    return this.counters.revalidatedBefore + this.cacheStats().revalidated;
  }

  evictions(): number {
    return this.counters.evictionsBefore + this.cacheStats().evictions;
  }

  handle(req: SimRequest, to: Caller): void {
    if (this.disconnected) {
      // It arrives at an address no longer on the network: see disconnect.
      this.holdWhileCut(
        to.givesUpAt(),
        () => this.handle(req, to),
        () => to.reply('timeout', undefined),
      );
      return;
    }
    if (!this.alive) {
      to.reply('connect', undefined);
      return;
    }
    if (this.paused) {
      // SIGSTOP: the connection is accepted by the kernel, nothing answers
      // until SIGCONT; a caller that stops waiting first hears a timeout.
      // (Whichever comes first, waking or the caller's deadline, ends the wait.)
      // A request whose caller gave up is dropped, not served at the wake:
      // on the testbed the caller's cancel waits in the same socket, and the
      // node reads both at once (measured on loopback: a shield frozen 14 s
      // under three misses, edges answering 504 at 10 s; the origin got none
      // of them at or after the wake). Purge calls differ: see holdUntilBack.
      holdFrozen(
        this.held,
        this.scheduler,
        to.givesUpAt(),
        () => this.isPaused,
        () => this.handle(req, to),
        () => to.reply('timeout', undefined),
      );
      return;
    }
    if (req.hops > MAX_HOPS) {
      to.reply('loop', undefined);
      return;
    }
    // The node's own deadline for the request, which every call it makes
    // for it shares (they read req.deadline). Kept in the request itself:
    // its caller read it when it sent it (UpstreamCall.attempt), and a field
    // per visit cost bench (b) (0.967 of the base's speed with it, 0.999
    // without, medians of three pairs each).
    const deadline = this.scheduler.now() + UPSTREAM_TIMEOUT_MS;
    if (deadline < req.deadline) req.deadline = deadline;
    const v = new Visit(this, req, to);
    this.pending.add(v);
    this.dispatch(v);
  }

  /** The node's answer to a visit: counted, and sent back unless a kill already reset it. */
  answered(v: Visit, error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    if (v.settled) return; // the node was killed meanwhile and already said so
    v.settled = true;
    this.pending.remove(v);
    const r = this.counters.results;
    const name = error === undefined ? answer!.result : 'error';
    r[name] = (r[name] ?? 0) + 1;
    const ts = this.tierSeries;
    if (ts !== undefined) {
      const now = this.scheduler.now();
      ts.answers.add(now);
      if (name === 'hit' || name === 'stale') ts.hits.add(now);
    }
    if (error !== undefined && this.role === 'edge') {
      // The edge speaks HTTP to its client: a failed parent call becomes a
      // status, as in @cdnlab/rpc's ERROR_TABLE (502 unavailable, 504 timeout, 508 loop).
      const status = error === 'timeout' ? 504 : error === 'loop' ? 508 : 502;
      this.replyTo(v.to, undefined, { head: { status, headers: [['content-length', '0']] }, age: undefined, body: EMPTY_BODY, originFetchedAt: 0, result: 'error' });
      return;
    }
    this.replyTo(v.to, error, answer);
  }

  private dispatch(v: Visit): void {
    const req = v.req;
    const method = req.head.method;
    if (method !== 'GET' && method !== 'HEAD') {
      this.pass(req, v);
      return;
    }
    const now = this.scheduler.now();
    const lo = this.lookupOpts;
    lo.notBefore = req.notBefore > 0 ? req.notBefore : undefined;
    lo.key = this.keyOf(req);
    lo.keyId = req.keyId;
    const look = this.cache.lookup(req.head, now, lo);
    switch (look.kind) {
      case 'hit':
        if (look.backgroundRefresh) this.refreshInBackground(req, look.entry);
        v.reply(undefined, this.fromEntry(req, look.entry, look.stale ? 'stale' : 'hit'));
        return;
      case 'gateway-timeout':
        v.reply(undefined, { head: { status: 504, headers: [['content-length', '0']] }, age: undefined, body: EMPTY_BODY, originFetchedAt: 0, result: 'miss' });
        return;
      case 'validate':
        this.viaCollapser(v, look.entry.primaryKey, 'revalidated', look.entry, look.conditionalHeaders);
        return;
      case 'miss':
        this.viaCollapser(v, look.primaryKey, 'miss', undefined, undefined);
        return;
    }
  }

  /** The request's primary key by this node's key settings: the one a previous node computed, if it keys alike. */
  private keyOf(req: SimRequest): string {
    if (req.keyBy === this.keyToken) return req.key!;
    const key = this.cache.key(req.head);
    req.key = key;
    req.keyBy = this.keyToken;
    req.keyId = undefined;
    return key;
  }

  /** The cache's answer from an entry: its stored head and the Age apart (SimAnswer.age), or a 304 to the request's preconditions. */
  private fromEntry(req: SimRequest, entry: CacheEntry, result: string): SimAnswer {
    const now = this.scheduler.now();
    const age = this.cache.answerAge(entry, req.head, now);
    const head = age === undefined ? this.cache.responseHead(entry, req.head, now) : entry.head;
    const noBody = req.head.method === 'HEAD' || head.status === 304;
    return { head, age, body: noBody ? EMPTY_BODY : entry.body, originFetchedAt: entry.originFetchedAt, result };
  }

  private fromShared(req: SimRequest, s: Shared, given: string): SimAnswer {
    const result = validationResult(given, s.revalidated);
    if (s.entry) return this.fromEntry(req, s.entry, result);
    const a = s.answer;
    return { head: a.head, age: a.age, body: req.head.method === 'HEAD' ? EMPTY_BODY : a.body, originFetchedAt: a.originFetchedAt, result };
  }

  /** Unsafe and unusual methods go straight through; success invalidates (RFC 9111 §4.4). */
  private pass(req: SimRequest, done: Replier): void {
    const key = this.keyOf(req);
    const through: Replier = {
      reply: (error, up) => {
        if (error !== undefined) {
          done.reply(error, undefined);
          return;
        }
        this.cache.invalidateAfterUnsafe(req.head, sentHead(up!));
        done.reply(undefined, { head: up!.head, age: up!.age, body: up!.body, originFetchedAt: up!.originFetchedAt, result: 'pass' });
      },
    };
    this.fetchUpstream({ head: req.head, notBefore: req.notBefore, noStore: req.noStore, hops: req.hops + 1, deadline: req.deadline, sizeBytes: req.sizeBytes, key, keyBy: this.keyToken, keyId: req.keyId }, key, through);
  }

  /** Misses and validations: one leader goes upstream, the rest wait for it. */
  private viaCollapser(v: Visit, key: string, result: string, stale: CacheEntry | undefined, conditional: HeaderList | undefined): void {
    v.key = key;
    v.result = result;
    v.stale = stale;
    v.conditional = conditional;
    // dispatch keyed the request by this node's settings: its keyId, if any, is key's.
    const ck = this.collapseKeyOf(key, v.req.keyId);
    v.ck = ck;
    const joined = this.collapser.join(ck, v);
    // A waiter is answered when its leader's fill ends, by the leader's
    // deadline. One whose own deadline comes first (its request set out
    // earlier on a longer way) hears its timeout then, not at its own
    // deadline: the one place where a simulated caller can wait past it.
    if (joined.role === 'waiter') return;
    if (joined.role === 'bypass') {
      this.solo(v, false);
      return;
    }
    v.leader = true;
    this.fetchAndStore(v.req, key, result, stale, conditional, v.req.noStore, v);
  }

  /** The leader a visit waited for is done (or the wait is over). */
  waited(v: Visit, outcome: CollapseOutcome<Shared>): void {
    // A kill, or its caller giving up (on a frozen node, or on one off its
    // network), already answered it (a killed node's lock timers still
    // fire; a killed node runs nothing).
    if (v.settled || !this.alive) return;
    // A frozen process handles its timers when it wakes.
    if (this.paused) {
      this.held.push(() => this.waited(v, outcome));
      return;
    }
    switch (outcome.kind) {
      case 'result':
        v.reply(undefined, this.fromShared(v.req, outcome.result, v.result));
        return;
      case 'error':
        this.orStale(v.req, v.stale, outcome.error as SimErrorKind, v);
        return;
      case 'uncacheable':
        this.solo(v, false);
        return;
      case 'timeout':
        this.solo(v, true);
        return;
    }
  }

  /** A request that goes upstream on its own (bypass, uncacheable, lock timeout). */
  private solo(v: Visit, noStore: boolean): void {
    this.fetchAndStore(v.req, v.key, v.result, v.stale, v.conditional, noStore || v.req.noStore, v);
  }

  /** A visit's fill ended: as leader, the collapser hears it first; then the client. */
  visitFilled(v: Visit, error: SimErrorKind | undefined, answer: SimAnswer | undefined, shared: Shared | undefined): void {
    const key = v.ck;
    if (error !== undefined) {
      if (v.leader && this.collapser.inFlight(key)) this.collapser.fail(key, error);
      this.orStale(v.req, v.stale, error, v);
      return;
    }
    // Uncacheable (or not stored): waiters go upstream on their own, at once.
    if (v.leader) this.collapser.complete(key, shared ?? (undefined as unknown as Shared), { cacheable: shared !== undefined });
    v.reply(undefined, answer);
  }

  private fetchAndStore(req: SimRequest, key: string, result: string, stale: CacheEntry | undefined, conditional: HeaderList | undefined, noStore: boolean, then: FillDone): void {
    // HEAD misses fetch the GET, so the object is stored for both (as Varnish
    // does). A validation asks for a copy that is fresh now, as the tier
    // services' does (see upstreamFillHeaders).
    const h = req.head;
    const headers = upstreamFillHeaders(h.headers, conditional);
    const head: RequestHead = h.method === 'GET' && headers === h.headers ? h : { method: 'GET', scheme: h.scheme, host: h.host, target: h.target, headers };
    // Without a purge ever applied here the purge index is empty and has nothing to say.
    const notBefore = this.purged ? Math.max(req.notBefore, this.cache.notBeforeFor(h) ?? 0) : req.notBefore;
    // The same head goes up for a GET without preconditions: its key (this node's) goes with it.
    const knownKey = head === h ? key : undefined;
    // (keyOf made req's key this node's, so its keyId is this key's.)
    const known = knownKey !== undefined;
    const upReq: SimRequest = { head, notBefore, noStore, hops: req.hops + 1, deadline: req.deadline, sizeBytes: req.sizeBytes, key: knownKey, keyBy: known ? this.keyToken : undefined, keyId: known ? req.keyId : undefined };
    const call = new UpstreamCall(this, upReq, undefined, then, req, key, result, stale, noStore, knownKey, upReq.keyId);
    call.t0 = this.scheduler.now();
    this.launch(call, key);
  }

  /** The first answer to a fill. */
  upstreamAnswered(f: UpstreamCall, error: SimErrorKind | undefined, up: SimAnswer | undefined): void {
    if (error !== undefined) {
      f.then!.filled(error, undefined, undefined);
      return;
    }
    const t0 = f.t0;
    const t1 = this.scheduler.now();
    const a = up!;
    const req = f.fillReq!;
    const stale = f.stale;
    const h = req.head;
    // 304 to our validation: refresh the stored entry and serve it.
    if (stale && a.head.status === 304) {
      const entry = this.cache.revalidated(stale, sentHead(a), { requestTime: t0, responseTime: t1, originFetchedAt: a.originFetchedAt || t1 });
      if (!entry) {
        // A 304 for another representation says nothing of ours (RFC 9111
        // §4.3.4): the entry is gone, and the object is fetched whole, as the tiers do.
        this.fetchAndStore(req, f.key, f.result, undefined, undefined, f.noStore, f.then!);
        return;
      }
      const answer = this.fromEntry(req, entry, 'revalidated');
      f.then!.filled(undefined, answer, { answer, entry, revalidated: true });
      return;
    }
    // Upstream error with a stale copy that stale-if-error allows.
    if (stale && this.cache.serveStaleOnError(stale, a.head.status, t1, h)) {
      f.then!.filled(undefined, this.fromEntry(req, stale, 'stale'), undefined);
      return;
    }
    const outcome = f.noStore
      ? ({ stored: false, reason: 'no-store-requested' } as const)
      : this.cache.store(f.req.head, a.head, a.body, storeTimes(t0, t1, a.originFetchedAt || t1, a.age), f.knownKey, f.knownKeyId);
    if (!outcome.stored && outcome.reason === 'purged') {
      // Our parent handed back a copy older than a purge we applied: ask
      // again, telling it how recent a copy must be (the purge-time rule).
      const again = Math.max(f.req.notBefore, (this.purged ? this.cache.notBeforeFor(h, tagsOf(a.head.headers)) : undefined) ?? 0, t0);
      f.t1 = t1;
      f.retried = true;
      this.counters.upstreamFetches++;
      f.again({ ...f.req, notBefore: again });
      return;
    }
    this.finish(req, f.result, a, outcome.stored ? outcome.entry : undefined, f.then!);
  }

  /** The answer to a fill's purge-time retry. */
  refilled(f: UpstreamCall, error: SimErrorKind | undefined, up: SimAnswer | undefined): void {
    if (error !== undefined) {
      f.then!.filled(error, undefined, undefined);
      return;
    }
    const t2 = this.scheduler.now();
    const o2 = this.cache.store(f.req.head, up!.head, up!.body, storeTimes(f.t1, t2, up!.originFetchedAt || t2, up!.age), f.knownKey, f.knownKeyId);
    this.finish(f.fillReq!, f.result, up!, o2.stored ? o2.entry : undefined, f.then!);
  }

  private finish(req: SimRequest, given: string, up: SimAnswer, entry: CacheEntry | undefined, done: FillDone): void {
    const result = validationResult(given, false);
    if (entry) {
      const answer = this.fromEntry(req, entry, result);
      done.filled(undefined, answer, { answer, entry, revalidated: false });
      return;
    }
    done.filled(undefined, { head: up.head, age: up.age, body: req.head.method === 'HEAD' ? EMPTY_BODY : up.body, originFetchedAt: up.originFetchedAt, result }, undefined);
  }

  /** Upstream failed: stale-if-error when allowed, else the error goes on. */
  private orStale(req: SimRequest, stale: CacheEntry | undefined, error: SimErrorKind, done: Replier): void {
    if (stale && this.cache.serveStaleOnError(stale, undefined, this.scheduler.now(), req.head)) {
      done.reply(undefined, this.fromEntry(req, stale, 'stale'));
      return;
    }
    done.reply(error, undefined);
  }

  /** stale-while-revalidate: one conditional fetch, detached from the client that triggered it. */
  private refreshInBackground(req: SimRequest, entry: CacheEntry): void {
    const key = entry.primaryKey;
    // dispatch keyed req by this node's settings: its keyId, if any, is the entry's primary key's.
    const ck = this.collapseKeyOf(key, req.keyId);
    const joined = this.collapser.join(ck, () => undefined);
    if (joined.role === 'waiter') {
      joined.cancel();
      this.cache.refreshAbandoned(entry);
      return;
    }
    // Bypass (collapsing off) still refreshes: `entry.refreshing` keeps it to one.
    const leader = joined.role === 'leader';
    const bg: SimRequest = { head: { ...req.head, method: 'GET' }, notBefore: req.notBefore, noStore: false, hops: req.hops, deadline: req.deadline, sizeBytes: req.sizeBytes };
    const refreshed: FillDone = {
      filled: (error, _answer, shared) => {
        if (error !== undefined) {
          this.cache.refreshAbandoned(entry);
          if (leader && this.collapser.inFlight(ck)) this.collapser.fail(ck, error);
          return;
        }
        // Refreshed, replaced, or answered from the stale copy on an upstream
        // error: either way this refresh is over, and the next stale hit may
        // send another (else a failed refresh would leave the copy unrefreshed
        // for the rest of its stale window).
        this.cache.refreshAbandoned(entry);
        if (leader) this.collapser.complete(ck, shared ?? (undefined as unknown as Shared), { cacheable: shared !== undefined });
      },
    };
    this.fetchAndStore(bg, key, 'revalidated', entry, buildConditionalHeaders(entry.head), false, refreshed);
  }

  /**
   * What the collapser knows `key` by: its id in the simulation's key ids
   * (`knownId` when the caller has it), else the key itself. The same for a
   * key on every call, as the collapser needs: an id, once given, is the
   * key's for good, and a key that gets none (the table is full) never
   * will. Giving one here, before the key is stored anywhere, is what a
   * store would do (key-ids.ts). With ids the collapser's map hashes a
   * small int rather than reading the key string, far away in memory on a
   * 1,000-edge topology.
   */
  private collapseKeyOf(key: string, knownId: number | undefined): CollapseKey {
    if (knownId !== undefined) return knownId;
    return this.keyIds?.idOf(key) ?? key;
  }

  /**
   * Sends `req` to the best parent for `key` (rendezvous order), failing over
   * to the next when one refuses, resets or times out.
   */
  private fetchUpstream(req: SimRequest, key: string, to: Replier): void {
    this.launch(new UpstreamCall(this, req, to, undefined, undefined, key, '', undefined, false, undefined, undefined), key);
  }

  /** Starts a call: counted, then sent to the first parent in `key`'s order. */
  private launch(call: UpstreamCall, key: string): void {
    this.counters.upstreamFetches++;
    const n = this.parents.length;
    if (n === 0) {
      call.ended('upstream', undefined);
      return;
    }
    call.order = n === 1 ? undefined : this.parentOrder(key);
    call.attempt(0);
  }

  /** The parents to try for `key`: rendezvous order, those that failed lately last (as the tiers order them). */
  private parentOrder(key: string): SimEndpoint[] {
    const parents = this.parents;
    const failedAt = this.parentFailedAt;
    return preferHealthy(rankParentsOf(key, parents, this.parentWeights), (p) => failedAt[parents.indexOf(p)], this.scheduler.now());
  }

  /** The parent at `idx` refused or reset a call. */
  parentFailed(idx: number): void {
    this.parentFailedAt[idx] = this.scheduler.now();
  }

  /** The index of the parent at `i` in `order` (the only parent without an order). */
  parentFor(order: readonly SimEndpoint[] | undefined, i: number): number {
    return order ? this.parents.indexOf(order[i]) : 0;
  }

  parentAt(idx: number): SimEndpoint {
    return this.parents[idx];
  }

  /** Bumped by every kill: a call started before one finds nobody to tell. */
  get epochNow(): number {
    return this.epoch;
  }

  /** Whether the process is frozen (SIGSTOP): what reaches it waits (whenAwake). */
  get isPaused(): boolean {
    return this.alive && this.paused;
  }
}

/** What an UpstreamCall does when the scheduler runs it next. */
const ARRIVE = 0;
const RETURN = 1;
const TIME_OUT = 2;

/**
 * One fetch from a parent over the simulated network: there, handled, back,
 * and on to the next parent when one refuses, resets or times out. One
 * object the scheduler runs at each step, where closures per step cost
 * four or five allocations per hop.
 *
 * A fill (a miss or validation going upstream, then stored) is the same
 * object with its fill fields set: what the node does with the answer
 * (store, revalidate, stale-if-error, the purge-time retry, which sends
 * this same call again). Every upstream call is of this one class, so the
 * code that reads it sees one shape; a fill and its call as two objects
 * cost one more object per miss per tier, fetched cold when the answer
 * comes back.
 */
class UpstreamCall implements Task, Caller {
  /** The parents in `key`'s rendezvous order (none: the node has one parent). */
  order: readonly SimEndpoint[] | undefined = undefined;
  private i = 0;
  private idx = 0;
  private step = ARRIVE;
  private error: SimErrorKind | undefined = undefined;
  private answer: SimAnswer | undefined = undefined;
  private readonly epoch: number;
  /** A fill's: when the request went upstream (request_time), and when the first answer came (the retry's request_time). */
  t0 = 0;
  t1 = 0;
  /** A fill's: it is the purge-time retry. */
  retried = false;

  constructor(
    readonly node: SimCacheNode,
    /** What goes upstream (a fill's purge-time retry sends another). */
    public req: SimRequest,
    /** Told the answer, for a call that is not a fill. */
    private readonly done: Replier | undefined,
    /** Told how a fill ended; undefined for a call that is not one. */
    readonly then: FillDone | undefined,
    /** A fill's: the request as the node received it. */
    readonly fillReq: SimRequest | undefined,
    readonly key: string,
    readonly result: string,
    readonly stale: CacheEntry | undefined,
    readonly noStore: boolean,
    /** A fill's: this node's key, when the head sent up is the one it was computed for. */
    readonly knownKey: string | undefined,
    /** Its id, when known (kept here: a parent keying otherwise clears req's). */
    readonly knownKeyId: number | undefined,
  ) {
    this.epoch = node.epochNow;
  }

  attempt(i: number): void {
    this.i = i;
    const node = this.node;
    const s = node.scheduler;
    this.idx = node.parentFor(this.order, i);
    if (node.isDisconnected) {
      // Sent from a node off its network: see SimCacheNode.disconnect.
      this.holdWhileCut(() => this.attempt(i));
      return;
    }
    const d = node.net.delayOn(node.parentLinks[this.idx]);
    // The call gives up at its request's deadline (SimRequest.deadline),
    // the same for every parent it fails over to and for the purge-time
    // retry, as the tiers' fetches for one request share it. A request or
    // answer lost on the way, or one that would arrive later, ends the call
    // with a timeout at that instant.
    const left = this.req.deadline - s.now();
    if (d === LOST || d > left) {
      this.step = TIME_OUT;
      s.scheduleTask(Math.max(0, left), this);
      return;
    }
    this.step = ARRIVE;
    s.scheduleTask(d, this);
  }

  /** A fill's purge-time retry: `req` goes to the parents again, in the same order. */
  again(req: SimRequest): void {
    this.req = req;
    this.attempt(0);
  }

  run(): void {
    const node = this.node;
    if (this.step !== ARRIVE && node.isPaused) {
      // The answer (or the timer) waits in a frozen process until it wakes.
      node.whenAwake(() => this.run());
      return;
    }
    if (this.step === RETURN && node.isDisconnected) {
      // An answer that was on its way when the node left its network.
      this.holdWhileCut(() => this.run());
      return;
    }
    switch (this.step) {
      case ARRIVE:
        node.parentAt(this.idx).handle(this.req, this);
        return;
      case RETURN:
        this.finish(this.error, this.answer);
        return;
      case TIME_OUT:
        this.finish('timeout', undefined);
        return;
    }
  }

  /**
   * Its deadline is its request's (a parent's own, 10 s from arrival, is
   * never earlier). A silent connection changes nothing: the channels'
   * keepalive (30 s, rpc client.ts) outlasts every deadline.
   */
  givesUpAt(): number {
    return this.req.deadline;
  }

  /** While its node is off its network: `deliver` once the message gets through, or the call's timeout at its deadline. */
  private holdWhileCut(deliver: () => void): void {
    this.node.holdWhileCut(this.req.deadline, deliver, () => {
      this.step = TIME_OUT;
      this.node.scheduler.scheduleTask(0, this);
    });
  }

  /** The parent's answer (it is the parent's Caller): it travels back over the link. */
  reply(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    const node = this.node;
    if (node.isDisconnected) {
      // Sent to a node off its network.
      this.holdWhileCut(() => this.reply(error, answer));
      return;
    }
    const b = node.net.delayOn(node.backLinks[this.idx]);
    const left = this.req.deadline - node.scheduler.now();
    if (b === LOST || b > left) {
      // Lost, or too late: the call has given up at its deadline. (Every
      // parent answers by the deadline it was given or says it passed:
      // when this one is already past, its answer is that timeout.)
      this.step = TIME_OUT;
      node.scheduler.scheduleTask(Math.max(0, left), this);
      return;
    }
    this.error = error;
    this.answer = answer;
    this.step = RETURN;
    node.scheduler.scheduleTask(b, this);
  }

  private finish(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    if (this.node.epochNow !== this.epoch) return; // the node was killed meanwhile: nobody to tell
    this.answer = undefined;
    this.error = undefined;
    if (error !== undefined && isRetryable(error)) {
      this.node.parentFailed(this.idx);
      if (this.i + 1 < (this.order?.length ?? 1)) {
        this.attempt(this.i + 1);
        return;
      }
    }
    this.ended(error, answer);
  }

  /** The call is over: a fill goes on at its node, any other call tells its caller. */
  ended(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    if (this.then === undefined) this.done!.reply(error, answer);
    else if (this.retried) this.node.refilled(this, error, answer);
    else this.node.upstreamAnswered(this, error, answer);
  }
}

function tagsOf(h: HeaderList): string[] {
  const out: string[] = [];
  for (const [n, v] of h) {
    if (n === 'surrogate-key') out.push(...v.split(/\s+/).filter(Boolean));
    else if (n === 'cache-tag') out.push(...v.split(',').map((x) => x.trim()).filter(Boolean));
  }
  return out;
}
