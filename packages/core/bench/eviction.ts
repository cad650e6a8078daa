/**
 * Eviction throughput and hit ratio, every registered policy on one trace.
 *
 *   pnpm --filter @cdnlab/core bench          (or `pnpm bench` at the root)
 *   CDNLAB_BENCH_QUICK=1 pnpm --filter @cdnlab/core bench   (a 10x smaller run)
 *   CDNLAB_BENCH_POLICIES=lru,s3fifo ...   (only these, plus the naive LRU unless omitted)
 *
 * Workload: seeded Zipf(0.9) over 1,000,000 objects, 10,000,000 requests,
 * unit sizes, capacity 100,000 bytes = 100,000 objects = 10 % of the
 * catalogue. The trace is generated once (not timed) into an Int32Array and
 * shared with one child process per policy through a temporary file: each
 * policy runs in a fresh V8 so its Store call sites stay monomorphic and one
 * policy's JIT state cannot slow the next. In each child: a warm-up pass over
 * the first 1,000,000 requests, then one timed pass over the whole trace on
 * a fresh store via `store.access(id, 1)`. ROUNDS rounds each run every
 * policy once, so a burst of load from other processes on the machine hits
 * one pass of one policy rather than all passes of it; we report the best
 * pass per policy (and the median).
 *
 * For context a naive LRU (a Map, delete + re-insert on a hit, the oldest
 * Map key evicted) runs the same trace, but only for NAIVE_BUDGET_MS: at this
 * size it does not finish. Each eviction's `map.keys().next()` walks past
 * every entry deleted since the Map last compacted itself, so the cost per
 * eviction grows with the cache (about 0.6 M/s at 10 k entries, 0.06 M/s at
 * 100 k: the full trace would take some ten minutes). Its rate is over the
 * requests it reached (the cache fills within the first 200 k requests, so
 * the rate is mostly steady state) and its hit ratio is for that prefix only.
 *
 * Numbers depend on the machine and on what else it is running: compare the
 * ratios, not the absolute figures, across machines.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evictionPolicyNames } from '../src/eviction';
import { createStore } from '../src/store';
import { zipfTrace } from '../src/zipf';

const QUICK = process.env.CDNLAB_BENCH_QUICK === '1';
const ALPHA = 0.9;
const OBJECTS = QUICK ? 100_000 : 1_000_000;
const REQUESTS = QUICK ? 1_000_000 : 10_000_000;
const CAPACITY = OBJECTS / 10;
const WARMUP = Math.min(REQUESTS, 1_000_000);
const ROUNDS = 3;
const SEED = 20240501;
const NAIVE = 'naive-map-lru';
const NAIVE_BUDGET_MS = 4000;
const ONLY = process.env.CDNLAB_BENCH_POLICIES?.split(',').map((p) => p.trim()).filter((p) => p !== '');

interface Result {
  policy: string;
  /** Milliseconds of each timed pass. */
  passes: number[];
  /** Requests each pass covered (the naive LRU stops at its time budget). */
  requests: number;
  hits: number;
}

interface NaiveRun {
  hits: number;
  requests: number;
}

/**
 * The textbook JavaScript LRU: a Map kept in recency order by delete + set.
 * Checks the clock every 65,536 requests and stops after budgetMs.
 */
function runNaive(trace: Int32Array, capacity: number, budgetMs: number): NaiveRun {
  const map = new Map<number, 1>();
  const deadline = performance.now() + budgetMs;
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    if ((i & 0xffff) === 0 && i > 0 && performance.now() > deadline) return { hits, requests: i };
    const key = trace[i];
    if (map.has(key)) {
      map.delete(key);
      map.set(key, 1);
      hits++;
      continue;
    }
    if (map.size >= capacity) map.delete(map.keys().next().value as number);
    map.set(key, 1);
  }
  return { hits, requests: trace.length };
}

function runStore(policy: string, trace: Int32Array, length: number): number {
  const store = createStore<number, undefined>({ capacityBytes: CAPACITY, policy });
  let hits = 0;
  for (let i = 0; i < length; i++) if (store.access(trace[i], 1)) hits++;
  return hits;
}

function child(policy: string, traceFile: string): void {
  const bytes = readFileSync(traceFile);
  const trace = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const naive = policy === NAIVE;
  const run = (length: number): NaiveRun =>
    naive
      ? runNaive(trace.subarray(0, length), CAPACITY, NAIVE_BUDGET_MS)
      : { hits: runStore(policy, trace, length), requests: length };
  run(naive ? 100_000 : WARMUP);
  const passes: number[] = [];
  const t0 = performance.now();
  const last = run(trace.length);
  passes.push(performance.now() - t0);
  const result: Result = { policy, passes, requests: last.requests, hits: last.hits };
  (process.send as (m: unknown) => void)(result);
}

function runChild(policy: string, traceFile: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--child', policy, traceFile], { stdio: 'inherit' });
    let result: Result | undefined;
    proc.on('message', (m) => (result = m as Result));
    proc.on('error', reject);
    proc.on('exit', (code) => (result ? resolve(result) : reject(new Error(`bench child ${policy} exited ${code}`))));
  });
}

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

async function main(): Promise<void> {
  const started = performance.now();
  const t0 = performance.now();
  const trace = zipfTrace({ alpha: ALPHA, n: OBJECTS, length: REQUESTS, seed: SEED });
  const genMs = performance.now() - t0;
  const dir = mkdtempSync(join(tmpdir(), 'cdnlab-bench-'));
  const traceFile = join(dir, 'trace.i32');
  writeFileSync(traceFile, new Uint8Array(trace.buffer, trace.byteOffset, trace.byteLength));

  console.log(`eviction bench${QUICK ? ' (CDNLAB_BENCH_QUICK=1)' : ''}: Zipf alpha ${ALPHA}, ${OBJECTS.toLocaleString('en')} objects, ` +
    `${REQUESTS.toLocaleString('en')} requests (seed ${SEED}), unit sizes, capacity ${CAPACITY.toLocaleString('en')} bytes = ` +
    `${CAPACITY.toLocaleString('en')} objects (10 % of objects); trace generated in ${fmt(genMs / 1000)} s (not timed below)`);
  console.log(`node ${process.version}; each pass in its own process after a ${WARMUP.toLocaleString('en')}-request warm-up; ` +
    `best of ${ROUNDS} rounds\n`);

  const policies = ONLY ?? [...evictionPolicyNames(), NAIVE];
  const byPolicy = new Map<string, Result>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // The naive LRU runs once: it is context, and slow.
      for (const policy of round === 0 ? policies : policies.filter((p) => p !== NAIVE)) {
        const r = await runChild(policy, traceFile);
        const seen = byPolicy.get(policy);
        if (seen) seen.passes.push(...r.passes);
        else byPolicy.set(policy, r);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const results = [...byPolicy.values()];

  const rate = (r: Result): number => r.requests / (Math.min(...r.passes) / 1000);
  const lru = results.find((r) => r.policy === 'lru');
  const lruRate = lru ? rate(lru) : NaN;
  const rows = results.map((r) => [
    r.policy,
    fmt(rate(r) / 1e6),
    fmt(r.requests / ([...r.passes].sort((a, b) => a - b)[Math.floor(r.passes.length / 2)] / 1000) / 1e6),
    fmt(r.hits / r.requests, 4) + (r.requests < REQUESTS ? '*' : ''),
    (r.requests - r.hits).toLocaleString('en') + (r.requests < REQUESTS ? '*' : ''),
    fmt(rate(r) / lruRate) + 'x',
  ]);
  const head = ['policy', 'M lookups/s (best)', 'M/s (median)', 'hit ratio', 'misses', 'vs lru'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  for (const r of results.filter((x) => x.requests < REQUESTS)) {
    console.log(`* ${r.policy}: one pass stopped by its ${NAIVE_BUDGET_MS / 1000} s budget after ${r.requests.toLocaleString('en')} requests; ` +
      'rate and hit ratio are over that prefix');
  }
  // Other processes on the machine move these figures a lot (2 cores here): say how busy it was.
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s; 1-minute load average at the end ${fmt(loadavg()[0])}`);
}

if (process.argv[2] === '--child') child(process.argv[3], process.argv[4]);
else void main();
