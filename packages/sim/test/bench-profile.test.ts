import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

/** Runs the bench's profile part from a real bundle, small; returns its output and status. */
function profilePart(env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const home = mkdtempSync(path.join(tmpdir(), 'cdnlab-bench-profile-'));
  try {
    return spawnSync(process.execPath, [path.join(REPO, 'scripts/run-bundled.cjs'), path.join(REPO, 'packages/sim/bench/sim.ts')], {
      encoding: 'utf8',
      cwd: path.join(REPO, 'packages/sim'),
      env: { ...process.env, CDNLAB_HOME: home, CDNLAB_BENCH_ONLY: 'p', CDNLAB_BENCH_CHILD: '1', CDNLAB_BENCH_PROFILE_REQUESTS: '20000', CDNLAB_BENCH_OBJECTS: '2000', ...env },
      timeout: 120_000,
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `pnpm bench`'s profile part, small: the simulator runs from a real bundle
 * under the CPU profiler, and the summary names our source files (through
 * the bundle's source map), not positions in the bundle.
 */
describe('sim bench, profile part', () => {
  it("says where (a)'s CPU time goes, by area and by source line of our code", () => {
    const r = profilePart({});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(p: \(a\)'s chain under the CPU profiler\) 20,000 requests \(20,000 answered, 0 errors/);
    expect(r.stdout).toMatch(/where the CPU time goes \([0-9.]+ s sampled, self time\):/);
    expect(r.stdout).toMatch(/%\s+core: HTTP semantics/);
    // Functions and lines are named by their TypeScript source, through the source map.
    expect(r.stdout).toMatch(/hottest functions:\n(\s+[0-9.]+%\s+.+\n)*\s+[0-9.]+%\s+\w+ \(packages\/(core|sim|origin|scenario)\/src\/[\w-]+\.ts:\d+\)/);
    expect(r.stdout).toMatch(/hottest source lines:\n(\s+[0-9.]+%\s+.+\n)*\s+[0-9.]+%\s+packages\/\w+\/src\/[\w-]+\.ts:\d+ {2}\S/);
    expect(r.stdout).not.toMatch(/main\.cjs/);
    // Then what the same workload allocates, per request, by our functions.
    expect(r.stdout).toMatch(/\(p: \(a\)'s chain under the allocation sampler\) 20,000 requests/);
    expect(r.stdout).toMatch(/what allocates \(sampled; [1-9][0-9,]* bytes per request in all\):/);
    expect(r.stdout).toMatch(/allocating most:\n(\s+[0-9.]+%.+\n)*\s+[0-9.]+%\s+[0-9,]+ B\/request {2}\w+ \(packages\/(core|sim|origin|scenario)\/src\/[\w-]+\.ts:\d+\)/);
  });

  it("profiles (b)'s 1,000-edge topology when asked", () => {
    const r = profilePart({ CDNLAB_BENCH_PROFILE_OF: 'b' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(p: \(b\)'s 1,000 edges under the CPU profiler\) 20,000 requests \(20,000 answered, 0 errors/);
    expect(r.stdout).toMatch(/; 1027 nodes\n/);
    expect(r.stdout).toMatch(/where the CPU time goes \([0-9.]+ s sampled, self time\):/);
  });

  it("profiles (d)'s core loop when asked: the time is in the core, none in the simulator", () => {
    const r = profilePart({ CDNLAB_BENCH_PROFILE_OF: 'd' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(p: \(d\)'s core loop under the CPU profiler\) 20,000 requests in [0-9.]+ s wall; origin [0-9,]+\n/);
    expect(r.stdout).toMatch(/%\s+core: HTTP semantics/);
    expect(r.stdout).not.toMatch(/[1-9][0-9.]*%\s+simulator: event scheduler/);
  });

  it('runs (e), the validation workload: its answers include 304-refreshes through the tiers', () => {
    const r = profilePart({ CDNLAB_BENCH_ONLY: 'e', CDNLAB_BENCH_E_REQUESTS: '20000' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(e: validation, the default topology at 50 req\/s\) 20,000 requests \(20,000 answered, 0 errors, 0 unfinished\)/);
    expect(r.stdout).toMatch(/; 11 nodes\n/);
    const share = (kind: string) => Number(new RegExp(`answers at the edge: .*\\b${kind} ([0-9.]+)`).exec(r.stdout)?.[1]);
    expect(share('revalidated')).toBeGreaterThan(0.05); // 0.11 at 20,000 requests, half at 1 M
    expect(share('hit')).toBeGreaterThan(0);
    expect(share('miss') + share('hit') + share('revalidated')).toBeCloseTo(1, 2);
    const p = profilePart({ CDNLAB_BENCH_PROFILE_OF: 'e' });
    expect(p.stderr).toBe('');
    expect(p.stdout).toMatch(/\(p: \(e\)'s validations under the CPU profiler\) 20,000 requests \(20,000 answered, 0 errors/);
    expect(profilePart({ CDNLAB_BENCH_ONLY: 'e', CDNLAB_BENCH_E_REQUESTS: 'lots' }).stderr).toMatch(/CDNLAB_BENCH_E_REQUESTS: expected a positive integer, got "lots"/);
  });

  it('names a bad CDNLAB_BENCH_PROFILE_OF and stops', () => {
    const r = profilePart({ CDNLAB_BENCH_PROFILE_OF: 'c' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/CDNLAB_BENCH_PROFILE_OF: expected a, b, d or e, got "c"/);
    expect(r.stdout).not.toMatch(/CPU profiler/);
  });
});
