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
import { DEFAULT_COMPOSE_TOKEN, DEFAULT_TOPOLOGY, simThreadBundle, type RunningTopology } from '@cdnlab/launcher';
import { loadScenarioFile, loadTopologyFile, planWorkload, type Engine, type Scenario } from '@cdnlab/scenario';
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

function parseJobs(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

type SimModule = typeof import('@cdnlab/sim');

/** The simulator, loaded only when asked for (it is a large module). */
async function loadSim(): Promise<SimModule> {
  try {
    return await import('@cdnlab/sim');
  } catch (err) {
    throw new Error(`--engine sim: the simulator package could not be loaded (${(err as Error).message})`);
  }
}

/**
 * A variant planning fewer requests than this runs faster in this process
 * than in a thread of its own: a thread loads the simulator (0.2 s) and
 * compiles it cold for every variant, where in one process the first
 * variant warms it up for the rest (thundering-herd's four variants of
 * 9,000 requests: 4.2 s with one process, 4.9 s with two threads on two
 * cores; internet-scale's two of 1.08 M: 82 s against 53 s).
 */
export const THREADS_FROM_REQUESTS = 20_000;

/** Whether the workload plans at least `n` requests (it stops counting there). */
function plansAtLeast(scenario: Scenario, n: number): boolean {
  let planned = 0;
  for (const _ of planWorkload(scenario.workload, { maxRequests: n })) planned++;
  return planned >= n;
}

/**
 * The simulator for a scenario: its variants side by side in worker
 * threads, up to `jobs` at once, or in this process when only one runs.
 * Without --jobs: defaultThreads() threads when each variant plans at least
 * THREADS_FROM_REQUESTS requests. The threads run a bundle of the variant
 * worker, built as the services' bundles are (cached by content).
 */
async function simEngine(scenario: Scenario, flags: { jobs?: number; variant?: string }): Promise<Engine> {
  const sim = await loadSim();
  const variants = flags.variant !== undefined ? 1 : scenario.variants.length;
  const jobs = Math.min(flags.jobs ?? sim.defaultThreads(), variants);
  if (jobs <= 1 || (flags.jobs === undefined && !plansAtLeast(scenario, THREADS_FROM_REQUESTS))) return sim.createSimEngine();
  return sim.createWorkerSimEngine({ jobs, workerFile: await simThreadBundle() });
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
  /** Simulator variants at once (unset: defaultThreads() when each variant is big enough to gain from a thread). */
  jobs?: number;
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

function isComposeTarget(target: string | true | undefined): boolean {
  return typeof target === 'string' && (target === 'compose' || target.startsWith('compose:'));
}

function targetOf(flags: RunFlags): RunningTopology | undefined {
  if (flags.target === undefined) {
    if (flags.topology !== undefined || flags.token !== undefined) throw new Error('--topology and --token describe a target: use them with --target compose');
    return undefined;
  }
  if (flags.target !== true && isComposeTarget(flags.target)) return composeTarget(flags.target, flags);
  if (flags.topology !== undefined || flags.token !== undefined) throw new Error('--topology and --token apply to --target compose; a cluster started by `cdnlab up` is known from its state file');
  return attachToRun(flags.target === true ? undefined : flags.target);
}

/** Options `run` and `compare` share (a new object per command). */
const seedOption = (): Option => new Option('--seed <n>', "workload seed (default: the scenario's)").argParser(parseSeed);
const quickOption = (): Option => new Option('--quick', "apply the scenario's quick profile (short runs for CI)");
const jobsOption = (): Option => new Option('--jobs <n>', "on the simulator: how many variants run at once, each in a thread of its own (default: one per core, at most one per 2 GiB of memory, when each variant plans 20,000 requests or more, else 1; 1: one after another in this process)").argParser(parseJobs);

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
    .addOption(jobsOption())
    .option('--target [prefix]', 'run against a running cluster: one started by `cdnlab up` (its prefix, e.g. 127.0; optional when only one runs), or `compose[:<project>]` from inside a compose network')
    .option('--topology <file>', 'with --target compose: the topology the compose file was generated from (default: $CDNLAB_COMPOSE_TOPOLOGY, else the default topology)')
    .option('--token <token>', 'with --target compose: the cluster token (default: $CDNLAB_TOKEN)')
    .action((file: string, flags: RunFlags) =>
      untilInterrupted(async (signal) => {
        if (flags.engine === 'sim' && flags.target !== undefined) throw new Error('--target applies to the embedded engine only');
        const engine = async (scenario: Scenario): Promise<Engine> => {
          const inCompose = isComposeTarget(flags.target);
          const kind = flags.engine === 'sim' ? 'sim' : flags.target !== undefined ? (inCompose ? 'compose' : 'embedded') : (flags.engine ?? scenario.engines[0]);
          // `embedded` is the testbed anywhere, compose included; `compose` is compose only.
          const written = scenario.engines.includes(kind) || (kind === 'compose' && scenario.engines.includes('embedded'));
          const names = `${scenario.engines.join(' and ')} engine${scenario.engines.length > 1 ? 's' : ''}`;
          if (!written) {
            const how = flags.target !== undefined ? `--target ${inCompose ? 'compose runs it in compose' : 'runs real processes on loopback'}` : `--engine ${kind}`;
            const other = scenario.engines.find((e) => e !== 'compose');
            const instead = other !== undefined ? `run it with --engine ${other}` : 'run it with --target compose inside the compose network';
            throw new RunError(`${scenario.file}: engines: written for the ${names} only, and ${how}; ${instead}`);
          }
          if (kind === 'compose' && !inCompose) {
            throw new RunError(`${scenario.file}: engines: written for the ${names} only: run it with --target compose inside the compose network (docker compose run --rm cli run ${scenario.file} --target compose)${scenario.engines.includes('sim') ? ', or --engine sim' : ''}`);
          }
          if (kind === 'sim') return simEngine(scenario, flags);
          if (flags.jobs !== undefined) throw new RunError('--jobs applies to the simulator: the testbed runs one variant at a time on its one cluster');
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
    .addOption(jobsOption())
    .option('--no-progress', 'no progress bar')
    .action((file: string, flags: Omit<RunFlags, 'engine' | 'target' | 'topology' | 'token' | 'json'>) =>
      untilInterrupted(async (signal) => {
        const r = await compareEngines(file, {
          sim: (scenario) => simEngine(scenario, flags),
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
