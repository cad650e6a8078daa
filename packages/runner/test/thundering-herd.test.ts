import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadScenarioFile } from '@cdnlab/scenario';
import { planWorkload } from '@cdnlab/scenario';
import { createEmbeddedEngine, runScenario } from '../src';

// The thundering-herd scenario's quick profile, end to end on real
// processes: four topologies started and stopped in turn, 2,700 requests
// each from 900 client addresses, the report written. About a minute on two
// cores; every load loop in it is bounded by the workload and the engine.

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '../../..');
const FILE = path.join(REPO, 'scenarios/thundering-herd.yaml');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-runner-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sink(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

describe('runScenario thundering-herd --quick on the embedded engine', () => {
  const out = sink();
  const err = sink();
  let run: Awaited<ReturnType<typeof runScenario>>;

  beforeAll(async () => {
    run = await runScenario(FILE, { engine: createEmbeddedEngine(), quick: true, out: tmp, progress: false, json: true, stdout: out.stream, stderr: err.stream });
  });

  it('runs every variant and passes every expectation', () => {
    expect(run.results.map((r) => r.variant)).toEqual(loadScenarioFile(FILE, { quick: true }).variants.map((v) => v.name));
    const failed = run.outcomes.filter((o) => !o.ok);
    expect(failed).toEqual([]);
    expect(run.outcomes.length).toBeGreaterThanOrEqual(run.results.length);
    expect(run.exitCode).toBe(0);
  });

  it('accounts for every planned request: sent = answered + errors + unfinished', () => {
    const scenario = loadScenarioFile(FILE, { quick: true });
    const planned = [...planWorkload(scenario.workload)].length;
    for (const r of run.results) {
      expect(r.requests.sent).toBe(planned);
      expect(r.requests.answered + r.requests.errors + r.requests.unfinished).toBe(r.requests.sent);
      expect(Object.values(r.requests.byStatus).reduce((a, b) => a + b, 0)).toBe(r.requests.answered);
      expect(Object.values(r.requests.byResult).reduce((a, b) => a + b, 0)).toBe(r.requests.answered);
      expect(Object.values(r.requests.byError).reduce((a, b) => a + b, 0)).toBe(r.requests.errors);
      // The origin's own counts, per path and per bucket, agree with its total.
      expect(Object.values(r.origin.byPath).reduce((a, b) => a + b, 0)).toBe(r.origin.requests);
      expect(r.series.originRequests.reduce((a, b) => a + b, 0)).toBe(r.origin.requests);
      expect(r.series.requests.reduce((a, b) => a + b, 0)).toBe(r.requests.sent);
      const edgeAnswers = Object.values(r.series.byEdge).reduce((a, s) => a + s.reduce((x, y) => x + y, 0), 0);
      expect(edgeAnswers).toBe(r.requests.answered);
    }
  });

  it('sends each region\'s clients to that region\'s edges (geo DNS from the clients\' source addresses)', () => {
    for (const r of run.results) {
      for (const region of Object.keys(r.latency)) {
        const answered = Object.entries(r.series.byEdge)
          .filter(([id]) => id.startsWith(`edge-${region}-`))
          .reduce((a, [, s]) => a + s.reduce((x, y) => x + y, 0), 0);
        expect(answered).toBe(r.latency[region].count);
      }
    }
  });

  it('collapses where the variant says: the shield variant costs the origin one fetch', () => {
    const shield = run.results.find((r) => r.nodes.some((n) => n.role === 'shield') && r.origin.requests === 1);
    expect(shield?.nodes.find((n) => n.role === 'shield')?.upstreamFetches).toBe(1);
  });

  it('writes the report: JSON, Markdown, one self-contained HTML page and the charts', () => {
    for (const f of ['report.json', 'report.md', 'report.html', 'origin-requests.svg', 'hit-ratio.svg', 'latency.svg', 'edge-requests.svg']) {
      expect(existsSync(path.join(run.reportDir, f))).toBe(true);
    }
    const json = JSON.parse(readFileSync(path.join(run.reportDir, 'report.json'), 'utf8')) as { results: unknown[]; expectations: Array<{ ok: boolean }> };
    expect(json.results).toHaveLength(run.results.length);
    expect(json.expectations.every((e) => e.ok)).toBe(true);
    const html = readFileSync(path.join(run.reportDir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('A cold hot object');
    expect(html).not.toMatch(/<img|src="http/);
  });

  it('prints only the JSON summary on stdout, the table on stderr', () => {
    const summary = JSON.parse(out.text()) as { ok: boolean; variants: Array<{ variant: string; originRequests: number }> };
    expect(summary.ok).toBe(true);
    expect(summary.variants.map((v) => v.originRequests)).toEqual(run.results.map((r) => r.origin.requests));
    expect(err.text()).toMatch(/variant\s+sent\s+answered/);
  });
});
