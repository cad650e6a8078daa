/**
 * `cdnlab compare`: one scenario on the simulator, then on the testbed, each
 * run checked and reported as `cdnlab run` does, then their key figures side
 * by side with the tolerance each is held to (agreement.ts). The third
 * report, `<out>/<scenario>/<run-id>-compare/agreement.{md,json}`, points
 * at the other two.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadScenarioFile, type Engine, type Scenario } from '@cdnlab/scenario';
import { AGREEMENT_TOLERANCES, compareRuns, formatAgreementMarkdown, formatAgreementTable, machineNotes, testbedLoadLines, type AgreementFigure } from './agreement';
import { toJson } from './report-files';
import { RunError, runIdFor, runScenario, uniqueDir, type RunScenarioOptions, type RunScenarioResult } from './run';

type EngineSource = Engine | ((scenario: Scenario) => Engine | Promise<Engine>);

export interface CompareOptions extends Omit<RunScenarioOptions, 'engine' | 'json'> {
  sim: EngineSource;
  embedded: EngineSource;
}

export interface CompareResult {
  sim: RunScenarioResult;
  embedded: RunScenarioResult;
  figures: AgreementFigure[];
  dir: string;
  /** Both runs passed their expectations and every figure agrees. */
  ok: boolean;
  exitCode: number;
}

export async function compareEngines(file: string, opts: CompareOptions): Promise<CompareResult> {
  const stdout = opts.stdout ?? process.stdout;
  const scenario = loadScenarioFile(file, { quick: opts.quick === true });
  const missing = (['sim', 'embedded'] as const).filter((e) => !scenario.engines.includes(e));
  if (missing.length) throw new RunError(`${scenario.file}: engines: written for the ${scenario.engines.join(' and ')} engine only: there is nothing to compare it with`);
  const { sim: simEngine, embedded: embeddedEngine, ...common } = opts;
  const sim = await runScenario(file, { ...common, engine: simEngine });
  if (opts.signal?.aborted) throw new RunError('aborted before the testbed run');
  const embedded = await runScenario(file, { ...common, engine: embeddedEngine });
  const figures = compareRuns(sim.results, embedded.results, scenario.machineBound);

  const createdAt = (opts.now ?? (() => new Date()))();
  const { dir, id } = uniqueDir(path.resolve(opts.out ?? 'reports', scenario.name), runIdFor(createdAt, 'compare'));
  mkdirSync(dir, { recursive: true });
  const rel = (d: string) => path.relative(dir, d);
  const differ = figures.filter((f) => !f.ok);
  const ok = sim.ok && embedded.ok && differ.length === 0 && !opts.signal?.aborted;
  writeFileSync(
    path.join(dir, 'agreement.md'),
    [
      `# ${scenario.title}: simulator vs testbed`,
      '',
      `Scenario \`${scenario.name}\` (${scenario.file})${scenario.quick ? ', quick profile' : ''}; run ${id} at ${createdAt.toISOString()}.`,
      `Reports: [sim](${rel(sim.reportDir)}/report.html) (expectations ${sim.ok ? 'passed' : '**failed**'}), [embedded](${rel(embedded.reportDir)}/report.html) (expectations ${embedded.ok ? 'passed' : '**failed**'}).`,
      '',
      formatAgreementMarkdown(figures),
      '',
      'The testbed run, per variant:',
      '',
      ...testbedLoadLines(sim.results, embedded.results).map((l) => `- ${l}`),
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'agreement.json'),
    toJson({ scenario: scenario.name, quick: scenario.quick, runId: id, createdAt: createdAt.toISOString(), reports: { sim: sim.reportDir, embedded: embedded.reportDir }, tolerances: AGREEMENT_TOLERANCES, ok, figures }),
  );

  stdout.write(`\n${scenario.title}${scenario.quick ? ' (quick)' : ''}: simulator vs testbed\n\n${formatAgreementTable(figures)}\n\n`);
  for (const f of differ) stdout.write(`DIFFERS [${f.variant}] ${f.figure}: sim ${f.sim}, embedded ${f.embedded} (at most ${f.allowed} allowed)\n`);
  for (const n of machineNotes(figures)) stdout.write(`note ${n}\n`);
  const bound = figures.filter((f) => f.status === 'machine-bound').length;
  stdout.write(`${figures.length} figures: ${figures.length - differ.length - bound} agree, ${differ.length} differ${bound ? `, ${bound} outside tolerance but machine-bound (reported, not failed)` : ''}\n`);
  stdout.write(`agreement: ${path.relative(process.cwd(), path.join(dir, 'agreement.md')) || dir}\n`);
  return { sim, embedded, figures, dir, ok, exitCode: ok ? 0 : 1 };
}
