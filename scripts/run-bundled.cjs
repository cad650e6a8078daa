#!/usr/bin/env node
// Runs one of our TypeScript entrypoints from a bundle:
//
//   node scripts/run-bundled.cjs packages/cli/src/main.ts [args...]
//
// `pnpm cdnlab` and `pnpm bench` start this way. esbuild builds the entrypoint
// and our code under it into one CommonJS file (packages/launcher/src/bundle.ts,
// the same build the launcher gives the services; about 0.15 s for the CLI),
// content-addressed under <CDNLAB_HOME or .cdnlab>/bundles/, and it runs in
// this process. Under the tsx loader every module is compiled on its own and
// reaches its imports through getters; a bundle calls across modules
// directly: the simulator runs 12-15% more requests per CPU-second
// (bench, 1 M requests: part (a) 48.9 k against 42.7 k, part (b) 15.3 k
// against 13.7 k). The testbed's load generator, which spends its time in
// Node's HTTP client, costs the same either way (138 ms of CPU per second of
// purge-propagation --quick).
//
// The entrypoint sees the argv it would under tsx: process.argv[1] is its
// absolute path. CDNLAB_BUNDLE=0 runs the TypeScript under tsx instead. A
// compile error is reported as `cdnlab: could not bundle …` with the file and
// line, exit 1.
'use strict';

const Module = require('node:module');
const path = require('node:path');
const { readFileSync } = require('node:fs');

const LAUNCHER_SRC = path.resolve(__dirname, '..', 'packages', 'launcher', 'src');

function fail(message, code) {
  process.stderr.write(`cdnlab: ${message}\n`);
  process.exit(code);
}

const given = process.argv[2];
if (given === undefined || !given.endsWith('.ts')) fail(`usage: node scripts/run-bundled.cjs <entrypoint.ts> [args...] (got ${given === undefined ? 'no entrypoint' : JSON.stringify(given)})`, 2);
const entry = path.resolve(given);
process.argv.splice(1, 2, entry);

/**
 * One of the launcher's TypeScript modules that import only Node and
 * installed packages (bundle.ts, paths.ts), compiled by esbuild in memory.
 */
function loadLauncherModule(name) {
  const file = path.join(LAUNCHER_SRC, name);
  const esbuild = require(require.resolve('esbuild', { paths: [LAUNCHER_SRC] }));
  const { code } = esbuild.transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs', target: `node${process.versions.node.split('.')[0]}`, sourcefile: file });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(LAUNCHER_SRC);
  m._compile(code, file);
  return m.exports;
}

async function main() {
  const { REPO_ROOT, CHILD_BUNDLE, cdnlabHome, tsxLoaderUrl } = loadLauncherModule('paths.ts');
  if (process.env.CDNLAB_BUNDLE === '0') {
    // What `node --import tsx` loads: hooks for require and for import() (the CLI imports the simulator lazily).
    await import(tsxLoaderUrl());
    require(entry);
    return;
  }
  const { bundleEntrypoints, BundleError } = loadLauncherModule('bundle.ts');
  let files;
  try {
    files = await bundleEntrypoints({ main: entry }, path.join(cdnlabHome(), 'bundles'), REPO_ROOT);
  } catch (err) {
    if (err instanceof BundleError) fail(err.message, 1);
    throw err;
  }
  // Stack traces name our TypeScript files when asked for (the CLI prints them with --verbose).
  if (process.argv.includes('--verbose')) process.setSourceMapsEnabled(true);
  // The launcher's preload for services started from a bundle: runs the bundle when the entrypoint is required.
  process.env.CDNLAB_BUNDLES = JSON.stringify({ [entry]: files.main });
  require(CHILD_BUNDLE);
  require(entry);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err), 1));
