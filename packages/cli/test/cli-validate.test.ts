import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The real command as a user runs it: exit codes and the positioned messages.

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'packages/cli/src/main.ts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cdnlab(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CDNLAB_HOME: tmp } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cdnlab validate', () => {
  it('accepts the shipped topology and scenario', () => {
    const r = cdnlab('validate', 'topologies/default.yaml', 'scenarios/thundering-herd.yaml');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('ok  topologies/default.yaml: topology default, 11 nodes in 3 regions');
    expect(r.stdout).toContain('ok  scenarios/thundering-herd.yaml: scenario thundering-herd');
    expect(r.code).toBe(0);
  });

  it('rejects a bad topology with file:line:col and the field, exit 1', () => {
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nregions:\n  - name: na\n    cidrs: [not-a-cidr]\nnodes: []\n');
    const r = cdnlab('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:4:\d+: regions\[0\]\.cidrs\[0\]: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('treats a file with a workload as a scenario and reports its errors', () => {
    const bad = path.join(tmp, 'scen.yaml');
    writeFileSync(bad, 'name: s\ntitle: t\ndescription: d\ntopology: ../nowhere.yaml\nworkload: {duration: 1s}\n');
    const r = cdnlab('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scen\.yaml:\d+:\d+: /);
  });
});

describe('cdnlab usage', () => {
  it('exits 2 on a missing argument or an unknown command, with one line', () => {
    const missing = cdnlab('validate');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("cdnlab: missing required argument 'file'");
    const unknown = cdnlab('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("cdnlab: unknown command 'frobnicate'");
  });

  it('exits 2 on a bad option value, naming the option', () => {
    const r = cdnlab('up', '--base-port', 'eighty');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('cdnlab: expected --base-port to be an integer in [1024, 65000], got "eighty"');
  });

  it('exits 1 with one line when no cluster is running', () => {
    const r = cdnlab('status');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('cdnlab: no cluster is running (start one with `cdnlab up`)');
  });

  it('prints help and exits 0', () => {
    const r = cdnlab('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/up \[options\] \[topology\]/);
  });
});

describe('cdnlab run and a scenario\'s engines', () => {
  const simOnly = (engines = '[sim]'): string => {
    const file = path.join(tmp, 'sim-only.yaml');
    writeFileSync(
      file,
      [
        'name: sim-only',
        'title: t',
        'description: d',
        `topology: ${path.join(ROOT, 'topologies/default.yaml')}`,
        `engines: ${engines}`,
        'workload:',
        '  duration: 1s',
        '  clients: [{ region: na, rate: 20 }]',
        '  objects: { popularity: hot, keys: [/hot] }',
        'expectations:',
        '  - expect: requests.errors == 0',
      ].join('\n'),
    );
    return file;
  };

  it('runs on the scenario\'s engine when none is asked for', () => {
    const r = cdnlab('run', simOnly(), '--no-progress', '--out', path.join(tmp, 'reports'));
    expect(r.stderr).toContain('running on the sim engine');
    expect(r.code).toBe(0);
  });

  it('refuses an engine the scenario is not written for, naming the one it is', () => {
    const file = simOnly();
    const r = cdnlab('run', file, '--engine', 'embedded', '--no-progress', '--out', path.join(tmp, 'reports'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cdnlab: ${file}: engines: written for the sim engine only, and --engine embedded; run it with --engine sim`);
  });

  it('a scenario for the simulator and compose runs on the simulator by default, and not as processes on loopback', () => {
    const file = simOnly('[sim, compose]');
    const loopback = cdnlab('run', file, '--engine', 'embedded', '--no-progress', '--out', path.join(tmp, 'reports'));
    expect(loopback.code).toBe(2);
    expect(loopback.stderr).toContain(`cdnlab: ${file}: engines: written for the sim and compose engines only, and --engine embedded; run it with --engine sim`);
    const composeOnly = cdnlab('run', simOnly('[compose]'), '--no-progress', '--out', path.join(tmp, 'reports'));
    expect(composeOnly.code).toBe(2);
    expect(composeOnly.stderr).toContain('engines: written for the compose engine only: run it with --target compose inside the compose network');
    const r = cdnlab('run', simOnly('[sim, compose]'), '--no-progress', '--out', path.join(tmp, 'reports'));
    expect(r.stderr).toContain('running on the sim engine');
    expect(r.code).toBe(0);
  });
});
