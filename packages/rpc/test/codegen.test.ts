import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GENERATED_DIR, findStaleGenerated, generatorFlags } from '../src/codegen';

describe('generated types', () => {
  it('are up to date with proto/ (run `pnpm --filter @cdnlab/rpc generate` if not)', () => {
    expect(findStaleGenerated(GENERATED_DIR)).toEqual([]);
  });

  it('are generated with the loader options (int64 as number, enums as strings, defaults, oneofs)', () => {
    expect(generatorFlags()).toEqual(expect.arrayContaining(['--longs=Number', '--enums=String', '--defaults', '--oneofs']));
    expect(generatorFlags()).not.toContain('--keepCase');
  });

  it('names a changed, a missing and an extra file in a stale copy', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cdnlab-rpc-stale-'));
    try {
      fs.cpSync(GENERATED_DIR, copy, { recursive: true });
      fs.appendFileSync(path.join(copy, 'tier.ts'), '\n// edited by hand\n');
      fs.rmSync(path.join(copy, 'cdnlab/origin/v1/Fault.ts'));
      fs.writeFileSync(path.join(copy, 'cdnlab/tier/v1/Gone.ts'), 'export {};\n');
      expect(findStaleGenerated(copy)).toEqual(
        expect.arrayContaining([
          { file: 'tier.ts', reason: 'differs' },
          { file: 'cdnlab/origin/v1/Fault.ts', reason: 'missing' },
          { file: 'cdnlab/tier/v1/Gone.ts', reason: 'extra' },
        ]),
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
