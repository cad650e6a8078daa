/** `cdnlab purge <url|tag|prefix|all> [value]`: through the control plane; prints each node's delay. */
import type { Command } from 'commander';
import { PURGE_REDELIVERY_WINDOW_MS } from '@cdnlab/core';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { requestJson } from '../http-json';
import { currentRun } from '../run-context';

const KINDS = ['url', 'tag', 'prefix', 'all'] as const;
const FANOUTS = ['direct', 'tree'] as const;

export interface PurgeAck {
  nodeId: string;
  role: string;
  delayMs: number;
  objectsAffected: number;
  error: string;
  via: string;
  fallback: boolean;
  /** Calls made to the node for this purge (absent from a control plane older than redelivery). */
  attempts?: number;
}
export interface PurgeReport {
  purgeId: string;
  purgeAtMs: number;
  kind: string;
  value: string;
  mode: string;
  fanout: string;
  durationMs: number;
  applied: number;
  failed: number;
  /** Nodes the control plane will call again (absent from a control plane older than redelivery). */
  redelivering?: number;
  acks: PurgeAck[];
}

interface PurgeOptions {
  prefix?: string;
  soft?: boolean;
  fanout?: (typeof FANOUTS)[number];
  /** False with --no-redeliver. */
  redeliver: boolean;
  json?: boolean;
}

/** What a purge was for: "everything", or its kind and value. */
export function purgeSubject(report: Pick<PurgeReport, 'kind' | 'value'>): string {
  return report.kind === 'all' ? 'everything' : `${report.kind} ${JSON.stringify(report.value)}`;
}

/** One line per node: its delay, objects, who called it, calls made, error. */
export function purgeAckTable(report: PurgeReport): string {
  const rows = report.acks.map((a) => [
    a.nodeId,
    a.role,
    a.error ? '-' : a.delayMs,
    a.error ? '-' : a.objectsAffected,
    a.fallback ? `${a.via} (fallback)` : a.via,
    a.attempts ?? '-',
    a.error,
  ]);
  return formatTable(['NODE', 'ROLE', 'DELAY MS', 'OBJECTS', 'VIA', 'ATTEMPTS', 'ERROR'], rows);
}

/** What happens to the nodes that did not take the purge, and where to look; '' when every node took it. */
export function purgeFollowUp(report: PurgeReport): string {
  if (report.failed === 0) return '';
  const waiting = report.redelivering ?? 0;
  const nodes = (n: number) => `${n} node${n === 1 ? '' : 's'}`;
  const minutes = PURGE_REDELIVERY_WINDOW_MS / 60_000;
  if (waiting > 0) {
    return (
      `${nodes(waiting)} did not acknowledge the purge yet: the control plane calls ${waiting === 1 ? 'it' : 'them'} again until ${waiting === 1 ? 'it takes' : 'they take'} it ` +
      `or the purge is ${minutes} minutes old. See how it goes: cdnlab purges ${report.purgeId}`
    );
  }
  return `${nodes(report.failed)} did not acknowledge the purge and will not be called again (redelivery off, or given up). cdnlab purges ${report.purgeId} shows the report`;
}

async function purge(kind: string, value: string | undefined, opts: PurgeOptions): Promise<boolean> {
  if (!(KINDS as readonly string[]).includes(kind)) throw new CliError(`expected the purge kind to be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`, 2);
  if (kind !== 'all' && (value === undefined || value === '')) throw new CliError(`purge ${kind} needs a value, e.g. cdnlab purge ${kind} ${kind === 'tag' ? 'static' : kind === 'prefix' ? '/news/' : 'http://cdn.cdnlab.test/static/app.js'}`, 2);
  if (kind === 'all' && value !== undefined) throw new CliError('purge all takes no value', 2);
  const { run } = currentRun(opts.prefix);
  const body: Record<string, string | boolean> = { kind, value: value ?? '', mode: opts.soft ? 'soft' : 'hard' };
  if (opts.fanout) body.fanout = opts.fanout;
  // Only when off: the control plane's default is to redeliver.
  if (!opts.redeliver) body.redeliver = false;
  const { body: report } = await requestJson<PurgeReport>(run.controlHttp, 'POST', '/purge', run.token, body);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.failed === 0;
  }
  const followUp = purgeFollowUp(report);
  process.stdout.write(
    [
      `purge ${report.purgeId}: ${purgeSubject(report)}, ${report.mode}, ${report.fanout} fan-out: ${report.applied} applied, ${report.failed} failed in ${report.durationMs} ms`,
      '',
      purgeAckTable(report),
      ...(followUp ? ['', followUp] : []),
      '',
    ].join('\n'),
  );
  return report.failed === 0;
}

export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description('purge by url, tag (surrogate key), prefix, or all; exit 1 when a node failed (the control plane calls it again: see cdnlab purges)')
    .argument('<kind>', KINDS.join('|'))
    .argument('[value]', 'the URL (cache key), tag or prefix')
    .option('--soft', 'mark stale instead of removing (served while revalidating)')
    .option('--fanout <how>', `${FANOUTS.join('|')} (default: the topology's)`, (v: string) => {
      if (!(FANOUTS as readonly string[]).includes(v)) throw new CliError(`expected --fanout to be one of ${FANOUTS.join(', ')}, got ${JSON.stringify(v)}`, 2);
      return v;
    })
    .option('--no-redeliver', `call each node once: a node that does not take the purge is not called again (by default it is, until it does or the purge is ${PURGE_REDELIVERY_WINDOW_MS / 60_000} minutes old)`)
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the report as JSON')
    .action(async (kind: string, value: string | undefined, opts: PurgeOptions) => {
      if (!(await purge(kind, value, opts))) process.exitCode = 1;
    });
}
