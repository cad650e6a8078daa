/**
 * How long loading takes: `cdnlab run` loads a scenario once, but the
 * simulator may load many variants, and every child process re-reads its
 * topology. Bounded: a fixed number of iterations per case.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO = path.resolve(__dirname, '../../..');
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadScenarioFile, loadTopologyFile } = require('../src/index') as typeof import('../src/index');
const importMs = performance.now() - t0;
// The first load compiles the Ajv validators it uses: a one-off cost per process (not paid by one that never loads a file).
const t1 = performance.now();
loadScenarioFile(path.join(REPO, 'scenarios/thundering-herd.yaml'));
const firstMs = performance.now() - t1;

function bench(name: string, iterations: number, fn: () => void): number {
  fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const perOp = (performance.now() - start) / iterations;
  console.log(`${name.padEnd(44)} ${perOp.toFixed(3).padStart(8)} ms/op  (${iterations} runs)`);
  return perOp;
}

console.log(`${'import'.padEnd(44)} ${importMs.toFixed(1).padStart(8)} ms (once)`);
console.log(`${'first load (compiles the validators)'.padEnd(44)} ${firstMs.toFixed(1).padStart(8)} ms (once)`);
const topo = bench('loadTopologyFile(default.yaml)', 200, () => loadTopologyFile(path.join(REPO, 'topologies/default.yaml')));
const scen = bench('loadScenarioFile(thundering-herd.yaml)', 100, () => loadScenarioFile(path.join(REPO, 'scenarios/thundering-herd.yaml')));
console.log(`ratio scenario/topology: ${(scen / topo).toFixed(1)}x (a scenario load is a full build plus the quick-profile check)`);
