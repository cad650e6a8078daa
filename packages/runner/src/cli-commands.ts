/**
 * The scenario commands of `cdnlab`: run, compare, list, explain. The CLI package
 * calls registerRunnerCommands(program); this file only parses options and
 * turns errors into messages and exit codes.
 *
 * Exit codes of `run`: 0 every expectation passed, 1 an expectation failed
 * (or the run was aborted), 2 the command could not run (bad file, option,
 * cluster start-up). `compare` exits 1 also when a figure differs beyond
 * its tolerance.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_COMPOSE_TOKEN, DEFAULT_TOPOLOGY, type RunningTopology } from '@cdnlab/launcher';
import { loadScenarioFile, loadTopologyFile, type Engine, type Scenario } from '@cdnlab/scenario';
import { attachToRun } from './attach-target';
import { compareEngines } from './compare';
import { attachToCompose } from './compose-target';
import { createEmbeddedEngine } from './engine-embedded';
import { explainScenario } from './explain';
import { RunError, runScenario } from './run';

export const ENGINES = ['embedded', 'sim'] as const;

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** The simulator, loaded only when asked for (it is a large module). */
async function simEngine(): Promise<Engine> {
  let mod: { createSimEngine?: () => Engine };
  try {
    mod = (await import('@cdnlab/sim')) as typeof mod;
  } catch (err) {
    throw new Error(`--engine sim: the simulator package could not be loaded (${(err as Error).message})`);
  }
  if (typeof mod.createSimEngine !== 'function') throw new Error('--engine sim: @cdnlab/sim does not export createSimEngine yet');
  return mod.createSimEngine();
}

function fail(err: unknown): void {
  process.stderr.write(`cdnlab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}

/**
 * Runs a command that may take minutes: the first Ctrl-C aborts it (it
 * stops and still writes what ran), the second quits at once. Its result is
 * the exit code; an error is printed and exits 2.
 */
async function untilInterrupted(work: (signal: AbortSignal) => Promise<number>): Promise<void> {
  const ac = new AbortController();
  const onSigint = (): void => {
    process.stderr.write('\ncdnlab: stopping (Ctrl-C again to quit at once)\n');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    process.exitCode = await work(ac.signal);
  } catch (err) {
    fail(err);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

interface RunFlags {
  variant?: string;
  seed?: number;
  out?: string;
  quick?: boolean;
  json?: boolean;
  progress: boolean;
  /** Unset: the scenario's first engine (`engines:`, default embedded). */
  engine?: (typeof ENGINES)[number];
  target?: string | true;
  topology?: string;
  token?: string;
}

/**
 * `--target compose[:<project>]`: the compose cluster this container is in.
 * Its topology, token and subnet come from the cli service's environment
 * (CDNLAB_COMPOSE_TOPOLOGY, CDNLAB_TOKEN, CDNLAB_COMPOSE_SUBNET), which the
 * generated compose file sets; flags override them.
 */
function composeTarget(target: string, flags: RunFlags, env = process.env): RunningTopology {
  const project = target.startsWith('compose:') ? target.slice('compose:'.length) : undefined;
  if (project === '') throw new Error('--target compose:<project>: the project name is empty');
  const topologyFile = flags.topology ?? env.CDNLAB_COMPOSE_TOPOLOGY ?? DEFAULT_TOPOLOGY;
  return attachToCompose({
    topology: loadTopologyFile(topologyFile),
    token: flags.token ?? env.CDNLAB_TOKEN ?? DEFAULT_COMPOSE_TOKEN,
    ...(env.CDNLAB_COMPOSE_SUBNET ? { subnet: env.CDNLAB_COMPOSE_SUBNET } : {}),
    ...(project !== undefined ? { project } : env.CDNLAB_COMPOSE_PROJECT ? { project: env.CDNLAB_COMPOSE_PROJECT } : {}),
  });
}

function targetOf(flags: RunFlags): RunningTopology | undefined {
  if (flags.target === undefined) {
    if (flags.topology !== undefined || flags.token !== undefined) throw new Error('--topology and --token describe a target: use them with --target compose');
    return undefined;
  }
  if (flags.target !== true && (flags.target === 'compose' || flags.target.startsWith('compose:'))) return composeTarget(flags.target, flags);
  if (flags.topology !== undefined || flags.token !== undefined) throw new Error('--topology and --token apply to --target compose; a cluster started by `cdnlab up` is known from its state file');
  return attachToRun(flags.target === true ? undefined : flags.target);
}

/** Options `run` and `compare` share (a new object per command). */
const seedOption = (): Option => new Option('--seed <n>', "workload seed (default: the scenario's)").argParser(parseSeed);
const quickOption = (): Option => new Option('--quick', "apply the scenario's quick profile (short runs for CI)");

export function registerRunnerCommands(program: Command): void {
  program
    .command('run')
    .description('run a scenario: every variant (or one), expectations checked, a report written')
    .argument('<scenario>', 'scenario file, e.g. scenarios/thundering-herd.yaml')
    .option('--variant <name>', 'run only this variant')
    .addOption(seedOption())
    .option('--out <dir>', 'reports root; the report goes to <dir>/<scenario>/<run-id>/', 'reports')
    .addOption(quickOption())
    .option('--json', 'print a machine-readable summary on stdout (the table goes to stderr)')
    .option('--no-progress', 'no progress bar')
    .addOption(new Option('--engine <engine>', "embedded: real processes on loopback; sim: the simulator in virtual time (default: the scenario's first `engines:` entry, else embedded)").choices(ENGINES))
    .option('--target [prefix]', 'run against a running cluster: one started by `cdnlab up` (its prefix, e.g. 127.0; optional when only one runs), or `compose[:<project>]` from inside a compose network')
    .option('--topology <file>', 'with --target compose: the topology the compose file was generated from (default: $CDNLAB_COMPOSE_TOPOLOGY, else the default topology)')
    .option('--token <token>', 'with --target compose: the cluster token (default: $CDNLAB_TOKEN)')
    .action((file: string, flags: RunFlags) =>
      untilInterrupted(async (signal) => {
        if (flags.engine === 'sim' && flags.target !== undefined) throw new Error('--target applies to the embedded engine only');
        const engine = async (scenario: Scenario): Promise<Engine> => {
          const kind = flags.engine ?? (flags.target !== undefined ? 'embedded' : scenario.engines[0]);
          if (!scenario.engines.includes(kind)) {
            const how = flags.target !== undefined ? '--target runs real processes' : `--engine ${kind}`;
            throw new RunError(`${scenario.file}: engines: written for the ${scenario.engines.join(' and ')} engine${scenario.engines.length > 1 ? 's' : ''} only, and ${how}; run it with --engine ${scenario.engines[0]}`);
          }
          if (kind === 'sim') return simEngine();
          const target = targetOf(flags);
          return createEmbeddedEngine(target ? { target } : {});
        };
        const r = await runScenario(file, {
          engine,
          ...(flags.variant !== undefined ? { variant: flags.variant } : {}),
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(flags.out !== undefined ? { out: flags.out } : {}),
          quick: flags.quick === true,
          json: flags.json === true,
          progress: flags.progress,
          signal,
        });
        return r.exitCode;
      }),
    );

  program
    .command('compare')
    .description('run a scenario on the simulator and on the testbed, then compare their key figures (origin requests, hit ratio per tier, purge delays) within stated tolerances')
    .argument('<scenario>', 'scenario file written for both engines, e.g. scenarios/tiered-hit-ratio.yaml')
    .option('--variant <name>', 'compare only this variant')
    .addOption(seedOption())
    .option('--out <dir>', 'reports root: both runs\' reports and <dir>/<scenario>/<run-id>-compare/agreement.md', 'reports')
    .addOption(quickOption())
    .option('--no-progress', 'no progress bar')
    .action((file: string, flags: Omit<RunFlags, 'engine' | 'target' | 'topology' | 'token' | 'json'>) =>
      untilInterrupted(async (signal) => {
        const r = await compareEngines(file, {
          sim: simEngine,
          embedded: () => createEmbeddedEngine(),
          ...(flags.variant !== undefined ? { variant: flags.variant } : {}),
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(flags.out !== undefined ? { out: flags.out } : {}),
          quick: flags.quick === true,
          progress: flags.progress,
          signal,
        });
        return r.exitCode;
      }),
    );

  program
    .command('list')
    .description('list the scenarios in a directory with their titles')
    .argument('[dir]', 'directory of scenario files', 'scenarios')
    .action((dir: string) => {
      let files: string[];
      try {
        files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
      } catch (err) {
        fail(new Error(`cannot read ${dir}: ${(err as Error).message}`));
        return;
      }
      const rows = files.map((f) => {
        const file = path.join(dir, f);
        try {
          const s = loadScenarioFile(file);
          return [file, `${s.title} (${s.variants.length} variant${s.variants.length === 1 ? '' : 's'})`];
        } catch (err) {
          return [file, `(does not load: ${(err as Error).message.split('\n')[0]})`];
        }
      });
      const w = Math.max(0, ...rows.map((r) => r[0].length));
      process.stdout.write(rows.length ? `${rows.map(([f, t]) => `${f.padEnd(w)}  ${t}`).join('\n')}\n` : `no scenario files in ${dir}\n`);
    });

  program
    .command('explain')
    .description('what a scenario shows, and what each variant changes')
    .argument('<scenario>', 'scenario file')
    .option('--quick', 'show the quick profile')
    .action((file: string, flags: { quick?: boolean }) => {
      try {
        process.stdout.write(explainScenario(loadScenarioFile(file, { quick: flags.quick === true })));
      } catch (err) {
        fail(err);
      }
    });
}
