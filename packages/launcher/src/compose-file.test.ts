import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { parseControlConfig } from '@cdnlab/control';
import { parseDnsServiceConfig, policyNames } from '@cdnlab/dns';
import { parseOriginConfig } from '@cdnlab/origin';
import { loadTopologyFile, type Topology } from '@cdnlab/scenario';
import { parseTierNodeConfig } from '@cdnlab/tier';
import { ADDRESS_LABEL, ComposeError, composeFor, composeLayout, composePortsFor, DEFAULT_COMPOSE_TOKEN } from './compose-file';
import { planTopology } from './plan';

const DEFAULT = path.resolve(__dirname, '../../../topologies/default.yaml');

interface Service {
  image: string;
  build: { target: string };
  hostname?: string;
  environment: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  networks: Record<string, { ipv4_address: string }> | string[];
  healthcheck?: { test: string[]; interval: string };
  deploy: { endpoint_mode: string; replicas?: number };
  labels?: Record<string, string>;
  ports?: string[];
  profiles?: string[];
  dns?: string[];
}
interface ComposeDoc {
  services: Record<string, Service>;
  networks: { cdnlab: { ipam: { config: Array<{ subnet: string }> } } };
}

/** What compose does to the text: `${CDNLAB_TOKEN:-default}` → the default, `$$` → `$`. */
function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(/\$\$|\$\{(\w+):-([^}]*)\}/g, (m, name: string | undefined, dflt: string | undefined) => (m === '$$' ? '$' : (env[name as string] ?? (dflt as string))));
}

function config(doc: ComposeDoc, id: string): Record<string, unknown> {
  return JSON.parse(interpolate(doc.services[id]?.environment.CDNLAB_CONFIG as string)) as Record<string, unknown>;
}

function address(s: Service): string {
  return (s.networks as Record<string, { ipv4_address: string }>).cdnlab?.ipv4_address as string;
}

describe('composeFor on topologies/default.yaml', () => {
  const t = loadTopologyFile(DEFAULT);
  const text = composeFor(t);
  const doc = parse(text) as ComposeDoc;
  const nodeIds = t.nodes.map((n) => n.id);

  it('has one service per node, plus control, dns and the cli', () => {
    expect(Object.keys(doc.services).sort()).toEqual([...nodeIds, 'control', 'dns', 'cli'].sort());
    for (const n of t.nodes) {
      expect(doc.services[n.id]?.image).toBe(`cdnlab/${n.role}:\${CDNLAB_TAG:-latest}`);
      expect(doc.services[n.id]?.build.target).toBe(n.role);
      expect(doc.services[n.id]?.hostname).toBe(n.id);
    }
  });

  it('gives every node a config its own service accepts, listening on all interfaces', () => {
    for (const n of t.nodes) {
      const c = config(doc, n.id);
      if (n.role === 'origin') expect(parseOriginConfig(c).grpc.host).toBe('0.0.0.0');
      else expect(parseTierNodeConfig(c).grpc).toEqual({ host: '0.0.0.0', port: 7070 });
      expect(c.token).toBe(DEFAULT_COMPOSE_TOKEN);
    }
    expect(parseControlConfig(config(doc, 'control')).http).toEqual({ host: '0.0.0.0', port: 8800 });
    const dns = parseDnsServiceConfig(config(doc, 'dns'), policyNames());
    expect(dns.listen).toMatchObject({ host: '0.0.0.0', port: 53 });
  });

  it('addresses parents by service name and keeps the embedded link latencies', () => {
    const plan = planTopology(t, { addressing: 'loopback', token: 'x'.repeat(12) });
    for (const n of t.nodes.filter((x) => x.role !== 'origin')) {
      const parents = (config(doc, n.id).parents as Array<{ id: string; address: string; link?: unknown }>) ?? [];
      const planned = plan.nodes.find((p) => p.id === n.id)?.config as { parents: Array<{ id: string; link?: unknown }> };
      expect(parents.map((p) => p.address)).toEqual(n.parents.map((p) => `${p}:7070`));
      expect(parents.map((p) => [p.id, p.link])).toEqual(planned.parents.map((p) => [p.id, p.link]));
    }
    expect(config(doc, 'regional-apac').parents).toEqual([{ id: 'shield', address: 'shield:7070', link: { latencyMs: 95, jitterMs: 8, loss: 0 } }]);
    // Children (tree purges) by service name too, and the control plane's distance as planned.
    expect(config(doc, 'shield').children).toEqual(['regional-na:7070', 'regional-eu:7070', 'regional-apac:7070']);
    expect(config(doc, 'regional-apac').children).toEqual(['edge-apac-1:7070', 'edge-apac-2:7070']);
    expect(config(doc, 'edge-apac-1').controlLink).toEqual({ latencyMs: 95, jitterMs: 0 });
  });

  it('starts each node after its parents are healthy; control after every node, dns after the edges', () => {
    for (const n of t.nodes) {
      const deps = doc.services[n.id]?.depends_on ?? {};
      expect(Object.keys(deps).sort()).toEqual([...n.parents].sort());
      for (const d of Object.values(deps)) expect(d).toEqual({ condition: 'service_healthy' });
    }
    expect(Object.keys(doc.services.control?.depends_on ?? {}).sort()).toEqual([...nodeIds].sort());
    expect(Object.keys(doc.services.dns?.depends_on ?? {}).sort()).toEqual(t.nodes.filter((n) => n.role === 'edge').map((n) => n.id).sort());
  });

  it('puts nodes at unique static addresses that the DNS answers with, and control at its own', () => {
    const addrs = [...nodeIds, 'control', 'dns'].map((id) => address(doc.services[id] as Service));
    expect(new Set(addrs).size).toBe(addrs.length);
    for (const id of [...nodeIds, 'control', 'dns']) expect(doc.services[id]?.labels?.[ADDRESS_LABEL]).toBe(address(doc.services[id] as Service));
    const dns = config(doc, 'dns') as { edges: Array<{ id: string; address: string; grpcAddress: string }> };
    for (const e of dns.edges) {
      expect(e.address).toBe(address(doc.services[e.id] as Service));
      expect(e.grpcAddress).toBe(`${e.id}:7070`);
    }
    const controlNodes = (config(doc, 'control') as { nodes: Array<{ id: string; grpcAddress: string }> }).nodes;
    expect(controlNodes.map((x) => x.grpcAddress)).toEqual(controlNodes.map((x) => `${x.id}:7070`));
    expect(doc.networks.cdnlab.ipam.config).toEqual([{ subnet: '10.89.53.0/24' }]);
    expect(address(doc.services.dns as Service)).toBe('10.89.53.130');
    expect(address(doc.services['edge-na-1'] as Service)).toBe('10.89.53.145');
    expect(doc.services.cli?.dns).toEqual([address(doc.services.dns as Service)]);
  });

  it('publishes no host port, uses dnsrr and a healthcheck everywhere; the cli only on demand', () => {
    expect(text).not.toMatch(/^\s+ports:/m);
    for (const [id, s] of Object.entries(doc.services)) {
      expect(s.deploy.endpoint_mode).toBe('dnsrr');
      if (id !== 'cli') expect(s.healthcheck?.test).toEqual(['CMD', 'node', '/app/healthcheck.js']);
    }
    expect(doc.services.cli?.profiles).toEqual(['cli']);
    expect(doc.services.cli?.deploy.replicas).toBe(0);
  });

  it('is a pure function of its input', () => {
    expect(composeFor(loadTopologyFile(DEFAULT))).toBe(text);
  });

  it('takes a token, tag and health interval from options', () => {
    const other = parse(composeFor(t, { token: 'a$secret-token', tag: 'v1', healthInterval: '500ms' })) as ComposeDoc;
    expect(config(other, 'shield').token).toBe('a$secret-token');
    expect(other.services.shield?.image).toBe('cdnlab/shield:v1');
    expect(other.services.shield?.healthcheck?.interval).toBe('500ms');
  });
});

describe('composeFor escaping and errors', () => {
  const base = loadTopologyFile(DEFAULT);
  const withDollar = (): Topology => {
    const t = structuredClone(base);
    const origin = t.nodes.find((n) => n.id === 'origin');
    if (!origin || origin.role !== 'origin' || !origin.site) throw new Error('default topology has no origin site');
    (origin.site.paths[0] as { headers: Record<string, string> }).headers['X-Price'] = '$5 ${HOME}';
    return t;
  };

  it('escapes $ so compose passes it through unchanged', () => {
    const text = composeFor(withDollar());
    expect(text).toContain('$$5 $${HOME}');
    const paths = (config(parse(text) as ComposeDoc, 'origin') as { site: { paths: Array<{ headers: Record<string, string> }> } }).site.paths;
    expect(paths[0]?.headers['X-Price']).toBe('$5 ${HOME}');
  });

  it('names what is wrong', () => {
    expect(() => composeFor(base, { subnet: '10.0.0.0' })).toThrow(/opts.subnet.*"10.0.0.0"/);
    expect(() => composeFor(base, { subnet: '10.0.0.0/30' })).toThrow(/prefix from \/16 to \/26, got \/30/);
    expect(() => composeFor(base, { subnet: '10.0.0.5/24' })).toThrow(/did you mean 10.0.0.0\/24/);
    expect(() => composeFor(base, { healthInterval: 'soon' })).toThrow(ComposeError);
    expect(() => composeFor(base, { token: 'short' })).toThrow(/opts.token/);
    expect(() => composeFor(base, { tag: 'bad tag' })).toThrow(/opts.tag/);
  });

  it('refuses node ids that collide with its own services or are not hostnames', () => {
    // An edge has no children, so renaming it leaves every parent reference intact.
    const renamed = (id: string): Topology => {
      const t = structuredClone(base);
      (t.nodes.find((n) => n.id === 'edge-na-1') as { id: string }).id = id;
      return t;
    };
    expect(() => composeFor(renamed('dns'))).toThrow(/"dns": the name is taken/);
    expect(() => composeFor(renamed('Edge_1'))).toThrow(/"Edge_1": a compose service name/);
  });
});

describe('composeLayout', () => {
  it('keeps static addresses unique, in the upper half and short of broadcast, for any node count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 26 }), fc.nat(200), (prefix, count) => {
        const size = 2 ** (32 - prefix);
        const ids = Array.from({ length: count }, (_, i) => `n${i}`);
        if (count > size / 2 - 13) {
          expect(() => composeLayout(ids, `10.64.0.0/${prefix}`)).toThrow(/do not fit in the upper half/);
          return;
        }
        const l = composeLayout(ids, `10.64.0.0/${prefix}`);
        const hosts = [...l.addresses.values()].map((a) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) - 10 * 2 ** 24 - 64 * 2 ** 16);
        expect(new Set(hosts).size).toBe(count + 2);
        for (const h of hosts) expect(h >= size / 2 && h < size - 1).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('composePortsFor', () => {
  const t = loadTopologyFile(DEFAULT);

  it('publishes the first edge, DNS over UDP and TCP and the control API on 127.0.0.1', () => {
    const doc = parse(composePortsFor(t)) as ComposeDoc;
    expect(doc.services['edge-na-1']?.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(doc.services.dns?.ports).toEqual(['127.0.0.1:5353:53/udp', '127.0.0.1:5353:53/tcp']);
    expect(doc.services.control?.ports).toEqual(['127.0.0.1:8800:8800']);
  });

  it('takes another edge and ports, and rejects unknown ones', () => {
    const doc = parse(composePortsFor(t, { edge: 'edge-eu-2', ports: { edge: 18080 } })) as ComposeDoc;
    expect(doc.services['edge-eu-2']?.ports).toEqual(['127.0.0.1:18080:8080']);
    expect(() => composePortsFor(t, { edge: 'regional-na' })).toThrow(/opts.edge to name an edge \(edge-na-1, .*got "regional-na"/);
    expect(() => composePortsFor(t, { ports: { dns: 70000 } })).toThrow(/opts.ports.dns/);
  });
});
