/**
 * Entrypoint of `cdnlab` (`pnpm cdnlab …`). Exit codes: 0 ok, 1 the operation
 * failed, 2 the command line was wrong. Errors are one line without a stack
 * unless --verbose.
 */
import { CommanderError } from 'commander';
import { PlanError, StartError, StateError } from '@cdnlab/launcher';
import { FileErrors } from '@cdnlab/scenario';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { createProgram } from './program';

function report(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help).
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof CliError) {
    process.stderr.write(`cdnlab: ${err.message}\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  // Positioned file errors are already in the file:line:col form editors link.
  if (err instanceof FileErrors) {
    process.stderr.write(`${err.format()}\n`);
    return EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`cdnlab: ${message}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else if (!(err instanceof StartError || err instanceof StateError || err instanceof PlanError)) process.stderr.write('cdnlab: (run with --verbose for details)\n');
  return EXIT_FAILURE;
}

async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = report(err, argv.includes('--verbose'));
  }
}

void main(process.argv);
