/**
 * `tsx src/gen-schemas-main.ts`          write schemas/*.schema.json
 * `tsx src/gen-schemas-main.ts check`    exit 1 if they are stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR, schemaFiles } from './gen-schemas';

const check = process.argv[2] === 'check';
let stale = 0;
for (const [name, text] of Object.entries(schemaFiles())) {
  const file = path.join(SCHEMAS_DIR, name);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${path.relative(process.cwd(), file)} (run pnpm --filter @cdnlab/scenario gen:schemas)`);
    stale++;
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
process.exitCode = stale ? 1 : 0;
