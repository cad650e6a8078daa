import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileErrors } from './errors';
import { loadScenarioFile, parseScenario } from './load-scenario';
import { findNode, type CacheNode } from './topology';

const REPO = path.resolve(__dirname, '../../..');
const SCENARIOS = path.join(REPO, 'scenarios');

/** A scenario over the default topology; `body` starts at line 5. */
const S = (body: string) => `name: s
title: t
description: d
topology: ../topologies/default.yaml
${body}`;
/** A workload (lines 5-9); what follows starts at line 10. */
const W = `workload:
  duration: 10s
  clients:
    - {region: na, rate: 10}
  objects: {popularity: hot, keys: [/hot]}
`;

function errorsOf(text: string, opts: { quick?: boolean; baseDir?: string } = {}): string[] {
  try {
    parseScenario(text, 'scenarios/x.yaml', { baseDir: SCENARIOS, ...opts });
  } catch (err) {
    if (err instanceof FileErrors) return err.errors.map((e) => e.format());
    throw err;
  }
  throw new Error('expected the scenario to be rejected');
}

// A fixed copy of an early thundering-herd.yaml, so the live experiment can be
// retuned without breaking these loader tests. It is parsed as if it stood in
// scenarios/, so its relative topology path resolves the same way.
const HERD = readFileSync(path.join(__dirname, 'fixtures/herd-example.yaml'), 'utf8');
const loadHerd = (opts: { quick?: boolean } = {}) => parseScenario(HERD, path.join(SCENARIOS, 'thundering-herd.yaml'), { baseDir: SCENARIOS, ...opts });

describe('an example scenario (thundering herd)', () => {
  const s = loadHerd();

  it('loads with both variants, each with its own topology', () => {
    expect(s.variants.map((v) => v.name)).toEqual(['collapsing', 'no-collapsing']);
    const collapse = (v: number, id: string) => (findNode(s.variants[v].topology, id) as CacheNode).cache.collapsing;
    expect([collapse(0, 'shield'), collapse(0, 'edge-na-1'), collapse(1, 'shield'), collapse(1, 'edge-na-1'), collapse(1, 'regional-eu')]).toEqual(['wait', 'wait', 'off', 'off', 'off']);
    expect(s.topologyFile).toBe(path.join(REPO, 'topologies/default.yaml'));
  });

  it('normalises workload, timeline and expectations', () => {
    expect(s.workload).toMatchObject({ seed: 7, durationMs: 8000, methods: { GET: 1, HEAD: 0, conditional: 0, POST: 0 }, objects: { popularity: 'hot', keys: ['/hot'] } });
    expect(s.workload.clients.map((c) => [c.region, c.count, c.rate])).toEqual([
      ['na', 50, 500],
      ['eu', 50, 500],
      ['apac', 50, 500],
    ]);
    expect(s.timeline.map((e) => [e.atMs, e.action])).toEqual([
      [4000, 'origin-update'],
      [4000, 'purge'],
    ]);
    expect(s.expectations[0]).toMatchObject({ atMs: 3000, variant: 'collapsing', expect: { metric: 'origin.requests', op: '==', value: 1, labels: [{ name: 'path', op: '=', value: '/hot' }] } });
    expect(s.quick).toBe(false);
  });

  it('applies the quick profile on request', () => {
    const q = loadHerd({ quick: true });
    expect(q.quick).toBe(true);
    expect(q.workload.durationMs).toBe(6000);
    expect(q.workload.clients.map((c) => c.rate)).toEqual([200, 200, 200]);
    expect(q.timeline).toEqual(s.timeline);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
  });
});

describe('scenario normalisation', () => {
  it('a scenario without variants runs one called baseline; events sort by time, stable', () => {
    const s = parseScenario(
      S(`${W}timeline:
  - {at: 5s, action: kill, node: edge-na-1}
  - {at: 1s, action: purge, tag: news, soft: true}
  - {at: 5s, action: start, node: edge-na-1}
  - {at: 2s, action: link, from: regional@apac, to: shield, latency: 300ms}
`),
      'scenarios/x.yaml',
      { baseDir: SCENARIOS },
    );
    expect(s.variants.map((v) => v.name)).toEqual(['baseline']);
    expect(s.timeline.map((e) => `${e.atMs}:${e.action}`)).toEqual(['1000:purge', '2000:link', '5000:kill', '5000:start']);
    expect(s.timeline[0]).toEqual({ atMs: 1000, action: 'purge', tag: 'news', soft: true });
    expect(s.timeline[1]).toEqual({ atMs: 2000, action: 'link', from: 'regional@apac', to: 'shield', latencyMs: 300, oneWay: false });
  });

  it('normalises method weights to fractions and sizes to bytes', () => {
    const s = parseScenario(
      S(W.replace('  objects:', '  methods: {GET: 18, HEAD: 1, conditional: 1}\n  sizes: {distribution: uniform, min: 1KiB, max: 1MiB}\n  objects:')),
      'scenarios/x.yaml',
      { baseDir: SCENARIOS },
    );
    expect(s.workload.methods).toEqual({ GET: 0.9, HEAD: 0.05, conditional: 0.05, POST: 0 });
    expect(s.workload.sizes).toEqual({ distribution: 'uniform', minBytes: 1024, maxBytes: 1_048_576 });
  });

  it('takes an inline topology', () => {
    const s = parseScenario(
      `name: s\ntitle: t\ndescription: d\ntopology:\n  name: tiny\n  regions: [{name: na, cidrs: []}]\n  nodes: [{id: o, role: origin, region: na, upstream: "http://127.0.0.1:3000"}]\n${W}`,
      'scenarios/x.yaml',
      { baseDir: SCENARIOS },
    );
    expect(s.variants[0].topology.nodes).toEqual([{ id: 'o', role: 'origin', region: 'na', parents: [], listen: {}, upstream: 'http://127.0.0.1:3000', generated: false }]);
  });
});

describe('scenario errors: file:line:col: field: what was expected', () => {
  it('unknown region in a client group', () => {
    expect(errorsOf(S(W.replace('region: na', 'region: apac2')))).toEqual([
      'scenarios/x.yaml:8:16: workload.clients[0].region: unknown region "apac2"; known: na, eu, apac (did you mean "apac"?)',
    ]);
  });

  it('unknown node id in an event', () => {
    expect(errorsOf(S(`${W}timeline:\n  - {at: 5s, action: kill, node: edge-na-9}\n`))).toEqual([
      'scenarios/x.yaml:11:34: timeline[0].node: unknown node id "edge-na-9"; known: edge-na-1, edge-na-2, edge-eu-1, edge-eu-2, edge-apac-1, edge-apac-2, regional-na, regional-eu, regional-apac, shield, origin (did you mean "edge-na-1"?)',
    ]);
    expect(errorsOf(S(`${W}timeline:\n  - {at: 5s, action: origin-fault, node: shield, fault: down}\n`))).toEqual([
      'scenarios/x.yaml:11:42: timeline[0].node: node "shield" is a shield; expected origin',
    ]);
  });

  it('unknown action, missing action, unknown field in an event', () => {
    expect(errorsOf(S(`${W}timeline:\n  - {at: 5s, action: explode, node: edge-na-1}\n`))).toEqual([
      'scenarios/x.yaml:11:22: timeline[0].action: unknown action "explode"; expected one of: purge, origin-update, origin-fault, kill, stop, start, pause, unpause, disconnect, reconnect, link, dns-policy, route-change, ttl-override',
    ]);
    expect(errorsOf(S(`${W}timeline:\n  - {at: 5s, node: edge-na-1}\n`))).toEqual(['scenarios/x.yaml:11:5: timeline[0]: missing required field "action"']);
    expect(errorsOf(S(`${W}timeline:\n  - {at: 5s, action: purge, url: /x, nodes: [a]}\n`))).toEqual([
      'scenarios/x.yaml:11:38: timeline[0].nodes: unknown field "nodes"; expected one of: at, action, url, tag, prefix, all, soft, fanout, note',
    ]);
  });

  it('bad duration, and an event after the end of the run', () => {
    expect(errorsOf(S(`${W}timeline:\n  - {at: 5 s, action: purge, all: true}\n`))).toEqual([
      'scenarios/x.yaml:11:10: timeline[0].at: bad duration "5 s"; expected a number with a unit ms, s, m, h or d (e.g. 500ms, 2s, 1m) or a number of ms',
    ]);
    expect(errorsOf(S(`${W}timeline:\n  - {at: 15s, action: purge, all: true}\n`))).toEqual(['scenarios/x.yaml:11:10: timeline[0].at: at 15s is after the end of the run (duration 10s)']);
  });

  it('bad expectation: the column points inside the expression', () => {
    expect(errorsOf(S(`${W}expectations:\n  - expect: origin.requests{path="/hot"} => 1\n`))).toEqual([
      'scenarios/x.yaml:11:42: expectations[0].expect: bad expectation: expected a comparison operator (==, !=, <, <=, >, >=), got "=> 1"',
    ]);
    // Quoted: one more column for the opening quote.
    expect(errorsOf(S(`${W}expectations:\n  - expect: "edge.hit_ratio >= x"\n`))).toEqual(['scenarios/x.yaml:11:32: expectations[0].expect: bad expectation: expected a number, got "x"']);
    expect(errorsOf(S(`${W}expectations:\n  - {expect: "edge.hit_ratio >= 1", variant: nope}\n`))).toEqual([
      'scenarios/x.yaml:11:46: expectations[0].variant: unknown variant "nope"; known: baseline',
    ]);
  });

  it('errors in variant overrides point at the override; duplicate variant names', () => {
    expect(errorsOf(S(`${W}variants:\n  - name: a\n    overrides:\n      nodes: [{id: shield, cache: {capacity: 1 GB}}]\n  - name: a\n`))).toEqual([
      'scenarios/x.yaml:13:46: variants[0].overrides.nodes[0].cache.capacity: bad size "1 GB"; expected a number with a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. 512B, 10KiB, 64MiB, 1.5GB) or a number of bytes',
      'scenarios/x.yaml:14:11: variants[1].name: duplicate variant name "a" (also variants[0])',
    ]);
  });

  it('errors in topology overrides point at the override', () => {
    const text = S(W).replace('topology: ../topologies/default.yaml', 'topology:\n  file: ../topologies/default.yaml\n  overrides:\n    dns: {policy: geo2}');
    expect(errorsOf(text)).toEqual([
      'scenarios/x.yaml:7:19: topology.overrides.dns.policy: unknown value "geo2"; expected one of: geo, weighted, least-loaded, latency, round-robin (did you mean "geo"?)',
    ]);
  });

  it('a missing topology file is reported at the topology field', () => {
    expect(errorsOf(S(W).replace('../topologies/default.yaml', 'nope.yaml'))).toEqual([
      `scenarios/x.yaml:4:11: topology: topology file not found: ${path.relative(process.cwd(), path.join(SCENARIOS, 'nope.yaml'))} (paths are relative to the scenario file)`,
    ]);
  });

  it('a topology file that is a directory is reported at the topology field', () => {
    expect(errorsOf(S(W).replace('../topologies/default.yaml', '../topologies'))).toEqual([
      `scenarios/x.yaml:4:11: topology: topology file is a directory: ${path.relative(process.cwd(), path.join(SCENARIOS, '../topologies'))} (paths are relative to the scenario file)`,
    ]);
  });

  it('a broken quick profile is reported even without --quick', () => {
    const expected = ['scenarios/x.yaml:11:24: quick.workload.duration: bad duration "5 s"; expected a number with a unit ms, s, m, h or d (e.g. 500ms, 2s, 1m) or a number of ms'];
    expect(errorsOf(S(`${W}quick:\n  workload: {duration: 5 s}\n`))).toEqual(expected);
    expect(errorsOf(S(`${W}quick:\n  workload: {duration: 5 s}\n`), { quick: true })).toEqual(expected);
  });

  it('semantic checks on the workload', () => {
    expect(errorsOf(S(W.replace('  duration: 10s\n', '')))).toEqual(['scenarios/x.yaml:6:3: workload: give duration or requests (or both: the first reached ends the run)']);
    expect(errorsOf(S(W.replace('{region: na, rate: 10}', '{region: na, rate: 10, arrival: burst}')))).toEqual(['scenarios/x.yaml:8:7: workload.clients[0]: arrival: burst needs burst: {size, every}']);
    expect(errorsOf(S(W.replace('  objects:', '  methods: {GET: 0}\n  objects:')))).toEqual([
      'scenarios/x.yaml:9:12: workload.methods: the weights add up to 0; give at least one a positive weight',
    ]);
  });

  it('sizes past what the engines can hold, at their line', () => {
    expect(errorsOf(S(W.replace('{region: na, rate: 10}', '{region: na, rate: 10, count: 5000000000}')))).toEqual([
      'scenarios/x.yaml:8:37: workload.clients[0].count: expected a number <= 10000000, got number 5000000000',
    ]);
    expect(errorsOf(S(W.replace('{popularity: hot, keys: [/hot]}', '{popularity: zipf, count: 3000000000}')))).toEqual([
      'scenarios/x.yaml:9:38: workload.objects.count: expected a number <= 2147483647, got number 3000000000',
    ]);
    expect(errorsOf(S(W.replace('{popularity: hot, keys: [/hot]}', '{popularity: uniform, count: 5000000000}')))).toEqual([
      'scenarios/x.yaml:9:41: workload.objects.count: expected a number <= 4294967296, got number 5000000000',
    ]);
  });

  it('a trace replayed at its own times refuses what would not apply, at its line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-scenario-trace-'));
    try {
      const csv = path.join(dir, 't.csv');
      writeFileSync(csv, '0,/a\n');
      const T = (client: string, objects: string) => S(W.replace('{region: na, rate: 10}', client).replace('{popularity: hot, keys: [/hot]}', `{popularity: trace, file: ${csv}${objects}}`));
      const loaded = parseScenario(T('{region: na, rate: 10}', ', speedup: 4'), 'scenarios/x.yaml', { baseDir: SCENARIOS });
      expect(loaded.workload.objects).toEqual({ popularity: 'trace', file: csv, format: 'csv', timing: 'trace', speedup: 4 });
      expect(errorsOf(T('{region: na, rate: 10, start: 2s, arrival: constant}', ''))).toEqual([
        "scenarios/x.yaml:8:37: workload.clients[0].start: start does not apply when the trace's own times say when requests come (objects.timing: trace); remove it, or set objects.timing: clients",
        "scenarios/x.yaml:8:50: workload.clients[0].arrival: arrival does not apply when the trace's own times say when requests come (objects.timing: trace); rate only weights which group sends each request",
      ]);
      expect(errorsOf(T('{region: na, rate: 10}', ', timing: clients, speedup: 4'))).toEqual([
        expect.stringMatching(/^scenarios\/x\.yaml:9:\d+: workload\.objects\.speedup: speedup applies to timing: trace only/),
      ]);
      expect(errorsOf(T('{region: na, rate: 10, paths: [/a/**]}', ', timing: clients'))).toEqual([
        expect.stringMatching(/^scenarios\/x\.yaml:8:\d+: workload\.clients\[0\]\.paths: paths applies to a trace replayed at its own times/),
      ]);
      expect(parseScenario(T('{region: na, rate: 10, paths: [/a/**]}', ''), 'scenarios/x.yaml', { baseDir: SCENARIOS }).workload.clients[0].paths).toEqual(['/a/**']);
      // With the groups' pace, start and arrival are theirs again.
      expect(parseScenario(T('{region: na, rate: 10, start: 2s, arrival: constant}', ', timing: clients'), 'scenarios/x.yaml', { baseDir: SCENARIOS }).workload.clients[0]).toMatchObject({ startMs: 2000, arrival: 'constant' });
      // A trace that is not a file is named where the scenario gives it.
      const notFile = (file: string) => errorsOf(S(W.replace('{popularity: hot, keys: [/hot]}', `{popularity: trace, file: ${file}}`)));
      expect(notFile(dir)).toEqual([expect.stringMatching(/^scenarios\/x\.yaml:9:\d+: workload\.objects\.file: trace file is a directory: .*\(paths are relative to the scenario file\)$/)]);
      expect(notFile(path.join(csv, 'inside'))).toEqual([expect.stringMatching(/workload\.objects\.file: trace file not found: /)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('across files', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-scenario-'));
      writeFileSync(
        path.join(dir, 'topo.yaml'),
        'name: topo\nregions: [{name: na, cidrs: [127.10.0.0/16]}]\nnodes:\n  - {id: o, role: origin, region: eu, site: {paths: [{match: /}]}}\n',
      );
      writeFileSync(path.join(dir, 'scen.yaml'), S(W).replace('../topologies/default.yaml', 'topo.yaml'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('an error in the referenced topology names the topology file', () => {
      let err: unknown;
      try {
        loadScenarioFile(path.join(dir, 'scen.yaml'));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FileErrors);
      const [first] = (err as FileErrors).errors;
      expect({ file: first.file, line: first.line, col: first.col, path: first.path, detail: first.detail }).toEqual({
        file: path.join(dir, 'topo.yaml'),
        line: 4,
        col: 35,
        path: 'nodes[0].region',
        detail: 'unknown region "eu"; known: na',
      });
    });
  });
});

describe('engines', () => {
  it('default to both, embedded first; a scenario may name the one it is written for', () => {
    expect(parseScenario(S(W), 'scenarios/x.yaml', { baseDir: SCENARIOS }).engines).toEqual(['embedded', 'sim']);
    expect(parseScenario(S(`engines: [sim]\n${W}`), 'scenarios/x.yaml', { baseDir: SCENARIOS }).engines).toEqual(['sim']);
    expect(parseScenario(S(`engines: [sim, embedded]\n${W}`), 'scenarios/x.yaml', { baseDir: SCENARIOS }).engines).toEqual(['sim', 'embedded']);
    expect(parseScenario(S(`engines: [sim, compose]\n${W}`), 'scenarios/x.yaml', { baseDir: SCENARIOS }).engines).toEqual(['sim', 'compose']);
  });

  it('the embedded engine cuts off a regional, shield or origin on loopback, not an edge: said at the event\'s node', () => {
    const T = 'timeline:\n  - {at: 2s, action: disconnect, node: regional-na}\n  - {at: 4s, action: disconnect, node: edge-na-1}\n  - {at: 6s, action: reconnect, node: origin}\n';
    const errors = errorsOf(S(`${W}${T}`));
    expect(errors).toEqual([
      expect.stringMatching(/^scenarios\/x\.yaml:12:\d+: timeline\[1\]\.node: disconnect edge-na-1: the embedded engine cannot take an edge off the network on loopback .*say engines: \[sim, compose\]/),
    ]);
    // The simulator and compose take any node off the network.
    expect(parseScenario(S(`engines: [sim, compose]\n${W}${T}`), 'scenarios/x.yaml', { baseDir: SCENARIOS }).timeline).toHaveLength(3);
  });

  it('an unknown, repeated or empty list is an error at its line', () => {
    expect(errorsOf(S(`engines: [gpu]\n${W}`)).join('\n')).toMatch(/^scenarios\/x\.yaml:5:11: engines\[0\]: /m);
    expect(errorsOf(S(`engines: [sim, sim]\n${W}`)).join('\n')).toMatch(/^scenarios\/x\.yaml:5:\d+: engines: /m);
    expect(errorsOf(S(`engines: []\n${W}`)).join('\n')).toMatch(/^scenarios\/x\.yaml:5:\d+: engines: /m);
  });
});

describe('machineBound', () => {
  const V = `variants:\n  - {name: fast}\n  - {name: herd}\n`;
  it('maps each listed variant to its reason; none listed is an empty map', () => {
    expect(parseScenario(S(W), 'scenarios/x.yaml', { baseDir: SCENARIOS }).machineBound).toEqual({});
    const s = parseScenario(S(`${V}machineBound:\n  - {variant: herd, reason: fills land when the CPU gets to them}\n${W}`), 'scenarios/x.yaml', { baseDir: SCENARIOS });
    expect(s.machineBound).toEqual({ herd: 'fills land when the CPU gets to them' });
  });

  it('an unknown or repeated variant, or a missing reason, is an error at its line', () => {
    expect(errorsOf(S(`${V}machineBound:\n  - {variant: hred, reason: r}\n${W}`))).toEqual(['scenarios/x.yaml:9:15: machineBound[0].variant: no variant "hred"; variants: fast, herd']);
    expect(errorsOf(S(`${V}machineBound:\n  - {variant: herd, reason: r}\n  - {variant: herd, reason: s}\n${W}`))).toEqual(['scenarios/x.yaml:10:15: machineBound[1].variant: variant "herd" is listed twice']);
    expect(errorsOf(S(`${V}machineBound:\n  - {variant: herd}\n${W}`)).join('\n')).toMatch(/^scenarios\/x\.yaml:9:\d+: machineBound\[0\]: missing required field "reason"/m);
  });
});

describe('client groups: names, headers, watch rules', () => {
  const parse = (text: string) => parseScenario(text, 'scenarios/x.yaml', { baseDir: SCENARIOS });
  const clients = (lines: string) => S(W.replace('    - {region: na, rate: 10}\n', lines));

  it('names groups by region by default, region-N when a region has several; header specs and watch rules are kept', () => {
    const s = parse(
      clients(
        '    - {region: na, rate: 10}\n    - {region: eu, rate: 10, headers: {X-Device: {oneOf: [mobile, desktop]}}}\n    - {region: eu, rate: 1, name: attacker, headers: {X-Forwarded-Host: evil.example}}\n',
      ) + '  headers:\n    User-Agent: {template: "Browser/{n}", count: 500}\n  watch:\n    - {name: poisoned, header: Link, contains: evil.example}\n',
    );
    expect(s.workload.clients.map((c) => c.name)).toEqual(['na', 'eu-2', 'attacker']);
    expect(s.workload.clients[1].headers).toEqual({ 'X-Device': { oneOf: ['mobile', 'desktop'] } });
    expect(s.workload.headers).toEqual({ 'User-Agent': { template: 'Browser/{n}', count: 500 } });
    expect(s.workload.watch).toEqual([{ name: 'poisoned', header: 'link', contains: 'evil.example' }]);
    expect(parse(S(W)).workload.watch).toEqual([]);
  });

  it('a repeated group name, a header given twice in different case, a repeated watch name: each at its line', () => {
    expect(errorsOf(clients('    - {region: na, rate: 10, name: a}\n    - {region: eu, rate: 10, name: a}\n'))).toEqual([
      'scenarios/x.yaml:9:36: workload.clients[1].name: client group name "a" is already used by workload.clients[0]',
    ]);
    // A default name that collides with a given one asks for a name.
    expect(errorsOf(clients('    - {region: eu, rate: 10, name: na}\n    - {region: na, rate: 10}\n'))).toEqual([
      'scenarios/x.yaml:9:16: workload.clients[1].region: client group name "na" is already used by workload.clients[0] (give this group a name)',
    ]);
    expect(errorsOf(S(W + '  headers: {User-Agent: a, user-agent: b}\n'))).toEqual([
      'scenarios/x.yaml:10:40: workload.headers.user-agent: header "user-agent" is also given as "User-Agent" (field names are case-insensitive)',
    ]);
    expect(errorsOf(S(W + '  watch:\n    - {name: p, header: Link, contains: x}\n    - {name: p, header: Link, contains: y}\n'))).toEqual([
      'scenarios/x.yaml:12:14: workload.watch[1].name: watch name "p" is already used by workload.watch[0]',
    ]);
  });

  it('rejects header values a client could not send, and choices without values', () => {
    expect(errorsOf(S(W + '  headers: {X-A: "a\\r\\nInjected: 1"}\n'))).toEqual([
      'scenarios/x.yaml:10:18: workload.headers.X-A: expected a header value without control characters (no CR, LF or NUL), got "a\\r\\nInjected: 1"',
    ]);
    expect(errorsOf(S(W + '  headers: {X-A: {oneOf: []}}\n'))).toEqual(['scenarios/x.yaml:10:26: workload.headers.X-A.oneOf: expected at least 1 item(s), got 0']);
    expect(errorsOf(S(W + '  headers: {X-A: {template: "no placeholder", count: 3}}\n'))).toEqual([
      'scenarios/x.yaml:10:29: workload.headers.X-A.template: expected a header value containing {n}, without control characters, got "no placeholder"',
    ]);
    expect(errorsOf(S(W + '  headers: {"bad name": x}\n'))).toEqual([
      'scenarios/x.yaml:10:13: workload.headers["bad name"]: "bad name" is not a valid name here: expected an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)',
    ]);
  });
});
