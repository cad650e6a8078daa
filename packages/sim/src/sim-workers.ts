/**
 * The simulator on several cores, a job per worker thread (sim-thread.ts):
 *
 * - `createWorkerSimEngine`: an Engine whose every run is one variant in a
 *   thread of its own, so `cdnlab run --engine sim` can run a scenario's
 *   variants side by side. A simulation is single-threaded and its
 *   variants share nothing, so each thread's result is the one an
 *   in-process run gives (a test compares the reports).
 * - `simulateSingleCachesInThreads`: `cdnlab cachesim`'s caches split into
 *   groups, each group over its own read of the trace in a thread.
 *
 * The thread's code is a CommonJS bundle of sim-thread.ts: a worker thread
 * cannot load our TypeScript by itself, and the CLI already builds bundles
 * (the launcher's simThreadBundle() builds this one), so the caller passes the file.
 */
import { availableParallelism, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TraceError, type Engine, type EngineRunOptions, type RunProgress, type RunResult, type Scenario, type ScenarioVariant, type TraceFormat } from '@cdnlab/scenario';
import type { SimEngineOptions } from './sim-engine';
import type { SingleCacheOptions, SingleCacheResult } from './single-cache';

/** To a simulator thread: one job, then (for a run) perhaps an `abort`. */
export type ThreadRequest =
  | { kind: 'run'; scenario: Scenario; variant: ScenarioVariant; seed: number; engine: SimEngineOptions }
  | { kind: 'caches'; file: string; format: TraceFormat; maxRecords?: number; ignoreSizes: boolean; caches: SingleCacheOptions[] }
  | { kind: 'abort' };

/** From it: (for a run) any number of `progress`, then one `result` or `error`. */
export type ThreadReply =
  | { kind: 'progress'; progress: RunProgress }
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; message: string; stack?: string; trace?: { file: string; record: number; detail: string; format: TraceFormat | undefined } };

/**
 * How many threads to use by default: one per core, and at most one per
 * 2 GiB of memory (internet-scale's variants peak at 1.7 GiB each; a
 * laptop with more cores than memory for them would swap).
 */
export function defaultThreads(cores = availableParallelism(), memoryBytes = totalmem()): number {
  return Math.max(1, Math.min(cores, Math.floor(memoryBytes / 2 ** 31)));
}

/** Young generation = two semi-spaces and a new large-object space of the same size (V8). */
function youngGenerationOfThisProcess(): number | undefined {
  for (const a of process.execArgv) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) return 3 * Number(m[1]);
  }
  return undefined;
}

interface ThreadOptions {
  /** sim-thread.ts built into one CommonJS file. */
  file: string;
  /** Young generation per thread in MiB (undefined: V8's default). */
  young: number | undefined;
  /** Old generation per thread in MiB (undefined: as this process). */
  old: number | undefined;
  /** Names the job in errors ("variant edge-only", "caches 1, 3, 5": their places on the command line). */
  label: string;
  onProgress?: (p: RunProgress) => void;
  signal?: AbortSignal;
}

/** Runs one job in a thread of its own; the thread is ended once it answers. */
function inThread<T>(job: Exclude<ThreadRequest, { kind: 'abort' }>, opts: ThreadOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const limits = { ...(opts.young !== undefined ? { maxYoungGenerationSizeMb: opts.young } : {}), ...(opts.old !== undefined ? { maxOldGenerationSizeMb: opts.old } : {}) };
    const worker = new Worker(opts.file, { resourceLimits: limits });
    let settled = false;
    // A run stops when asked and answers with what it has; a group of caches has nothing to give before its end, so its thread is ended.
    const onAbort = (): void => {
      if (job.kind === 'run') worker.postMessage({ kind: 'abort' } satisfies ThreadRequest);
      else settle(() => reject(new Error(`${opts.label}: stopped`)));
    };
    const settle = (then: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      then();
    };
    worker.on('message', (m: ThreadReply) => {
      if (m.kind === 'progress') opts.onProgress?.(m.progress);
      else if (m.kind === 'result') settle(() => resolve(m.result as T));
      else if (m.trace) {
        const trace = m.trace;
        settle(() => reject(new TraceError(trace.file, trace.record, trace.detail, trace.format)));
      } else {
        const err = new Error(m.message);
        if (m.stack !== undefined) err.stack = m.stack;
        settle(() => reject(err));
      }
    });
    // Out of memory (ERR_WORKER_OUT_OF_MEMORY) or an error outside the job itself.
    worker.on('error', (err) => settle(() => reject(new Error(`${opts.label}: the simulator's thread failed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => reject(new Error(`${opts.label}: the simulator's thread ended (exit code ${code}) without a result`))));
    worker.postMessage(job satisfies ThreadRequest);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkThreadFile(file: unknown): void {
  if (typeof file !== 'string' || file === '') throw new TypeError('expected opts.workerFile to be the path of the bundled sim-thread.ts');
}

export interface WorkerSimEngineOptions extends SimEngineOptions {
  /** How many variants run at once, each in its own thread. */
  jobs: number;
  /** sim-thread.ts built into one CommonJS file. */
  workerFile: string;
  /**
   * V8's young generation per thread, in MiB. Default: three times the
   * semi-space this process was given (`--max-semi-space-size`, as `pnpm
   * cdnlab` runs), so a thread collects its short-lived objects as the
   * main thread would; V8's own default when none was given.
   */
  youngGenerationMiB?: number;
  /** V8's old generation (the heap's limit, near enough) per thread, in MiB. Default: this process's (NODE_OPTIONS=--max-old-space-size applies to threads too). */
  oldGenerationMiB?: number;
}

export function createWorkerSimEngine(opts: WorkerSimEngineOptions): Engine {
  if (!Number.isSafeInteger(opts.jobs) || opts.jobs < 1) throw new TypeError(`expected opts.jobs to be a positive integer, got ${String(opts.jobs)}`);
  checkThreadFile(opts.workerFile);
  const young = opts.youngGenerationMiB ?? youngGenerationOfThisProcess();
  const old = opts.oldGenerationMiB;
  if (old !== undefined && !(Number.isSafeInteger(old) && old > 0)) throw new TypeError(`expected opts.oldGenerationMiB to be a positive integer, got ${String(old)}`);
  const engine: SimEngineOptions = {
    ...(opts.realBodies !== undefined ? { realBodies: opts.realBodies } : {}),
    ...(opts.drainMs !== undefined ? { drainMs: opts.drainMs } : {}),
    ...(opts.progressEveryMs !== undefined ? { progressEveryMs: opts.progressEveryMs } : {}),
  };
  return {
    name: 'sim',
    concurrency: opts.jobs,
    run: (run: EngineRunOptions) =>
      inThread<RunResult>(
        { kind: 'run', scenario: run.scenario, variant: run.variant, seed: run.seed, engine },
        { file: opts.workerFile, young, old, label: `variant ${run.variant.name}`, ...(run.onProgress ? { onProgress: run.onProgress } : {}), ...(run.signal ? { signal: run.signal } : {}) },
      ),
  };
}

export interface SingleCachesInThreadsOptions {
  /** sim-thread.ts built into one CommonJS file. */
  workerFile: string;
  /** Threads at most (never more than there are caches). */
  threads: number;
  file: string;
  format: TraceFormat;
  maxRecords?: number;
  ignoreSizes: boolean;
  caches: readonly SingleCacheOptions[];
}

/**
 * `simulateSingleCaches(traceRequests(file, ...), caches)` with the caches
 * dealt out to threads, each reading the trace itself: the same results in
 * the same order. Reading is then done once per thread, not once in all, so
 * this pays when the caches' work outweighs a read of the trace (many
 * caches, a big trace). A bad record rejects with its TraceError.
 */
export async function simulateSingleCachesInThreads(opts: SingleCachesInThreadsOptions): Promise<SingleCacheResult[]> {
  checkThreadFile(opts.workerFile);
  if (!Number.isSafeInteger(opts.threads) || opts.threads < 1) throw new TypeError(`expected opts.threads to be a positive integer, got ${String(opts.threads)}`);
  if (opts.caches.length === 0) throw new TypeError('expected opts.caches to be a non-empty list of cache options');
  const threads = Math.min(opts.threads, opts.caches.length);
  // Cache i goes to thread i mod threads: policies and capacities mixed in each group.
  const groups = Array.from({ length: threads }, (_, t) => opts.caches.map((_c, i) => i).filter((i) => i % threads === t));
  const young = youngGenerationOfThisProcess();
  // The first failure (a bad record, out of memory) ends the other threads: their results would be thrown away.
  const stop = new AbortController();
  const results = await Promise.all(
    groups.map((idx) =>
      inThread<SingleCacheResult[]>(
        { kind: 'caches', file: opts.file, format: opts.format, ...(opts.maxRecords !== undefined ? { maxRecords: opts.maxRecords } : {}), ignoreSizes: opts.ignoreSizes, caches: idx.map((i) => opts.caches[i]) },
        { file: opts.workerFile, young, old: undefined, label: `caches ${idx.map((i) => i + 1).join(', ')}`, signal: stop.signal },
      ).catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
    ),
  );
  const out: SingleCacheResult[] = new Array<SingleCacheResult>(opts.caches.length);
  groups.forEach((idx, t) => idx.forEach((i, k) => (out[i] = results[t][k])));
  return out;
}
