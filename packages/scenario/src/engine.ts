/**
 * The contract between the scenario runner and whatever executes a scenario:
 * the embedded topology on loopback, docker compose, or the simulator in
 * virtual time. Every engine takes the same inputs and returns the same
 * RunResult, so one report, one set of charts and one expectation checker
 * serve them all, and results from two engines can be compared line by line.
 */
import type { Scenario, ScenarioVariant } from './scenario';

export interface EngineRunOptions {
  scenario: Scenario;
  /** The variant to run; its topology has the variant's overrides applied. */
  variant: ScenarioVariant;
  seed: number;
  /** Called now and then with live counters (for the progress bar). */
  onProgress?: (p: RunProgress) => void;
  /** Stops the run early (Ctrl-C); the engine returns what it has. */
  signal?: AbortSignal;
}

export interface RunProgress {
  /** Time into the run (virtual time on the simulator). */
  elapsedMs: number;
  /** The workload's duration; 0 when it has none (it ends by its request count). */
  plannedMs: number;
  /** The workload's request count; 0 when it has none (it ends by its duration). The run ends at whichever comes first. */
  plannedRequests: number;
  sent: number;
  answered: number;
  errors: number;
  hits: number;
  originRequests: number;
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What one client group saw (RunResult.requests.byGroup). */
export interface GroupResult {
  sent: number;
  answered: number;
  /** Answers by edge outcome (hit, stale, miss, pass, revalidated, error), as requests.byResult. */
  byResult: Record<string, number>;
  /** Answers by HTTP status, as requests.byStatus. */
  byStatus: Record<string, number>;
  /** Latency of the group's answers, as RunResult.latency is per region. */
  latency: LatencySummary;
}

/**
 * One node's counts over the run, the same on both engines. A cache node
 * counts its answers (a request reset by a kill before it was answered is in
 * none of them); the origin's `requests` are the requests it received. The
 * testbed reads every node's counters once per series bucket and sums the
 * differences: a node killed before the end keeps what it counted up to its
 * last reading (what it answered after that is lost with the process), and
 * one that restarted adds what it counted since.
 */
export interface NodeResult {
  id: string;
  role: 'edge' | 'regional' | 'shield' | 'origin';
  region: string;
  /** Answers the node gave, errors included: hits + misses + errors. */
  requests: number;
  /** Answers from the cache, fresh or stale. */
  hits: number;
  /** Answers that went upstream: misses, revalidations and passes. */
  misses: number;
  /** The stale part of `hits`. */
  staleServed: number;
  /** Stored copies refreshed by a 304 from upstream. */
  revalidations: number;
  /** Requests that waited for another's fetch and were answered with its result. */
  collapsedWaiters: number;
  evictions: number;
  upstreamFetches: number;
  /** Objects and bytes in the cache at the end. */
  objects: number;
  bytes: number;
  /** hits / requests (NaN when no requests). */
  hitRatio: number;
}

export interface PurgeResult {
  atMs: number;
  kind: string;
  value: string;
  mode: 'hard' | 'soft';
  fanout: 'direct' | 'tree';
  /**
   * Each node's outcome as it stood when the run ended: a node the first
   * call missed may have taken the purge on a redelivery since
   * (topology control.redeliver), its delay then counting from the purge.
   */
  acks: Array<{
    nodeId: string;
    role: string;
    delayMs: number;
    objectsAffected: number;
    error?: string;
    /** Calls made to the node for this purge by then: 1, or more when it was redelivered (absent in reports from before redelivery). */
    attempts?: number;
  }>;
}

export interface TimelineRecord {
  atMs: number;
  action: string;
  detail: string;
  ok: boolean;
}

/** One cache tier's answers per bucket and the share of them that were hits (RunResult.series.byTier). */
export interface TierOverTime {
  answers: number[];
  hitRatio: number[];
}

export interface RunResult {
  scenario: string;
  variant: string;
  engine: string;
  seed: number;
  /** Wall-clock or virtual duration of the workload. */
  durationMs: number;
  /** Every request is accounted for: sent = answered + errors + unfinished. */
  requests: {
    sent: number;
    answered: number;
    errors: number;
    unfinished: number;
    /** Answers by edge Cache-Status outcome: hit, stale, miss, pass, revalidated, error (an error status the edge made). */
    byResult: Record<string, number>;
    byStatus: Record<string, number>;
    /** Error kinds (connect, timeout, reset, dns ...). */
    byError: Record<string, number>;
    /**
     * Per client group (its name, see clientGroupNames): requests sent, HTTP
     * answers (so a watched count can be read as a share of a group's
     * answers), the edge outcome of those answers and their latency. Every
     * group is present, zeros included (a group without answers has count 0
     * and NaN percentiles).
     */
    byGroup: Record<string, GroupResult>;
    /**
     * `workload.watch` rule name → group name → HTTP answers with a line of
     * the rule's header containing its text. Every rule and every group is
     * present, zeros included: a rule that never matched reads 0, not missing.
     */
    watched: Record<string, Record<string, number>>;
  };
  origin: { requests: number; byPath: Record<string, number>; byKind: Record<string, number> };
  nodes: NodeResult[];
  /** Latency of the answers clients got (transport errors are counted, not timed), by client region. */
  latency: Record<string, LatencySummary>;
  /** Time series in fixed buckets from the start of the run. */
  series: {
    bucketMs: number;
    originRequests: number[];
    /** Edge hit ratio per bucket (NaN for empty buckets). */
    edgeHitRatio: number[];
    /**
     * The same per client group (the names of `requests.byGroup`; every
     * group present): the users' and the crawler's, or the visitors' and
     * the attacker's, each over time. NaN where a group had no answers.
     */
    byGroupHitRatio: Record<string, number[]>;
    /**
     * Each cache tier the topology has ('edge', 'regional', 'shield'), all
     * its nodes together, per bucket: the answers its nodes gave and the
     * share of them that were hits (fresh or stale; NaN where the tier
     * answered nothing), as NodeResult.hitRatio is over the whole run. A tier
     * behind the edges answers only their misses. On the testbed each bucket
     * is the difference of the nodes' counters polled at its end, so a node
     * killed between two polls takes its last interval's answers with it.
     */
    byTier: Record<string, TierOverTime>;
    requests: number[];
    /** Requests that got no HTTP answer (transport errors) per bucket. */
    errors: number[];
    /** HTTP answers with a 5xx status per bucket: the origin's 503 passed on, a cache's 502 or 504. */
    serverErrors: number[];
    /**
     * Latency of the answers clients got, by the bucket their requests were
     * planned to be sent in and by client region (the regions of the
     * workload's client groups): answers, their mean and the slowest, in ms
     * (NaN where a bucket had no answers).
     */
    latencyByRegion: Record<string, { answers: number[]; meanMs: number[]; maxMs: number[] }>;
    /** Requests answered per edge per bucket (DNS and anycast steering). */
    byEdge: Record<string, number[]>;
    /** Answers matching each watch rule per bucket, all groups together (every rule present). */
    watched: Record<string, number[]>;
  };
  purges: PurgeResult[];
  timeline: TimelineRecord[];
  /**
   * Engines that send in real time: how late the load generator sent its
   * latest request, in ms. At {@link LOAD_LAG_LIMIT_MS} or more the machine
   * was not keeping up with the plan, and the figures show its CPU as much
   * as the CDN. The simulator leaves it out (virtual time is never late).
   */
  loadLagMs?: number;
  /**
   * Engines that run on this machine's cores: how busy the machine was
   * while the workload ran. The simulator leaves it out.
   */
  hostCpu?: HostCpuUse;
}

/** A load generator this late (ms) means the testbed's machine fell behind the plan. */
export const LOAD_LAG_LIMIT_MS = 100;

/**
 * How long a workload's client waits for an answer, from the request's
 * planned time, before it counts a `timeout` (every engine): above the tiers'
 * own upstream deadline (10 s), so a slow CDN is measured by its answer and
 * only a node that cannot answer at all (frozen, or its messages lost) meets
 * the client's give-up.
 */
export const CLIENT_TIMEOUT_MS = 30_000;

/** How busy the machine's CPUs were over a stretch of time. */
export interface HostCpuUse {
  cores: number;
  /** Fraction of all cores' time spent busy, 0..1. */
  busy: number;
  /**
   * Fraction of wall time during which some runnable process waited for a
   * core, 0..1 (Linux CPU pressure stall information; absent elsewhere).
   */
  stalled?: number;
}

/**
 * Cores this short of time mean the testbed's figures show the machine as
 * much as the CDN: some process waited for a core at least this share of
 * the run (or, without stall information, the cores were this busy).
 */
export const HOST_STALL_LIMIT = 0.5;
export const HOST_BUSY_LIMIT = 0.95;

/** Whether a run's machine was saturated (see HOST_STALL_LIMIT). */
export function hostSaturated(u: HostCpuUse): boolean {
  return u.stalled !== undefined ? u.stalled >= HOST_STALL_LIMIT : u.busy >= HOST_BUSY_LIMIT;
}

/** A fraction as a whole percentage, e.g. 0.926 → `93%`. */
export const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** Why a run's load generator shows the machine (it fell LOAD_LAG_LIMIT_MS behind its plan), or undefined. */
export function loadLagReason(r: Pick<RunResult, 'loadLagMs'>): string | undefined {
  const lag = r.loadLagMs ?? 0;
  return lag >= LOAD_LAG_LIMIT_MS ? `the testbed fell ${lag} ms behind its plan: its cores were saturated` : undefined;
}

/**
 * Why a run's measured times show this machine as much as the CDN, or
 * undefined when nothing says so: its load generator fell behind the plan,
 * or its cores were saturated while the workload ran. Only engines that run
 * in real time on this machine report either; the simulator never is.
 */
export function machineBoundReason(r: Pick<RunResult, 'loadLagMs' | 'hostCpu'>): string | undefined {
  const lagged = loadLagReason(r);
  if (lagged !== undefined) return lagged;
  const u = r.hostCpu;
  if (!u || !hostSaturated(u)) return undefined;
  return u.stalled !== undefined
    ? `some process waited for a core ${pct(u.stalled)} of the time the workload ran (${u.cores} cores ${pct(u.busy)} busy): the testbed's cores were saturated`
    : `the machine's ${u.cores} cores were ${pct(u.busy)} busy while the workload ran: the testbed's cores were saturated`;
}

export interface Engine {
  readonly name: string;
  /**
   * How many runs may be under way at once, each a variant (default 1).
   * The testbed has one cluster, so one; the simulator in worker threads,
   * one per thread.
   */
  readonly concurrency?: number;
  run(opts: EngineRunOptions): Promise<RunResult>;
}
