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
  elapsedMs: number;
  plannedMs: number;
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
  /** Latency of the group's answers, as RunResult.latency is per region. */
  latency: LatencySummary;
}

export interface NodeResult {
  id: string;
  role: 'edge' | 'regional' | 'shield' | 'origin';
  region: string;
  requests: number;
  hits: number;
  misses: number;
  staleServed: number;
  revalidations: number;
  collapsedWaiters: number;
  evictions: number;
  upstreamFetches: number;
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
  acks: Array<{ nodeId: string; role: string; delayMs: number; objectsAffected: number; error?: string }>;
}

export interface TimelineRecord {
  atMs: number;
  action: string;
  detail: string;
  ok: boolean;
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
    requests: number[];
    errors: number[];
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
}

/** A load generator this late (ms) means the testbed's machine fell behind the plan. */
export const LOAD_LAG_LIMIT_MS = 100;

export interface Engine {
  readonly name: string;
  run(opts: EngineRunOptions): Promise<RunResult>;
}
