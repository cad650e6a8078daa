import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Engine, EngineRunOptions, RunResult } from '@cdnlab/scenario';
import { FIXTURE_VARIANTS, writeFixtureScenario } from './fixture-scenario.test-fixture';
import { progressFraction, RunError, runScenario } from './run';

// runScenario with an engine that returns hand-built results: what the
// runner does with them (expectations, exit code, report, output streams)
// without starting anything.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-run-unit-'));
const FILE = writeFixtureScenario(tmp);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Origin requests for /hot per variant; the fixture expects >100, 6, 1. */
function fakeEngine(originHot: Record<string, number>): Engine & { calls: EngineRunOptions[] } {
  const calls: EngineRunOptions[] = [];
  return {
    name: 'fake',
    calls,
    async run(opts) {
      calls.push(opts);
      const n = originHot[opts.variant.name] ?? 0;
      const r: RunResult = {
        scenario: opts.scenario.name,
        variant: opts.variant.name,
        engine: 'fake',
        seed: opts.seed,
        durationMs: 3000,
        requests: { sent: 100, answered: 98, errors: 0, unfinished: 2, byResult: { hit: 90, miss: 8 }, byStatus: { '200': 98 }, byError: {}, byGroup:
            opts.variant.name === 'edge-only'
              ? {
                  visitors: { sent: 90, answered: 89, byResult: { miss: 4, hit: 85 }, byStatus: { '200': 89 }, latency: { count: 89, mean: 5, p50: 2.25, p90: 9, p99: 40, max: 50 } },
                  reloaders: { sent: 10, answered: 9, byResult: { revalidated: 5, miss: 4 }, byStatus: { '200': 7, '503': 2 }, latency: { count: 9, mean: 90, p50: 80, p90: 120, p99: 300, max: 320 } },
                }
              : { na: { sent: 100, answered: 98, byResult: { hit: 90, miss: 8 }, byStatus: { '200': 98 }, latency: { count: 98, mean: 12, p50: 3, p90: 40, p99: 300, max: 320 } } }, watched: {} },
        origin: { requests: n, byPath: { '/hot': n }, byKind: { get: n, 'not-modified': 0 } },
        nodes: [
          { id: 'edge-na-1', role: 'edge', region: 'na', requests: 98, hits: 90, misses: 8, staleServed: 0, revalidations: 0, collapsedWaiters: 7, evictions: 0, upstreamFetches: 1, objects: 1, bytes: 51200, hitRatio: 90 / 98 },
        ],
        // One variant has clients in two regions (and one region that answered nothing).
        latency:
          opts.variant.name === 'edge-only'
            ? { na: { count: 60, mean: 10, p50: 3, p90: 30, p99: 250, max: 320 }, eu: { count: 38, mean: 20, p50: 9, p90: 50, p99: 200, max: 260 }, apac: { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN } }
            : { na: { count: 98, mean: 12, p50: 3, p90: 40, p99: 300, max: 320 } },
        series: { bucketMs: 500, originRequests: [n, 0, 0, 0, 0, 0], edgeHitRatio: [0, 1, 1, 1, 1, 1], byGroupHitRatio: {}, byTier: {}, requests: [50, 0, 25, 0, 25, 0], errors: [0, 0, 0, 0, 0, 0], serverErrors: [0, 0, 0, 0, 0, 0], latencyByRegion: {}, byEdge: { 'edge-na-1': [0, 48, 0, 25, 0, 25] }, watched: {} },
        purges:
          opts.variant.name === 'edge-only'
            ? [
                {
                  atMs: 1500,
                  kind: 'prefix',
                  value: '/shop/',
                  mode: 'soft',
                  fanout: 'tree',
                  acks: [
                    { nodeId: 'edge-na-1', role: 'edge', delayMs: 4, objectsAffected: 3 },
                    { nodeId: 'edge-na-2', role: 'edge', delayMs: 9005, objectsAffected: 0, attempts: 2 },
                    { nodeId: 'shield', role: 'shield', delayMs: 40, objectsAffected: 0, error: 'unavailable', attempts: 4 },
                  ],
                },
              ]
            : [],
        timeline: [],
      };
      return r;
    },
  };
}

function sink(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

describe('runScenario', () => {
  it('exits 0 and writes the report when every expectation passes', async () => {
    const out = sink();
    const engine = fakeEngine({ 'no-collapsing': 500, 'edge-only': 6, 'plus-shield': 1 });
    const r = await runScenario(FILE, { engine, out: tmp, progress: false, stdout: out.stream, stderr: sink().stream, now: () => new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) });
    expect(r.exitCode).toBe(0);
    expect(engine.calls.map((c) => c.variant.name)).toEqual(FIXTURE_VARIANTS);
    expect(engine.calls.every((c) => c.seed === 7)).toBe(true);
    expect(r.runId).toBe('20300102-030405-fake');
    expect(r.reportDir).toBe(path.join(tmp, 'herd-fixture', '20300102-030405-fake'));
    for (const f of ['report.json', 'report.md', 'report.html', 'origin-requests.svg', 'latency.svg']) expect(existsSync(path.join(r.reportDir, f))).toBe(true);
    expect(out.text()).toMatch(/plus-shield\s+100\s+98\s+0\s+2\s+91\.8%\s+1\s+3\.0\s+300\.0\s+-\s+2\/2 ok/);
    const md = readFileSync(path.join(r.reportDir, 'report.md'), 'utf8');
    expect(md).toContain('| pass | plus-shield | `origin.requests{path="/hot"} == 1`');
    // Per variant, the origin's count by kind; kinds it never saw are left out.
    expect(md).toContain('### plus-shield\n\nNothing happened besides the workload.\n\nAnswers by edge result: hit 90, miss 8; by status: 200 98.\n\nOrigin requests: 1 (get 1).\n\n## Charts');
    // Each purge: what it reached, where, and how long the slowest node took (failed acks apart).
    expect(md).toContain(
      'Purges:\n\n- 1.500 s, soft purge of prefix /shop/: 3 objects marked stale on 1 of 3 nodes; the last applied it after 9005 ms; redelivered to edge-na-2 (2 calls, after 9005 ms); **1 failed**: shield (4 calls: unavailable).\n',
    );
    // One variant names two client groups: a row per variant and group, outcomes sorted by name.
    expect(md).toContain('## By client group\n\n| variant | group | sent | answered | edge hit ratio | edge results | statuses | p50 ms | p99 ms |\n');
    expect(md).toContain('| edge-only | visitors | 90 | 89 | 95.5% | hit 85, miss 4 | 200 89 | 2.3 | 40.0 |\n| edge-only | reloaders | 10 | 9 | 0.0% | miss 4, revalidated 5 | 200 7, 503 2 | 80.0 | 300.0 |\n');
    expect(md).toContain('| plus-shield | na | 100 | 98 | 91.8% | hit 90, miss 8 | 200 98 | 3.0 | 300.0 |');
    expect(readFileSync(path.join(r.reportDir, 'report.html'), 'utf8')).toContain('<h2>By client group</h2>');
    expect(existsSync(path.join(r.reportDir, 'group-latency.svg'))).toBe(true);
    // Clients in two regions: the summary's p50/p99 are each the highest region's (eu's 9 ms, na's 250 ms),
    // which the terminal and the report say, and the report lists every region that answered.
    expect(out.text()).toMatch(/edge-only\s+100\s+98\s+0\s+2\s+91\.8%\s+6\s+9\.0\s+250\.0\s/);
    expect(out.text()).toContain(`p50 and p99: each the highest of the 2 client regions' own, not a percentile over all clients (every region: report.md, "By region").`);
    expect(md).toContain('## By region\n\n| variant | region | answers | mean ms | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---:|---:|---:|---:|---:|---:|\n');
    expect(md).toContain('| edge-only | na | 60 | 10.0 | 3.0 | 30.0 | 250.0 | 320.0 |\n| edge-only | eu | 38 | 20.0 | 9.0 | 50.0 | 200.0 | 260.0 |\n| plus-shield | na | 98 |');
    expect(md).not.toContain('| apac |');
    // Each cache tier's counts, all its nodes together, the hit ratio as `edge.hit_ratio` reads it.
    expect(md).toContain('## By tier\n\n| variant | tier | nodes | answers | hit ratio | stale | misses | 304 refreshes | collapsed waiters | upstream fetches | evictions |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
    expect(md).toContain('| plus-shield | edge | 1 | 98 | 91.8% | 0 | 8 | 0 | 7 | 1 | 0 |\n');
    const html = readFileSync(path.join(r.reportDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>By region</h2>');
    expect(html).toContain('<h2>By tier</h2>');
    expect(html).toContain("each the highest of the 2 client regions' own");
  });

  it('exits 1 and names the failed expectation when one fails; a second run gets its own directory', async () => {
    const out = sink();
    const now = () => new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    const r = await runScenario(FILE, { engine: fakeEngine({ 'no-collapsing': 500, 'edge-only': 7, 'plus-shield': 1 }), out: tmp, progress: false, stdout: out.stream, stderr: sink().stream, now });
    expect(r.exitCode).toBe(1);
    expect(r.ok).toBe(false);
    expect(r.outcomes.filter((o) => !o.ok).map((o) => [o.variant, o.actual])).toEqual([['edge-only', 7]]);
    expect(out.text()).toContain('FAIL [edge-only] origin.requests{path="/hot"} == 6: actual 7');
    expect(r.runId).toBe('20300102-030405-fake-2');
  });

  it('runs one variant when asked, with the seed given', async () => {
    const engine = fakeEngine({ 'plus-shield': 1 });
    const r = await runScenario(FILE, { engine, out: tmp, progress: false, variant: 'plus-shield', seed: 99, stdout: sink().stream, stderr: sink().stream });
    expect(engine.calls.map((c) => [c.variant.name, c.seed])).toEqual([['plus-shield', 99]]);
    expect(r.outcomes.map((o) => o.variant)).toEqual(['plus-shield', 'plus-shield']);
    // One region: its p50 is the summary's, and nothing needs saying.
    const md = readFileSync(path.join(r.reportDir, 'report.md'), 'utf8');
    expect(md).not.toContain('By region');
    expect(md).not.toContain('client regions');
  });

  it('prints only JSON on stdout with json: true', async () => {
    const out = sink();
    const err = sink();
    await runScenario(FILE, { engine: fakeEngine({ 'plus-shield': 1 }), out: tmp, progress: false, json: true, variant: 'plus-shield', stdout: out.stream, stderr: err.stream });
    const j = JSON.parse(out.text()) as { ok: boolean; variants: Array<{ p50Ms: number }> };
    expect(j.ok).toBe(true);
    expect(j.variants[0].p50Ms).toBe(3);
    expect(err.text()).toMatch(/variant\s+sent/);
  });

  it('refuses an unknown variant, naming the known ones', async () => {
    await expect(runScenario(FILE, { engine: fakeEngine({}), out: tmp, variant: 'nope', stdout: sink().stream, stderr: sink().stream })).rejects.toThrow(RunError);
    await expect(runScenario(FILE, { engine: fakeEngine({}), out: tmp, variant: 'nope', stdout: sink().stream, stderr: sink().stream })).rejects.toThrow(/no variant "nope" in .*; variants: no-collapsing, edge-only, plus-shield/);
  });

  describe('with an engine that runs variants side by side', () => {
    /** The fake engine, each run held until the test lets it go; `concurrency` runs at once. */
    function heldEngine(concurrency: number) {
      const inner = fakeEngine({ 'no-collapsing': 500, 'edge-only': 6, 'plus-shield': 1 });
      const started: string[] = [];
      const release = new Map<string, (fail?: Error) => void>();
      const aborted: string[] = [];
      const running = new Set<string>();
      let most = 0;
      const engine: Engine = {
        name: 'fake',
        concurrency,
        run(opts) {
          started.push(opts.variant.name);
          running.add(opts.variant.name);
          most = Math.max(most, running.size);
          opts.signal?.addEventListener('abort', () => running.has(opts.variant.name) && aborted.push(opts.variant.name));
          return new Promise<RunResult>((resolve, reject) => {
            release.set(opts.variant.name, (fail) => {
              running.delete(opts.variant.name);
              if (fail) reject(fail);
              else resolve(inner.run(opts));
            });
          });
        },
      };
      const settle = () => new Promise((r) => setImmediate(r));
      return { engine, started, release, aborted, most: () => most, settle };
    }

    it('runs at most `concurrency` at once and keeps the variants in order when they finish out of order', async () => {
      const h = heldEngine(2);
      const err = sink();
      const done = runScenario(FILE, { engine: h.engine, out: tmp, progress: false, stdout: sink().stream, stderr: err.stream });
      await h.settle();
      expect(h.started).toEqual(['no-collapsing', 'edge-only']);
      h.release.get('edge-only')!();
      await h.settle();
      expect(h.started).toEqual(['no-collapsing', 'edge-only', 'plus-shield']);
      h.release.get('plus-shield')!();
      h.release.get('no-collapsing')!();
      const r = await done;
      expect(h.most()).toBe(2);
      expect(r.results.map((x) => x.variant)).toEqual(FIXTURE_VARIANTS);
      expect(r.exitCode).toBe(0);
      expect(err.text()).toContain('3 variants, 2 at a time on the fake engine\n');
      expect(err.text()).toMatch(/\[2\/3\] edge-only: done in [\d.]+ s\n[^]*\[1\/3\] no-collapsing: done in/);
    });

    it('stops the others and throws the error when one variant fails', async () => {
      const h = heldEngine(2);
      const done = runScenario(FILE, { engine: h.engine, out: tmp, progress: false, stdout: sink().stream, stderr: sink().stream });
      await h.settle();
      h.release.get('edge-only')!(new Error('the simulator broke'));
      await h.settle();
      // The failure stops the run under way and starts nothing new.
      expect(h.aborted).toEqual(['no-collapsing']);
      h.release.get('no-collapsing')!();
      await expect(done).rejects.toThrow('the simulator broke');
      expect(h.started).toEqual(['no-collapsing', 'edge-only']);
    });

    it('on abort, reports the variants that finished', async () => {
      const h = heldEngine(2);
      const ac = new AbortController();
      const out = sink();
      const done = runScenario(FILE, { engine: h.engine, out: tmp, progress: false, signal: ac.signal, stdout: out.stream, stderr: sink().stream });
      await h.settle();
      h.release.get('edge-only')!();
      ac.abort();
      await h.settle();
      expect(h.aborted).toEqual(['no-collapsing']);
      h.release.get('no-collapsing')!();
      const r = await done;
      expect(r.results.map((x) => x.variant)).toEqual(['no-collapsing', 'edge-only']);
      expect(r.exitCode).toBe(1);
      expect(out.text()).toContain('aborted: the report holds what ran');
    });
  });
});

describe('progressFraction (the progress bar)', () => {
  const p = (elapsedMs: number, plannedMs: number, sent: number, plannedRequests: number) => ({ elapsedMs, plannedMs, sent, plannedRequests, answered: 0, errors: 0, hits: 0, originRequests: 0 });

  it('is time against the duration when the workload has no request count', () => {
    expect(progressFraction(p(2500, 10_000, 900, 0))).toBe(0.25);
  });

  it('is requests sent against the count when the workload has no duration (a trace replay), not full from the start', () => {
    expect(progressFraction(p(2500, 0, 900, 3600))).toBe(0.25);
  });

  it('with both, is the nearer end: the run stops at whichever comes first', () => {
    expect(progressFraction(p(2500, 10_000, 1800, 3600))).toBe(0.5);
    expect(progressFraction(p(7500, 10_000, 1800, 3600))).toBe(0.75);
  });

  it('stays within 0 and 1', () => {
    expect(progressFraction(p(12_000, 10_000, 0, 0))).toBe(1);
    expect(progressFraction(p(5, 0, 0, 0))).toBe(0);
  });
});
