/**
 * One running cluster plays every variant of a scenario (what `cdnlab run
 * --target` and `--target compose` do): before each variant the engine
 * restores nodes an earlier variant's timeline broke, applies the variant's
 * settings at run time and clears every cache. Here: a herd on one cold
 * object, collapsing off at every tier in one variant and on in the other;
 * the first variant also kills an edge, which the second must find running.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TOPOLOGY, startTopology, type RunningTopology } from '@cdnlab/launcher';
import { loadScenarioFile, loadTopologyFile, type RunResultWithSnapshots } from '@cdnlab/scenario';
import { createEmbeddedEngine, pickPrefix } from '../src';

jest.setTimeout(240_000);

const REPO = path.resolve(__dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-target-variants-'));
const FILE = path.join(tmp, 'herd.yaml');
writeFileSync(
  FILE,
  `name: herd-on-target
title: A herd, collapsing off then on, on one running cluster
description: Variants applied at run time.
topology: ${path.join(REPO, 'topologies/default.yaml')}
variants:
  - name: "off"
    overrides:
      defaults:
        edge: { cache: { collapsing: "off" } }
        regional: { cache: { collapsing: "off" } }
        shield: { cache: { collapsing: "off" } }
  - name: "on"
workload:
  seed: 9
  duration: 2500ms
  clients:
    - { region: na, count: 10, rate: 40, arrival: burst, burst: { size: 40, every: 2s } }
    - { region: eu, count: 10, rate: 40, arrival: burst, burst: { size: 40, every: 2s } }
  objects: { popularity: hot, keys: [/news/herd] }
timeline:
  - { at: 2200ms, action: kill, node: edge-apac-2 }
`,
);

let running: RunningTopology;
const results: RunResultWithSnapshots[] = [];

beforeAll(async () => {
  const topology = loadTopologyFile(DEFAULT_TOPOLOGY);
  running = await startTopology(topology, { prefix: await pickPrefix(topology), stateFile: null, runDir: tmp, healthTimeoutMs: 60_000 });
  // What attachToRun and attachToCompose give the engine: the running topology.
  running.topology = topology;
  const scenario = loadScenarioFile(FILE);
  const engine = createEmbeddedEngine({ target: running });
  for (const variant of scenario.variants) results.push(await engine.run({ scenario, variant, seed: 9 }));
});

afterAll(async () => {
  await running?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const notes = (r: RunResultWithSnapshots): string[] => r.timeline.filter((t) => t.action === 'engine').map((t) => t.detail);

describe('variants on one running cluster', () => {
  it('applies each variant at run time and clears every cache first', () => {
    expect(notes(results[0]).some((d) => /variant off applied at run time: \d+ changes? \(cache-settings\).*every cache cleared/.test(d))).toBe(true);
    expect(notes(results[1]).some((d) => /variant on applied at run time: nothing differs from the running topology.*every cache cleared/.test(d))).toBe(true);
  });

  it('the herd reaches the origin with collapsing off, once with it back on (the cache was cleared: a cold start)', () => {
    const [off, on] = results.map((r) => r.origin.byPath['/news/herd'] ?? 0);
    expect(off).toBeGreaterThan(4);
    expect(on).toBe(1);
  });

  it('the edge the first variant killed runs again in the second', () => {
    expect(results[0].timeline.find((t) => t.action === 'kill')).toMatchObject({ ok: true });
    expect(notes(results[1]).some((d) => /restored the cluster after earlier faults: started edge-apac-2/.test(d))).toBe(true);
    expect(results[1].timeline.find((t) => t.action === 'kill')).toMatchObject({ ok: true });
  });
});
