import path from 'node:path';
import { parseControlConfig } from '@cdnlab/control';
import { parseDnsServiceConfig, policyNames } from '@cdnlab/dns';
import { parseOriginConfig } from '@cdnlab/origin';
import { loadTopologyFile, type Topology } from '@cdnlab/scenario';
import { parseTierNodeConfig } from '@cdnlab/tier';
import { formatEndpoint, planTopology, PlanError, startStages, type PlannedTier, type TopologyPlan } from './plan';

const DEFAULT = path.resolve(__dirname, '../../../topologies/default.yaml');
const TOKEN = 'test-token-0123456789';

function tier(plan: TopologyPlan, id: string): PlannedTier {
  const n = plan.nodes.find((x) => x.id === id);
  if (!n || (n.role !== 'edge' && n.role !== 'regional' && n.role !== 'shield')) throw new Error(`no tier node ${id}`);
  return n;
}

describe('planTopology on topologies/default.yaml', () => {
  const t = loadTopologyFile(DEFAULT);
  const plan = planTopology(t, { addressing: 'loopback', token: TOKEN });

  it('puts each edge on its own loopback address with the same ports', () => {
    const edges = plan.nodes.filter((n) => n.role === 'edge');
    expect(edges.map((e) => `${e.id}=${e.http && formatEndpoint(e.http)}`)).toEqual([
      'edge-na-1=127.0.1.1:8080',
      'edge-na-2=127.0.1.2:8080',
      'edge-eu-1=127.0.1.3:8080',
      'edge-eu-2=127.0.1.4:8080',
      'edge-apac-1=127.0.1.5:8080',
      'edge-apac-2=127.0.1.6:8080',
    ]);
    expect(new Set(edges.map((e) => e.grpc && formatEndpoint(e.grpc)))).toEqual(new Set([1, 2, 3, 4, 5, 6].map((i) => `127.0.1.${i}:7070`)));
    expect(edges.every((e) => e.metrics?.port === 9090)).toBe(true);
  });

  it('gives every other kind its own subnet', () => {
    const at = (id: string) => {
      const n = plan.nodes.find((x) => x.id === id);
      return n ? formatEndpoint(n.grpc ?? (n.dns as never)) : 'missing';
    };
    expect(['regional-na', 'regional-eu', 'regional-apac', 'shield', 'origin', 'control'].map(at)).toEqual([
      '127.0.2.1:7070',
      '127.0.2.2:7070',
      '127.0.2.3:7070',
      '127.0.3.1:7070',
      '127.0.4.1:7070',
      '127.0.5.1:7800',
    ]);
    expect(formatEndpoint(plan.control.http)).toBe('127.0.5.1:8800');
    expect(formatEndpoint(plan.dns.dns)).toBe('127.0.5.2:5353');
  });

  it('lists nodes in start order and groups them into stages', () => {
    expect(startStages(plan).map((s) => `${s[0].role}x${s.length}`)).toEqual(['originx1', 'shieldx1', 'regionalx3', 'edgex6', 'controlx1', 'dnsx1']);
  });

  it('resolves every parent to the gRPC address of a planned node, with the link of that hop', () => {
    const grpcOf = new Map(plan.nodes.filter((n) => n.grpc).map((n) => [n.id, formatEndpoint(n.grpc as never)]));
    let parents = 0;
    for (const n of plan.nodes) {
      if (n.role !== 'edge' && n.role !== 'regional' && n.role !== 'shield') continue;
      for (const p of n.config.parents) {
        parents += 1;
        expect(grpcOf.get(p.id)).toBe(p.address);
        expect(p.link).toBeDefined();
      }
    }
    expect(parents).toBe(6 + 3 + 1);
    expect(tier(plan, 'edge-eu-2').config.parents).toEqual([{ id: 'regional-eu', address: '127.0.2.2:7070', link: { latencyMs: 15, jitterMs: 2, loss: 0 } }]);
    // The more specific rule (regional@apac) wins over the general regional → shield one.
    expect(tier(plan, 'regional-apac').config.parents[0].link).toEqual({ latencyMs: 95, jitterMs: 8, loss: 0 });
    expect(tier(plan, 'regional-eu').config.parents[0].link).toEqual({ latencyMs: 40, jitterMs: 3, loss: 0 });
    expect(tier(plan, 'shield').config.parents).toEqual([{ id: 'origin', address: '127.0.4.1:7070', link: { latencyMs: 70, jitterMs: 5, loss: 0 } }]);
    // Purges come from the control plane, placed next to the origin (na), over the region distances.
    expect(['edge-na-1', 'regional-eu', 'edge-apac-2', 'shield'].map((id) => tier(plan, id).config.controlLink)).toEqual([
      { latencyMs: 0, jitterMs: 0 },
      { latencyMs: 40, jitterMs: 0 },
      { latencyMs: 95, jitterMs: 0 },
      { latencyMs: 0, jitterMs: 0 },
    ]);
    // Where a tree purge goes next: the caches that fetch from the node.
    expect(tier(plan, 'shield').config.children).toEqual(['127.0.2.1:7070', '127.0.2.2:7070', '127.0.2.3:7070']);
    expect(tier(plan, 'regional-eu').config.children).toEqual(['127.0.1.3:7070', '127.0.1.4:7070']);
    expect(tier(plan, 'edge-eu-1').config.children).toEqual([]);
  });

  it('copies cache and key settings from the topology node', () => {
    const shield = tier(plan, 'shield').config;
    expect(shield.cache).toMatchObject({ capacityBytes: 2 ** 30, eviction: 'lru', collapsing: 'wait', lockTimeoutMs: 2000 });
    expect(tier(plan, 'edge-na-1').config.cache).toMatchObject({ eviction: 's3fifo', maxObjectBytes: 8 * 2 ** 20 });
    expect(tier(plan, 'edge-na-1').config.key).toMatchObject({ dropQueryParams: ['utm_*', 'fbclid', 'gclid'], sortQuery: true });
    expect(shield.hostnames).toEqual(['cdn.cdnlab.test', 'localhost']);
  });

  it('uses one token for every admin API', () => {
    const tokens = plan.nodes.map((n) => ('token' in n.config ? n.config.token : 'none'));
    expect(tokens.filter((x) => x !== 'none')).toHaveLength(plan.nodes.length - 1); // all but dns
    expect(new Set(tokens.filter((x) => x !== 'none'))).toEqual(new Set([TOKEN]));
    expect(plan.control.config.nodeToken).toBe(TOKEN);
  });

  it('produces configs that each service accepts', () => {
    for (const n of plan.nodes) {
      const json = JSON.parse(JSON.stringify(n.config)) as unknown;
      if (n.role === 'origin') expect(parseOriginConfig(json).site?.paths).toHaveLength(8);
      else if (n.role === 'control') expect(parseControlConfig(json).nodes).toHaveLength(11);
      else if (n.role === 'dns') expect(parseDnsServiceConfig(json, policyNames()).edges).toHaveLength(6);
      else {
        const c = (n as PlannedTier).config;
        expect(parseTierNodeConfig(json)).toMatchObject({ id: n.id, parents: c.parents, controlLink: c.controlLink, children: c.children, cache: { ...c.cache, targetedFields: c.cache.targetedFields.map((f) => f.toLowerCase()) } });
      }
    }
  });

  it('tells control every node with its address and parents, and the topology fan-out', () => {
    const c = plan.control.config;
    expect(c.defaultFanout).toBe('direct');
    expect(c.nodes.find((n) => n.id === 'edge-apac-1')).toEqual({ id: 'edge-apac-1', role: 'edge', region: 'apac', grpcAddress: '127.0.1.5:7070', httpAddress: '127.0.1.5:8080', parents: ['regional-apac'] });
    expect(c.nodes.find((n) => n.id === 'origin')).toMatchObject({ role: 'origin', grpcAddress: '127.0.4.1:7070', parents: [] });
  });

  it('points DNS A records at the edges and maps the policy settings', () => {
    const d = plan.dns.config;
    expect(d.edges?.[2]).toEqual({ id: 'edge-eu-1', region: 'eu', address: '127.0.1.3', grpcAddress: '127.0.1.3:7070', weight: 1 });
    expect(d).toMatchObject({ zone: 'cdn.cdnlab.test', policy: 'geo', ttlSeconds: 5, answers: 1, failMode: 'fail-open', health: { intervalMs: 1000, timeoutMs: 500, fall: 2, rise: 2 } });
    expect(d.regions).toEqual([
      { name: 'na', cidrs: ['127.10.0.0/16'] },
      { name: 'eu', cidrs: ['127.20.0.0/16'] },
      { name: 'apac', cidrs: ['127.30.0.0/16'] },
    ]);
    expect(d.distances?.na.apac).toBe(95);
    expect(d.anycast).toBeUndefined();
  });
});

describe('planTopology options', () => {
  const t = loadTopologyFile(DEFAULT);

  it('moves every address under another prefix', () => {
    const plan = planTopology(t, { addressing: 'loopback', prefix: '127.81', token: TOKEN });
    const hosts = plan.nodes.flatMap((n) => [n.grpc, n.http, n.dns].filter((e) => e !== undefined).map((e) => e.host));
    expect(hosts.every((h) => h.startsWith('127.81.'))).toBe(true);
    expect(tier(plan, 'edge-na-1').config.parents[0].address).toBe('127.81.2.1:7070');
  });

  it('in ports addressing puts everything on 127.0.0.1 with distinct ports from the base', () => {
    const plan = planTopology(t, { addressing: 'ports', basePort: 30000, token: TOKEN });
    const endpoints = plan.nodes.flatMap((n) => [n.grpc, n.http, n.metrics, n.dns].filter((e) => e !== undefined));
    expect(endpoints.every((e) => e.host === '127.0.0.1' && e.port >= 30000 && e.port < 30100)).toBe(true);
    expect(new Set(endpoints.map((e) => e.port)).size).toBe(endpoints.length);
    const grpcOf = new Map(plan.nodes.filter((n) => n.grpc).map((n) => [n.id, formatEndpoint(n.grpc as never)]));
    expect(tier(plan, 'regional-na').config.parents[0].address).toBe(grpcOf.get('shield'));
  });

  it('defaults to loopback addressing on Linux only', () => {
    expect(planTopology(t, { platform: 'linux', token: TOKEN }).addressing).toBe('loopback');
    expect(planTopology(t, { platform: 'darwin', token: TOKEN }).addressing).toBe('ports');
  });

  it('generates a fresh token when none is given', () => {
    const a = planTopology(t, { addressing: 'loopback' }).token;
    const b = planTopology(t, { addressing: 'loopback' }).token;
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a).not.toBe(b);
  });

  it('maps fail-closed DNS and anycast, moving the VIP with the prefix', () => {
    const closed: Topology = { ...t, dns: { ...t.dns, failMode: 'closed', anycast: { enabled: true, address: '127.0.0.100' } } };
    const plan = planTopology(closed, { addressing: 'loopback', prefix: '127.82', token: TOKEN });
    expect(plan.dns.config.failMode).toBe('fail-closed');
    expect(plan.anycast).toEqual({ host: '127.82.0.100', port: 8080 });
    expect(plan.dns.config.anycast).toMatchObject({ address: '127.82.0.100', port: 8080 });
    expect(plan.dns.config.anycast?.targets?.['edge-eu-1']).toBe('127.82.1.3:8080');
    expect(parseDnsServiceConfig(JSON.parse(JSON.stringify(plan.dns.config)), policyNames()).anycast?.address).toBe('127.82.0.100');
  });

  it('honours fixed listen settings from the topology', () => {
    const fixed: Topology = { ...t, nodes: t.nodes.map((n) => (n.id === 'origin' ? { ...n, listen: { host: '127.0.0.1', grpcPort: 50051 } } : n)) };
    const plan = planTopology(fixed, { addressing: 'loopback', token: TOKEN });
    expect(tier(plan, 'shield').config.parents[0].address).toBe('127.0.0.1:50051');
  });

  it.each([
    [{ prefix: '10.0' }, /opts\.prefix/],
    [{ prefix: '127.300' }, /opts\.prefix/],
    [{ basePort: 80 }, /opts\.basePort/],
    [{ token: 'has space in it' }, /opts\.token/],
    [{ addressing: 'tunnel' as never }, /opts\.addressing/],
  ])('rejects %j naming the option', (opts, message) => {
    expect(() => planTopology(t, opts)).toThrow(PlanError);
    expect(() => planTopology(t, opts)).toThrow(message);
  });
});
