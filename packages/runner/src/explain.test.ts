import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarioFile, type Topology } from '@cdnlab/scenario';
import { explainScenario, topologyChanges } from './explain';
import { writeFixtureScenario } from './fixture-scenario.test-fixture';
import { VersionClock } from './timeline-embedded';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-explain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('explain', () => {
  const s = loadScenarioFile(writeFixtureScenario(tmp));

  it('lists what each variant changes, grouped by change', () => {
    const [none, edgeOnly, all] = s.variants;
    expect(topologyChanges(none.topology, none.topology)).toEqual([]);
    const edge = topologyChanges(none.topology, edgeOnly.topology);
    expect(edge).toHaveLength(1);
    expect(edge[0]).toMatch(/^cache\.collapsing: off → wait on 6 nodes \(edge-na-1, .*edge-apac-2\)$/);
    const sh = topologyChanges(none.topology, all.topology);
    expect(sh).toHaveLength(1);
    expect(sh[0]).toMatch(/^cache\.collapsing: off → wait on 10 nodes \(.*regional-apac, shield\)$/);
  });

  it('sees added nodes and changed parents', () => {
    const t = s.variants[0].topology;
    const regional = t.nodes.find((n) => n.id === 'regional-na')!;
    const changed: Topology = { ...t, nodes: [...t.nodes.filter((n) => n.id !== 'regional-na'), { ...regional, parents: ['origin'] }, { ...regional, id: 'regional-x' }] as Topology['nodes'] };
    const lines = topologyChanges(t, changed);
    expect(lines).toContain('adds regional regional-x (na), parents shield');
    expect(lines).toContain('parents: ["shield"] → ["origin"] on regional-na');
  });

  it('says which engines a scenario is written for when not both', () => {
    expect(explainScenario(s)).not.toContain('Runs on');
    expect(explainScenario({ ...s, engines: ['sim'] })).toContain('Runs on the sim engine only (engines: [sim]).');
    expect(explainScenario({ ...s, engines: ['sim', 'compose'] })).toContain('Runs on the sim and compose engines (engines: [sim, compose]): the testbed in compose only (--target compose), not as processes on loopback.');
  });

  it('tells the story: prose, variants, workload, expectations', () => {
    const text = explainScenario(s);
    expect(text).toContain(s.title);
    expect(text).toContain('- plus-shield: The default topology.');
    expect(text).toContain('10 clients in eu, 30 req/s, burst (10 every 1s)');
    expect(text).toContain('origin.requests{path="/hot"} == 1 [plus-shield]');
  });

  it('says who sends what when a trace sets the times: groups by paths, the rest by rate', () => {
    const text = explainScenario(loadScenarioFile(path.resolve(__dirname, '../../../scenarios/eviction-scan.yaml')));
    expect(text).toContain('- 50 clients in na, sending 100% of the rest (rate 1)');
    expect(text).toContain("- 1 clients in na, sending the trace's requests for /archive/** (rate 1)");
    expect(text).toMatch(/- objects: trace \S*crawler\.csv \(csv\), requests at the trace's own times/);
  });
});

describe('VersionClock', () => {
  it('pins a version above every one seen so far, or the one given', () => {
    const v = new VersionClock(undefined);
    expect(v.next(1000, undefined)).toBe(2);
    expect(v.next(2000, undefined)).toBe(3);
    expect(v.next(3000, 10)).toBe(10);
    expect(v.next(4000, undefined)).toBe(11);
  });

  it('stays above versions the site advanced by itself', () => {
    const v = new VersionClock(1000);
    // After 2.5 s a site advancing every second is at version 3 (maybe 4: its clock started first).
    expect(v.next(2500, undefined)).toBe(5);
  });
});
