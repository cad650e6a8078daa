import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_VARIANTS, writeFixtureScenario } from '../src/fixture-scenario.test-fixture';

// The commands as a user runs them, in a child process: exit codes and what
// goes to stdout. The simulator engine keeps these fast; the embedded engine
// is exercised end to end in thundering-herd.test.ts.

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(__dirname, 'fixtures/runner-cli.ts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-runner-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cdnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scenario(name: string, expectations: string[]): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
title: A small test scenario
description: Two seconds of light traffic on the default topology.
topology: ${path.join(REPO, 'topologies/default.yaml')}
workload:
  seed: 1
  duration: 2s
  clients:
    - { region: eu, count: 5, rate: 50 }
  objects: { popularity: uniform, count: 20, path: "/static/{n}.js" }
expectations:
${expectations.map((e) => `  - expect: '${e}'`).join('\n')}
`,
  );
  return file;
}

describe('cdnlab run / list / explain', () => {
  it('exits 1 when an expectation fails, and says which', () => {
    const file = scenario('failing', ['requests.sent > 0', 'requests.sent < 0']);
    const r = cdnlab('run', file, '--engine', 'sim', '--out', path.join(tmp, 'reports'), '--no-progress');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL \[baseline\] requests.sent < 0: actual \d+/);
    expect(readdirSync(path.join(tmp, 'reports', 'failing'))).toHaveLength(1);
  });

  it('exits 0 when every expectation passes; --json leaves nothing else on stdout', () => {
    const file = scenario('passing', ['requests.sent > 0', 'requests.errors == 0', 'edge.hit_ratio > 0']);
    const r = cdnlab('run', file, '--engine', 'sim', '--out', path.join(tmp, 'reports'), '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; variants: Array<{ variant: string; sent: number }> };
    expect(j.ok).toBe(true);
    expect(j.variants[0].variant).toBe('baseline');
    expect(j.variants[0].sent).toBeGreaterThan(50);
  });

  it('exits 2 on an unknown metric before running anything, naming the expectation', () => {
    const file = scenario('typo', ['origin.reqests == 1']);
    const r = cdnlab('run', file, '--engine', 'sim', '--out', path.join(tmp, 'reports'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/expectations\[0\] "origin.reqests == 1": unknown metric "origin.reqests"; known metrics: .*origin\.requests/);
    expect(r.stderr).not.toMatch(/running on/);
  });

  it('rejects a bad engine name and a --target with the simulator', () => {
    const file = scenario('opts', ['requests.sent > 0']);
    expect(cdnlab('run', file, '--engine', 'docker').stderr).toMatch(/Allowed choices are embedded, sim/);
    const t = cdnlab('run', file, '--engine', 'sim', '--target', '127.0');
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/--target applies to the embedded engine only/);
  });

  it('runs the simulator\'s variants side by side with --jobs, and refuses --jobs elsewhere', () => {
    const file = writeFixtureScenario(tmp);
    const r = cdnlab('run', file, '--engine', 'sim', '--jobs', '2', '--out', path.join(tmp, 'reports'), '--no-progress');
    expect(r.stderr).toContain('3 variants, 2 at a time on the sim engine\n');
    for (const v of FIXTURE_VARIANTS) expect(r.stderr).toMatch(new RegExp(`\\] ${v}: done in`));
    expect(r.stdout).toMatch(/plus-shield\s+30\s+30\s+0\s+0/);
    expect(cdnlab('run', file, '--engine', 'sim', '--jobs', '0').stderr).toContain("option '--jobs <n>' argument '0' is invalid. expected a positive integer, got \"0\"");
    const embedded = cdnlab('run', file, '--engine', 'embedded', '--jobs', '2');
    expect(embedded.status).toBe(2);
    expect(embedded.stderr).toContain('--jobs applies to the simulator: the testbed runs one variant at a time on its one cluster');
  });

  it('lists scenarios with their titles and explains one', () => {
    const list = cdnlab('list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/scenarios\/thundering-herd\.yaml\s+A cold hot object/);
    const ex = cdnlab('explain', 'scenarios/thundering-herd.yaml');
    expect(ex.status).toBe(0);
    expect(ex.stdout).toMatch(/- edge-only: .*\n\s+cache\.collapsing: off → wait on 6 nodes/);
  });
});

describe('cdnlab run: a trace that fails midway', () => {
  // The planner reads a trace lazily, so a bad record is found while the
  // cluster runs. The run must fail with that record named and the command
  // exit: before, the origin poller kept waiting for its next instant and
  // the process never ended (spawnSync's timeout would give a null status).
  it('ends the command with the record named, on both engines', () => {
    const trace = path.join(tmp, 'unsorted.csv');
    writeFileSync(trace, 'time,key\n0,/static/a.js\n900,/static/b.js\n500,/static/c.js\n');
    const file = path.join(tmp, 'unsorted.yaml');
    writeFileSync(
      file,
      `name: unsorted
title: A trace out of time order
description: Its third record is earlier than its second.
topology: ${path.join(REPO, 'topologies/default.yaml')}
workload:
  duration: 5s
  clients:
    - { region: eu, count: 2, rate: 1 }
  objects: { popularity: trace, file: unsorted.csv }
expectations:
  - expect: requests.sent > 0
`,
    );
    for (const engine of ['sim', 'embedded']) {
      const r = cdnlab('run', file, '--engine', engine, '--out', path.join(tmp, 'reports'), '--no-progress');
      // Ended by itself (a hung run is killed by spawnSync's timeout: status null); this fixture exits 2 on any error.
      expect({ engine, status: r.status }).toEqual({ engine, status: 2 });
      expect(r.stderr).toContain(`${trace}: line 4: time 500 ms comes before the previous record's 900 ms`);
    }
  });
});
