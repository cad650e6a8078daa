/**
 * What a `workload.watch` rule counts, written once so that every engine
 * counts the same answers: an HTTP answer (not a transport error) with a line
 * of the rule's header whose value contains the rule's text.
 */
import type { HeaderList } from '@cdnlab/core';
import type { LatencySummary, RunResult, TierOverTime } from './engine';
import type { WatchRule } from './scenario';

/**
 * Whether a line named `name` (lower-case, as HeaderList names are) has a
 * value containing `text` (case-sensitive). Each line on its own: a field
 * sent on several lines is not joined, so a match never spans two lines.
 */
export function headerLineContains(headers: HeaderList, name: string, text: string): boolean {
  // Indexed, without destructuring: the simulator calls this for every answer when a rule exists.
  for (let i = 0; i < headers.length; i++) {
    const line = headers[i];
    if (line[0] === name && line[1].includes(text)) return true;
  }
  return false;
}

/**
 * RunResult's `requests.watched` from counts indexed [rule][group]: every
 * rule and every group, zeros included, so a rule that never matched reads 0.
 */
export function watchedRecord(rules: readonly WatchRule[], groups: readonly string[], counts: ReadonlyArray<ArrayLike<number>>): RunResult['requests']['watched'] {
  const out: RunResult['requests']['watched'] = {};
  rules.forEach((rule, i) => {
    const byGroup: Record<string, number> = {};
    groups.forEach((g, j) => (byGroup[g] = counts[i]?.[j] ?? 0));
    out[rule.name] = byGroup;
  });
  return out;
}

/** The summary of no answers at all: count 0, every figure NaN. */
export const NO_LATENCY: Readonly<LatencySummary> = Object.freeze({ count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN });

/**
 * RunResult's `requests.byGroup` from figures indexed by group: every group,
 * zeros included. `byResult` and `byStatus` are copied with their keys
 * sorted (the same order whatever order the answers came in); a missing
 * latency reads as none.
 */
export function byGroupRecord(
  groups: readonly string[],
  sent: ArrayLike<number>,
  answered: ArrayLike<number>,
  byResult: ReadonlyArray<Record<string, number>>,
  byStatus: ReadonlyArray<Record<string, number>>,
  latency: ReadonlyArray<LatencySummary | undefined>,
): RunResult['requests']['byGroup'] {
  const out: RunResult['requests']['byGroup'] = {};
  const sorted = (r: Record<string, number> | undefined): Record<string, number> => Object.fromEntries(Object.entries(r ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  groups.forEach((g, i) => (out[g] = { sent: sent[i] ?? 0, answered: answered[i] ?? 0, byResult: sorted(byResult[i]), byStatus: sorted(byStatus[i]), latency: latency[i] ?? { ...NO_LATENCY } }));
  return out;
}

/** Hits over answers per bucket, NaN where a bucket had no answers (RunResult's hit ratio series). */
export function hitRatioPerBucket(hits: readonly number[], answers: readonly number[]): number[] {
  return answers.map((a, i) => (a > 0 ? (hits[i] ?? 0) / a : NaN));
}

/**
 * RunResult's `series.byGroupHitRatio` from per-bucket hits and answers
 * indexed by group: every group present, NaN where a group had no answers.
 */
export function hitRatioRecord(names: readonly string[], hits: ReadonlyArray<readonly number[]>, answers: ReadonlyArray<readonly number[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  names.forEach((g, i) => (out[g] = hitRatioPerBucket(hits[i], answers[i])));
  return out;
}

/** RunResult's `series.byTier` from per-bucket hits and answers indexed as `tiers` is. */
export function byTierRecord(tiers: readonly string[], hits: ReadonlyArray<readonly number[]>, answers: ReadonlyArray<readonly number[]>): Record<string, TierOverTime> {
  const out: Record<string, TierOverTime> = {};
  tiers.forEach((t, i) => (out[t] = { answers: [...answers[i]], hitRatio: hitRatioPerBucket(hits[i], answers[i]) }));
  return out;
}
