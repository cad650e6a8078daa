/** The `cdnlab` command line: one file per command under commands/. */
import { Command } from 'commander';
import { registerCache } from './commands/cache';
import { registerCachesim } from './commands/cachesim';
import { registerChaos } from './commands/chaos';
import { registerDns } from './commands/dns';
import { registerLink } from './commands/link';
import { registerDown } from './commands/down';
import { registerOrigin } from './commands/origin';
import { registerPurge } from './commands/purge';
import { registerPurges } from './commands/purges';
import { registerStatus } from './commands/status';
import { registerUp } from './commands/up';
import { registerValidate } from './commands/validate';
import { registerCompose } from './commands/compose';
import { registerTopology } from './commands/topology';
import { registerRunnerCommands } from '@cdnlab/runner';

export function createProgram(): Command {
  const program = new Command();
  program
    .name('cdnlab')
    .description('A multi-tier CDN on your machine: edges, regionals, a shield, an origin, GSLB DNS and a control plane, each its own process.')
    .version('0.1.0')
    .option('--verbose', 'print stack traces with errors')
    // Set before the commands are added so that they inherit it: usage errors throw instead of exiting.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'cdnlab: ')) })
    .showSuggestionAfterError();
  registerUp(program);
  registerDown(program);
  registerStatus(program);
  registerPurge(program);
  registerPurges(program);
  registerOrigin(program);
  registerChaos(program);
  registerLink(program);
  registerCache(program);
  registerDns(program);
  registerValidate(program);
  registerRunnerCommands(program);
  registerCompose(program);
  registerTopology(program);
  registerCachesim(program);
  return program;
}
