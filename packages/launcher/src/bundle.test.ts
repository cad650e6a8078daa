import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it("gives each module its own source's __dirname and __filename, not the bundle's", async () => {
    mkdirSync(path.join(tmp, 'sub'));
    write('sub/where.ts', 'export const where = (): string[] => [__dirname, __filename];\n');
    const main = write('main.ts', "import { where } from './sub/where';\nprocess.stdout.write(JSON.stringify([__dirname, ...where()]));\n");
    const files = await bundleEntrypoints({ svc: main }, path.join(tmp, 'bundles'), REPO_ROOT);
    expect(JSON.parse(execFileSync(process.execPath, [files.svc], { encoding: 'utf8' }))).toEqual([tmp, path.join(tmp, 'sub'), path.join(tmp, 'sub', 'where.ts')]);
  });

  it('names the file and line of a compile error, and of an import that resolves nowhere', async () => {
    const broken = write('broken.ts', 'export const x = ;\n');
    await expect(bundleEntrypoints({ svc: broken }, path.join(tmp, 'b'), REPO_ROOT)).rejects.toThrow(BundleError);
    await expect(bundleEntrypoints({ svc: broken }, path.join(tmp, 'b'), REPO_ROOT)).rejects.toThrow(/broken\.ts:1:\d+: /);
    const missing = write('missing.ts', "import 'no-such-package-cdnlab';\n");
    await expect(bundleEntrypoints({ svc: missing }, path.join(tmp, 'b'), REPO_ROOT)).rejects.toThrow(/missing\.ts:1:\d+: cannot resolve "no-such-package-cdnlab"/);
  });
});


describe('scripts/run-bundled.cjs', () => {
  const RUN_BUNDLED = path.join(REPO_ROOT, 'scripts', 'run-bundled.cjs');
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(REPO_ROOT, 'packages', 'launcher', '.bundle-test-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [RUN_BUNDLED, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, CDNLAB_HOME: path.join(tmp, 'home'), ...env } });

  it('runs an entrypoint from a bundle under CDNLAB_HOME with the argv it would have under tsx; CDNLAB_BUNDLE=0 runs it under tsx', () => {
    writeFileSync(path.join(tmp, 'main.ts'), 'const n: number = 2;\nprocess.stdout.write(JSON.stringify({ argv: process.argv.slice(1), n }));\n');
    const bundles = path.join(tmp, 'home', 'bundles');
    for (const env of [{ CDNLAB_BUNDLE: '0' }, {}] as Array<Record<string, string>>) {
      const r = run(['main.ts', 'run', '--quick'], env);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ argv: [path.join(tmp, 'main.ts'), 'run', '--quick'], n: 2 });
      // tsx builds nothing; the bundled run leaves its bundle.
      expect(existsSync(bundles) ? readdirSync(bundles).length : 0).toBe(env.CDNLAB_BUNDLE === '0' ? 0 : 1);
    }
  });

  it('reports a compile error with its file and line, exit 1; a missing or non-TypeScript entrypoint is a usage error, exit 2', () => {
    writeFileSync(path.join(tmp, 'bad.ts'), 'export const x = ;\n');
    const bad = run(['bad.ts']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^cdnlab: could not bundle .*bad\.ts:\n {2}.*bad\.ts:1:\d+: /);
    for (const args of [[], ['main.js']]) {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^cdnlab: usage: node scripts\/run-bundled\.cjs <entrypoint\.ts>/);
    }
  });
});
