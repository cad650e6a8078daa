/**
 * A worker thread's entrypoint: runs one variant of a scenario on the
 * simulator and posts its progress and result back (sim-workers.ts starts
 * it, from a bundle). Each variant is a simulation of its own, with its own
 * seeded state, so one variant per thread gives the report a sequential run
 * gives, on as many cores as there are threads.
 *
 * Messages in: one `run` (the first), then an optional `abort`.
 * Messages out: any number of `progress`, then one `result` or `error`,
 * after which the parent ends the thread.
 */
import { parentPort } from 'node:worker_threads';
import { createSimEngine } from './sim-engine';
import type { WorkerReply, WorkerRequest } from './sim-workers';

const port = parentPort;
if (port === null) throw new Error('variant-worker.ts runs in a worker thread (sim-workers.ts starts it)');
const aborted = new AbortController();
let started = false;

port.on('message', (m: WorkerRequest) => {
  if (m.kind === 'abort') {
    aborted.abort();
    return;
  }
  if (started) return;
  started = true;
  const post = (r: WorkerReply): void => port.postMessage(r);
  createSimEngine(m.engine)
    .run({ scenario: m.scenario, variant: m.variant, seed: m.seed, onProgress: (progress) => post({ kind: 'progress', progress }), signal: aborted.signal })
    .then(
      (result) => post({ kind: 'result', result }),
      (err: unknown) => post({ kind: 'error', message: err instanceof Error ? err.message : String(err), ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) }),
    );
});
