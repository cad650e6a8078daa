/** `cdnlab purge <url|tag|prefix|all> [value]`: through the control plane; prints each node's delay. */
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { requestJson } from '../http-json';
import { currentRun } from '../run-context';

const KINDS = ['url', 'tag', 'prefix', 'all'] as const;
const FANOUTS = ['direct', 'tree'] as const;

interface PurgeAck {
  nodeId: string;
  role: string;
  delayMs: number;
  objectsAffected: number;
  error: string;
  via: string;
  fallback: boolean;
}
interface PurgeReport {
  purgeId: string;
  kind: string;
  value: string;
  mode: string;
  fanout: string;
  durationMs: number;
  applied: number;
  failed: number;
  acks: PurgeAck[];
}

interface PurgeOptions {
  prefix?: string;
  soft?: boolean;
  fanout?: (typeof FANOUTS)[number];
  json?: boolean;
}

async function purge(kind: string, value: string | undefined, opts: PurgeOptions): Promise<boolean> {
  if (!(KINDS as readonly string[]).includes(kind)) throw new CliError(`expected the purge kind to be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`, 2);
  if (kind !== 'all' && (value === undefined || value === '')) throw new CliError(`purge ${kind} needs a value, e.g. cdnlab purge ${kind} ${kind === 'tag' ? 'static' : kind === 'prefix' ? '/news/' : 'http://cdn.cdnlab.test/static/app.js'}`, 2);
  if (kind === 'all' && value !== undefined) throw new CliError('purge all takes no value', 2);
  const { run } = currentRun(opts.prefix);
  const body: Record<string, string> = { kind, value: value ?? '', mode: opts.soft ? 'soft' : 'hard' };
  if (opts.fanout) body.fanout = opts.fanout;
  const { body: report } = await requestJson<PurgeReport>(run.controlHttp, 'POST', '/purge', run.token, body);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.failed === 0;
  }
  const subject = kind === 'all' ? 'everything' : `${kind} ${JSON.stringify(report.value)}`;
  const rows = report.acks.map((a) => [a.nodeId, a.role, a.error ? '-' : a.delayMs, a.error ? '-' : a.objectsAffected, a.fallback ? `${a.via} (fallback)` : a.via, a.error]);
  process.stdout.write(
    [
      `purge ${report.purgeId}: ${subject}, ${report.mode}, ${report.fanout} fan-out: ${report.applied} applied, ${report.failed} failed in ${report.durationMs} ms`,
      '',
      formatTable(['NODE', 'ROLE', 'DELAY MS', 'OBJECTS', 'VIA', 'ERROR'], rows),
      '',
    ].join('\n'),
  );
  return report.failed === 0;
}

export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description('purge by url, tag (surrogate key), prefix, or all; exit 1 when a node failed')
    .argument('<kind>', KINDS.join('|'))
    .argument('[value]', 'the URL (cache key), tag or prefix')
    .option('--soft', 'mark stale instead of removing (served while revalidating)')
    .option('--fanout <how>', `${FANOUTS.join('|')} (default: the topology's)`, (v: string) => {
      if (!(FANOUTS as readonly string[]).includes(v)) throw new CliError(`expected --fanout to be one of ${FANOUTS.join(', ')}, got ${JSON.stringify(v)}`, 2);
      return v;
    })
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the report as JSON')
    .action(async (kind: string, value: string | undefined, opts: PurgeOptions) => {
      if (!(await purge(kind, value, opts))) process.exitCode = 1;
    });
}
