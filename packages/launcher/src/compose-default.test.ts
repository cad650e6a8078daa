import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderDefaultComposeFiles } from './compose-default';

const ROOT = path.resolve(__dirname, '../../..');

describe('the committed compose files', () => {
  it.each(Object.entries(renderDefaultComposeFiles(ROOT)))('%s is what topologies/default.yaml generates (else: pnpm exec tsx scripts/gen-compose.ts)', (file, text) => {
    expect(readFileSync(path.join(ROOT, file), 'utf8')).toBe(text);
  });
});
