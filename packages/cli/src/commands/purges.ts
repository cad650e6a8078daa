/**
 * `cdnlab purges [id]`: the control plane's recent purges, or one purge's
 * report as it is now. A node that missed a purge is called again later
 * (redelivery), so the report of `cdnlab purge` is not the last word: this
 * is where a late node shows up as applied.
 */
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { ControlRefusedError, requestJson } from '../http-json';
import { currentRun } from '../run-context';
import { purgeAckTable, purgeFollowUp, purgeSubject, type PurgeReport } from './purge';

interface PurgesOptions {
  prefix?: string;
  json?: boolean;
}

/** A purge's age for a table: "850ms", "42s", "3m05s", "2h10m". */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Longest purge value shown in the list; the report of one purge shows it whole. */
const MAX_SHOWN_VALUE = 48;

/** The list of recent purges, newest first as the control plane gives them; `now` on the control plane's clock (same host). */
export function purgeListTable(purges: readonly PurgeReport[], now: number): string {
  const rows = purges.map((p) => {
    const subject = purgeSubject(p);
    return [
      p.purgeId,
      formatAge(now - p.purgeAtMs),
      subject.length > MAX_SHOWN_VALUE ? `${subject.slice(0, MAX_SHOWN_VALUE - 3)}...` : subject,
      p.mode,
      p.fanout,
      p.applied,
      p.failed,
      p.redelivering ?? '-',
    ];
  });
  return formatTable(['ID', 'AGE', 'PURGE', 'MODE', 'FANOUT', 'APPLIED', 'FAILED', 'REDELIVERING'], rows);
}

/** One purge as `cdnlab purge` prints it, as it is now. */
export function purgeReportText(report: PurgeReport, now: number): string {
  const followUp = purgeFollowUp(report);
  return [
    `purge ${report.purgeId}: ${purgeSubject(report)}, ${report.mode}, ${report.fanout} fan-out, issued ${formatAge(now - report.purgeAtMs)} ago: ` +
      `${report.applied} applied, ${report.failed} failed, ${report.redelivering ?? 0} to be called again`,
    '',
    purgeAckTable(report),
    ...(followUp ? ['', followUp] : []),
    '',
  ].join('\n');
}

/** A control plane from before purge reports answers 404 "no such endpoint": say what to do about it. */
function olderControlPlane(err: unknown, topology: string): CliError | undefined {
  if (!(err instanceof ControlRefusedError && err.status === 404 && err.reason.startsWith('no such endpoint'))) return undefined;
  return new CliError(`the control plane of ${topology} keeps no purge reports (it predates them): restart the cluster with this cdnlab (cdnlab down && cdnlab up)`);
}

async function showPurge(id: string, opts: PurgesOptions): Promise<boolean> {
  const { run } = currentRun(opts.prefix);
  let report: PurgeReport;
  try {
    ({ body: report } = await requestJson<PurgeReport>(run.controlHttp, 'GET', `/purges/${encodeURIComponent(id)}`, run.token));
  } catch (err) {
    const older = olderControlPlane(err, run.topology);
    if (older) throw older;
    // As for an unknown node: the command line named something that is not there.
    if (err instanceof ControlRefusedError && err.status === 404) {
      throw new CliError(`no purge ${JSON.stringify(id)} among the control plane's recent purges; cdnlab purges lists them`, 2);
    }
    throw err;
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : purgeReportText(report, Date.now()));
  return report.failed === 0;
}

async function listPurges(opts: PurgesOptions): Promise<void> {
  const { run } = currentRun(opts.prefix);
  const { body } = await requestJson<{ purges: PurgeReport[] }>(run.controlHttp, 'GET', '/purges', run.token).catch((err: unknown) => {
    throw olderControlPlane(err, run.topology) ?? err;
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  if (body.purges.length === 0) {
    process.stdout.write('no purges yet (cdnlab purge issues one)\n');
    return;
  }
  process.stdout.write(`${purgeListTable(body.purges, Date.now())}\n`);
}

export function registerPurges(program: Command): void {
  program
    .command('purges')
    .description('recent purges, newest first; with an id, that purge per node as it is now (exit 1 while a node has not taken it)')
    .argument('[id]', 'a purge id, as cdnlab purge printed it')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the report(s) as JSON')
    .action(async (id: string | undefined, opts: PurgesOptions) => {
      if (id === undefined) await listPurges(opts);
      else if (!(await showPurge(id, opts))) process.exitCode = 1;
    });
}
