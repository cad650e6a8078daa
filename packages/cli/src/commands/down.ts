/** `cdnlab down`: stop a running cluster from any shell, by the pids in the state file. */
import type { Command } from 'commander';
import { defaultStateFile, readState, stopRun } from '@cdnlab/launcher';
import { intOption } from '../run-context';
import { currentRun } from '../run-context';

interface DownOptions {
  prefix?: string;
  all?: boolean;
  grace: number;
}

async function down(opts: DownOptions): Promise<void> {
  const stateFile = defaultStateFile();
  const runs = opts.all ? Object.values(readState(stateFile).runs) : Object.keys(readState(stateFile).runs).length === 0 && opts.prefix === undefined ? [] : [currentRun(opts.prefix).run];
  if (runs.length === 0) {
    process.stdout.write('cdnlab: no cluster is running\n');
    return;
  }
  for (const run of runs) {
    const result = await stopRun(stateFile, run, opts.grace);
    const forced = result.killed.length > 0 ? `; ${result.killed.length} needed SIGKILL (${result.killed.join(', ')})` : '';
    process.stdout.write(`cdnlab: stopped ${run.topology} on ${run.key}: ${result.stopped.length} nodes were running${forced}\n`);
  }
}

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop a running cluster (the foreground `cdnlab up` too)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--all', 'every cluster in the state file')
    .option('--grace <ms>', 'time for nodes to finish before SIGKILL', intOption('--grace', 0), 5000)
    .action((opts: DownOptions) => down(opts));
}
