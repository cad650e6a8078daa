import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BundleError, bundleEntrypoints } from './bundle';
import { REPO_ROOT } from './paths';

describe('bundleEntrypoints', () => {
  let tmp: string;
  beforeEach(() => {
    // Inside the repository, so `yaml` resolves from the fixture as it would from a service.
    tmp = mkdtempSync(path.join(REPO_ROOT, 'packages', 'launcher', '.bundle-test-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const f = path.join(tmp, name);
    writeFileSync(f, text);
    return f;
  };

  it('bundles our code, leaves packages where they are installed, and runs without TypeScript', async () => {
    write('part.ts', 'export const twice = (n: number): number => n * 2;\n');
    const main = write('main.ts', "import { stringify } from 'yaml';\nimport { readFileSync } from 'node:fs';\nimport { twice } from './part';\nvoid readFileSync;\nprocess.stdout.write(stringify({ n: twice(21) }));\n");
    const out = path.join(tmp, 'bundles');
    const files = await bundleEntrypoints({ svc: main }, out, REPO_ROOT);
    expect(path.basename(files.svc)).toBe('svc.cjs');
    const code = readFileSync(files.svc, 'utf8');
    // The relative import is inside; the package is required by its absolute installed path.
    expect(code).toContain('n * 2');
    expect(code).toMatch(/require\("\/[^"]*node_modules\/[^"]*yaml[^"]*"\)/);
    expect(code).toContain('require("node:fs")');
    expect(readdirSync(path.dirname(files.svc)).sort()).toEqual(['svc.cjs', 'svc.cjs.map']);
    expect(execFileSync(process.execPath, [files.svc], { encoding: 'utf8' })).toBe('n: 42\n');
    // The same code lands in the same directory, and nothing else is left behind.
    const again = await bundleEntrypoints({ svc: main }, out, REPO_ROOT);
    expect(again.svc).toBe(files.svc);
    expect(readdirSync(out)).toHaveLength(1);
    // Changed code: a new directory.
    write('part.ts', 'export const twice = (n: number): number => n + n;\n');
    expect((await bundleEntrypoints({ svc: main }, out, REPO_ROOT)).svc).not.toBe(files.svc);
  });

  it('names the file and line of a compile error, and of an import that resolves nowhere', async () => {
    const broken = write('broken.ts', 'export const x = ;\n');
    await expect(bundleEntrypoints({ svc: broken }, path.join(tmp, 'b'), REPO_ROOT)).rejects.toThrow(BundleError);
    await expect(bundleEntrypoints({ svc: broken }, path.join(tmp, 'b'), REPO_ROOT)).rejects.toThrow(/broken\.ts:1:\d+: /);
    const missing = write('missing.ts', "import 'no-such-package-cdnlab';\n");
    await expect(bundleEntrypoints({ svc: missing }, path.join(tmp, 'b'), REPO_ROOT)).rejects.toThrow(/missing\.ts:1:\d+: cannot resolve "no-such-package-cdnlab"/);
  });
});

