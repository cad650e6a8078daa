/**
 * The runner's commands (run, list, explain) on their own, for as long as the
 * `cdnlab` program does not register them: .ci/docker.sh falls back to this
 * inside the cli container when `cdnlab --help` lists no `run`.
 *
 *   node --import tsx scripts/cdnlab-runner.ts run scenarios/thundering-herd.yaml --quick
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerRunnerCommands } from '../packages/runner/src';

// commander is the runner's dependency, not the root's: resolve it from there.
const fromRunner = createRequire(path.resolve(__dirname, '../packages/runner/package.json'));
type Program = Parameters<typeof registerRunnerCommands>[0];
const { Command } = fromRunner('commander') as { Command: new (name?: string) => Program };

const program = new Command('cdnlab');
registerRunnerCommands(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`cdnlab: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
