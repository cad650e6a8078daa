/**
 * Prints a compose file rewritten for `docker stack deploy` (see
 * packages/launcher/src/compose-stack.ts for the two rewrites and why).
 *
 *   pnpm exec tsx scripts/stack-file.ts [docker-compose.yml] > stack.yml
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stackFileFrom } from '../packages/launcher/src/compose-stack';

const file = process.argv[2] ?? path.resolve(__dirname, '..', 'docker-compose.yml');
process.stdout.write(stackFileFrom(readFileSync(file, 'utf8')));
