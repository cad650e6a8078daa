import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarioFile, type RunResultWithSnapshots } from '@cdnlab/scenario';
import { createEmbeddedEngine } from '../src';

// A regional taken off the network on loopback: every emulated link to and
// from it is cut (TierAdmin SetLinks cut), so the na edges' calls wait, no
// refusal, and are answered once it is back. Before, the embedded engine
// refused the event and nothing happened.

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-runner-cut-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILE = path.join(tmp, 'cut.yaml');
writeFileSync(
  FILE,
  `name: cut
title: A regional off its network for 2 s
description: Misses of na clients while regional-na is cut off.
topology: ${path.join(REPO, 'topologies/default.yaml')}
workload:
  seed: 3
  duration: 5s
  clients:
    - { region: na, count: 4, rate: 20 }
  objects: { popularity: uniform, count: 1000, path: "/p/{n}" }
timeline:
  - { at: 1s, action: disconnect, node: regional-na }
  - { at: 3s, action: reconnect, node: regional-na }
`,
);

describe('disconnect on loopback: a partition of emulated links', () => {
  let r: RunResultWithSnapshots;

  beforeAll(async () => {
    const s = loadScenarioFile(FILE);
    r = await createEmbeddedEngine().run({ scenario: s, variant: s.variants[0], seed: 3 });
  });

  it('cuts the regional\'s own link and its edges\' links to it, then restores them', () => {
    const events = r.timeline.filter((e) => /regional-na (cut off|reconnected)/.test(e.detail));
    expect(events.map((e) => e.ok)).toEqual([true, true]);
    for (const link of ['regional-na->shield', 'edge-na-1->regional-na', 'edge-na-2->regional-na']) {
      expect(events[0].detail).toContain(link);
      expect(events[1].detail).toContain(link);
    }
  });

  it('makes the callers wait, not fail: no refusal, no error, answers held for up to the cut', () => {
    expect(r.requests.errors).toBe(0);
    expect(r.requests.unfinished).toBe(0);
    // A 2 s cut is shorter than the edges' 10 s deadline: every miss is answered, late.
    expect(Object.keys(r.requests.byStatus)).toEqual(['200']);
    expect(r.latency.na.max).toBeGreaterThanOrEqual(1500);
    // The misses sent during the cut, about a third of the run's, waited.
    expect(r.latency.na.p90).toBeGreaterThanOrEqual(500);
  });
});
