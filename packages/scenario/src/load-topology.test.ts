import path from 'node:path';
import { FileErrors } from './errors';
import { loadTopologyFile, parseTopology } from './load-topology';
import { findLink, isCacheNode, nodesOfRole, type CacheNode, type OriginNode } from './topology';

const DEFAULT = path.resolve(__dirname, '../../../topologies/default.yaml');

/** A small topology; `nodes` lines go before the origin, `extra` after everything (from line 14). */
const T = (nodes: string, extra = '') => `name: t
regions:
  - name: na
    cidrs: [127.10.0.0/16]
  - name: eu
    cidrs: [127.20.0.0/16]
distances: {na: {eu: 40}}
nodes:
${nodes}
  - id: o1
    role: origin
    region: na
    site: {paths: [{match: /**}]}
${extra}`;
const EDGE = '  - {id: e1, role: edge, region: na, parents: [o1]}';

function errorsOf(text: string): string[] {
  try {
    parseTopology(text, 'x.yaml');
  } catch (err) {
    if (err instanceof FileErrors) return err.errors.map((e) => e.format());
    throw err;
  }
  throw new Error('expected the topology to be rejected');
}

describe('topologies/default.yaml', () => {
  const t = loadTopologyFile(DEFAULT);

  it('expands to 6 edges, 3 regionals, 1 shield, 1 origin', () => {
    expect(['edge', 'regional', 'shield', 'origin'].map((r) => nodesOfRole(t, r as never).length)).toEqual([6, 3, 1, 1]);
    expect(nodesOfRole(t, 'edge').map((n) => `${n.id}<-${n.parents.join(',')}`)).toEqual([
      'edge-na-1<-regional-na',
      'edge-na-2<-regional-na',
      'edge-eu-1<-regional-eu',
      'edge-eu-2<-regional-eu',
      'edge-apac-1<-regional-apac',
      'edge-apac-2<-regional-apac',
    ]);
    expect(t.regions.map((r) => r.name)).toEqual(['na', 'eu', 'apac']);
  });

  it('applies built-in, all and role defaults field by field, with units as numbers', () => {
    const edge = t.nodes.find((n) => n.id === 'edge-eu-1') as CacheNode;
    expect(edge.cache).toMatchObject({ capacityBytes: 64 * 2 ** 20, maxObjectBytes: 8 * 2 ** 20, eviction: 's3fifo', collapsing: 'wait', lockTimeoutMs: 500, maxTtlMs: 365 * 86_400_000 });
    expect(edge.key).toMatchObject({ dropQueryParams: ['utm_*', 'fbclid', 'gclid'], sortQuery: true, normalizePath: true });
    expect(edge.generated).toBe(true);
    const shield = t.nodes.find((n) => n.id === 'shield') as CacheNode;
    // maxObject defaults to capacity / 8 when no layer sets it.
    expect(shield.cache).toMatchObject({ capacityBytes: 2 ** 30, maxObjectBytes: 2 ** 27, collapsing: 'wait', lockTimeoutMs: 2000 });
    const origin = t.nodes.find((n) => n.role === 'origin') as OriginNode;
    expect(origin.site?.paths[0]).toEqual({
      match: '/static/**',
      status: 200,
      sizeBytes: 10_240,
      headers: { 'Cache-Control': 'public, max-age=86400', 'Surrogate-Key': 'static' },
      etag: true,
      lastModified: true,
      latencyMs: 20,
      vary: [],
      setCookie: false,
    });
    expect(t.dns).toEqual({ policy: 'geo', ttlSeconds: 5, answers: 1, failMode: 'open', health: { intervalMs: 1000, timeoutMs: 500, fall: 2, rise: 2 }, anycast: { enabled: false, address: '127.0.0.100' } });
  });

  it('resolves a link for both directions of every hop; the most specific rule wins', () => {
    for (const n of t.nodes.filter(isCacheNode)) {
      for (const p of n.parents) {
        expect(findLink(t, n.id, p)).toBeDefined();
        expect(findLink(t, p, n.id)).toBeDefined();
      }
    }
    expect(findLink(t, 'edge-apac-1', 'regional-apac')).toEqual({ from: 'edge-apac-1', to: 'regional-apac', latencyMs: 15, jitterMs: 2, loss: 0 });
    expect(findLink(t, 'regional-na', 'shield')?.latencyMs).toBe(40);
    expect(findLink(t, 'regional-apac', 'shield')?.latencyMs).toBe(95);
    expect(findLink(t, 'shield', 'regional-apac')?.latencyMs).toBe(95);
    expect(findLink(t, 'origin', 'shield')?.latencyMs).toBe(70);
    // Client hops match no rule: the region distance applies.
    expect(findLink(t, 'client@na', 'edge-na-1')?.latencyMs).toBe(0);
    expect(findLink(t, 'client@eu', 'edge-na-1')?.latencyMs).toBe(40);
    expect(findLink(t, 'edge-apac-2', 'client@na')?.latencyMs).toBe(95);
  });

  it('a rule naming one node applies to it alone; its peers of the same role and region keep theirs', () => {
    const links = 'links:\n  - {from: edge, to: origin, latency: 10ms}\n  - {from: e1, to: o1, latency: 3ms}\n  - {from: client@eu, to: edge@na, latency: 77ms, oneWay: true}\n';
    const two = `${EDGE}\n  - {id: e2, role: edge, region: na, parents: [o1]}\n  - {id: e3, role: edge, region: na, parents: [o1]}`;
    const t = parseTopology(T(two, links), 'x.yaml');
    expect(['e1', 'e2', 'e3'].map((e) => [findLink(t, e, 'o1')?.latencyMs, findLink(t, 'o1', e)?.latencyMs])).toEqual([[3, 3], [10, 10], [10, 10]]);
    // One way: eu's clients reach na's edges in 77 ms; the answers come back over the region distance.
    expect(['e1', 'e2', 'e3'].map((e) => [findLink(t, 'client@eu', e)?.latencyMs, findLink(t, e, 'client@eu')?.latencyMs])).toEqual([[77, 40], [77, 40], [77, 40]]);
    expect(findLink(t, 'client@na', 'e2')?.latencyMs).toBe(0);
  });

  it("keeps client hops by kind, and a rule naming an edge for its clients applies to that edge's hops alone", () => {
    const links = 'links:\n  - {from: client, to: e2, latency: 9ms}\n';
    const more = `${EDGE}\n  - {id: e2, role: edge, region: na, parents: [o1]}\n  - {id: constructor, role: edge, region: eu, parents: [o1]}`;
    const t = parseTopology(T(more, links), 'x.yaml');
    const both = (c: string, e: string) => [findLink(t, c, e)?.latencyMs, findLink(t, e, c)?.latencyMs];
    expect(['e1', 'e2', 'constructor'].map((e) => both('client@na', e))).toEqual([[0, 0], [9, 9], [40, 40]]);
    expect(['e1', 'e2', 'constructor'].map((e) => both('client@eu', e))).toEqual([[40, 40], [9, 9], [0, 0]]);
    expect(findLink(t, 'client@eu', 'e2')).toEqual({ from: 'client@eu', to: 'e2', latencyMs: 9, jitterMs: 0, loss: 0 });
    // One hop per client region and edge region, one per client region and named edge; no client in the node links.
    expect(t.clientLinks.byRegion.na).toEqual({ na: { out: { latencyMs: 0, jitterMs: 0, loss: 0 }, back: { latencyMs: 0, jitterMs: 0, loss: 0 } }, eu: expect.anything() });
    expect(Object.keys(t.clientLinks.byEdge.eu)).toEqual(['e2']);
    expect(t.links.some((l) => l.from.startsWith('client@') || l.to.startsWith('client@'))).toBe(false);
    // Only edges meet clients; only known regions have them.
    expect(findLink(t, 'client@na', 'o1')).toBeUndefined();
    expect(findLink(t, 'client@mars', 'e1')).toBeUndefined();
    expect(findLink(t, 'client@na', 'nobody')).toBeUndefined();
  });

  it('fills the distance table both ways', () => {
    expect(t.distances).toEqual({ na: { na: 0, eu: 40, apac: 95 }, eu: { na: 40, eu: 0, apac: 80 }, apac: { na: 95, eu: 80, apac: 0 } });
  });

  it('is plain JSON (it is handed to child processes)', () => {
    expect(JSON.parse(JSON.stringify(t))).toStrictEqual(t);
  });
});

describe('topology features', () => {
  it('derives distances from locations: a quarter of the equator is ~10 000 km, 100 ms', () => {
    const t = parseTopology(
      T(EDGE).replace('distances: {na: {eu: 40}}\n', '').replace('cidrs: [127.10.0.0/16]', 'cidrs: [127.10.0.0/16]\n    location: {lat: 0, lon: 0}').replace('cidrs: [127.20.0.0/16]', 'cidrs: [127.20.0.0/16]\n    location: {lat: 0, lon: 90}'),
      'x.yaml',
    );
    expect(t.distances.na.eu).toBe(100);
    expect(t.distances.eu.na).toBe(100);
  });

  it('link rules: role@region beats role, node id beats both, later rule wins a tie, oneWay covers one direction', () => {
    const t = parseTopology(
      T(
        EDGE + '\n  - {id: e2, role: edge, region: eu, parents: [o1]}',
        `links:
  - {from: edge, to: origin, latency: 10ms}
  - {from: edge@eu, to: origin, latency: 20ms}
  - {from: edge, to: origin, latency: 11ms}
  - {from: e2, to: o1, latency: 30ms, oneWay: true}
`,
      ),
      'x.yaml',
    );
    expect(findLink(t, 'e1', 'o1')?.latencyMs).toBe(11);
    expect(findLink(t, 'e2', 'o1')?.latencyMs).toBe(30);
    expect(findLink(t, 'o1', 'e2')?.latencyMs).toBe(20);
  });

  it('an origin may take its site from defaults.origin, or front an upstream', () => {
    const withDefault = parseTopology(
      T(EDGE).replace('    site: {paths: [{match: /**}]}\n', '') + 'defaults: {origin: {site: {paths: [{match: /a, size: 1KB, latency: 1s}], versionEvery: 30s}}}\n',
      'x.yaml',
    );
    expect((withDefault.nodes.find((n) => n.id === 'o1') as OriginNode).site).toMatchObject({ paths: [{ match: '/a', sizeBytes: 1000, latencyMs: 1000 }], versionEveryMs: 30_000 });
    const upstream = parseTopology(T(EDGE).replace('site: {paths: [{match: /**}]}', 'upstream: http://127.0.0.1:3000'), 'x.yaml');
    expect(upstream.nodes.find((n) => n.id === 'o1')).toMatchObject({ upstream: 'http://127.0.0.1:3000' });
    expect((upstream.nodes.find((n) => n.id === 'o1') as OriginNode).site).toBeUndefined();
  });

  it('honours request Cache-Control unless a layer says not to (the choice many CDNs make)', () => {
    const cacheOf = (text: string) => (parseTopology(text, 'x.yaml').nodes.find((n) => n.id === 'e1') as CacheNode).cache;
    expect(cacheOf(T(EDGE)).honourRequestCacheControl).toBe(true);
    expect(cacheOf(T(EDGE, 'defaults: {edge: {cache: {honourRequestCacheControl: false}}}\n')).honourRequestCacheControl).toBe(false);
    expect(cacheOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cache: {honourRequestCacheControl: false}}')).honourRequestCacheControl).toBe(false);
    expect(errorsOf(T(EDGE, 'defaults: {edge: {cache: {honourRequestCacheControl: sometimes}}}\n'))).toEqual([
      'x.yaml:14:54: defaults.edge.cache.honourRequestCacheControl: expected true or false, got "sometimes"',
    ]);
  });

  it('edges.parents overrides the regional-of-the-region default', () => {
    const t = parseTopology(T('', 'edges: {perRegion: 1, parents: [o1]}\n'), 'x.yaml');
    expect(nodesOfRole(t, 'edge').map((n) => [n.id, n.parents])).toEqual([
      ['edge-na-1', ['o1']],
      ['edge-eu-1', ['o1']],
    ]);
  });
});

describe('topology errors: file:line:col: field: what was expected', () => {
  it('YAML syntax error', () => {
    expect(errorsOf('name: t\nregions:\n  - name: na\n   cidrs: []\n')).toEqual(['x.yaml:4:1: YAML syntax error: Sequence item without - indicator']);
  });

  it('empty file', () => {
    expect(errorsOf('')).toEqual(['x.yaml:1:1: expected a topology mapping (name: …, …), got an empty file']);
  });

  it('unknown field, at the key, with a guess or the list of fields', () => {
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cahce: {}}'))).toEqual([
      'x.yaml:9:53: nodes[0].cahce: unknown field "cahce"; did you mean "cache"?',
    ]);
    expect(errorsOf(T(EDGE, 'colour: blue\n'))).toEqual([
      'x.yaml:14:1: colour: unknown field "colour"; expected one of: name, description, zone, regions, distances, defaults, nodes, edges, links, dns, control',
    ]);
  });

  it('wrong type', () => {
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: o1}'))).toEqual(['x.yaml:9:47: nodes[0].parents: expected a list, got "o1"']);
    expect(errorsOf(T(EDGE, 'dns: {answers: two}\n'))).toEqual(['x.yaml:14:16: dns.answers: expected an integer, got "two"']);
  });

  it('unknown enum value', () => {
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cache: {eviction: lruu}}'))).toEqual([
      'x.yaml:9:71: nodes[0].cache.eviction: unknown value "lruu"; expected one of: lru, lfu, fifo, s3fifo, sieve (did you mean "lru"?)',
    ]);
  });

  it('missing required field', () => {
    expect(errorsOf('name: t\nregions: [{name: na, cidrs: []}]\n')).toEqual(['x.yaml:1:1: missing required field "nodes"']);
  });

  it('unknown region', () => {
    expect(errorsOf(T('  - {id: e1, role: edge, region: apac2, parents: [o1]}'))).toEqual(['x.yaml:9:34: nodes[0].region: unknown region "apac2"; known: na, eu']);
  });

  it('bad duration and bad size', () => {
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cache: {lockTimeout: 5 sec}}'))).toEqual([
      'x.yaml:9:74: nodes[0].cache.lockTimeout: bad duration "5 sec"; expected a number with a unit ms, s, m, h or d (e.g. 500ms, 2s, 1m) or a number of ms',
    ]);
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cache: {capacity: 64 MB}}'))).toEqual([
      'x.yaml:9:71: nodes[0].cache.capacity: bad size "64 MB"; expected a number with a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. 512B, 10KiB, 64MiB, 1.5GB) or a number of bytes',
    ]);
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cache: {capacity: 0.5B}}'))).toEqual([
      'x.yaml:9:71: nodes[0].cache.capacity: bad size "0.5B"; it is not a whole number of bytes (0.5)',
    ]);
    expect(errorsOf(T(EDGE, 'dns: {ttl: 1500ms}\n'))).toEqual(['x.yaml:14:12: dns.ttl: DNS TTLs are whole seconds, got 1500ms']);
  });

  it('unknown parent, parent in the wrong tier, duplicate id', () => {
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [regional-x]}'))).toEqual(['x.yaml:9:48: nodes[0].parents[0]: unknown node id "regional-x"; known: o1']);
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [e2]}\n  - {id: e2, role: edge, region: na, parents: [o1]}'))).toEqual([
      'x.yaml:9:48: nodes[0].parents[0]: parent "e2" is an edge; an edge\'s parents must be in a later tier (regional, shield, origin)',
    ]);
    expect(errorsOf(T(`${EDGE}\n  - {id: e1, role: regional, region: na, parents: [o1]}`))).toEqual(['x.yaml:10:10: nodes[1].id: duplicate node id "e1" (also at nodes[0])']);
    expect(errorsOf(T('  - {id: r1, role: regional, region: na}'))).toEqual(['x.yaml:9:5: nodes[0].parents: a regional needs at least one parent (shield, origin)']);
  });

  it('generated edges need a regional in their region', () => {
    expect(errorsOf(T('', 'edges: {perRegion: 2}\n'))).toEqual([
      'x.yaml:14:8: edges: no regional in region "na" to be the parent of its generated edges; add one, or set edges.parents',
      'x.yaml:14:8: edges: no regional in region "eu" to be the parent of its generated edges; add one, or set edges.parents',
    ]);
  });

  it('as many edges as the engines can hold, counted before any is made', () => {
    expect(errorsOf(T('', 'edges: {perRegion: 3000000, parents: [o1]}\n'))).toEqual(['x.yaml:14:20: edges.perRegion: expected a number <= 10000, got number 3000000']);
    // Two regions × 10,000 edges fit; with more regions they would not.
    expect(parseTopology(T('', 'edges: {perRegion: 10000, parents: [o1]}\n'), 'x.yaml').nodes).toHaveLength(20_001);
    const regions = Array.from({ length: 11 }, (_, i) => `  - {name: r${i}, cidrs: [127.${30 + i}.0.0/16], location: {lat: 0, lon: ${i}}}`).join('\n');
    const many = `name: t\nregions:\n${regions}\nnodes:\n  - {id: o1, role: origin, region: r0, site: {paths: [{match: /**}]}}\nedges: {perRegion: 10000, parents: [o1]}\n`;
    expect(errorsOf(many)).toEqual(['x.yaml:16:20: edges.perRegion: 11 regions × 10000 edges and 1 listed nodes make 110,001 nodes; a topology may have at most 100,000']);
  });

  it('link endpoints, CIDR overlap, size relations', () => {
    expect(errorsOf(T(EDGE, 'links:\n  - {from: edge, to: regionl, latency: 5ms}\n'))).toEqual([
      'x.yaml:15:22: links[0].to: unknown link endpoint "regionl"; expected a role (edge, regional, shield, origin, client), role@region, @region or a node id',
    ]);
    expect(errorsOf(T(EDGE).replace('127.20.0.0/16', '127.10.5.0/24'))).toEqual([
      'x.yaml:6:13: regions[1].cidrs[0]: "127.10.5.0/24" overlaps "127.10.0.0/16" of region "na"; a client address must belong to one region',
    ]);
    expect(errorsOf(T('  - {id: e1, role: edge, region: na, parents: [o1], cache: {capacity: 1MiB, maxObject: 2MiB}}'))).toEqual([
      'x.yaml:9:88: nodes[0].cache.maxObject: maxObject (2097152 bytes) is larger than capacity (1048576 bytes)',
    ]);
  });

  it('reports every problem at once, in file order', () => {
    const errs = errorsOf(T('  - {id: e1, role: edge, region: mars, parents: [nope]}', 'dns: {ttl: 2500ms}\n'));
    expect(errs).toEqual([
      'x.yaml:9:34: nodes[0].region: unknown region "mars"; known: na, eu',
      'x.yaml:9:50: nodes[0].parents[0]: unknown node id "nope"; known: o1',
      'x.yaml:14:12: dns.ttl: DNS TTLs are whole seconds, got 2500ms',
    ]);
  });
});
