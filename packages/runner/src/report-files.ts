/**
 * A run's report directory, `reports/<scenario>/<run-id>/`:
 *
 *   report.json   every RunResult, the metrics and the expectation outcomes
 *   report.md     the scenario's prose, the summary, expectations, timeline
 *   *.svg         the charts
 *   report.html   all of it in one file (SVGs inline), to mail or attach
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeResult, RunResult, Scenario } from '@cdnlab/scenario';
import type { ExpectationOutcome } from '@cdnlab/scenario';
import { CACHE_ROLES, computeMetrics, metricValue } from '@cdnlab/scenario';
import type { Chart } from './report-charts';
import { expectationCounts, formatSummaryMarkdown, latencyLegend, regionsWithAnswers, type SummaryRow } from './summary';

export interface ReportInput {
  scenario: Scenario;
  runId: string;
  engine: string;
  seed: number;
  createdAt: string;
  results: RunResult[];
  outcomes: ExpectationOutcome[];
  rows: SummaryRow[];
  charts: Chart[];
}

/** JSON without NaN/Infinity (JSON has no such numbers): they become null. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, '');
}

function atText(ms: number | undefined): string {
  return ms === undefined ? 'end' : `${ms / 1000}s`;
}

function expectHtml(x: SummaryRow): string {
  const { met, bound } = expectationCounts(x);
  return (x.failed ? `<b class="fail">${met}</b>` : met) + bound;
}

/** The outcome's note, and for a machine-bound one why it did not fail. */
function noteOf(o: ExpectationOutcome): string {
  const bound = o.machineBound !== undefined ? `not met, reported but not failed: ${o.machineBound}` : '';
  return [o.note ?? '', bound].filter(Boolean).join('; ');
}

function expectationLines(outcomes: readonly ExpectationOutcome[]): string[] {
  if (outcomes.length === 0) return ['No expectations.'];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| | variant | expectation | at | actual | note |',
    '|---|---|---|---|---:|---|',
    ...outcomes.map((o) => `| ${o.machineBound !== undefined ? 'machine-bound' : o.ok ? 'pass' : '**FAIL**'} | ${o.variant} | \`${esc(o.text)}\`${o.description ? ` ${esc(o.description)}` : ''} | ${atText(o.atMs)} | ${fmt(o.actual)} | ${esc(noteOf(o))} |`),
  ];
}

export function reportMarkdown(r: ReportInput): string {
  const s = r.scenario;
  const lines: string[] = [
    `# ${s.title}`,
    '',
    `Scenario \`${s.name}\` (${s.file})${s.quick ? ', quick profile' : ''}; engine **${r.engine}**, seed ${r.seed}; run ${r.runId} at ${r.createdAt}.`,
    '',
    s.description.trim(),
    '',
    '## Variants',
    '',
    ...s.variants.map((v) => `- **${v.name}**${v.description ? `: ${v.description}` : ''}`),
    '',
    '## Summary',
    '',
    formatSummaryMarkdown(r.rows),
    '',
    ...legendLines(r.results),
    ...groupSection(r.results),
    ...regionSection(r.results),
    ...tierSection(r.results),
    '## Expectations',
    '',
    ...expectationLines(r.outcomes),
    '',
    '## Timeline',
    '',
  ];
  for (const res of r.results) {
    lines.push(`### ${res.variant}`, '');
    if (res.timeline.length === 0) lines.push('Nothing happened besides the workload.');
    for (const t of res.timeline) lines.push(`- ${(t.atMs / 1000).toFixed(3)} s, ${t.action}: ${t.ok ? '' : '**not done as written**: '}${t.detail}`);
    const errs = Object.entries(res.requests.byError);
    if (errs.length) lines.push('', `Errors by kind: ${errs.map(([k, v]) => `${k} ${v}`).join(', ')}.`);
    lines.push('', `Answers by edge result: ${Object.entries(res.requests.byResult).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; by status: ${Object.entries(res.requests.byStatus).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`, '');
    lines.push(`Origin requests: ${res.origin.requests}${originKinds(res.origin.byKind)}.`, '');
    if (res.purges.length) lines.push('Purges:', '', ...res.purges.map(purgeLine), '');
    // Per rule and group, out of the group's answers: too wide for the summary table's one row per variant.
    const watched = Object.entries(res.requests.watched);
    if (watched.length) {
      const share = (group: string, n: number): string => `${group} ${n}/${res.requests.byGroup[group]?.answered ?? 0}`;
      lines.push(`Watched answers (matched/answered): ${watched.map(([w, byGroup]) => `${w}: ${Object.entries(byGroup).map(([g, n]) => share(g, n)).join(', ')}`).join('; ')}.`, '');
    }
  }
  lines.push('## Charts', '');
  for (const c of r.charts) lines.push(`### ${c.title}`, '', c.caption, '', `![${c.title}](${c.name}.svg)`, '');
  return `${lines.join('\n')}\n`;
}

const GROUP_HEAD = ['variant', 'group', 'sent', 'answered', 'edge hit ratio', 'edge results', 'statuses', 'p50 ms', 'p99 ms'];

/**
 * One row per variant and client group, when some variant has more than
 * one group: a scenario that names groups (visitors, an attacker, browsers
 * that reload) is about what each of them saw, which the per-variant
 * summary mixes together.
 */
function groupRows(results: readonly RunResult[]): string[][] {
  if (!results.some((res) => Object.keys(res.requests.byGroup).length > 1)) return [];
  const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
  const counts = (r: Record<string, number>): string =>
    Object.entries(r)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  return results.flatMap((res) =>
    Object.entries(res.requests.byGroup).map(([group, g]) => {
      // The metric expectations read, so the table and `requests.group_hit_ratio` cannot disagree.
      const hitRatio = metricValue(res, 'requests.group_hit_ratio', [{ name: 'group', op: '=', value: group }]);
      return [
        res.variant,
        group,
        String(g.sent),
        String(g.answered),
        Number.isFinite(hitRatio) ? `${(hitRatio * 100).toFixed(1)}%` : '-',
        counts(g.byResult),
        counts(g.byStatus),
        ms(g.latency.p50),
        ms(g.latency.p99),
      ];
    }),
  );
}

function groupSection(results: readonly RunResult[]): string[] {
  const rows = groupRows(results);
  if (rows.length === 0) return [];
  return ['## By client group', '', `| ${GROUP_HEAD.join(' | ')} |`, '|---|---|---:|---:|---:|---|---|---:|---:|', ...rows.map((c) => `| ${c.join(' | ')} |`), ''];
}

/** The summary's note on p50 and p99 with clients in several regions, pointing to the table below it. */
function regionLegend(results: readonly RunResult[]): string | undefined {
  return latencyLegend(results, 'every region under "By region"');
}

function legendLines(results: readonly RunResult[]): string[] {
  const legend = regionLegend(results);
  return legend ? [legend, ''] : [];
}

const REGION_HEAD = ['variant', 'region', 'answers', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];

/**
 * Client latency per variant and region, when clients sit in more than
 * one: where the distance to the edges, tiers and origin shows, and what
 * the summary's p50 and p99 (each the highest region's) are picked from.
 */
function regionRows(results: readonly RunResult[]): string[][] {
  if (regionsWithAnswers(results) < 2) return [];
  const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
  return results.flatMap((res) =>
    Object.entries(res.latency)
      .filter(([, l]) => l.count > 0)
      .map(([region, l]) => [res.variant, region, String(l.count), ms(l.mean), ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max)]),
  );
}

function regionSection(results: readonly RunResult[]): string[] {
  const rows = regionRows(results);
  if (rows.length === 0) return [];
  return ['## By region', '', `| ${REGION_HEAD.join(' | ')} |`, '|---|---|---:|---:|---:|---:|---:|---:|', ...rows.map((c) => `| ${c.join(' | ')} |`), ''];
}

const TIER_HEAD = ['variant', 'tier', 'nodes', 'answers', 'hit ratio', 'stale', 'misses', '304 refreshes', 'collapsed waiters', 'upstream fetches', 'evictions'];

/**
 * Each cache tier's counts per variant, all its nodes together: where the
 * hits happen, where concurrent misses were collapsed, what each tier sent
 * upstream. A tier that answered nothing in any variant is left out.
 */
function tierRows(results: readonly RunResult[]): string[][] {
  const tiers = CACHE_ROLES.filter((role) => results.some((res) => res.nodes.some((n) => n.role === role && n.requests > 0)));
  return results.flatMap((res) =>
    tiers.flatMap((tier) => {
      const nodes = res.nodes.filter((n) => n.role === tier);
      if (nodes.length === 0) return [];
      const sum = (f: (n: NodeResult) => number): string => String(nodes.reduce((a, n) => a + f(n), 0));
      // The metric expectations read, so the table and `<tier>.hit_ratio` cannot disagree.
      const hitRatio = metricValue(res, `${tier}.hit_ratio`);
      return [
        [
          res.variant,
          tier,
          String(nodes.length),
          sum((n) => n.requests),
          Number.isFinite(hitRatio) ? `${(hitRatio * 100).toFixed(1)}%` : '-',
          sum((n) => n.staleServed),
          sum((n) => n.misses),
          sum((n) => n.revalidations),
          sum((n) => n.collapsedWaiters),
          sum((n) => n.upstreamFetches),
          sum((n) => n.evictions),
        ],
      ];
    }),
  );
}

function tierSection(results: readonly RunResult[]): string[] {
  const rows = tierRows(results);
  if (rows.length === 0) return [];
  return ['## By tier', '', `| ${TIER_HEAD.join(' | ')} |`, `|---|---|${'---:|'.repeat(TIER_HEAD.length - 2)}`, ...rows.map((c) => `| ${c.join(' | ')} |`), ''];
}

/**
 * The origin's count by request kind (get, conditional, ...) and the outcomes
 * counted within them (not-modified: conditionals answered 304, fault:*).
 */
function originKinds(byKind: Record<string, number>): string {
  const entries = Object.entries(byKind).filter(([, v]) => v > 0);
  return entries.length ? ` (${entries.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
}

/** One purge: what, how many objects it reached on how many nodes, and the slowest node. */
function purgeLine(p: RunResult['purges'][number]): string {
  const ok = p.acks.filter((a) => !a.error);
  const objects = ok.reduce((n, a) => n + a.objectsAffected, 0);
  const holding = ok.filter((a) => a.objectsAffected > 0).length;
  const slowest = ok.reduce((m, a) => Math.max(m, a.delayMs), 0);
  const failed = p.acks.filter((a) => a.error);
  const late = ok.filter((a) => (a.attempts ?? 1) > 1);
  const what = p.kind === 'all' ? 'everything' : `${p.kind} ${p.value}`;
  const calls = (a: (typeof p.acks)[number]) => `${a.nodeId} (${a.attempts ?? 1} call${(a.attempts ?? 1) === 1 ? '' : 's'}`;
  return (
    `- ${(p.atMs / 1000).toFixed(3)} s, ${p.mode} purge of ${what}: ${objects} object${objects === 1 ? '' : 's'} ${p.mode === 'soft' ? 'marked stale' : 'removed'} ` +
    `on ${holding} of ${p.acks.length} nodes; the last applied it after ${slowest} ms` +
    (late.length ? `; redelivered to ${late.map((a) => `${calls(a)}, after ${a.delayMs} ms)`).join(', ')}` : '') +
    (failed.length ? `; **${failed.length} failed**: ${failed.map((a) => `${calls(a)}: ${a.error})`).join(', ')}` : '') +
    '.'
  );
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** The scenario prose: blank lines separate paragraphs, "- " starts a list item. */
function proseHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => {
      const ls = block.split('\n').map((l) => l.trim());
      if (ls[0].startsWith('- ')) {
        const items: string[] = [];
        for (const l of ls) {
          if (l.startsWith('- ')) items.push(l.slice(2));
          else items[items.length - 1] += ` ${l}`;
        }
        return `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
      }
      return `<p>${esc(ls.join(' '))}</p>`;
    })
    .join('\n');
}

function tableHtml(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function reportHtml(r: ReportInput): string {
  const s = r.scenario;
  const summary = tableHtml(
    ['variant', 'sent', 'answered', 'errors', 'unfinished', 'edge hit ratio', 'origin requests', 'p50 ms', 'p99 ms', 'purge max ms', 'expectations'],
    r.rows.map((x) => [
      esc(x.variant),
      String(x.sent),
      String(x.answered),
      String(x.errors),
      String(x.unfinished),
      Number.isFinite(x.edgeHitRatio) ? `${(x.edgeHitRatio * 100).toFixed(1)}%` : '-',
      String(x.originRequests),
      Number.isFinite(x.p50Ms) ? x.p50Ms.toFixed(1) : '-',
      Number.isFinite(x.p99Ms) ? x.p99Ms.toFixed(1) : '-',
      Number.isFinite(x.purgeMaxDelayMs) ? String(Math.round(x.purgeMaxDelayMs)) : '-',
      expectHtml(x),
    ]),
  );
  const exps = tableHtml(
    ['', 'variant', 'expectation', 'at', 'actual', 'note'],
    r.outcomes.map((o) => [
      o.machineBound !== undefined ? '<span>machine-bound</span>' : o.ok ? '<span class="ok">pass</span>' : '<b class="fail">FAIL</b>',
      esc(o.variant),
      `<code>${esc(o.text)}</code>${o.description ? `<br><small>${esc(o.description)}</small>` : ''}`,
      atText(o.atMs),
      fmt(o.actual),
      esc(noteOf(o)),
    ]),
  );
  const timelines = r.results
    .map((res) => `<h3>${esc(res.variant)}</h3><ul>${res.timeline.map((t) => `<li>${(t.atMs / 1000).toFixed(3)} s, ${esc(t.action)}: ${t.ok ? '' : '<b class="fail">not done as written</b>: '}${esc(t.detail)}</li>`).join('') || '<li>nothing besides the workload</li>'}</ul>`)
    .join('\n');
  const groups = groupRows(r.results);
  const regions = regionRows(r.results);
  const tiers = tierRows(r.results);
  const legend = regionLegend(r.results);
  const charts = r.charts.map((c) => `<figure><h3>${esc(c.title)}</h3>${c.svg}<figcaption>${esc(c.caption)}</figcaption></figure>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(s.title)}: cdnlab report</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child,td:nth-child(3){text-align:left}.fail{color:#b00020}.ok{color:#1b7f3b}
figure{margin:1.5rem 0}figcaption{font-size:.85rem;color:#555}code{background:#f4f4f4;padding:0 .2rem}
</style></head><body>
<h1>${esc(s.title)}</h1>
<p><small>Scenario <code>${esc(s.name)}</code> (${esc(s.file)})${s.quick ? ', quick profile' : ''}; engine <b>${esc(r.engine)}</b>, seed ${r.seed}; run ${esc(r.runId)} at ${esc(r.createdAt)}.</small></p>
${proseHtml(s.description)}
<h2>Variants</h2><ul>${s.variants.map((v) => `<li><b>${esc(v.name)}</b>${v.description ? `: ${esc(v.description)}` : ''}</li>`).join('')}</ul>
<h2>Summary</h2>${summary}
${legend ? `<p><small>${esc(legend)}</small></p>` : ''}
${groups.length ? `<h2>By client group</h2>${tableHtml(GROUP_HEAD, groups.map((row) => row.map(esc)))}` : ''}
${regions.length ? `<h2>By region</h2>${tableHtml(REGION_HEAD, regions.map((row) => row.map(esc)))}` : ''}
${tiers.length ? `<h2>By tier</h2>${tableHtml(TIER_HEAD, tiers.map((row) => row.map(esc)))}` : ''}
<h2>Expectations</h2>${r.outcomes.length ? exps : '<p>No expectations.</p>'}
<h2>Timeline</h2>${timelines}
<h2>Charts</h2>${charts}
</body></html>
`;
}

/** Writes the report directory; returns the files written (absolute). */
export function writeReport(dir: string, r: ReportInput): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    [
      'report.json',
      toJson({
        scenario: { name: r.scenario.name, title: r.scenario.title, file: r.scenario.file, quick: r.scenario.quick, variants: r.scenario.variants.map((v) => ({ name: v.name, description: v.description })) },
        runId: r.runId,
        engine: r.engine,
        seed: r.seed,
        createdAt: r.createdAt,
        summary: r.rows,
        expectations: r.outcomes,
        metrics: Object.fromEntries(r.results.map((x) => [x.variant, computeMetrics(x)])),
        results: r.results,
      }),
    ],
    ['report.md', reportMarkdown(r)],
    ['report.html', reportHtml(r)],
    ...r.charts.map((c): [string, string] => [`${c.name}.svg`, c.svg]),
  ];
  for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
  return files.map(([name]) => path.join(dir, name));
}
