/**
 * The simulator on several cores: an Engine whose every run is one variant
 * in a worker thread of its own (variant-worker.ts), so `cdnlab run
 * --engine sim` can run a scenario's variants side by side. A simulation is
 * single-threaded and its variants share nothing, so each thread's result
 * is the one an in-process run gives (a test compares the reports).
 *
 * The thread's code is a CommonJS bundle of variant-worker.ts: a worker
 * thread cannot load our TypeScript by itself, and the CLI already builds
 * bundles (the launcher's bundleEntrypoints), so the caller passes the file.
 */
import { Worker } from 'node:worker_threads';
import type { Engine, EngineRunOptions, RunProgress, RunResult, Scenario, ScenarioVariant } from '@cdnlab/scenario';
import type { SimEngineOptions } from './sim-engine';

/** To a variant worker: one `run`, then perhaps an `abort`. */
export type WorkerRequest = { kind: 'run'; scenario: Scenario; variant: ScenarioVariant; seed: number; engine: SimEngineOptions } | { kind: 'abort' };
/** From it: any number of `progress`, then one `result` or `error`. */
export type WorkerReply = { kind: 'progress'; progress: RunProgress } | { kind: 'result'; result: RunResult } | { kind: 'error'; message: string; stack?: string };

export interface WorkerSimEngineOptions extends SimEngineOptions {
  /** How many variants run at once, each in its own thread. */
  jobs: number;
  /** variant-worker.ts built into one CommonJS file. */
  workerFile: string;
  /**
   * V8's young generation per thread, in MiB. Default: three times the
   * semi-space this process was given (`--max-semi-space-size`, as `pnpm
   * cdnlab` runs), so a thread collects its short-lived objects as the
   * main thread would; V8's own default when none was given.
   */
  youngGenerationMiB?: number;
}

/** Young generation = two semi-spaces and a new large-object space of the same size (V8). */
function youngGenerationOfThisProcess(): number | undefined {
  for (const a of process.execArgv) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) return 3 * Number(m[1]);
  }
  return undefined;
}

export function createWorkerSimEngine(opts: WorkerSimEngineOptions): Engine {
  if (!Number.isSafeInteger(opts.jobs) || opts.jobs < 1) throw new TypeError(`expected opts.jobs to be a positive integer, got ${String(opts.jobs)}`);
  if (typeof opts.workerFile !== 'string' || opts.workerFile === '') throw new TypeError('expected opts.workerFile to be the path of the bundled variant worker');
  const young = opts.youngGenerationMiB ?? youngGenerationOfThisProcess();
  const engine: SimEngineOptions = {
    ...(opts.realBodies !== undefined ? { realBodies: opts.realBodies } : {}),
    ...(opts.drainMs !== undefined ? { drainMs: opts.drainMs } : {}),
    ...(opts.progressEveryMs !== undefined ? { progressEveryMs: opts.progressEveryMs } : {}),
  };
  return {
    name: 'sim',
    concurrency: opts.jobs,
    run: (run) => runInThread(opts.workerFile, young, engine, run),
  };
}

function runInThread(file: string, young: number | undefined, engine: SimEngineOptions, run: EngineRunOptions): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const name = run.variant.name;
    const worker = new Worker(file, young !== undefined ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {});
    let settled = false;
    const onAbort = (): void => worker.postMessage({ kind: 'abort' } satisfies WorkerRequest);
    const settle = (then: () => void): void => {
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      then();
    };
    worker.on('message', (m: WorkerReply) => {
      if (m.kind === 'progress') run.onProgress?.(m.progress);
      else if (m.kind === 'result') settle(() => resolve(m.result));
      else {
        const err = new Error(m.message);
        if (m.stack !== undefined) err.stack = m.stack;
        settle(() => reject(err));
      }
    });
    // Out of memory (ERR_WORKER_OUT_OF_MEMORY) or an error outside the run itself.
    worker.on('error', (err) => settle(() => reject(new Error(`variant ${name}: the simulator's thread failed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => reject(new Error(`variant ${name}: the simulator's thread ended (exit code ${code}) without a result`))));
    worker.postMessage({ kind: 'run', scenario: run.scenario, variant: run.variant, seed: run.seed, engine } satisfies WorkerRequest);
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
