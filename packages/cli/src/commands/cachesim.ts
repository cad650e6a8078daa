/**
 * `cdnlab cachesim <trace>`: a trace through one bare cache per policy and
 * capacity, libCacheSim style: no HTTP, no network, no time; every request
 * is an access, a miss inserts the object (evicting until it fits) and an
 * object larger than the cache is never admitted. It runs the core's own
 * stores (packages/sim/src/single-cache.ts), the same ones every tier uses,
 * so a policy's miss ratio here is the one a scenario's caches start from.
 *
 * Capacities are sizes (`64MiB`, or bytes), object counts with
 * `--ignore-obj-size`, or fractions of the trace's working set (`0.01`: 1% of
 * the bytes, or of the objects, the trace asks for), which costs one more
 * pass over the trace to measure it. Every policy and capacity share one
 * pass: the trace is read and parsed once, not once per cache; with
 * threads (--jobs, or by default for many caches on a big trace) the caches
 * are dealt out among them and each thread reads the trace once.
 */
import { statSync } from 'node:fs';
import { evictionPolicyNames } from '@cdnlab/core';
import { simThreadBundle } from '@cdnlab/launcher';
import { parseSize, TraceError, UnitError, type TraceFormat } from '@cdnlab/scenario';
import { defaultThreads, simulateSingleCaches, simulateSingleCachesInThreads, traceRequests, type SingleCacheResult } from '@cdnlab/sim';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';

export interface CachesimFlags {
  /** Absent: by the file name. */
  format?: TraceFormat;
  policy?: string[];
  capacity?: Capacity[];
  ignoreObjSize?: boolean;
  maxRequests?: number;
  /** Threads (unset: cachesimThreads decides). */
  jobs?: number;
  json?: boolean;
}

/** A capacity as given: absolute (bytes or objects), or a fraction of the working set. */
export interface Capacity {
  kind: 'absolute' | 'fraction';
  value: number;
  text: string;
}

export interface CachesimRow {
  policy: string;
  /** As given on the command line. */
  capacityGiven: string;
  /** Bytes, or objects with --ignore-obj-size. */
  capacity: number;
  result: SingleCacheResult;
}

export interface CachesimReport {
  trace: string;
  format: TraceFormat;
  ignoreObjSize: boolean;
  /** Measured only when a capacity is a fraction of it. */
  workingSet?: { objects: number; bytes: number };
  rows: CachesimRow[];
}

function listOption<T>(parse: (v: string) => T): (v: string, previous: T[] | undefined) => T[] {
  return (v, previous) => [
    ...(previous ?? []),
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(parse),
  ];
}

export function parseCapacity(v: string): Capacity {
  if (/^0?\.\d+$/.test(v)) {
    const f = Number(v);
    if (f > 0 && f < 1) return { kind: 'fraction', value: f, text: v };
  }
  let n: number;
  try {
    n = parseSize(/^\d+$/.test(v) ? Number(v) : v);
  } catch (err) {
    if (err instanceof UnitError) throw new InvalidArgumentError(`${err.message}; or a fraction of the working set between 0 and 1, such as 0.01`);
    throw err;
  }
  if (n <= 0) throw new InvalidArgumentError('expected a capacity above 0');
  return { kind: 'absolute', value: n, text: v };
}

function policyOption(v: string): string {
  const names = evictionPolicyNames();
  if (!names.includes(v)) throw new InvalidArgumentError(`unknown policy "${v}"; expected one of ${names.join(', ')}`);
  return v;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return n;
}

/** The format a file name says: libCacheSim names its binary traces `*.oracleGeneral*`. */
export function formatOf(file: string, given: CachesimFlags['format']): TraceFormat {
  if (/\.(zst|gz|xz|bz2)$/i.test(file)) throw new CliError(`${file}: a compressed trace; decompress it first (libCacheSim's .zst traces: zstd -d ${file})`, 2);
  if (given !== undefined) return given;
  return /oracleGeneral/i.test(file) ? 'oracleGeneral' : 'csv';
}

/** Objects and bytes the trace asks for (each object counted once, at its first size). */
function workingSet(file: string, format: TraceFormat, maxRecords: number | undefined, ignoreSizes: boolean): { objects: number; bytes: number } {
  const seen = new Set<string | number>();
  let bytes = 0;
  for (const r of traceRequests(file, format, { maxRecords, ignoreSizes })) {
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    // traceRequests() has refused a record without a size unless sizes are ignored.
    bytes += ignoreSizes ? 1 : r.sizeBytes!;
  }
  return { objects: seen.size, bytes };
}

/** What a cachesim run will do: the trace's format, its working set when a capacity needs it, and every cache. */
interface CachesimPlan {
  format: TraceFormat;
  ignoreSizes: boolean;
  ws: { objects: number; bytes: number } | undefined;
  runs: Array<{ policy: string; capacityGiven: string; capacity: number }>;
}

/** What a run will do. Errors in the trace (met measuring the working set) name the file and record. */
function planCachesim(file: string, flags: CachesimFlags): CachesimPlan {
  const format = formatOf(file, flags.format);
  const ignoreSizes = flags.ignoreObjSize === true;
  const policies = flags.policy?.length ? flags.policy : ['lru'];
  const capacities = flags.capacity ?? [];
  if (capacities.length === 0) throw new CliError('give --capacity: a size (64MiB), a number of objects with --ignore-obj-size, or a fraction of the working set (0.01)', 2);
  let ws: CachesimPlan['ws'];
  try {
    ws = capacities.some((c) => c.kind === 'fraction') ? workingSet(file, format, flags.maxRequests, ignoreSizes) : undefined;
  } catch (err) {
    return traceErrorsNamed(err);
  }
  const runs = capacities.flatMap((c) => {
    const capacity = c.kind === 'absolute' ? c.value : Math.max(1, Math.floor(c.value * (ignoreSizes ? ws!.objects : ws!.bytes)));
    return policies.map((policy) => ({ policy, capacityGiven: c.text, capacity }));
  });
  return { format, ignoreSizes, ws, runs };
}

function reportOf(file: string, plan: CachesimPlan, results: readonly SingleCacheResult[]): CachesimReport {
  const rows: CachesimRow[] = plan.runs.map((r, i) => ({ ...r, result: results[i] }));
  return { trace: file, format: plan.format, ignoreObjSize: plan.ignoreSizes, ...(plan.ws ? { workingSet: plan.ws } : {}), rows };
}

/** A bad record's TraceError as the command's error: file and record named. */
function traceErrorsNamed(err: unknown): never {
  if (err instanceof TraceError) throw new CliError(err.message);
  throw err;
}

/** Runs every policy × capacity over the trace, in one pass in this process (`plan`: planCachesim's, when already made). Errors in the trace name the file and record. */
export function runCachesim(file: string, flags: CachesimFlags, plan = planCachesim(file, flags)): CachesimReport {
  try {
    const results = simulateSingleCaches(
      traceRequests(file, plan.format, { maxRecords: flags.maxRequests, ignoreSizes: plan.ignoreSizes }),
      plan.runs.map((r) => ({ capacity: r.capacity, policy: r.policy, ignoreSizes: plan.ignoreSizes })),
    );
    return reportOf(file, plan, results);
  } catch (err) {
    return traceErrorsNamed(err);
  }
}

/**
 * The same, with the caches dealt out to `threads` worker threads, each
 * reading the trace itself: the same report (a test compares them).
 */
export async function runCachesimInThreads(file: string, flags: CachesimFlags, threads: { threads: number; workerFile: string }, plan = planCachesim(file, flags)): Promise<CachesimReport> {
  try {
    const results = await simulateSingleCachesInThreads({
      workerFile: threads.workerFile,
      threads: threads.threads,
      file,
      format: plan.format,
      ...(flags.maxRequests !== undefined ? { maxRecords: flags.maxRequests } : {}),
      ignoreSizes: plan.ignoreSizes,
      caches: plan.runs.map((r) => ({ capacity: r.capacity, policy: r.policy, ignoreSizes: plan.ignoreSizes })),
    });
    return reportOf(file, plan, results);
  } catch (err) {
    return traceErrorsNamed(err);
  }
}

/**
 * Without --jobs, threads only for a trace of at least this size and at
 * least THREADS_FROM_CACHES caches: each thread reads the whole trace
 * again and starts cold, and the caches' work must outweigh that. Measured
 * on two cores, 5 M oracleGeneral requests (120 MB), capacities as
 * fractions of the working set: 9 caches 11.5-14.6 s in one thread against
 * 8.0-9.8 s in two; 4 caches 9.6 s against 6.7-9.1 s; 2 caches 6.0 s
 * against 6.7 s (slower).
 */
export const THREADS_FROM_TRACE_BYTES = 64 * 2 ** 20;
export const THREADS_FROM_CACHES = 4;

/** Threads for a run: --jobs, else defaultThreads() for a big trace and many caches, else 1; never more than there are caches. */
export function cachesimThreads(flags: CachesimFlags, traceBytes: number, caches: number, byDefault = defaultThreads()): number {
  const wanted = flags.jobs ?? (traceBytes >= THREADS_FROM_TRACE_BYTES && caches >= THREADS_FROM_CACHES ? byDefault : 1);
  return Math.max(1, Math.min(wanted, caches));
}

const pct = (x: number): string => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);
const int = (n: number): string => n.toLocaleString('en-US');

export function formatCachesim(r: CachesimReport): string {
  const unit = r.ignoreObjSize ? 'objects' : 'bytes';
  const head = [`${r.trace} (${r.format}${r.ignoreObjSize ? ', every object counted as 1' : ''})`];
  if (r.workingSet) head.push(`working set: ${int(r.workingSet.objects)} objects, ${int(r.workingSet.bytes)} bytes`);
  const table = formatTable(
    ['policy', 'capacity', unit, 'requests', 'misses', 'miss ratio', 'byte miss ratio'],
    r.rows.map((row) => [row.policy, row.capacityGiven, int(row.capacity), int(row.result.requests), int(row.result.misses), pct(row.result.missRatio), pct(row.result.byteMissRatio)]),
  );
  return `${head.join('\n')}\n${table}\n`;
}

export function registerCachesim(program: Command): void {
  program
    .command('cachesim')
    .description('run a trace (csv or libCacheSim oracleGeneral) through one bare cache per eviction policy and capacity: requests, misses, miss ratios')
    .argument('<trace>', 'the trace file')
    .option('--format <format>', 'csv or oracleGeneral (default: oracleGeneral when the file name says so, else csv)', (v: string) => {
      if (v !== 'csv' && v !== 'oracleGeneral') throw new InvalidArgumentError('expected csv or oracleGeneral');
      return v;
    })
    .option('--policy <names>', `eviction policies, comma-separated (${evictionPolicyNames().join(', ')}; default lru)`, listOption(policyOption))
    .option('--capacity <sizes>', 'cache sizes, comma-separated: 64MiB, bytes, objects with --ignore-obj-size, or fractions of the working set (0.01)', listOption(parseCapacity))
    .option('--ignore-obj-size', 'count objects, not bytes (libCacheSim --ignore-obj-size)')
    .option('--max-requests <n>', 'stop after this many requests', positiveInt)
    .option('--jobs <n>', 'worker threads, the caches dealt out among them, each thread reading the trace itself (default: one per core, at most one per 2 GiB of memory, for 4 caches or more on a trace of 64 MiB or more; else 1)', positiveInt)
    .option('--json', 'print the results as JSON')
    .action(async (trace: string, flags: CachesimFlags) => {
      // Planned once (the working set, when a capacity is a fraction of it, takes a pass over the trace).
      const plan = planCachesim(trace, flags);
      const caches = plan.runs.length;
      let bytes = 0;
      try {
        bytes = statSync(trace).size;
      } catch {
        // The reader says what is wrong with the file, naming it.
      }
      const threads = cachesimThreads(flags, bytes, caches);
      if (threads > 1) process.stderr.write(`${caches} caches on ${threads} threads, each reading the trace\n`);
      const report = threads > 1 ? await runCachesimInThreads(trace, flags, { threads, workerFile: await simThreadBundle() }, plan) : runCachesim(trace, flags, plan);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatCachesim(report));
    });
}
