/**
 * A worker thread's entrypoint (sim-workers.ts starts it, from a bundle):
 * one job per thread, either one variant of a scenario on the simulator
 * (`run`: progress and the result posted back) or a trace through a group
 * of single caches (`caches`: the results posted back). Each is whole in
 * itself, with its own seeded state or its own read of the trace, so a
 * thread's answer is the one this process would have given.
 *
 * Messages in: one job (the first), then, for a run, an optional `abort`.
 * Messages out: for a run any number of `progress`; then one `result` or
 * `error`, after which the parent ends the thread.
 */
import { parentPort } from 'node:worker_threads';
import { TraceError } from '@cdnlab/scenario';
import { simulateSingleCaches, traceRequests } from './single-cache';
import { createSimEngine } from './sim-engine';
import type { ThreadReply, ThreadRequest } from './sim-workers';

const port = parentPort;
if (port === null) throw new Error('sim-thread.ts runs in a worker thread (sim-workers.ts starts it)');
const aborted = new AbortController();
let started = false;

function errorReply(err: unknown): ThreadReply {
  if (err instanceof TraceError) return { kind: 'error', message: err.message, trace: { file: err.file, record: err.record, detail: err.detail, format: err.format } };
  return { kind: 'error', message: err instanceof Error ? err.message : String(err), ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) };
}

port.on('message', (m: ThreadRequest) => {
  if (m.kind === 'abort') {
    aborted.abort();
    return;
  }
  if (started) return;
  started = true;
  const post = (r: ThreadReply): void => port.postMessage(r);
  if (m.kind === 'caches') {
    try {
      post({ kind: 'result', result: simulateSingleCaches(traceRequests(m.file, m.format, { maxRecords: m.maxRecords, ignoreSizes: m.ignoreSizes }), m.caches) });
    } catch (err) {
      post(errorReply(err));
    }
    return;
  }
  createSimEngine(m.engine)
    .run({ scenario: m.scenario, variant: m.variant, seed: m.seed, onProgress: (progress) => post({ kind: 'progress', progress }), signal: aborted.signal })
    .then(
      (result) => post({ kind: 'result', result }),
      (err: unknown) => post(errorReply(err)),
    );
});
