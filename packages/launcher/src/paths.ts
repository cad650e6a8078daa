/**
 * Where things are: the repository, each role's entrypoint, the tsx loader,
 * and the `.cdnlab` directory that holds run logs and the state file. Found
 * from this file's location, so `cdnlab` works from any working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NodeRole } from './plan';

function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the cdnlab repository (pnpm-workspace.yaml) above ${__dirname}`);
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();

export const DEFAULT_TOPOLOGY = path.join(REPO_ROOT, 'topologies', 'default.yaml');

/** The entrypoint of each role's process. */
export const ENTRYPOINTS: Readonly<Record<NodeRole, string>> = {
  edge: path.join(REPO_ROOT, 'packages/edge/src/main.ts'),
  regional: path.join(REPO_ROOT, 'packages/regional/src/main.ts'),
  shield: path.join(REPO_ROOT, 'packages/shield/src/main.ts'),
  origin: path.join(REPO_ROOT, 'packages/origin/src/main.ts'),
  control: path.join(REPO_ROOT, 'packages/control/src/main.ts'),
  dns: path.join(REPO_ROOT, 'packages/dns/src/main.ts'),
};

/**
 * How each entrypoint takes its config file. The DNS main takes the path as
 * its first argument; the others take `--config <file>`.
 */
export function configArgs(_role: NodeRole, file: string): string[] {
  // Every service entrypoint, dns included, takes `--config <file>`.
  return ['--config', file];
}

/**
 * The tsx ESM loader as a file URL for `node --import`. Resolved from the
 * repository root rather than the working directory, where a bare
 * `--import tsx` would be looked up.
 */
export function tsxLoaderUrl(): string {
  const pkgFile = require.resolve('tsx/package.json', { paths: [REPO_ROOT] });
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: Record<string, unknown> };
  const dot = pkg.exports?.['.'];
  const rel = typeof dot === 'string' ? dot : ((dot as { import?: string } | undefined)?.import ?? './dist/loader.mjs');
  return pathToFileURL(path.join(path.dirname(pkgFile), rel)).href;
}

/** Preloaded into every child: exits the child when the launcher's IPC channel closes. */
export const CHILD_GUARD = path.join(__dirname, 'child-guard.cjs');

/** Preloaded into a child started from a bundle: runs the bundle in place of its TypeScript entrypoint (bundle.ts). */
export const CHILD_BUNDLE = path.join(__dirname, 'child-bundle.cjs');

/** `.cdnlab` under the repository, or $CDNLAB_HOME. */
export function cdnlabHome(): string {
  const env = process.env.CDNLAB_HOME;
  return env && env !== '' ? path.resolve(env) : path.join(REPO_ROOT, '.cdnlab');
}
