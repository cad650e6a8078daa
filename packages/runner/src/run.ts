/**
 * `cdnlab run`: a scenario file → every variant run on an engine →
 * expectations checked → a report directory and a summary on the terminal.
 * The engine is passed in, so the same function runs the embedded testbed
 * and the simulator, and tests can pass either.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MultiBar, SingleBar } from 'cli-progress';
import { loadScenarioFile, type Engine, type RunProgress, type RunResult, type Scenario, type ScenarioVariant } from '@cdnlab/scenario';
import { checkExpectations, evaluateExpectations, type ExpectationOutcome } from '@cdnlab/scenario';
import { renderCharts } from './report-charts';
import { writeReport } from './report-files';
import { formatSummaryTable, latencyLegend, summaryRows, type SummaryRow } from './summary';

export interface RunScenarioOptions {
  /** The engine, or how to make one once the scenario is loaded (its `engines` say which it is written for). */
  engine: Engine | ((scenario: Scenario) => Engine | Promise<Engine>);
  /** Run only this variant. */
  variant?: string;
  /** Overrides the workload's seed. */
  seed?: number;
  /** Reports root: the report goes to `<out>/<scenario>/<run-id>/`. Default `reports`. */
  out?: string;
  quick?: boolean;
  /** Print the machine-readable summary on stdout and nothing else there. */
  json?: boolean;
  /** Set false to hide the progress bar (it is also hidden when stdout or stderr is not a TTY). */
  progress?: boolean;
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  signal?: AbortSignal;
  /** Clock for the run id. */
  now?: () => Date;
}

export interface RunScenarioResult {
  scenario: Scenario;
  runId: string;
  reportDir: string;
  files: string[];
  results: RunResult[];
  outcomes: ExpectationOutcome[];
  rows: SummaryRow[];
  /** Every expectation passed (and the run was not aborted). */
  ok: boolean;
  /** 0 when ok, 1 when an expectation failed or the run was aborted. */
  exitCode: number;
}

export class RunError extends Error {
  readonly code = 'ERR_CDNLAB_RUN';
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}

export function runIdFor(date: Date, engine: string): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}-${engine}`;
}

export function uniqueDir(root: string, id: string): { dir: string; id: string } {
  let candidate = id;
  for (let i = 2; existsSync(path.join(root, candidate)); i++) candidate = `${id}-${i}`;
  return { dir: path.join(root, candidate), id: candidate };
}

function isTty(s: NodeJS.WritableStream): boolean {
  return (s as NodeJS.WriteStream).isTTY === true;
}

const barFormat = (label: string): string => `${label} [{bar}] {percentage}% | sent {sent} | answered {answered} | errors {errors} | hits {hits} | origin {origin}`;
const barPayload = (p: RunProgress) => ({ sent: p.sent, answered: p.answered, errors: p.errors, hits: p.hits, origin: p.originRequests });

interface ProgressBar {
  update(p: RunProgress): void;
  /** The run finished (not aborted): full, even when the workload ran out before its plan (a trace shorter than its request count). */
  finish(): void;
  stop(): void;
}

/** The bar's scale: thousandths of the run. */
const BAR_TOTAL = 1000;

/**
 * How far through its workload a run is, 0 to 1: the larger of time against
 * the planned duration and requests sent against the planned count (a
 * workload ends at whichever it reaches first); 0 when it plans neither.
 */
export function progressFraction(p: RunProgress): number {
  const byTime = p.plannedMs > 0 ? p.elapsedMs / p.plannedMs : 0;
  const byCount = p.plannedRequests > 0 ? p.sent / p.plannedRequests : 0;
  return Math.min(1, Math.max(byTime, byCount));
}

/** A bar that shows how far the run is through its workload and the live counters, started by its first update. */
function progressBar(start: (total: number, p: RunProgress) => { update(value: number, payload?: object): void; stop(): void }): ProgressBar {
  let bar: { update(value: number, payload?: object): void; stop(): void } | undefined;
  return {
    update(p) {
      bar ??= start(BAR_TOTAL, p);
      bar.update(Math.round(progressFraction(p) * BAR_TOTAL), barPayload(p));
    },
    finish() {
      bar?.update(BAR_TOTAL);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** One bar on its own line (a variant at a time). */
function singleBar(stream: NodeJS.WritableStream, label: string): ProgressBar {
  return progressBar((total, p) => {
    const bar = new SingleBar({ stream: stream as NodeJS.WriteStream, format: barFormat(label), hideCursor: true, clearOnComplete: false, noTTYOutput: false });
    bar.start(total, 0, barPayload(p));
    return bar;
  });
}

interface VariantRunContext {
  scenario: Scenario;
  seed: number;
  showBar: boolean;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/**
 * Every variant on the engine, as many at once as it can run
 * (Engine.concurrency), in order in the result. With several at once each
 * has its own bar (or its own lines when there is no terminal). When one
 * fails the others are stopped and its error is thrown.
 */
async function runVariants(engine: Engine, variants: ScenarioVariant[], ctx: VariantRunContext): Promise<RunResult[]> {
  const jobs = Math.max(1, Math.min(engine.concurrency ?? 1, variants.length));
  const { stderr } = ctx;
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort();
  if (ctx.signal?.aborted) stop.abort();
  else ctx.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const multi = ctx.showBar && jobs > 1 ? new MultiBar({ stream: stderr as NodeJS.WriteStream, hideCursor: true, clearOnComplete: false, noTTYOutput: false }) : undefined;
  if (jobs > 1 && !ctx.showBar) stderr.write(`${variants.length} variants, ${jobs} at a time on the ${engine.name} engine\n`);

  const results: (RunResult | undefined)[] = new Array<RunResult | undefined>(variants.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const runOne = async (i: number): Promise<void> => {
    const variant = variants[i];
    const label = `[${i + 1}/${variants.length}] ${variant.name}`;
    const bar = !ctx.showBar ? undefined : multi ? progressBar((total, p) => multi.create(total, 0, barPayload(p), { format: barFormat(label) })) : singleBar(stderr, label);
    if (!bar) stderr.write(`${label}: running on the ${engine.name} engine ...\n`);
    const began = Date.now();
    try {
      results[i] = await engine.run({ scenario: ctx.scenario, variant, seed: ctx.seed, ...(bar ? { onProgress: (p: RunProgress) => bar.update(p) } : {}), signal: stop.signal });
      if (!stop.signal.aborted) bar?.finish();
    } finally {
      if (!multi) bar?.stop();
    }
    if (!bar) stderr.write(`${label}: done in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  };
  const lane = async (): Promise<void> => {
    while (next < variants.length && !stop.signal.aborted) {
      try {
        await runOne(next++);
      } catch (error) {
        failure ??= { error };
        stop.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, lane));
  } finally {
    multi?.stop();
    ctx.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (failure) throw failure.error;
  // Aborted: the variants that ran, in order.
  return results.filter((r): r is RunResult => r !== undefined);
}

export function jsonSummary(r: Omit<RunScenarioResult, 'exitCode'>): unknown {
  const clean = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    scenario: r.scenario.name,
    file: r.scenario.file,
    quick: r.scenario.quick,
    engine: r.results[0]?.engine,
    runId: r.runId,
    reportDir: r.reportDir,
    ok: r.ok,
    variants: r.rows.map((x) => ({ ...x, edgeHitRatio: clean(x.edgeHitRatio), p50Ms: clean(x.p50Ms), p99Ms: clean(x.p99Ms), purgeMaxDelayMs: clean(x.purgeMaxDelayMs) })),
    expectations: r.outcomes.map((o) => ({ ...o, actual: clean(o.actual) })),
  };
}

/** `actual 812`, with the time it was read at when the expectation names one. */
function actualText(o: ExpectationOutcome): string {
  return `actual ${o.actual}${o.atMs !== undefined ? ` at ${o.atMs / 1000}s` : ''}`;
}

export async function runScenario(file: string, opts: RunScenarioOptions): Promise<RunScenarioResult> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const human = opts.json ? stderr : stdout;
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) throw new RunError(`expected --seed to be an integer, got ${String(opts.seed)}`);

  const scenario = loadScenarioFile(file, { quick: opts.quick === true });
  // A misspelt metric fails now, not after minutes of running.
  checkExpectations(scenario.expectations);
  const variants = opts.variant === undefined ? scenario.variants : scenario.variants.filter((v) => v.name === opts.variant);
  if (variants.length === 0) throw new RunError(`no variant "${opts.variant}" in ${scenario.file}; variants: ${scenario.variants.map((v) => v.name).join(', ')}`);
  const seed = opts.seed ?? scenario.workload.seed;
  const engine = typeof opts.engine === 'function' ? await opts.engine(scenario) : opts.engine;
  const showBar = opts.progress !== false && isTty(stdout) && isTty(stderr);

  const results = await runVariants(engine, variants, { scenario, seed, showBar, stderr, signal: opts.signal });

  const outcomes = evaluateExpectations(scenario.expectations, results);
  const rows = summaryRows(results, outcomes);
  const createdAt = (opts.now ?? (() => new Date()))();
  const root = path.resolve(opts.out ?? 'reports', scenario.name);
  const { dir, id } = uniqueDir(root, runIdFor(createdAt, engine.name));
  const charts = await renderCharts(results);
  const files = writeReport(dir, { scenario, runId: id, engine: engine.name, seed, createdAt: createdAt.toISOString(), results, outcomes, rows, charts });

  const aborted = opts.signal?.aborted === true;
  const ok = !aborted && outcomes.every((o) => o.ok);
  const result: RunScenarioResult = { scenario, runId: id, reportDir: dir, files, results, outcomes, rows, ok, exitCode: ok ? 0 : 1 };

  const legend = latencyLegend(results, 'every region: report.md, "By region"');
  human.write(`\n${scenario.title}${scenario.quick ? ' (quick)' : ''}: ${engine.name} engine, seed ${seed}\n\n${formatSummaryTable(rows)}\n${legend ? `${legend}\n` : ''}\n`);
  for (const o of outcomes.filter((x) => !x.ok)) {
    human.write(`FAIL [${o.variant}] ${o.text}: ${actualText(o)}${o.note ? ` (${o.note})` : ''}\n`);
  }
  for (const o of outcomes.filter((x) => x.machineBound !== undefined)) {
    human.write(`machine-bound [${o.variant}] ${o.text}: ${actualText(o)}: reported, not failed: ${o.machineBound}\n`);
  }
  for (const r of results) for (const t of r.timeline.filter((x) => !x.ok)) human.write(`note [${r.variant}] ${t.action} at ${(t.atMs / 1000).toFixed(1)}s: ${t.detail}\n`);
  if (aborted) human.write('aborted: the report holds what ran\n');
  human.write(`report: ${path.relative(process.cwd(), path.join(dir, 'report.html')) || dir}\n`);
  if (opts.json) stdout.write(`${JSON.stringify(jsonSummary(result))}\n`);
  return result;
}
