/**
 * Writes docker-compose.yml and docker-compose.ports.yml at the top of the
 * repository from topologies/default.yaml. With --check, writes nothing and
 * exits 1 when a committed file differs from what would be generated.
 *
 *   pnpm exec tsx scripts/gen-compose.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderDefaultComposeFiles } from '../packages/launcher/src/compose-default';

const root = path.resolve(__dirname, '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of Object.entries(renderDefaultComposeFiles(root))) {
  const target = path.join(root, file);
  let current: string | undefined;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    process.stdout.write(`${file}: current\n`);
  } else if (check) {
    process.stderr.write(`${file}: stale; run pnpm exec tsx scripts/gen-compose.ts\n`);
    stale++;
  } else {
    writeFileSync(target, text);
    process.stdout.write(`${file}: written\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
