/**
 * Expectations → outcomes. A scenario's expectations were parsed when it was
 * loaded; here each one is checked against the RunResult of every variant it
 * applies to. An expectation with `at:` is checked against the snapshot the
 * engine took at that moment; an engine that takes none gets the end of the
 * run instead, and the outcome says so rather than pretending.
 */
import { compare, type Comparison } from './expectation-expr';
import { checkSelector, metricDef, metricValue, MetricError, selectorKey, type RunResultWithSnapshots, type RunSnapshot } from './metrics';
import { machineBoundReason, type RunResult } from './engine';
import type { ExpectationSpec } from './scenario';

export interface ExpectationOutcome {
  /** The expectation as written. */
  text: string;
  variant: string;
  description?: string;
  op: Comparison;
  /** Normalised: ms for durations, fractions for percentages. */
  expected: number;
  actual: number;
  ok: boolean;
  /** The `at:` of the expectation, if any. */
  atMs?: number;
  /** When the value was taken: the snapshot's time, or the run's end. */
  evaluatedAtMs: number;
  /** Why the value is not quite what was asked (e.g. no snapshot at `at`). */
  note?: string;
  /**
   * Set on a timing expectation (latency, purge delay) that the value does
   * not meet, measured by a testbed whose machine was saturated: why. Such
   * an outcome is reported, with its value, but does not fail the run (`ok`
   * is true): the time it measured is this machine's queueing for CPU as
   * much as the CDN's. The simulator's run of the same scenario, which
   * models no CPU, still holds the expectation to the letter.
   */
  machineBound?: string;
}

/**
 * Checks every expectation's metric and labels before a run starts, so a
 * typo fails in a second rather than after the run. Throws MetricError
 * naming each bad expectation.
 */
export function checkExpectations(expectations: readonly ExpectationSpec[]): void {
  const problems: string[] = [];
  expectations.forEach((spec, i) => {
    try {
      checkSelector(spec.expect.metric, spec.expect.labels);
    } catch (err) {
      if (!(err instanceof MetricError)) throw err;
      problems.push(`expectations[${i}] "${spec.expect.text}": ${err.message}`);
    }
  });
  if (problems.length) throw new MetricError(problems.join('\n'));
}

/** The snapshot nearest `atMs`, if any. */
function nearestSnapshot(snaps: readonly RunSnapshot[] | undefined, atMs: number): RunSnapshot | undefined {
  let best: RunSnapshot | undefined;
  for (const s of snaps ?? []) if (!best || Math.abs(s.atMs - atMs) < Math.abs(best.atMs - atMs)) best = s;
  return best;
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * One outcome per (expectation, variant it applies to, result present).
 * Expectations for a variant that was not run (`--variant`) are skipped.
 * Throws MetricError (naming the expectation and the known metrics) for an
 * unknown metric or label.
 */
export function evaluateExpectations(expectations: readonly ExpectationSpec[], results: readonly (RunResult | RunResultWithSnapshots)[]): ExpectationOutcome[] {
  checkExpectations(expectations);
  const out: ExpectationOutcome[] = [];
  for (const spec of expectations) {
    const e = spec.expect;
    for (const r of results) {
      if (spec.variant !== undefined && spec.variant !== r.variant) continue;
      let actual: number;
      let evaluatedAtMs = r.durationMs;
      let note: string | undefined;
      if (spec.atMs === undefined) {
        actual = metricValue(r, e.metric, e.labels);
      } else {
        const snap = nearestSnapshot((r as RunResultWithSnapshots).snapshots, spec.atMs);
        const key = selectorKey(e.metric, e.labels);
        if (snap && Object.prototype.hasOwnProperty.call(snap.metrics, key)) {
          actual = snap.metrics[key];
          evaluatedAtMs = snap.atMs;
        } else {
          actual = metricValue(r, e.metric, e.labels);
          note = snap
            ? `the snapshot nearest ${fmtMs(spec.atMs)} (at ${fmtMs(snap.atMs)}) has no value for ${key}: evaluated at the end of the run`
            : `the ${r.engine} engine recorded no snapshot at ${fmtMs(spec.atMs)}: evaluated at the end of the run`;
        }
      }
      // No data (a ratio over no requests) is not a value: it fails even `!=`.
      const met = !Number.isNaN(actual) && compare(e.op, actual, e.value);
      if (Number.isNaN(actual)) note = `${note ? `${note}; ` : ''}no data for ${selectorKey(e.metric, e.labels)} in this run`;
      // A saturated machine only adds time: a value too high for `<`/`<=` may be its doing, one too low never is.
      const tooSlow = !met && !Number.isNaN(actual) && (e.op === '<' || e.op === '<=') && metricDef(e.metric)?.timing === true;
      const machineBound = tooSlow ? machineBoundReason(r) : undefined;
      const outcome: ExpectationOutcome = { text: e.text, variant: r.variant, op: e.op, expected: e.value, actual, ok: met || machineBound !== undefined, evaluatedAtMs };
      if (machineBound !== undefined) outcome.machineBound = machineBound;
      if (spec.description !== undefined) outcome.description = spec.description;
      if (spec.atMs !== undefined) outcome.atMs = spec.atMs;
      if (note !== undefined) outcome.note = note;
      out.push(outcome);
    }
  }
  return out;
}
