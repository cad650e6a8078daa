import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarioFile } from '@cdnlab/scenario';
import type { RunResultWithSnapshots } from '@cdnlab/scenario';
import { createEmbeddedEngine } from '../src';

// Timeline events start at their own times: a purge that waits on a paused
// regional must not hold back the unpause scheduled after it (before the
// fix, the unpause waited for the purge's 5 s deadline and the paused node
// never acknowledged).

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-runner-overlap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILE = path.join(tmp, 'overlap.yaml');
writeFileSync(
  FILE,
  `name: overlap
title: Overlapping timeline events
description: A purge reaches a paused node; the unpause comes while the purge waits.
topology: ${path.join(REPO, 'topologies/default.yaml')}
workload:
  seed: 3
  duration: 3500ms
  clients:
    - { region: eu, count: 4, rate: 20 }
  objects: { popularity: uniform, count: 5, path: "/static/{n}.js" }
timeline:
  - { at: 800ms, action: pause, node: regional-eu }
  - { at: 1s, action: origin-update, path: "/static/**" }
  - { at: 1s, action: purge, prefix: /static/ }
  - { at: 1800ms, action: unpause, node: regional-eu }
`,
);

describe('timeline events overlap in time', () => {
  let r: RunResultWithSnapshots;

  beforeAll(async () => {
    const s = loadScenarioFile(FILE);
    r = await createEmbeddedEngine().run({ scenario: s, variant: s.variants[0], seed: 3 });
  });

  it('the unpause happens on time while the purge still waits for the paused node', () => {
    const unpause = r.timeline.find((t) => t.action === 'unpause');
    expect(unpause).toMatchObject({ ok: true });
    expect(unpause!.atMs).toBeGreaterThanOrEqual(1800);
    expect(unpause!.atMs).toBeLessThan(2600);
  });

  it('the paused node acknowledges the purge after it resumes, without an error', () => {
    expect(r.purges).toHaveLength(1);
    const ack = r.purges[0].acks.find((a) => a.nodeId === 'regional-eu');
    expect(ack).toBeDefined();
    expect(ack!.error).toBeUndefined();
    // Applied only once the node ran again: at least the 800 ms it was still frozen.
    expect(ack!.delayMs).toBeGreaterThanOrEqual(700);
  });
});
