import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { REPO_ROOT, simThreadBundle } from '@cdnlab/launcher';
import { loadScenarioFile, type RunProgress } from '@cdnlab/scenario';
import { createSimEngine, createWorkerSimEngine } from '@cdnlab/sim';
import { writeFixtureScenario } from '../src/fixture-scenario.test-fixture';
import { runScenario } from '../src/run';

// The simulator's variants in worker threads of their own, from the bundle
// the CLI builds: the same report as one process gives, and every way a
// thread can end told apart.

jest.setTimeout(120_000);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-sim-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let workerFile: string;
beforeAll(async () => {
  workerFile = await simThreadBundle(path.join(tmp, 'bundles'));
});

const quiet = () => new PassThrough().resume();
const at = () => new Date(Date.UTC(2030, 0, 2, 3, 4, 5));

describe('the simulator in worker threads', () => {
  it('writes the report one process writes, byte for byte', async () => {
    const file = writeFixtureScenario(tmp);
    const common = { progress: false, stdout: quiet(), stderr: quiet(), now: at };
    const one = await runScenario(file, { ...common, engine: createSimEngine(), out: path.join(tmp, 'one') });
    const threads = await runScenario(file, { ...common, engine: createWorkerSimEngine({ jobs: 3, workerFile }), out: path.join(tmp, 'threads') });
    expect(threads.results.map((r) => r.variant)).toEqual(one.results.map((r) => r.variant));
    expect(threads.outcomes).toEqual(one.outcomes);
    const json = (dir: string) => readFileSync(path.join(dir, 'report.json'), 'utf8');
    expect(json(threads.reportDir)).toBe(json(one.reportDir));
    expect(json(one.reportDir)).toContain('"variant": "plus-shield"');
  });

  it('reports progress from the thread and stops early on abort, with what ran', async () => {
    const file = path.join(tmp, 'long.yaml');
    writeFileSync(
      file,
      `name: long
title: Ten minutes of traffic
description: Long enough to be stopped.
topology: ${path.join(REPO_ROOT, 'topologies/default.yaml')}
workload:
  seed: 1
  duration: 600s
  clients:
    - { region: eu, count: 20, rate: 200 }
  objects: { popularity: zipf, count: 5000, path: "/static/{n}.js" }
`,
    );
    const scenario = loadScenarioFile(file);
    const engine = createWorkerSimEngine({ jobs: 1, workerFile, progressEveryMs: 20 });
    const ac = new AbortController();
    const seen: RunProgress[] = [];
    const r = await engine.run({
      scenario,
      variant: scenario.variants[0],
      seed: 1,
      signal: ac.signal,
      onProgress: (p) => {
        seen.push(p);
        if (seen.length === 3) ac.abort();
      },
    });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen[2].sent).toBeGreaterThan(seen[0].sent);
    // 600 s at 200 requests a second would be 120,000; it stopped well before.
    expect(r.requests.sent).toBeGreaterThanOrEqual(seen[2].sent);
    expect(r.requests.sent).toBeLessThan(120_000);
    expect(r.variant).toBe('baseline');
  });

  it("passes the simulation's own error on, and tells a thread that failed or ended apart", async () => {
    const scenario = loadScenarioFile(writeFixtureScenario(tmp));
    const variant = scenario.variants[0];
    const opts = { scenario, variant, seed: 7 };
    // What the simulator says in this process, it says from a thread.
    const noEdges = { ...variant, topology: { ...variant.topology, nodes: variant.topology.nodes.filter((n) => n.role !== 'edge') } };
    const expected = await createSimEngine().run({ ...opts, variant: noEdges }).then(
      () => 'no error',
      (err: Error) => err.message,
    );
    expect(expected).not.toBe('no error');
    await expect(createWorkerSimEngine({ jobs: 1, workerFile }).run({ ...opts, variant: noEdges })).rejects.toThrow(expected);

    const throws = path.join(tmp, 'throws.cjs');
    writeFileSync(throws, "throw new Error('no simulator here');\n");
    await expect(createWorkerSimEngine({ jobs: 1, workerFile: throws }).run(opts)).rejects.toThrow("variant no-collapsing: the simulator's thread failed: no simulator here");

    const exits = path.join(tmp, 'exits.cjs');
    writeFileSync(exits, 'process.exit(3);\n');
    await expect(createWorkerSimEngine({ jobs: 1, workerFile: exits }).run(opts)).rejects.toThrow("variant no-collapsing: the simulator's thread ended (exit code 3) without a result");
  });

  it('stops a run that outgrows the heap with an error that says so, before V8 aborts the thread', async () => {
    // 256 MiB of heap and caches that keep every object: about 1 KB each, so
    // the heap is full after some 200,000 distinct objects (4 s at 20,000 a second).
    const file = path.join(tmp, 'hungry.yaml');
    writeFileSync(
      file,
      `name: hungry
title: More objects than the heap holds
description: Every request a new object, and caches that keep them all.
topology:
  file: ${path.join(REPO_ROOT, 'topologies/default.yaml')}
  overrides:
    defaults:
      edge: { cache: { capacity: 64GiB } }
      regional: { cache: { capacity: 64GiB } }
      shield: { cache: { capacity: 64GiB } }
workload:
  seed: 1
  duration: 600s
  clients:
    - { region: eu, count: 20, rate: 20000 }
  objects: { popularity: uniform, count: 4000000, path: "/o/{n}" }
`,
    );
    const scenario = loadScenarioFile(file);
    const run = createWorkerSimEngine({ jobs: 1, workerFile, oldGenerationMiB: 256 }).run({ scenario, variant: scenario.variants[0], seed: 1 });
    await expect(run).rejects.toThrow(/^the simulation ran out of memory [\d.]+ s into virtual time: [\d,]+ MiB of the heap's [\d,]+ MiB still in use after a full garbage collection, [\d,]+ objects cached in \d+ caches .*NODE_OPTIONS=--max-old-space-size=\d+/);
    expect(() => createWorkerSimEngine({ jobs: 1, workerFile, oldGenerationMiB: 0 })).toThrow('expected opts.oldGenerationMiB to be a positive integer, got 0');
  });
});

