/**
 * `cdnlab validate <file...>`: load topology and scenario files with the same
 * loaders every command uses, and print every problem as file:line:col.
 * A file with a `workload` is a scenario; anything else is a topology.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FileErrors, loadScenarioFile, loadTopologyFile, parseYaml } from '@cdnlab/scenario';

export type FileKind = 'topology' | 'scenario';

/** Reads just enough to tell the kinds apart; a file that cannot be read or parsed is left to the topology loader to report. */
export function kindOf(file: string): FileKind {
  try {
    const { value } = parseYaml(readFileSync(file, 'utf8'), file);
    return value !== null && typeof value === 'object' && 'workload' in value ? 'scenario' : 'topology';
  } catch {
    return 'topology';
  }
}

/** Validates one file: a one-line description when good, else the loader's errors. */
export function validateFile(file: string): { ok: true; line: string } | { ok: false; errors: string } {
  const kind = kindOf(file);
  try {
    if (kind === 'scenario') {
      const s = loadScenarioFile(file);
      return { ok: true, line: `ok  ${file}: scenario ${s.name}` };
    }
    const t = loadTopologyFile(file);
    return { ok: true, line: `ok  ${file}: topology ${t.name}, ${t.nodes.length} nodes in ${t.regions.length} regions` };
  } catch (err) {
    if (err instanceof FileErrors) return { ok: false, errors: err.format() };
    throw err;
  }
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check topology and scenario files; every problem with its file:line:col')
    .argument('<file...>', 'YAML files')
    .action((files: string[]) => {
      let failed = 0;
      for (const file of files) {
        const r = validateFile(file);
        if (r.ok) process.stdout.write(`${r.line}\n`);
        else {
          failed += 1;
          process.stderr.write(`${r.errors}\n`);
        }
      }
      if (failed > 0) {
        process.stderr.write(`cdnlab: ${failed} of ${files.length} file${files.length === 1 ? '' : 's'} invalid\n`);
        process.exitCode = 1;
      }
    });
}
