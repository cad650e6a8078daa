/**
 * The simulated engine (run mode 3): a scenario in virtual time. Every cache
 * node is the core's HttpCache and Collapser, the origin is the origin
 * service's own site, fault table and counters, and everything between them
 * is a seeded network of the topology's links, so a run is deterministic for
 * a seed (same seed, byte-identical RunResult) and as large as memory allows.
 *
 * One discrete-event loop (virtual-scheduler.ts: a heap ordered by
 * [time, seq] with a loop guard) drives client arrivals from the shared
 * workload generator, every network hop, origin generation latency, lock
 * timeouts, DNS health probes and the timeline. Time advances in fixed steps
 * of virtual time so a long run can report progress and be aborted; the step
 * grid is fixed, so results do not depend on how the caller drives it.
 */
import { GCProfiler } from 'node:v8';
import { checkMaxKeyIds, createKeyIds, createRng, mayRedeliver, purgeRedeliveryDelay, type KeyIds, type PurgeCommand, type RequestHead } from '@cdnlab/core';
import {
  byGroupRecord,
  byTierRecord,
  cacheTiersOf,
  clientEndpoint,
  clientGroupNames,
  controlDistanceMs,
  headerLineContains,
  hitRatioPerBucket,
  hitRatioRecord,
  isCacheNode,
  latencyBucketsOf,
  type LatencyBuckets,
  latencyByRegionRecord,
  parseSelector,
  selectorMatches,
  watchedRecord,
  type Endpoint,
  type Engine,
  type EngineRunOptions,
  type NodeResult,
  type PurgeResult,
  type RunProgress,
  type RunResult,
  type RunResultWithSnapshots,
  type RunSnapshot,
  type Selector,
  type Scenario,
  type ScenarioVariant,
  type TimelineEvent,
  type TimelineRecord,
  type Topology,
  type WatchRule,
} from '@cdnlab/scenario';
import { CLIENT_TIMEOUT_MS, planWorkload, snapshotMetrics, type PlannedRequest } from '@cdnlab/scenario';
import { SimCacheNode, UPSTREAM_TIMEOUT_MS } from './sim-cache-node';
import { SimDns } from './sim-dns';
import { linkIdOf, LOST, NO_LINK, SimNetwork } from './sim-network';
import { SimOrigin, type SimFault } from './sim-origin';
import { Buckets, chooseBucketMs, LatencyHistogram, Series, type TierSeries } from './sim-stats';
import { sentHead, type Caller, type SimAnswer, type SimEndpoint, type SimErrorKind, type SimRequest } from './sim-types';
import { createVirtualScheduler, type Task, type VirtualScheduler } from './virtual-scheduler';

/** The control plane's deadline for one node's purge call (DEFAULT_RPC_TIMEOUT_MS in packages/control). */
const PURGE_DEADLINE_MS = 5_000;

export interface SimulationOptions {
  scenario: Scenario;
  variant: ScenarioVariant;
  /** Seeds the workload (arrivals, objects, methods) and the network, faults and DNS draws. */
  seed: number;
  /** Keep the origin's rendered bodies instead of zero-filled views of the same length. Default false. */
  realBodies?: boolean;
  /** Virtual time allowed after the last arrival for answers in flight; what is left is `unfinished`. Default 60 s. */
  drainMs?: number;
  /** Loop guard of the event loop. Default 10^10 events. */
  loopLimit?: number;
  /**
   * Cache keys given int ids, which the caches' stores find faster than
   * strings (core key-ids.ts); keys past it are filed as strings. The
   * result is the same whatever it is. Default DEFAULT_MAX_KEY_IDS (4 M).
   */
  maxKeyIds?: number;
}

/** The timeline actions that change whether a node is up: nothing else does. */
const NODE_STATE_ACTIONS: ReadonlySet<TimelineEvent['action']> = new Set(['kill', 'stop', 'start', 'pause', 'unpause', 'disconnect', 'reconnect']);

/**
 * A run stops with SimulationMemoryError once a full garbage collection
 * leaves more than this share of the old generation in use: past it V8
 * spends its time collecting, then aborts the whole process with a fatal
 * error and a native stack, and the run is lost without a word about why.
 */
export const HEAP_GUARD_FRACTION = 0.9;

/** Arrivals between two readings of the heap (a reading, stopping and restarting the profiler, costs tens of µs). */
const HEAP_CHECK_EVERY = 4096;

/** The run needs more memory than the heap allows; the message says how much was in use and what to change. */
export class SimulationMemoryError extends Error {
  readonly code = 'SIM_OUT_OF_MEMORY';
}

/**
 * What the heap holds after full collections, read from V8's GC profiler
 * while the run goes on: started by the first `advance`, stopped when the
 * run finishes, fails or gives its result (a Simulation left unfinished
 * without asking for its result keeps it running). Only a full collection
 * tells live data from garbage: the heap in use at any other moment may be
 * mostly garbage.
 */
class HeapWatch {
  private readonly profiler = new GCProfiler();
  private running = false;
  /** The largest new space seen: V8 shrinks it when the heap is nearly full, so the size at that moment says little of the reserve. */
  private newSpaceBytes = 0;

  start(): void {
    if (this.running) return;
    this.profiler.start();
    this.running = true;
  }

  /**
   * After the last full collection since the previous reading, if there
   * was one: bytes in use, and the most the old generation may hold. V8's
   * heap limit also counts the young generation's reserve (three
   * semi-spaces, 48 MiB by default, 192 with `pnpm cdnlab`'s
   * --max-semi-space-size=64) where old objects never go; new space is two
   * semi-spaces, at their largest while a run allocates.
   */
  read(): { usedBytes: number; oldLimitBytes: number } | undefined {
    if (!this.running) return undefined;
    const stats = this.profiler.stop().statistics;
    this.profiler.start();
    let last: (typeof stats)[number] | undefined;
    for (const st of stats) {
      for (const space of st.beforeGC.heapSpaceStatistics) if (space.spaceName === 'new_space' && space.spaceSize > this.newSpaceBytes) this.newSpaceBytes = space.spaceSize;
      if (st.gcType === 'MarkSweepCompact') last = st;
    }
    if (last === undefined) return undefined;
    const h = last.afterGC.heapStatistics;
    return { usedBytes: h.usedHeapSize, oldLimitBytes: h.heapSizeLimit - 1.5 * this.newSpaceBytes };
  }

  stop(): void {
    if (!this.running) return;
    this.profiler.stop();
    this.running = false;
  }
}

/** Virtual time per step of `advance`: the grid that progress reports and aborts use. */
export const SIM_STEP_MS = 1000;
const SERIES_MAX_EDGES = 2000;

/** One client's resolved edge and until when (the DNS TTL). */
interface DnsCache {
  edge: Int32Array;
  until: Float64Array;
}

/** The ids of a client group's links to an edge and back (NO_LINK for none). */
interface ClientLinks {
  out: number;
  back: number;
}

function inc(r: Record<string, number>, k: string, by = 1): void {
  r[k] = (r[k] ?? 0) + by;
}

const STATUS_TEXT: string[] = [];

/** String(status) without a new string per answer. */
function statusText(status: number): string {
  if (status >= 0 && status < 1000 && Number.isInteger(status)) return (STATUS_TEXT[status] ??= String(status));
  return String(status);
}

function roundMs(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Objects with ids below this are memoised in a dense array (at most 64 MiB). */
const DENSE_MEMO_IDS = 1 << 22;
/** Objects with larger ids (a trace's may be any number to 2^53): at most this many, in a map. */
const SPARSE_MEMO_IDS = 1 << 20;

/**
 * One key setting's memo of cache keys by workload object: a dense array
 * for the small ids a generated catalog has, a map for large ones until it holds
 * SPARSE_MEMO_IDS objects (after that, an object not in it is keyed afresh
 * on every request: the same key, built each time). Either way the memory
 * is bounded whatever the ids, where arrays grown to the largest id asked
 * for took the process down on a trace whose ids run to 10^12.
 *
 * An object's target never changes within one plan (PlannedRequest.objectId
 * says so, and the workload's tests hold it to that), so the memo is by id
 * alone: comparing each request's target with the memo's cost a cold read
 * of a string per request. An object's key and its id sit side by side,
 * so a request for a rarely seen object fetches one line, not two.
 */
class KeyMemo {
  /** [key, id] per object: the key, and its id in the simulation's KeyIds (-1 for none: the table was full). */
  private readonly dense: Array<string | number | undefined> = [];
  private readonly sparse = new Map<number, { key: string; keyId: number | undefined }>();
  /** The id of the key keyOf returned last, if it has one (read it at once). */
  lastId: number | undefined = undefined;

  constructor(private readonly keyIds: KeyIds) {}

  keyOf(id: number, head: RequestHead, cache: { key(req: RequestHead): string }): string {
    if (id < DENSE_MEMO_IDS) {
      const dense = this.dense;
      const at = 2 * id;
      // Grown densely (never by a sparse write, which would turn the array into a dictionary).
      while (dense.length <= at) dense.push(undefined, -1);
      let key = dense[at] as string | undefined;
      if (key === undefined) {
        key = cache.key(head);
        dense[at] = key;
        dense[at + 1] = this.keyIds.idOf(key) ?? -1;
      }
      const keyId = dense[at + 1] as number;
      this.lastId = keyId < 0 ? undefined : keyId;
      return key;
    }
    const known = this.sparse.get(id);
    if (known !== undefined) {
      this.lastId = known.keyId;
      return known.key;
    }
    const key = cache.key(head);
    const keyId = this.keyIds.idOf(key);
    if (this.sparse.size < SPARSE_MEMO_IDS) this.sparse.set(id, { key, keyId });
    this.lastId = keyId;
    return key;
  }
}

export class Simulation {
  readonly scheduler: VirtualScheduler;
  readonly topology: Topology;
  readonly net: SimNetwork;
  readonly dns: SimDns;
  readonly caches: SimCacheNode[] = [];
  readonly edges: SimCacheNode[] = [];
  readonly origins: SimOrigin[] = [];
  private readonly byId = new Map<string, SimEndpoint>();
  private readonly host: string;
  private readonly plan: Iterator<PlannedRequest>;
  private readonly dnsCaches: DnsCache[];
  /** Client links by edge index, then client group. */
  private readonly clientLinks: Array<Array<ClientLinks | undefined>> = [];
  private readonly edgeIndex = new Map<string, number>();
  /** Latency histogram of each client group's region, by group index. */
  private readonly regionLatencyOfGroup: Array<LatencyHistogram | undefined>;
  /** Latency per bucket by client region, and each group's region's. */
  private readonly sLatency: Map<string, LatencyBuckets>;
  private readonly sLatencyOfGroup: LatencyBuckets[];
  /** Each client group's own latency histogram. */
  private readonly groupLatency: LatencyHistogram[];
  private readonly validators = new Map<string, string>();
  /**
   * Cache keys by workload object, per key setting: every request for an
   * object then carries the very same key string, whose hash V8 keeps, so
   * each tier's index lookup compares pointers instead of building, hashing
   * and comparing a fresh string. Only for settings whose keys are URL-only.
   * Bounded (see KeyMemo): a trace's object ids may be any number to 2^53.
   */
  private readonly keyMemo = new Map<symbol, KeyMemo>();
  /** Int ids for cache keys, shared by every cache here (core key-ids.ts): stores find ids faster than strings. */
  private readonly keyIds: KeyIds;
  private readonly trackValidators: boolean;
  private readonly drainMs: number;

  private arrivalsDone = false;
  private readonly heap = new HeapWatch();
  private arrivedSinceHeapCheck = 0;
  /** Timeline events still to come that can take a node down or bring it back (the DNS probes stop when none are left). */
  private nodeStateEventsLeft = 0;
  private lastArrivalMs = 0;
  private lastActivityMs = 0;
  private finished = false;
  /** The intervals every series shares (they widen when the run outlasts its plan). */
  private readonly buckets: Buckets;

  // Results.
  private sent = 0;
  private answered = 0;
  private errors = 0;
  private readonly byResult: Record<string, number> = {};
  private readonly byStatus: Record<string, number> = {};
  private readonly byError: Record<string, number> = {};
  /** Per client group, by index in workload.clients. */
  private readonly groupNames: string[];
  private readonly groupSent: Float64Array;
  private readonly groupAnswered: Float64Array;
  private readonly groupResults: Array<Record<string, number>>;
  private readonly groupStatuses: Array<Record<string, number>>;
  /** `workload.watch`; empty when nothing is watched, which keeps complete() free of the loop. */
  private readonly watch: readonly WatchRule[];
  /** Matches per rule, then per group. */
  private readonly watched: Float64Array[];
  /** Matches per rule per bucket, all groups together. */
  private readonly sWatched: Series[];
  private readonly latency = new Map<string, LatencyHistogram>();
  private readonly sRequests: Series;
  private readonly sErrors: Series;
  private readonly sServerErrors: Series;
  private readonly sOrigin: Series;
  private readonly sEdgeHits: Series;
  private readonly sEdgeAnswers: Series;
  /** Edge hits and answers per client group, when there are several (else the totals are the one group's). */
  private readonly sGroupHits: Series[];
  private readonly sGroupAnswers: Series[];
  private readonly sByEdge: Series[];
  /** Per cache tier the topology has, in climbing order. */
  private readonly sTiers: Array<{ role: string; series: TierSeries }>;
  private readonly purges: Array<{ result: PurgeResult; acks: Map<string, PurgeResult['acks'][number]> }> = [];
  /** Purge redeliveries waiting for their next call: timers that do not keep a finished run going. */
  private idleRedeliveries = 0;
  private readonly timeline: TimelineRecord[] = [];
  private edgeHits = 0;
  /** Taken for expectations with `at:`; undefined when the scenario has none for this variant. */
  private readonly snapshots: RunSnapshot[] | undefined;

  constructor(readonly opts: SimulationOptions) {
    const { scenario, variant, seed } = opts;
    if (!Number.isInteger(seed) || seed < 0 || seed >= 4294967296) throw new TypeError(`expected opts.seed to be a 32-bit unsigned integer, got ${seed}`);
    this.drainMs = opts.drainMs ?? 60_000;
    if (!(this.drainMs >= 0)) throw new TypeError(`expected opts.drainMs to be a non-negative number, got ${opts.drainMs}`);
    this.scheduler = createVirtualScheduler({ loopLimit: opts.loopLimit ?? 1e10 });
    if (opts.maxKeyIds !== undefined) checkMaxKeyIds(opts.maxKeyIds, 'opts.maxKeyIds');
    this.keyIds = createKeyIds({ maxIds: opts.maxKeyIds });
    this.topology = variant.topology;
    this.host = this.topology.zone;
    const stream = (n: number) => createRng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(n, 0x85ebca6b)) >>> 0);
    this.net = new SimNetwork(this.topology, stream(11));

    for (const n of this.topology.nodes) {
      let node: SimEndpoint;
      if (isCacheNode(n)) {
        const c = new SimCacheNode(n, this.scheduler, this.net, `http://${this.host}`, this.keyIds);
        this.caches.push(c);
        if (c.role === 'edge') {
          c.edgeIndex = this.edges.length;
          this.edgeIndex.set(c.id, this.edges.length);
          this.edges.push(c);
        }
        node = c;
      } else {
        const o = new SimOrigin(n, {
          scheduler: this.scheduler,
          rng: stream(12 + this.origins.length),
          realBodies: opts.realBodies,
          onRequest: () => {
            this.sOrigin.add(this.scheduler.now());
          },
        });
        this.origins.push(o);
        node = o;
      }
      this.byId.set(n.id, node);
    }
    for (const c of this.caches) c.connect(c.config.parents.map((p) => this.byId.get(p)!));
    if (this.edges.length === 0) throw new TypeError(`topology "${this.topology.name}" has no edge: clients have nowhere to go`);

    this.dns = new SimDns(this.topology, this.edges, this.scheduler, stream(13));
    this.nodeStateEventsLeft = scenario.timeline.filter((ev) => NODE_STATE_ACTIONS.has(ev.action)).length;
    this.dns.startHealthChecks(
      () => !this.arrivalsDone,
      () => this.nodeStateEventsLeft > 0,
    );

    const w = scenario.workload;
    this.buckets = new Buckets(chooseBucketMs(w.durationMs));
    this.sRequests = new Series(this.buckets);
    this.sErrors = new Series(this.buckets);
    this.sServerErrors = new Series(this.buckets);
    this.sOrigin = new Series(this.buckets);
    this.sEdgeHits = new Series(this.buckets);
    this.sEdgeAnswers = new Series(this.buckets);
    this.sTiers = cacheTiersOf(this.topology).map((role) => {
      const series: TierSeries = { hits: new Series(this.buckets), answers: new Series(this.buckets) };
      for (const c of this.caches) if (c.role === role) c.tierSeries = series;
      return { role, series };
    });
    this.sByEdge = this.edges.length <= SERIES_MAX_EDGES ? this.edges.map(() => new Series(this.buckets)) : [];
    this.dnsCaches = w.clients.map((g) => ({ edge: new Int32Array(g.count).fill(-1), until: new Float64Array(g.count) }));
    this.trackValidators = (w.methods.conditional ?? 0) > 0;
    this.regionLatencyOfGroup = w.clients.map(() => undefined);
    ({ byRegion: this.sLatency, ofGroup: this.sLatencyOfGroup } = latencyBucketsOf(w.clients));
    for (const b of this.sLatency.values()) this.buckets.join(b);
    this.groupLatency = w.clients.map(() => new LatencyHistogram());
    this.groupResults = w.clients.map(() => ({}));
    this.groupStatuses = w.clients.map(() => ({}));
    this.groupNames = clientGroupNames(w.clients);
    this.sGroupHits = w.clients.length > 1 ? w.clients.map(() => new Series(this.buckets)) : [];
    this.sGroupAnswers = w.clients.length > 1 ? w.clients.map(() => new Series(this.buckets)) : [];
    this.groupSent = new Float64Array(w.clients.length);
    this.groupAnswered = new Float64Array(w.clients.length);
    // Names lower-cased here too: a hand-built workload has not been through the loader.
    this.watch = (w.watch ?? []).map((r) => ({ ...r, header: r.header.toLowerCase() }));
    this.watched = this.watch.map(() => new Float64Array(w.clients.length));
    this.sWatched = this.watch.map(() => new Series(this.buckets));
    this.clientLinks = this.edges.map(() => w.clients.map(() => undefined));
    const regionNames = new Set(this.topology.regions.map((r) => r.name));
    w.clients.forEach((g, i) => {
      if (!regionNames.has(g.region)) throw new TypeError(`expected workload.clients[${i}].region to be a region of topology "${this.topology.name}", got ${JSON.stringify(g.region)}`);
    });

    for (const ev of scenario.timeline) this.scheduler.setTimer(ev.atMs, () => this.applyEvent(ev));
    // Snapshots for expectations with `at:`, as the embedded engine takes
    // them: set after the timeline, so an event due at the same instant has
    // already happened when the values are read.
    const mine = scenario.expectations.filter((x) => x.atMs !== undefined && (x.variant === undefined || x.variant === variant.name));
    this.snapshots = mine.length ? [] : undefined;
    for (const at of [...new Set(mine.map((x) => x.atMs!))].sort((a, b) => a - b)) {
      const exps = mine.filter((x) => x.atMs === at).map((x) => x.expect);
      this.scheduler.setTimer(at, () => this.snapshots!.push({ atMs: at, metrics: snapshotMetrics(this.result(at), exps) }));
    }
    this.plan = planWorkload(w, { seed })[Symbol.iterator]();
    this.scheduleNextArrival();
  }

  // ------------------------------------------------------------ driving

  /** Runs virtual time up to `untilMs` (on the fixed step grid); true once the run is over. */
  advance(untilMs: number): boolean {
    const s = this.scheduler;
    if (!this.finished) this.heap.start();
    try {
      while (!this.finished && s.now() < untilMs) {
        s.runUntil(this.stepEnd(untilMs));
        if (this.arrivalsDone && (s.pending === this.idleRedeliveries || s.now() >= this.hardStop())) this.finished = true;
      }
    } catch (err) {
      this.heap.stop();
      throw err;
    }
    if (this.finished) this.heap.stop();
    return this.finished;
  }

  /**
   * Throws SimulationMemoryError when a full collection since the last
   * reading (every HEAP_CHECK_EVERY arrivals: memory grows with requests)
   * left the old generation nearly full. Cached objects are what
   * fill it in a long run: each costs about 1 KB of heap whatever its size
   * (entry, head, keys, store slots), so the message counts them.
   */
  private checkHeap(): void {
    const h = this.heap.read();
    if (h === undefined || h.usedBytes < h.oldLimitBytes * HEAP_GUARD_FRACTION) return;
    let objects = 0;
    for (const c of this.caches) objects += c.cacheStats().objects;
    const made = this.cachesMade().length;
    const mib = (b: number) => Math.round(b / 2 ** 20).toLocaleString('en-US');
    const twice = Math.ceil((h.oldLimitBytes * 2) / 2 ** 30) * 1024;
    throw new SimulationMemoryError(
      `the simulation ran out of memory ${(this.scheduler.now() / 1000).toFixed(1)} s into virtual time: ${mib(h.usedBytes)} MiB of the heap's ${mib(h.oldLimitBytes)} MiB still in use after a full garbage collection, ` +
        `${objects.toLocaleString('en-US')} objects cached in ${made.toLocaleString('en-US')} caches (about 1 KB of memory each, whatever their size). ` +
        `Give the caches less capacity (the topology's cache.capacity), or the simulator a larger heap: NODE_OPTIONS=--max-old-space-size=${twice} pnpm cdnlab run ...`,
    );
  }

  /**
   * Where the next step of `advance` ends: the next point of the grid, or,
   * when nothing is due before it, the end of the first step in which
   * something is (a sparse trace stretched over months is not a loop turn
   * per second of it). Exact: the steps jumped over would fire nothing,
   * and the run could end in one of them only at the hard stop, which
   * caps the jump.
   */
  private stepEnd(untilMs: number): number {
    const s = this.scheduler;
    let end = (Math.floor(s.now() / SIM_STEP_MS) + 1) * SIM_STEP_MS;
    const due = s.nextDueMs();
    if (s.pending > 0 && due > end) {
      end = Math.ceil(due / SIM_STEP_MS) * SIM_STEP_MS;
      if (this.arrivalsDone) end = Math.min(end, this.hardStop());
    }
    return Math.min(untilMs, end);
  }

  /** The end of the next step with work in it: `advance` up to it is one step's work, for a caller that reports progress between steps. */
  nextStepMs(): number {
    return this.stepEnd(Infinity);
  }

  /** The cache nodes whose cache exists now: a node's is made when something first reaches it (a request, a purge). */
  cachesMade(): string[] {
    return this.caches.filter((c) => c.cacheMade).map((c) => c.id);
  }

  /** Runs to the end. */
  run(): RunResult {
    while (!this.advance(this.scheduler.now() + 3_600_000)) {
      /* step by step on the grid */
    }
    return this.result();
  }

  get done(): boolean {
    return this.finished;
  }

  private hardStop(): number {
    const end = Math.max(this.opts.scenario.workload.durationMs ?? 0, this.lastArrivalMs) + this.drainMs;
    return Math.ceil(end / SIM_STEP_MS) * SIM_STEP_MS;
  }

  progress(): RunProgress {
    let hits = 0;
    for (const e of this.edges) hits += (e.counters.results.hit ?? 0) + (e.counters.results.stale ?? 0);
    let originRequests = 0;
    for (const o of this.origins) originRequests += o.counters.total;
    return {
      elapsedMs: this.scheduler.now(),
      plannedMs: this.opts.scenario.workload.durationMs ?? 0,
      plannedRequests: this.opts.scenario.workload.requests ?? 0,
      sent: this.sent,
      answered: this.answered,
      errors: this.errors,
      hits,
      originRequests,
    };
  }

  // ------------------------------------------------------------ clients

  private scheduleNextArrival(): void {
    const r = this.plan.next();
    if (r.done) {
      this.arrivalsDone = true;
      return;
    }
    const p = r.value;
    this.lastArrivalMs = p.atMs;
    this.scheduler.scheduleTask(Math.max(0, p.atMs - this.scheduler.now()), new ClientRequest(this, p));
  }

  /** A planned request's time came: send it, then plan the next arrival. */
  arrive(c: ClientRequest): void {
    this.send(c);
    this.scheduleNextArrival();
    if (++this.arrivedSinceHeapCheck === HEAP_CHECK_EVERY) {
      this.arrivedSinceHeapCheck = 0;
      this.checkHeap();
    }
  }

  /** The edge a client uses: its cached DNS answer, or a fresh one (cached for the TTL). */
  private edgeFor(p: PlannedRequest, now: number): SimCacheNode | undefined {
    const c = this.dnsCaches[p.group];
    const i = p.clientIndex;
    if (c.edge[i] >= 0 && now < c.until[i]) return this.edges[c.edge[i]];
    const e = this.dns.resolve(p.region);
    if (!e) return undefined;
    c.edge[i] = e.edgeIndex;
    c.until[i] = now + this.topology.dns.ttlSeconds * 1000;
    return e;
  }

  private linksFor(p: PlannedRequest, edge: SimCacheNode): ClientLinks {
    const byGroup = this.clientLinks[edge.edgeIndex];
    let l = byGroup[p.group];
    if (!l) {
      const client = clientEndpoint(p.region);
      l = { out: linkIdOf(this.net.link(client, edge.id)), back: linkIdOf(this.net.link(edge.id, client)) };
      byGroup[p.group] = l;
    }
    return l;
  }

  private send(c: ClientRequest): void {
    const p = c.p;
    const s = this.scheduler;
    const t0 = s.now();
    this.sent++;
    this.groupSent[p.group]++;
    this.sRequests.add(t0);
    const edge = this.edgeFor(p, t0);
    if (!edge) {
      this.fail('dns');
      return;
    }
    let headers = p.headers;
    if (p.kind === 'conditional') {
      const v = this.validators.get(p.target);
      if (v !== undefined) headers = [...headers, ['if-none-match', v]];
    }
    const head: RequestHead = { method: p.method, scheme: 'http', host: this.host, target: p.target, headers };
    const req: SimRequest = { head, notBefore: 0, noStore: false, hops: 0, deadline: t0 + CLIENT_TIMEOUT_MS, sizeBytes: p.sizeBytes, key: undefined, keyBy: undefined, keyId: undefined };
    if (p.objectId >= 0 && edge.keyIsUrlOnly) {
      const m = this.memoFor(edge);
      req.key = m.keyOf(p.objectId, head, edge.cache);
      req.keyId = m.lastId;
      req.keyBy = edge.keyToken;
    }
    const links = this.linksFor(p, edge);
    const d = this.net.delayOn(links.out);
    // Lost on the way (or later than the client waits): it gives up at its
    // timeout, as the testbed's client does (CLIENT_TIMEOUT_MS).
    if (d === LOST || d > CLIENT_TIMEOUT_MS) {
      c.timeOut();
      s.scheduleTask(CLIENT_TIMEOUT_MS, c);
      return;
    }
    c.sent(t0, edge, req, links.back);
    s.scheduleTask(d, c);
  }

  /** The edge answered: the answer travels back to the client, unless it is lost or later than the client waits. */
  replied(c: ClientRequest, error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    const b = this.net.delayOn(c.back);
    const left = c.givesUpAt() - this.scheduler.now();
    if (b === LOST || b > left) {
      // (A frozen edge tells its client 'timeout' at exactly its deadline: left is 0.)
      c.timeOut();
      this.scheduler.scheduleTask(Math.max(0, left), c);
      return;
    }
    c.returned(error, answer);
    this.scheduler.scheduleTask(b, c);
  }

  /** The client has the answer (or gave up): count it. */
  clientDone(c: ClientRequest, error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    if (error === undefined) this.complete(c.p, c.t0, c.edge!, answer!);
    else this.fail(error);
  }

  private memoFor(edge: SimCacheNode): KeyMemo {
    let m = this.keyMemo.get(edge.keyToken);
    if (m === undefined) {
      m = new KeyMemo(this.keyIds);
      this.keyMemo.set(edge.keyToken, m);
    }
    return m;
  }

  private complete(p: PlannedRequest, t0: number, edge: SimCacheNode, a: SimAnswer): void {
    const now = this.scheduler.now();
    this.answered++;
    this.groupAnswered[p.group]++;
    this.lastActivityMs = now;
    inc(this.byResult, a.result);
    inc(this.groupResults[p.group], a.result);
    const status = statusText(a.head.status);
    inc(this.byStatus, status);
    inc(this.groupStatuses[p.group], status);
    if (a.head.status >= 500) this.sServerErrors.add(now);
    const watch = this.watch;
    if (watch.length > 0) {
      const sent = sentHead(a).headers;
      for (let i = 0; i < watch.length; i++) {
        if (headerLineContains(sent, watch[i].header, watch[i].contains)) {
          this.watched[i][p.group]++;
          this.sWatched[i].add(now);
        }
      }
    }
    (this.regionLatencyOfGroup[p.group] ??= this.latencyOf(p.region)).add(now - t0);
    // By when it was sent: the interval whose requests waited, not the one their answers came in.
    this.sLatencyOfGroup[p.group].add(this.buckets.indexOf(t0), now - t0);
    this.groupLatency[p.group].add(now - t0);
    this.sEdgeAnswers.add(now);
    const groupSeries = this.sGroupAnswers.length > 0;
    if (groupSeries) this.sGroupAnswers[p.group].add(now);
    if (a.result === 'hit' || a.result === 'stale') {
      this.edgeHits++;
      this.sEdgeHits.add(now);
      if (groupSeries) this.sGroupHits[p.group].add(now);
    }
    if (this.sByEdge.length) this.sByEdge[edge.edgeIndex].add(now);
    if (this.trackValidators && a.head.status === 200) {
      for (const [n, v] of a.head.headers) if (n === 'etag') this.validators.set(p.target, v);
    }
  }

  private fail(error: SimErrorKind | 'dns'): void {
    const now = this.scheduler.now();
    this.errors++;
    this.lastActivityMs = now;
    // As the embedded engine counts them: a request that got no answer has
    // no edge outcome (byResult) and no latency, only its error kind.
    inc(this.byError, error);
    this.sErrors.add(now);
  }

  /** A region's histogram is made on its first answer, so regions without any stay out of the result. */
  private latencyOf(region: string): LatencyHistogram {
    let h = this.latency.get(region);
    if (!h) {
      h = new LatencyHistogram();
      this.latency.set(region, h);
    }
    return h;
  }

  // ------------------------------------------------------------ timeline

  private record(ev: TimelineEvent, detail: string, ok: boolean): void {
    this.timeline.push({ atMs: this.scheduler.now(), action: ev.action, detail: ev.note ? `${detail} (${ev.note})` : detail, ok });
  }

  private applyEvent(ev: TimelineEvent): void {
    const now = this.scheduler.now();
    if (NODE_STATE_ACTIONS.has(ev.action)) this.nodeStateEventsLeft--;
    switch (ev.action) {
      case 'purge':
        this.purge(ev);
        return;
      case 'origin-update':
        for (const o of this.origins) {
          if (ev.version !== undefined) o.site.setVersion(ev.version, now, ev.path);
          else o.site.bumpVersion(now, ev.path);
        }
        this.record(ev, `${ev.path ?? 'every path'} → ${ev.version !== undefined ? `version ${ev.version}` : 'next version'}`, true);
        return;
      case 'origin-fault': {
        const targets = this.origins.filter((o) => ev.node === undefined || o.id === ev.node);
        if (targets.length === 0) {
          this.record(ev, `no origin "${ev.node}"`, false);
          return;
        }
        const fault = ev.fault as SimFault;
        for (const o of targets) o.setFault(fault, { status: ev.status, latencyMs: ev.latencyMs, path: ev.path, rate: ev.rate }, now);
        if (ev.forMs !== undefined && fault !== 'ok') {
          this.scheduler.setTimer(ev.forMs, () => {
            for (const o of targets) o.setFault('ok', { path: ev.path }, this.scheduler.now());
            this.timeline.push({ atMs: this.scheduler.now(), action: 'origin-fault', detail: `${fault} cleared after ${ev.forMs} ms`, ok: true });
          });
        }
        this.record(ev, `${fault}${fault === 'error' ? ` ${ev.status}` : ''}${fault === 'slow' ? ` +${ev.latencyMs ?? 1000} ms` : ''} on ${ev.path ?? 'every path'} at ${targets.map((o) => o.id).join(', ')}${ev.rate < 1 ? ` for ${ev.rate * 100}% of requests` : ''}`, true);
        return;
      }
      case 'kill':
      case 'stop':
      case 'start':
      case 'pause':
      case 'unpause':
      case 'disconnect':
      case 'reconnect': {
        // Cache nodes and origins alike (sim-hold.ts has the rules for frozen and cut-off processes).
        const node = this.byId.get(ev.node) as SimCacheNode | SimOrigin | undefined;
        if (!node) {
          this.record(ev, `no node "${ev.node}"`, false);
          return;
        }
        if (ev.action === 'kill' || ev.action === 'stop') node.kill();
        else if (ev.action === 'start') node.start();
        else if (ev.action === 'pause') node.pause();
        else if (ev.action === 'unpause') node.unpause();
        else if (ev.action === 'disconnect') node.disconnect();
        else node.reconnect();
        this.record(ev, ev.node, true);
        return;
      }
      case 'dns-policy':
        this.dns.setPolicy(ev.policy);
        this.record(ev, ev.policy, true);
        return;
      case 'link':
        this.changeLinks(ev);
        return;
      case 'route-change':
      case 'ttl-override':
        this.record(ev, `${ev.action} is not simulated`, false);
        return;
    }
  }

  private endpointOf(name: string): Endpoint | undefined {
    if (name.startsWith('client@')) return { role: 'client', region: name.slice(7) };
    const n = this.byId.get(name);
    return n ? { id: n.id, role: n.role, region: n.region } : undefined;
  }

  private changeLinks(ev: Extract<TimelineEvent, { action: 'link' }>): void {
    const ctx = { regions: new Set(this.topology.regions.map((r) => r.name)), nodeIds: new Set(this.byId.keys()) };
    const from = parseSelector(ev.from, ctx);
    const to = parseSelector(ev.to, ctx);
    if (typeof from === 'string' || typeof to === 'string') {
      this.record(ev, typeof from === 'string' ? from : (to as string), false);
      return;
    }
    // A client hop changes only if a selector can name clients (a role of client, or a region alone).
    const namesClients = (sel: Selector): boolean => sel.id === undefined && (sel.role === undefined || sel.role === 'client');
    let changed = 0;
    for (const l of this.net.all(namesClients(from) || namesClients(to))) {
      const a = this.endpointOf(l.from);
      const b = this.endpointOf(l.to);
      if (!a || !b) continue;
      const hit = (selectorMatches(from, a) && selectorMatches(to, b)) || (!ev.oneWay && selectorMatches(from, b) && selectorMatches(to, a));
      if (!hit) continue;
      if (ev.latencyMs !== undefined) l.latencyMs = ev.latencyMs;
      if (ev.jitterMs !== undefined) l.jitterMs = ev.jitterMs;
      if (ev.loss !== undefined) l.loss = ev.loss;
      if (ev.down !== undefined) l.down = ev.down;
      changed++;
    }
    this.record(ev, `${ev.from} ↔ ${ev.to}: ${changed} link direction(s) changed`, changed > 0);
  }

  // ------------------------------------------------------------ purge fan-out

  /** One-way delay between the control plane (next to the origin) and a node. */
  private controlDelay(node: SimEndpoint): number {
    return controlDistanceMs(this.topology, node.region);
  }

  private purge(ev: Extract<TimelineEvent, { action: 'purge' }>): void {
    const s = this.scheduler;
    const at = s.now();
    const kind: PurgeCommand['kind'] = ev.url !== undefined ? 'url' : ev.tag !== undefined ? 'tag' : ev.prefix !== undefined ? 'prefix' : 'all';
    const value = ev.url ?? ev.tag ?? ev.prefix ?? '';
    const mode = ev.soft ? 'soft' : 'hard';
    const fanout = ev.fanout ?? this.topology.control.fanout;
    const cmd: PurgeCommand = { kind, value, mode, at };
    const result: PurgeResult = { atMs: at, kind, value, mode, fanout, acks: [] };
    const acks = new Map<string, PurgeResult['acks'][number]>();
    this.purges.push({ result, acks });
    this.record(ev, `${mode} purge of ${kind}${value ? ` ${value}` : ''}, ${fanout} fan-out`, true);

    /**
     * Each node's application of this purge, as the tier keeps recent purge
     * ids: a later call with the same id (a redelivery after an answer that
     * was lost) is answered from it, when and how many, not applied again.
     * A restarted process has forgotten it (epoch).
     */
    const applied = new Map<string, { epoch: number; delayMs: number; objects: number }>();
    /** Applies the purge at `node` now, or finds it applied; the objects it reached. Throws what the cache throws. */
    const applyOnce = (node: SimCacheNode): { delayMs: number; objects: number } => {
      const seen = applied.get(node.id);
      if (seen !== undefined && seen.epoch === node.epochNow) return seen;
      const done = { epoch: node.epochNow, delayMs: roundMs(s.now() - at), objects: node.purge(cmd) };
      applied.set(node.id, done);
      return done;
    };
    /** Call number `call` reaches `node` now: acknowledged, or the error; false when the node could not take it. */
    const applyNow = (node: SimCacheNode, call: number): boolean => {
      if (!node.up) {
        acks.set(node.id, { nodeId: node.id, role: node.role, delayMs: roundMs(s.now() - at), objectsAffected: 0, error: 'unavailable', attempts: call });
        return false;
      }
      try {
        const done = applyOnce(node);
        acks.set(node.id, { nodeId: node.id, role: node.role, delayMs: done.delayMs, objectsAffected: done.objects, attempts: call });
        return true;
      } catch (err) {
        acks.set(node.id, { nodeId: node.id, role: node.role, delayMs: roundMs(s.now() - at), objectsAffected: 0, error: (err as Error).message, attempts: call });
        return false;
      }
    };
    /**
     * Call number `call` to `node`, arriving now. As the testbed's control
     * plane: a frozen node takes the purge when it wakes, and one off its
     * network when it is back (at TCP's next retransmission), and the
     * control plane hears so unless the call's deadline (PURGE_DEADLINE_MS)
     * passed first. Either way the node applies it when it reads it: the
     * call waited in its socket (measured on the testbed: an edge frozen
     * past the deadline dropped the purged pages when it woke, its ack a
     * timeout). A call that failed is made again (control.redeliver) on
     * the core's schedule, from when the control plane knows it failed: at
     * the deadline, or when the refusal has travelled back.
     */
    const apply = (node: SimCacheNode, call: number, then: (ok: boolean) => void = () => undefined): void => {
      let settled = false;
      const failed = (knownInMs: number): void => {
        then(false);
        if (this.topology.control.redeliver) redeliver(node, call + 1, knownInMs);
      };
      const deadline = s.setTimer(PURGE_DEADLINE_MS, () => {
        if (settled) return;
        settled = true;
        acks.set(node.id, { nodeId: node.id, role: node.role, delayMs: roundMs(s.now() - at), objectsAffected: 0, error: 'deadline exceeded', attempts: call });
        failed(0);
      });
      const arrive = (): void => {
        if (node.isDisconnected) {
          node.holdUntilBack(arrive); // the deadline above acks the failure meanwhile
          return;
        }
        node.whenAwake(() => {
          if (settled) {
            // Read after the control plane gave up on it: applied, its answer lost
            // (an error too: the next call, reaching it in time, reports that).
            if (!node.up) return;
            try {
              applyOnce(node);
            } catch {
              /* its reply, an error, goes to nobody */
            }
            return;
          }
          settled = true;
          deadline.cancel();
          if (applyNow(node, call)) then(true);
          else failed(this.controlDelay(node));
        });
      };
      arrive();
    };
    /**
     * The control plane calls `node` again, itself (whatever the fan-out),
     * `purgeRedeliveryDelay(call)` after it learns the last call failed
     * (in `knownInMs`), unless the purge is too old by then. The wait
     * between calls does not keep the run going (idleRedeliveries): the
     * testbed's control plane goes on calling after a run ends too.
     */
    const redeliver = (node: SimCacheNode, call: number, knownInMs: number): void => {
      const wait = knownInMs + purgeRedeliveryDelay(call);
      if (!mayRedeliver(at, s.now() + wait)) return; // given up: the ack keeps its error
      this.idleRedeliveries++;
      s.schedule(wait, () => {
        this.idleRedeliveries--;
        s.schedule(this.controlDelay(node), () => apply(node, call));
      });
    };

    if (fanout === 'direct') {
      for (const c of this.caches) s.setTimer(this.controlDelay(c), () => apply(c, 1));
      return;
    }
    // Tree: the control plane calls the roots (caches with no cache parent);
    // every node passes the purge on to the nodes whose first cache parent it
    // is, over their link. A node that cannot take it leaves its subtree to
    // the control plane, which calls those nodes itself once it learns.
    const children = new Map<string, SimCacheNode[]>();
    const roots: SimCacheNode[] = [];
    for (const c of this.caches) {
      const parent = c.config.parents.map((p) => this.byId.get(p)).find((p): p is SimCacheNode => p instanceof SimCacheNode);
      if (!parent) roots.push(c);
      else {
        const list = children.get(parent.id) ?? [];
        list.push(c);
        children.set(parent.id, list);
      }
    }
    const visit = (node: SimCacheNode): void =>
      apply(node, 1, (ok) => {
        for (const child of children.get(node.id) ?? []) {
          if (ok) {
            const d = this.net.delay(this.net.link(node.id, child.id));
            s.setTimer(d === LOST ? UPSTREAM_TIMEOUT_MS : d, () => visit(child));
          } else {
            // The failure travels back to the control plane, which calls the child directly.
            s.setTimer(this.controlDelay(node) + this.controlDelay(child), () => visit(child));
          }
        }
      });
    for (const r of roots) s.setTimer(this.controlDelay(r), () => visit(r));
  }

  // ------------------------------------------------------------ result

  /**
   * The result so far. With `atMs`, a view of the run at that instant for a
   * snapshot: the duration is the time elapsed and no snapshots are attached.
   */
  result(atMs?: number): RunResultWithSnapshots {
    // The final result (an aborted run asks for it without finishing): the heap watch is over.
    if (atMs === undefined) this.heap.stop();
    const { scenario, variant, seed } = this.opts;
    const durationMs = atMs ?? scenario.workload.durationMs ?? this.lastArrivalMs;
    const widthMs = this.buckets.widthMs;
    const buckets = Math.max(1, Math.ceil(durationMs / widthMs), Math.floor(this.lastActivityMs / widthMs) + 1);
    const hits = this.sEdgeHits.padded(buckets);
    const answers = this.sEdgeAnswers.padded(buckets);

    let originTotal = 0;
    const byPath: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    for (const o of this.origins) {
      const snap = o.counters.snapshot();
      originTotal += snap.total;
      for (const p of snap.paths) {
        inc(byPath, p.path, p.total);
        for (const [k, v] of Object.entries(p.byKind)) inc(byKind, k, v);
      }
    }

    const nodes: NodeResult[] = [];
    for (const n of this.topology.nodes) {
      const e = this.byId.get(n.id)!;
      if (e instanceof SimCacheNode) {
        // As the tier services count (packages/tier/src/tier-node.ts): every answer, upstream ones as misses.
        const r = e.counters.results;
        const st = e.cacheStats();
        const hitsN = (r.hit ?? 0) + (r.stale ?? 0);
        let answers = 0;
        for (const k in r) answers += r[k];
        nodes.push({
          id: e.id,
          role: e.role,
          region: e.region,
          requests: answers,
          hits: hitsN,
          misses: (r.miss ?? 0) + (r.revalidated ?? 0) + (r.pass ?? 0),
          staleServed: r.stale ?? 0,
          revalidations: e.revalidations(),
          collapsedWaiters: e.collapsedWaiters(),
          evictions: e.evictions(),
          upstreamFetches: e.counters.upstreamFetches,
          objects: st.objects,
          bytes: st.bytes,
          hitRatio: answers ? hitsN / answers : NaN,
        });
      } else if (e instanceof SimOrigin) {
        nodes.push({
          id: e.id,
          role: 'origin',
          region: e.region,
          requests: e.counters.total,
          hits: 0,
          misses: 0,
          staleServed: 0,
          revalidations: 0,
          collapsedWaiters: 0,
          evictions: 0,
          upstreamFetches: 0,
          objects: 0,
          bytes: 0,
          hitRatio: NaN,
        });
      }
    }

    const order = new Map(this.topology.nodes.map((n, i) => [n.id, i]));
    const purges = this.purges.map(({ result, acks }) => ({ ...result, acks: [...acks.values()].sort((a, b) => order.get(a.nodeId)! - order.get(b.nodeId)!) }));

    const latency: RunResult['latency'] = {};
    for (const region of [...this.latency.keys()].sort()) latency[region] = this.latency.get(region)!.summary();

    const byEdge: Record<string, number[]> = {};
    this.sByEdge.forEach((series, i) => {
      byEdge[this.edges[i].id] = series.padded(buckets);
    });

    return {
      scenario: scenario.name,
      variant: variant.name,
      engine: 'sim',
      seed,
      durationMs,
      requests: {
        sent: this.sent,
        answered: this.answered,
        errors: this.errors,
        unfinished: this.sent - this.answered - this.errors,
        byResult: sortKeys(this.byResult),
        byStatus: this.byStatus,
        byError: sortKeys(this.byError),
        byGroup: byGroupRecord(this.groupNames, this.groupSent, this.groupAnswered, this.groupResults, this.groupStatuses, this.groupLatency.map((h) => h.summary())),
        watched: watchedRecord(this.watch, this.groupNames, this.watched),
      },
      origin: { requests: originTotal, byPath, byKind },
      nodes,
      latency,
      series: {
        bucketMs: widthMs,
        originRequests: this.sOrigin.padded(buckets),
        edgeHitRatio: hitRatioPerBucket(hits, answers),
        byGroupHitRatio:
          this.sGroupAnswers.length > 0
            ? hitRatioRecord(
                this.groupNames,
                this.sGroupHits.map((x) => x.padded(buckets)),
                this.sGroupAnswers.map((x) => x.padded(buckets)),
              )
            : hitRatioRecord(this.groupNames, [hits], [answers]),
        byTier: byTierRecord(
          this.sTiers.map((t) => t.role),
          this.sTiers.map((t) => t.series.hits.padded(buckets)),
          this.sTiers.map((t) => t.series.answers.padded(buckets)),
        ),
        requests: this.sRequests.padded(buckets),
        errors: this.sErrors.padded(buckets),
        serverErrors: this.sServerErrors.padded(buckets),
        latencyByRegion: latencyByRegionRecord(this.sLatency, buckets),
        byEdge,
        watched: Object.fromEntries(this.watch.map((rule, i) => [rule.name, this.sWatched[i].padded(buckets)])),
      },
      purges,
      timeline: atMs === undefined ? this.timeline : [...this.timeline],
      ...(atMs === undefined && this.snapshots ? { snapshots: this.snapshots } : {}),
    };
  }
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/** Runs one variant of a scenario to the end, synchronously. */
export function runSimulation(opts: SimulationOptions): RunResult {
  return new Simulation(opts).run();
}

export interface SimEngineOptions {
  realBodies?: boolean;
  drainMs?: number;
  /** Wall-clock ms between progress reports (and chances to abort). Default 200. */
  progressEveryMs?: number;
}

/**
 * The Engine for `cdnlab run --engine sim`: steps the simulation on the
 * virtual-time grid, yielding to the event loop between steps so progress
 * is reported and an abort signal is seen; the result does not depend on
 * where it yielded.
 */
export function createSimEngine(engineOpts: SimEngineOptions = {}): Engine {
  const every = engineOpts.progressEveryMs ?? 200;
  return {
    name: 'sim',
    async run(opts: EngineRunOptions): Promise<RunResult> {
      const sim = new Simulation({ scenario: opts.scenario, variant: opts.variant, seed: opts.seed, realBodies: engineOpts.realBodies, drainMs: engineOpts.drainMs });
      let lastReport = Date.now();
      while (!sim.done) {
        if (opts.signal?.aborted) break;
        sim.advance(sim.nextStepMs());
        if (Date.now() - lastReport >= every) {
          lastReport = Date.now();
          opts.onProgress?.(sim.progress());
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      opts.onProgress?.(sim.progress());
      return sim.result();
    },
  };
}

/**
 * How long after its connection goes silent (its edge left the network,
 * with the request delivered) the testbed's client fails with ETIMEDOUT:
 * its http.Agent keeps connections alive with TCP keepalive after 1 s idle,
 * and Node 20's libuv probes every 1 s and gives up after 10 unanswered
 * probes (TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 10, seen with
 * strace). A request still on its way is retransmitted instead, and waits
 * for CLIENT_TIMEOUT_MS.
 */
const CLIENT_KEEPALIVE_FAILS_MS = 11_000;

/** What a ClientRequest does when the scheduler runs it next. */
const ARRIVAL = 0;
const AT_EDGE = 1;
const BACK_AT_CLIENT = 2;
const GAVE_UP = 3;

/**
 * One client request from its planned arrival to its answer: one object
 * the scheduler runs at each step (arrival, at the edge, back at the
 * client), where closures per step cost three or four allocations each.
 */
class ClientRequest implements Task, Caller {
  private step = ARRIVAL;
  t0 = 0;
  edge: SimCacheNode | undefined = undefined;
  /** The id of the link back to the client. */
  back = NO_LINK;
  private req: SimRequest | undefined = undefined;
  private error: SimErrorKind | undefined = undefined;
  private answer: SimAnswer | undefined = undefined;

  constructor(
    private readonly sim: Simulation,
    readonly p: PlannedRequest,
  ) {}

  sent(t0: number, edge: SimCacheNode, req: SimRequest, back: number): void {
    this.t0 = t0;
    this.edge = edge;
    this.req = req;
    this.back = back;
    this.step = AT_EDGE;
  }

  timeOut(): void {
    this.step = GAVE_UP;
  }

  /**
   * The client waits CLIENT_TIMEOUT_MS from sending (from its planned time:
   * arrivals are on time); on a connection gone silent with its request
   * delivered, its TCP keepalive gives up first (CLIENT_KEEPALIVE_FAILS_MS).
   */
  givesUpAt(silentSince?: number): number {
    const deadline = this.t0 + CLIENT_TIMEOUT_MS;
    return silentSince === undefined ? deadline : Math.min(deadline, silentSince + CLIENT_KEEPALIVE_FAILS_MS);
  }

  /** The edge's answer (the request is the edge's Caller): it travels back to the client. */
  reply(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    this.sim.replied(this, error, answer);
  }

  returned(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void {
    this.error = error;
    this.answer = answer;
    this.step = BACK_AT_CLIENT;
  }

  run(): void {
    switch (this.step) {
      case ARRIVAL:
        this.sim.arrive(this);
        return;
      case AT_EDGE: {
        const req = this.req!;
        this.req = undefined;
        this.edge!.handle(req, this);
        return;
      }
      case BACK_AT_CLIENT:
        this.sim.clientDone(this, this.error, this.answer);
        return;
      case GAVE_UP:
        this.sim.clientDone(this, 'timeout', undefined);
        return;
    }
  }
}
