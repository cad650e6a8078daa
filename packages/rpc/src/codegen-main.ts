/**
 * Entry point of `pnpm --filter @cdnlab/rpc generate` and `check:generated`.
 * Usage: tsx src/codegen-main.ts generate|check
 */
import { GENERATED_DIR, findStaleGenerated, generateTypes } from './codegen';

function main(argv: string[]): number {
  const command = argv[0];
  if (command === 'generate') {
    generateTypes(GENERATED_DIR);
    console.log(`generated types in ${GENERATED_DIR}`);
    return 0;
  }
  if (command === 'check') {
    const stale = findStaleGenerated(GENERATED_DIR);
    if (stale.length === 0) {
      console.log('generated types are up to date');
      return 0;
    }
    console.error(`generated types are stale (run: pnpm --filter @cdnlab/rpc generate):`);
    for (const s of stale) console.error(`  ${s.reason.padEnd(8)} src/generated/${s.file}`);
    return 1;
  }
  console.error(`expected a command "generate" or "check", got ${command === undefined ? 'nothing' : JSON.stringify(command)}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
