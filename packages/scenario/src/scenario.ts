/**
 * The loaded scenario: what the runner (embedded, compose or simulated)
 * executes. Units are numbers (ms, bytes), topologies are fully loaded per
 * variant, the timeline is sorted and expectations are parsed. Plain data,
 * JSON-serialisable.
 */
import type { Expectation } from './expectation-expr';
import type { Topology } from './topology';

export interface ScenarioVariant {
  name: string;
  description?: string;
  /** The scenario's topology with this variant's overrides applied. */
  topology: Topology;
}

/**
 * A request header's value: the same string on every request, or one of
 * several, chosen once per client (a browser keeps its User-Agent): one of
 * `oneOf`, or `template` with `{n}` replaced by 1 … `count`.
 */
export type HeaderValueSpec = string | { oneOf: string[] } | { template: string; count: number };

/** Answers to count by what one of their header lines says (`workload.watch`). */
export interface WatchRule {
  name: string;
  /** Lower-case field name. */
  header: string;
  /** The rule matches an answer with a `header` line whose value contains this. */
  contains: string;
}

export interface ClientGroup {
  /** Unique among the groups: a label in metrics. The loader always sets it; see {@link clientGroupNames}. */
  name?: string;
  region: string;
  count: number;
  /** Requests per second for the whole group. */
  rate: number;
  arrival: 'constant' | 'poisson' | 'burst';
  /** Set exactly when arrival is burst. */
  burst?: { size: number; everyMs: number };
  startMs: number;
  /** Absent: until the end of the run. */
  stopMs?: number;
  /** Request headers of this group on top of `workload.headers` (a name given in both: this one). */
  headers?: Record<string, HeaderValueSpec>;
  /**
   * A trace replayed at its own times only: this group sends the trace's
   * requests whose path matches one of these globs; groups without `paths`
   * send the requests no group's paths match.
   */
  paths?: string[];
}

export type ObjectPopularity =
  | { popularity: 'zipf'; alpha: number; count: number; path: string }
  | { popularity: 'uniform'; count: number; path: string }
  | { popularity: 'hot'; keys: string[] }
  /** `file` is absolute. */
  | TracePopularity;

/** Requests replayed from a recorded trace. */
export interface TracePopularity {
  popularity: 'trace';
  file: string;
  format: 'csv' | 'oracleGeneral';
  /**
   * When requests come. `trace` (the default): at the trace's own times,
   * relative to its first record and divided by `speedup`; each request is
   * sent by a client group chosen in proportion to the groups' `rate`, and by
   * one of that group's clients at random (seeded). `clients`: at the client
   * groups' arrivals, the trace giving only the order of objects.
   */
  timing?: 'trace' | 'clients';
  /** `timing: trace` only: replay this many times faster than recorded (TTLs and latencies are not scaled). Default 1. */
  speedup?: number;
}

export type ObjectSizes =
  | { distribution: 'fixed'; sizeBytes: number }
  | { distribution: 'uniform'; minBytes: number; maxBytes: number }
  | { distribution: 'pareto'; minBytes: number; alpha: number };

/** Fractions of requests; they sum to 1. */
export interface MethodMix {
  GET: number;
  HEAD: number;
  conditional: number;
  POST: number;
}

export interface Workload {
  seed: number;
  /** At least one of durationMs and requests is set; the first reached ends the run. */
  durationMs?: number;
  requests?: number;
  clients: ClientGroup[];
  objects: ObjectPopularity;
  /** Absent: the sizes the origin's path rules give. */
  sizes?: ObjectSizes;
  methods: MethodMix;
  /** Request headers of every group. */
  headers: Record<string, HeaderValueSpec>;
  /** Answers to count by a header line (cache poisoning, leaks); absent or empty: nothing watched. */
  watch?: WatchRule[];
}

/**
 * Each group's name: its own, or by default its region, or region-N (N its
 * 1-based position in the list) when the region has several groups.
 */
/**
 * Whether a workload's requests come at a trace's own times (a trace with
 * `timing: trace`, the default) rather than at the client groups' arrivals.
 * Takes the loaded objects or the file's, which spell these fields alike.
 */
export function pacedByTrace(objects: { popularity: string; timing?: string }): boolean {
  return objects.popularity === 'trace' && (objects.timing ?? 'trace') === 'trace';
}

export function clientGroupNames(clients: readonly ClientGroup[]): string[] {
  const inRegion = new Map<string, number>();
  for (const c of clients) inRegion.set(c.region, (inRegion.get(c.region) ?? 0) + 1);
  return clients.map((c, i) => c.name ?? (inRegion.get(c.region) === 1 ? c.region : `${c.region}-${i + 1}`));
}

interface EventBase {
  atMs: number;
  note?: string;
}

export type NodeAction = 'kill' | 'stop' | 'start' | 'pause' | 'unpause' | 'disconnect' | 'reconnect';

export type TimelineEvent =
  | (EventBase & { action: 'purge'; url?: string; tag?: string; prefix?: string; all?: true; soft: boolean; fanout?: 'direct' | 'tree' })
  | (EventBase & { action: 'origin-update'; path: string; version?: number })
  | (EventBase & {
      action: 'origin-fault';
      /** Absent: every origin. */
      node?: string;
      fault: 'error' | 'slow' | 'down' | 'reset' | 'ok';
      status: number;
      latencyMs?: number;
      path?: string;
      rate: number;
      forMs?: number;
    })
  | (EventBase & { action: NodeAction; node: string })
  | (EventBase & { action: 'link'; from: string; to: string; latencyMs?: number; jitterMs?: number; loss?: number; down?: boolean; oneWay: boolean })
  | (EventBase & { action: 'dns-policy'; policy: 'geo' | 'weighted' | 'least-loaded' | 'latency' | 'round-robin' })
  | (EventBase & { action: 'route-change'; region: string; edge: string; cost: number })
  | (EventBase & { action: 'ttl-override'; match: string; ttlMs: number; nodes?: string[] });

export interface ExpectationSpec {
  expect: Expectation;
  /** Absent: at the end of the run. */
  atMs?: number;
  /** Absent: every variant. */
  variant?: string;
  description?: string;
}

export interface Scenario {
  /** The scenario file, as shown in messages. */
  file: string;
  name: string;
  title: string;
  description: string;
  /** The topology file, when the scenario names one (absolute). */
  topologyFile?: string;
  /** At least one; a scenario without `variants` has one named "baseline". */
  variants: ScenarioVariant[];
  workload: Workload;
  /** Sorted by time; events at the same time keep file order. */
  timeline: TimelineEvent[];
  expectations: ExpectationSpec[];
  /** Whether the `quick` profile was applied. */
  quick: boolean;
  /** The engines it is written for; the first is `cdnlab run`'s default. */
  engines: ScenarioEngine[];
  /** Variant name → why its testbed figures depend on the machine's speed (`cdnlab compare` does not hold them to tolerances). */
  machineBound?: Record<string, string>;
}

/**
 * Sizes a workload may not exceed, checked by the schema (so an error names
 * the file and line) and again by validateWorkload: the Zipf sampler draws
 * below 2^31, the uniform one at most 2^32, and every engine keeps a few
 * numbers per client (10 million clients: about 120 MB in the simulator; a
 * larger count failed deep in a run with "Invalid typed array length").
 */
export const WORKLOAD_LIMITS = { zipfObjects: 2 ** 31 - 1, uniformObjects: 2 ** 32, clientsPerGroup: 10_000_000 } as const;

/**
 * The engines a scenario may name: `embedded`, the testbed's real processes
 * (on loopback, a running cluster, or compose with --target compose);
 * `compose`, the testbed in compose only, for events processes on loopback
 * cannot act out (an edge leaving its network); `sim`, the simulator.
 */
export const SCENARIO_ENGINE_NAMES = ['embedded', 'compose', 'sim'] as const;
export type ScenarioEngine = (typeof SCENARIO_ENGINE_NAMES)[number];
/** A scenario that names none is written for these. */
export const SCENARIO_ENGINES: readonly ScenarioEngine[] = ['embedded', 'sim'];
