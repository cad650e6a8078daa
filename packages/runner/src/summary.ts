/**
 * One line per variant with the figures a reader compares first, as a
 * terminal table, a Markdown table and JSON. All three come from the same
 * rows so they can never disagree.
 */
import type { RunResult } from '@cdnlab/scenario';
import { metricValue } from '@cdnlab/scenario';
import type { ExpectationOutcome } from '@cdnlab/scenario';

export interface SummaryRow {
  variant: string;
  sent: number;
  answered: number;
  errors: number;
  unfinished: number;
  edgeHitRatio: number;
  originRequests: number;
  p50Ms: number;
  p99Ms: number;
  purgeMaxDelayMs: number;
  /** Expectations met. */
  passed: number;
  failed: number;
  /** Timing expectations not met on a saturated machine: reported, not failed (ExpectationOutcome.machineBound). */
  machineBound: number;
}

export function summaryRows(results: readonly RunResult[], outcomes: readonly ExpectationOutcome[]): SummaryRow[] {
  return results.map((r) => {
    const mine = outcomes.filter((o) => o.variant === r.variant);
    return {
      variant: r.variant,
      sent: r.requests.sent,
      answered: r.requests.answered,
      errors: r.requests.errors,
      unfinished: r.requests.unfinished,
      edgeHitRatio: metricValue(r, 'edge.hit_ratio'),
      originRequests: r.origin.requests,
      p50Ms: metricValue(r, 'latency.p50_ms'),
      p99Ms: metricValue(r, 'latency.p99_ms'),
      purgeMaxDelayMs: metricValue(r, 'purge.max_delay_ms'),
      passed: mine.filter((o) => o.ok && o.machineBound === undefined).length,
      failed: mine.filter((o) => !o.ok).length,
      machineBound: mine.filter((o) => o.machineBound !== undefined).length,
    };
  });
}

/** Client regions with answers, in the variant that has the most. */
export function regionsWithAnswers(results: readonly RunResult[]): number {
  return Math.max(0, ...results.map((r) => Object.values(r.latency).filter((l) => l.count > 0).length));
}

/**
 * What the summary's p50 and p99 are when clients sit in several regions:
 * the metric `latency.p50_ms` (`p99_ms`) without a region, the highest
 * region's figure, each on its own, not a percentile over every client
 * (which would hide a far region behind the near ones). Undefined with one region, where the two are the same.
 * `where` tells the reader where every region's figures are.
 */
export function latencyLegend(results: readonly RunResult[], where: string): string | undefined {
  const n = regionsWithAnswers(results);
  return n > 1 ? `p50 and p99: each the highest of the ${n} client regions' own, not a percentile over all clients (${where}).` : undefined;
}

const HEADERS = ['variant', 'sent', 'answered', 'errors', 'unfin.', 'edge hit', 'origin req', 'p50 ms', 'p99 ms', 'purge max ms', 'expect'];

function num(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

/** A row's expectations as `met/all` and, when some were, `, N machine-bound` (the terminal and the HTML page both show them). */
export function expectationCounts(r: SummaryRow): { met: string; bound: string } {
  return { met: `${r.passed}/${r.passed + r.failed + r.machineBound}`, bound: r.machineBound ? `, ${r.machineBound} machine-bound` : '' };
}

function expectCell(r: SummaryRow): string {
  const { met, bound } = expectationCounts(r);
  return `${met} ${r.failed ? 'FAIL' : 'ok'}${bound}`;
}

function cells(r: SummaryRow): string[] {
  return [
    r.variant,
    String(r.sent),
    String(r.answered),
    String(r.errors),
    String(r.unfinished),
    Number.isFinite(r.edgeHitRatio) ? `${(r.edgeHitRatio * 100).toFixed(1)}%` : '-',
    String(r.originRequests),
    num(r.p50Ms, 1),
    num(r.p99Ms, 1),
    num(r.purgeMaxDelayMs),
    expectCell(r),
  ];
}

export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function formatSummaryMarkdown(rows: readonly SummaryRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`)].join('\n');
}
