import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarioFile } from '@cdnlab/scenario';
import type { RunResultWithSnapshots } from '@cdnlab/scenario';
import { createEmbeddedEngine } from '../src';

// One variant of a small scenario on real processes, with a timeline that
// touches every kind of handle the embedded engine has: the control plane
// (purge), the origin's admin service (version, fault with `for:`), the
// launcher (kill), and the cache nodes' and DNS node's admin services (link,
// ttl-override, dns-policy).

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-runner-tl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILE = path.join(tmp, 'timeline.yaml');
writeFileSync(
  FILE,
  `name: timeline
title: Every timeline handle
description: Light traffic while the timeline purges, updates, breaks and kills.
topology: ${path.join(REPO, 'topologies/default.yaml')}
workload:
  seed: 5
  duration: 4s
  clients:
    - { region: eu, count: 8, rate: 60 }
    - { region: na, count: 4, rate: 30 }
  objects: { popularity: uniform, count: 10, path: "/static/{n}.js" }
  watch:
    - { name: eu-edges, header: X-Served-By, contains: edge-eu- }
    - { name: nothing, header: X-Served-By, contains: no-such-node }
timeline:
  - { at: 1s, action: origin-update, path: "/static/**" }
  - { at: 1s, action: purge, prefix: /static/ }
  - { at: 1500ms, action: origin-fault, fault: error, status: 503, path: "/news/**", for: 500ms }
  - { at: 2s, action: dns-policy, policy: round-robin }
  - { at: 2s, action: link, from: edge@eu, to: regional, latency: 30ms, jitter: 5ms }
  - { at: 2s, action: ttl-override, match: "/static/**", ttl: 90s, nodes: [edge-eu-1] }
  - { at: 2500ms, action: kill, node: edge-na-2 }
expectations:
  - { expect: origin.requests > 0, at: 900ms }
  - { expect: purge.count == 1 }
`,
);

describe('the embedded engine runs the timeline', () => {
  let r: RunResultWithSnapshots;

  beforeAll(async () => {
    const s = loadScenarioFile(FILE);
    r = await createEmbeddedEngine().run({ scenario: s, variant: s.variants[0], seed: 5 });
  });

  it('purges through the control plane and records every node\'s ack', () => {
    expect(r.purges).toHaveLength(1);
    const p = r.purges[0];
    expect(p).toMatchObject({ kind: 'prefix', value: '/static/', mode: 'hard', fanout: 'direct' });
    expect(p.atMs).toBeGreaterThanOrEqual(1000);
    const cacheIds = r.nodes.filter((n) => n.role !== 'origin').map((n) => n.id).sort();
    expect(p.acks.map((a) => a.nodeId).filter((id) => cacheIds.includes(id)).sort()).toEqual(cacheIds);
    expect(p.acks.filter((a) => cacheIds.includes(a.nodeId)).every((a) => !a.error && a.delayMs >= 0)).toBe(true);
    // Every edge that served /static objects before the purge dropped something.
    expect(p.acks.reduce((a, x) => a + x.objectsAffected, 0)).toBeGreaterThan(0);
  });

  it('records each event, the fault\'s end too', () => {
    const by = (action: string) => r.timeline.filter((t) => t.action === action);
    expect(by('origin-update')[0]).toMatchObject({ ok: true, detail: expect.stringMatching(/version 2/) });
    expect(by('origin-fault')[0]).toMatchObject({ ok: true, detail: expect.stringMatching(/error 503 on origin for \/news\/\*\* for 500 ms/) });
    expect(by('origin-fault ends')[0]).toMatchObject({ ok: true });
    expect(by('origin-fault ends')[0].atMs).toBeGreaterThanOrEqual(2000);
    expect(by('dns-policy')[0]).toMatchObject({ ok: true, detail: expect.stringMatching(/^DNS policy geo -> round-robin on dns/) });
    expect(by('link')[0]).toMatchObject({ ok: true, detail: 'link edge@eu -> regional: latency 30 ms, jitter 5 ms applied on edge-eu-1->regional-eu (30+5 ms, loss 0), edge-eu-2->regional-eu (30+5 ms, loss 0)' });
    expect(by('ttl-override')[0]).toMatchObject({ ok: true, detail: expect.stringMatching(/^TTL 90000 ms for \/static\/\*\* on edge-eu-1 /) });
    expect(by('kill')[0]).toMatchObject({ ok: true, detail: 'edge-na-2 killed (SIGKILL)' });
    // The killed edge keeps what it counted up to the last reading before the kill.
    expect(by('engine').find((t) => /no final stats from edge-na-2/.test(t.detail))?.detail).toMatch(/^no final stats from edge-na-2 \(.+\): its counts are those of its last reading, at (1\.\d|2\.[0-5]) s$/);
    expect(r.nodes.find((n) => n.id === 'edge-na-2')!.requests).toBeGreaterThan(0);
  });

  it('refetches after the purge: the origin saw more than one fill per object', () => {
    const paths = Object.keys(r.origin.byPath);
    expect(paths.length).toBeGreaterThan(0);
    expect(r.origin.requests).toBeGreaterThan(paths.length);
  });

  it('takes a snapshot at the expectation\'s time, with a count no larger than the final one', () => {
    expect(r.snapshots).toHaveLength(1);
    const snap = r.snapshots![0];
    expect(snap.atMs).toBeGreaterThanOrEqual(900);
    expect(snap.atMs).toBeLessThan(1500);
    expect(snap.metrics['origin.requests']).toBeGreaterThan(0);
    expect(snap.metrics['origin.requests']).toBeLessThanOrEqual(r.origin.requests);
    expect(snap.metrics['purge.count']).toBe(0);
  });

  it('still accounts for every request after an edge was killed', () => {
    expect(r.requests.sent).toBeGreaterThan(300);
    expect(r.requests.answered + r.requests.errors + r.requests.unfinished).toBe(r.requests.sent);
    // The failure series add up: requests without an answer, and 5xx answers.
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(r.requests.errors).toBeGreaterThan(0);
    expect(sum(r.series.errors)).toBe(r.requests.errors);
    expect(sum(r.series.serverErrors)).toBe(Object.entries(r.requests.byStatus).reduce((a, [code, n]) => a + (Number(code) >= 500 ? n : 0), 0));
  });

  it('says how late the load generator was, as the timeline note does', () => {
    expect(Number.isInteger(r.loadLagMs)).toBe(true);
    expect(r.loadLagMs).toBeGreaterThanOrEqual(0);
    const note = r.timeline.find((t) => t.action === 'engine' && t.detail.startsWith('load generator'))!;
    expect(note.detail).toContain(`at most ${r.loadLagMs} ms after their planned time`);
  });

  it('counts watched answers per group from the real answers\' headers', () => {
    const groups = Object.values(r.requests.byGroup);
    expect(Object.keys(r.requests.byGroup)).toEqual(['eu', 'na']);
    expect(groups.reduce((a, g) => a + g.sent, 0)).toBe(r.requests.sent);
    expect(groups.reduce((a, g) => a + g.answered, 0)).toBe(r.requests.answered);
    // X-Served-By ends with the edge that answered: the rule counts what byEdge says the eu edges answered.
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const byEuEdges = Object.entries(r.series.byEdge).filter(([id]) => id.startsWith('edge-eu-')).reduce((a, [, s]) => a + sum(s), 0);
    const watched = r.requests.watched['eu-edges'];
    expect(watched.eu).toBeGreaterThan(0);
    expect(watched.eu + watched.na).toBe(byEuEdges);
    expect(sum(r.series.watched['eu-edges'])).toBe(byEuEdges);
    expect(r.series.watched['eu-edges']).toHaveLength(r.series.requests.length);
    expect(r.requests.watched.nothing).toEqual({ eu: 0, na: 0 });
    expect(r.snapshots![0].metrics['requests.watched{watch="eu-edges"}']).toBeLessThanOrEqual(byEuEdges);
  });

  it('gives each group its edge hit ratio over time, of which the whole is a weighted mean', () => {
    const { edgeHitRatio, byGroupHitRatio } = r.series;
    expect(Object.keys(byGroupHitRatio)).toEqual(['eu', 'na']);
    let both = 0;
    edgeHitRatio.forEach((v, i) => {
      const gs = [byGroupHitRatio.eu[i], byGroupHitRatio.na[i]];
      for (const g of gs) if (!Number.isNaN(g)) expect(g).toBeGreaterThanOrEqual(0);
      const defined = gs.filter((g) => !Number.isNaN(g));
      // A bucket has a whole ratio exactly when some group had answers in it.
      expect(Number.isNaN(v)).toBe(defined.length === 0);
      if (defined.length === 1) expect(v).toBe(defined[0]);
      if (defined.length === 2) {
        both++;
        expect(v).toBeGreaterThanOrEqual(Math.min(...defined) - 1e-12);
        expect(v).toBeLessThanOrEqual(Math.max(...defined) + 1e-12);
      }
    });
    expect(both).toBeGreaterThan(3);
    for (const s of Object.values(byGroupHitRatio)) expect(s).toHaveLength(edgeHitRatio.length);
  });

  it('counts each tier\'s answers and hits per interval from the nodes\' counters, adding up to the run\'s', () => {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(Object.keys(r.series.byTier)).toEqual(['edge', 'regional', 'shield']);
    for (const [tier, s] of Object.entries(r.series.byTier)) {
      const nodes = r.nodes.filter((n) => n.role === tier);
      expect(s.answers).toHaveLength(r.series.requests.length);
      s.answers.forEach((k, i) => expect(Number.isNaN(s.hitRatio[i])).toBe(k === 0));
      const hits = s.answers.reduce((a, k, i) => a + (k > 0 ? k * s.hitRatio[i] : 0), 0);
      // The killed edge's answers up to its last reading are in both.
      expect(sum(s.answers)).toBe(nodes.reduce((a, n) => a + n.requests, 0));
      expect(hits).toBeCloseTo(nodes.reduce((a, n) => a + n.hits, 0), 6);
    }
    // The purge at 1 s sends the edges back through the tiers: the shield answers again after it.
    const shield = r.series.byTier.shield;
    expect(sum(shield.answers.filter((_, i) => i * r.series.bucketMs >= 1000))).toBeGreaterThan(0);
  });

  it('times answers per interval and region, adding up to the run\'s latency figures', () => {
    expect(Object.keys(r.series.latencyByRegion)).toEqual(['eu', 'na']);
    for (const [region, s] of Object.entries(r.series.latencyByRegion)) {
      const whole = r.latency[region];
      expect(s.answers).toHaveLength(r.series.requests.length);
      expect(s.answers.reduce((a, b) => a + b, 0)).toBe(whole.count);
      // The run's figures come from an HDR histogram (3 significant digits): the exact ones here are within 0.1% of them.
      const max = Math.max(...s.maxMs.filter((v) => !Number.isNaN(v)));
      expect(Math.abs(max - whole.max)).toBeLessThanOrEqual(whole.max * 0.001 + 0.01);
      const mean = s.answers.reduce((a, k, i) => a + (k > 0 ? k * s.meanMs[i] : 0), 0) / whole.count;
      expect(Math.abs(mean - whole.mean)).toBeLessThanOrEqual(whole.mean * 0.001 + 0.01);
    }
  });

  it('gives each group its answers\' outcomes, statuses and latency (one group per region: the region\'s own)', () => {
    for (const [name, g] of Object.entries(r.requests.byGroup)) {
      expect(Object.values(g.byResult).reduce((a, b) => a + b, 0)).toBe(g.answered);
      expect(Object.values(g.byStatus).reduce((a, b) => a + b, 0)).toBe(g.answered);
      expect(g.latency).toEqual(r.latency[name]);
      expect(g.latency.count).toBe(g.answered);
    }
    const sum = (field: 'byResult' | 'byStatus'): Record<string, number> => {
      const all: Record<string, number> = {};
      for (const g of Object.values(r.requests.byGroup)) for (const [k, v] of Object.entries(g[field])) all[k] = (all[k] ?? 0) + v;
      return all;
    };
    expect(sum('byResult')).toEqual(r.requests.byResult);
    expect(sum('byStatus')).toEqual(r.requests.byStatus);
  });
});
