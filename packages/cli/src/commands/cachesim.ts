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
 * pass: the trace is read and parsed once, not once per cache.
 */
import { evictionPolicyNames } from '@cdnlab/core';
import { parseSize, readTrace, TraceError, UnitError, type TraceFormat } from '@cdnlab/scenario';
import { simulateSingleCaches, type SingleCacheResult, type TraceRequest } from '@cdnlab/sim';
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

function* requests(file: string, format: TraceFormat, maxRecords: number | undefined, ignoreSizes: boolean): Generator<TraceRequest> {
  for (const r of readTrace(file, format, maxRecords === undefined ? {} : { maxRecords })) {
    if (!ignoreSizes && r.sizeBytes === undefined) throw new TraceError(file, r.record ?? 0, 'no size: give each request a size (time,key,size), or run with --ignore-obj-size to count objects');
    if (!ignoreSizes && r.sizeBytes === 0) throw new TraceError(file, r.record ?? 0, 'size 0: a cache holds objects of at least one byte (or run with --ignore-obj-size)');
    // The record itself (a TraceRequest and more): no second object per request.
    yield r;
  }
}

/** Objects and bytes the trace asks for (each object counted once, at its first size). */
function workingSet(file: string, format: TraceFormat, maxRecords: number | undefined, ignoreSizes: boolean): { objects: number; bytes: number } {
  const seen = new Set<string | number>();
  let bytes = 0;
  for (const r of requests(file, format, maxRecords, ignoreSizes)) {
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    // requests() has refused a record without a size unless sizes are ignored.
    bytes += ignoreSizes ? 1 : r.sizeBytes!;
  }
  return { objects: seen.size, bytes };
}

/** Runs every policy × capacity over the trace. Errors in the trace name the file and record. */
export function runCachesim(file: string, flags: CachesimFlags): CachesimReport {
  const format = formatOf(file, flags.format);
  const ignoreSizes = flags.ignoreObjSize === true;
  const policies = flags.policy?.length ? flags.policy : ['lru'];
  const capacities = flags.capacity ?? [];
  if (capacities.length === 0) throw new CliError('give --capacity: a size (64MiB), a number of objects with --ignore-obj-size, or a fraction of the working set (0.01)', 2);
  try {
    const ws = capacities.some((c) => c.kind === 'fraction') ? workingSet(file, format, flags.maxRequests, ignoreSizes) : undefined;
    const runs = capacities.flatMap((c) => {
      const capacity = c.kind === 'absolute' ? c.value : Math.max(1, Math.floor(c.value * (ignoreSizes ? ws!.objects : ws!.bytes)));
      return policies.map((policy) => ({ policy, capacityGiven: c.text, capacity }));
    });
    // Every policy and capacity in one pass over the trace.
    const results = simulateSingleCaches(
      requests(file, format, flags.maxRequests, ignoreSizes),
      runs.map((r) => ({ capacity: r.capacity, policy: r.policy, ignoreSizes })),
    );
    const rows: CachesimRow[] = runs.map((r, i) => ({ ...r, result: results[i] }));
    return { trace: file, format, ignoreObjSize: ignoreSizes, ...(ws ? { workingSet: ws } : {}), rows };
  } catch (err) {
    if (err instanceof TraceError) throw new CliError(err.message);
    throw err;
  }
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
    .option('--json', 'print the results as JSON')
    .action((trace: string, flags: CachesimFlags) => {
      const report = runCachesim(trace, flags);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatCachesim(report));
    });
}
