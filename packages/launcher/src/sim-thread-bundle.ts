import path from 'node:path';
import { bundleEntrypoints } from './bundle';
import { cdnlabHome, REPO_ROOT } from './paths';

/**
 * The simulator's worker-thread code (packages/sim/src/sim-thread.ts) as a
 * CommonJS bundle, built as the services' bundles are and cached by content:
 * a worker thread cannot load our TypeScript itself. `cdnlab run --engine
 * sim` and `cdnlab cachesim` start their threads on it.
 */
export async function simThreadBundle(root = path.join(cdnlabHome(), 'bundles')): Promise<string> {
  return (await bundleEntrypoints({ 'sim-thread': path.join(REPO_ROOT, 'packages/sim/src/sim-thread.ts') }, root, REPO_ROOT))['sim-thread'];
}
