import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createSimEngine } from '@cdnlab/sim';
import { compareEngines, createEmbeddedEngine } from '../src';

// A shipped scenario at small scale (its quick profile) on both engines, and
// the agreement of their key figures: origin requests, hit ratio per tier,
// and the apply time of four purges of different scope at every tier. CI
// compares every shipped two-engine scenario the same way (cdnlab compare).

jest.setTimeout(240_000);

const REPO = path.resolve(__dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-agree-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cdnlab compare: purge-scope --quick, simulator vs testbed', () => {
  let r: Awaited<ReturnType<typeof compareEngines>>;
  let printed = '';

  beforeAll(async () => {
    const out = new PassThrough();
    out.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    r = await compareEngines(path.join(REPO, 'scenarios/purge-scope.yaml'), { sim: createSimEngine(), embedded: createEmbeddedEngine(), quick: true, out: tmp, progress: false, stdout: out, stderr: new PassThrough() });
  });

  it('runs both engines, each passing its expectations', () => {
    expect(r.sim.results[0].engine).toBe('sim');
    expect(r.embedded.results[0].engine).toBe('embedded');
    expect(r.sim.ok).toBe(true);
    expect(r.embedded.ok).toBe(true);
  });

  it('compares origin requests, every tier\'s hit ratio and every purge at every tier, all within tolerance', () => {
    const names = r.figures.map((f) => f.figure);
    expect(names).toEqual(expect.arrayContaining(['origin requests', 'edge hit ratio', 'regional hit ratio', 'shield hit ratio']));
    const purges = names.filter((n) => n.startsWith('purge '));
    // Four purges (url, prefix, tag, all), each applied by edges, regionals and the shield.
    expect(purges).toHaveLength(12);
    expect(r.figures.filter((f) => !f.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it('writes agreement.md and agreement.json next to the two reports, and prints the table', () => {
    const md = readFileSync(path.join(r.dir, 'agreement.md'), 'utf8');
    expect(md).toContain('simulator vs testbed');
    expect(md).toContain('| baseline | origin requests |');
    expect(md).toMatch(/Tolerances: origin requests/);
    // What the machine-bound rules read, per variant: latency against the simulator's, lag, host CPU.
    expect(md).toMatch(/^- baseline: median latency \(worst region\) \d+ ms \(simulator \d+ ms\); p99 \d+ ms \(simulator \d+ ms\); requests left at most \d+ ms after their planned time; host CPU during the workload: \d+ cores? \d+% busy/m);
    const json = JSON.parse(readFileSync(path.join(r.dir, 'agreement.json'), 'utf8')) as { ok: boolean; figures: unknown[]; reports: { sim: string; embedded: string } };
    expect(json.ok).toBe(true);
    expect(json.figures).toHaveLength(r.figures.length);
    expect(existsSync(path.join(json.reports.sim, 'report.json'))).toBe(true);
    expect(existsSync(path.join(json.reports.embedded, 'report.json'))).toBe(true);
    expect(printed).toMatch(/variant\s+figure\s+sim\s+embedded\s+max diff/);
    expect(printed).toContain('agreement: ');
  });
});
