import { Writable } from 'node:stream';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { type DnsServer, createDnsServer } from '../src/server';
import type { HealthTransition } from '../src/health';
import { type HealthEdge, clientKinds, encodeQuery, decodeResult, query, sleep, startHealthEdge, tcpExchange, udpExchange, waitFor } from './support';

// 3 regions x 2 edges, each edge a real grpc-js server with the standard
// health service; the DNS server checks them over gRPC and answers on
// 127.0.0.1 with port 0.

const ZONE = 'cdn.cdnlab.test';
const REGIONS = [
  { name: 'eu', cidrs: ['10.1.0.0/16'] },
  { name: 'us', cidrs: ['10.2.0.0/16'] },
  { name: 'ap', cidrs: ['10.3.0.0/16'] },
];
const SUBNET: Record<string, string> = { eu: '10.1.7.0/24', us: '10.2.7.0/24', ap: '10.3.7.0/24' };
const DISTANCES = { eu: { us: 80, ap: 150 }, us: { eu: 80, ap: 120 }, ap: { eu: 150, us: 120 } };
// Probe timeout 400 ms, not 100: a CI run saw a healthy edge flap down and up
// again when two probes in a row waited out 100 ms on a machine busy with other
// test workers. A stopped edge refuses the connection at once, so the timeout
// does not slow its detection.
const HEALTH = { intervalMs: 100, timeoutMs: 400, fall: 2, rise: 3 };

const grpcEdges: HealthEdge[] = [];
const edgeIds: string[] = [];
const edgeAddress: Record<string, string> = {};
let server: DnsServer;
let port: number;
let metricsPort: number;
const logLines: Array<Record<string, unknown>> = [];
const transitions: HealthTransition[] = [];

beforeAll(async () => {
  const edges = [];
  for (const [r, region] of REGIONS.entries()) {
    for (let i = 1; i <= 2; i++) {
      const g = await startHealthEdge();
      grpcEdges.push(g);
      const id = `${region.name}-${i}`;
      edgeIds.push(id);
      edgeAddress[id] = `127.0.${r + 1}.${i}`;
      edges.push({ id, region: region.name, address: edgeAddress[id], grpcAddress: `127.0.0.1:${g.port}` });
    }
  }
  // Capture pino's JSON lines to check one is written per health transition.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  server = createDnsServer(
    { zone: ZONE, listen: { host: '127.0.0.1', port: 0 }, ttlSeconds: 30, answers: 2, policy: 'geo', failMode: 'fail-open', edges, regions: REGIONS, distances: DISTANCES, health: HEALTH },
    { logger: pino({ level: 'info' }, sink) },
  );
  server.health.onTransition((t) => transitions.push(t));
  ({ udpPort: port, metricsPort } = await server.start());
  await waitFor('every edge up', () => edgeIds.every((id) => server.health.state(id) === 'up'), 5000);
});

afterAll(async () => {
  await server?.stop();
  await Promise.all(grpcEdges.map((g) => g.stop()));
});

const sorted = (xs: string[]) => [...xs].sort();
const regionAddresses = (region: string) => sorted(edgeIds.filter((id) => id.startsWith(`${region}-`)).map((id) => edgeAddress[id]));

describe.each(clientKinds())('with the %s client', (kind) => {
  it.each(REGIONS.map((r) => r.name))('answers region %s with its own edges (ECS +subnet), echoing the scope', async (region) => {
    const r = await query(kind, { port, name: ZONE, subnet: SUBNET[region] });
    expect(r.rcode).toBe('NOERROR');
    expect(r.aa).toBe(true);
    expect(r.ra).toBe(false);
    expect(sorted(r.answers.map((a) => a.data))).toEqual(regionAddresses(region));
    expect(r.ecsScope).toBe(16);
  });

  it('answers over TCP too', async () => {
    const r = await query(kind, { port, name: ZONE, subnet: SUBNET.us, tcp: true });
    expect(sorted(r.answers.map((a) => a.data))).toEqual(regionAddresses('us'));
  });

  it('gives NXDOMAIN inside the zone (AA) and REFUSED outside it (no AA)', async () => {
    const nx = await query(kind, { port, name: `nothing.${ZONE}` });
    expect([nx.rcode, nx.aa]).toEqual(['NXDOMAIN', true]);
    const refused = await query(kind, { port, name: 'example.org' });
    expect([refused.rcode, refused.aa]).toEqual(['REFUSED', false]);
    expect((await query(kind, { port, name: `eu-2.${ZONE}` })).answers.map((a) => a.data)).toEqual([edgeAddress['eu-2']]);
  });

  it('answers ANY with one HINFO record', async () => {
    const r = await query(kind, { port, name: ZONE, type: 'ANY' });
    expect(r.answers).toHaveLength(1);
    expect(r.answers[0].type).toBe('HINFO');
  });
});

it('refuses a zone transfer over TCP without AA', async () => {
  const axfr = dnsPacket.encode({ id: 77, type: 'query', questions: [{ name: ZONE, type: 'AXFR', class: 'IN' }] });
  const [reply] = await tcpExchange('127.0.0.1', port, [axfr]);
  expect(decodeResult(reply)).toMatchObject({ rcode: 'REFUSED', aa: false, answers: [] });
});

describe('a big answer', () => {
  let big: DnsServer;
  let bigPort: number;
  beforeAll(async () => {
    // 50 edges and 50 answers: ~1.6 kB, over any UDP limit we offer. This
    // test is about size, so a probe that always says SERVING stands in for
    // gRPC: 50 checks every 100 ms on a loaded CI machine would time out now
    // and then, and a down edge would shrink the answer.
    const edges = Array.from({ length: 50 }, (_, i) => ({
      id: `big-${i}`,
      region: REGIONS[i % 3].name,
      address: `127.0.9.${i + 1}`,
      grpcAddress: `127.0.0.1:${grpcEdges[i % grpcEdges.length].port}`,
    }));
    big = createDnsServer(
      { zone: ZONE, answers: 50, edges, regions: REGIONS, distances: DISTANCES, health: HEALTH },
      { logger: pino({ level: 'silent' }), probe: () => Promise.resolve(true) },
    );
    ({ udpPort: bigPort } = await big.start());
  });
  afterAll(() => big?.stop());

  it.each(clientKinds())('sets TC over UDP and comes whole over TCP (%s)', async (kind) => {
    const udp = await query(kind, { port: bigPort, name: ZONE });
    expect(udp.tc).toBe(true);
    expect(udp.answers).toHaveLength(0);
    const tcp = await query(kind, { port: bigPort, name: ZONE, tcp: true });
    expect(tcp.tc).toBe(false);
    expect(tcp.answers).toHaveLength(50);
    expect(new Set(tcp.answers.map((a) => a.data)).size).toBe(50);
  });
});

describe('health', () => {
  it('drops a killed edge within interval x fall (+timeout), and brings it back after rise successes', async () => {
    const victim = 'eu-1';
    const grpcEdge = grpcEdges[edgeIds.indexOf(victim)];
    const bound = HEALTH.intervalMs * HEALTH.fall + HEALTH.timeoutMs;
    const slack = 250; // timer and event-loop jitter on a busy CI machine
    let id = 1;
    const ask = async () => decodeResult(await udpExchange('127.0.0.1', port, encodeQuery({ name: ZONE, subnet: SUBNET.eu }, id++)));

    expect((await ask()).answers.map((a) => a.data)).toContain(edgeAddress[victim]);
    await grpcEdge.stop();
    const killedAt = Date.now();
    let goneAfter = -1;
    // Poll for 3x the bound: once it has gone it must stay gone.
    while (Date.now() - killedAt < 3 * (bound + slack)) {
      const r = await ask();
      const since = Date.now() - killedAt;
      const present = r.answers.some((a) => a.data === edgeAddress[victim]);
      if (!present && goneAfter < 0) goneAfter = since;
      if (since > bound + slack) expect([since, present]).toEqual([since, false]);
      expect(r.answers).toHaveLength(2); // the neighbour region fills in
      await sleep(10);
    }
    expect(goneAfter).toBeGreaterThanOrEqual(0);
    expect(goneAfter).toBeLessThanOrEqual(bound + slack);
    expect(server.health.state(victim)).toBe('down');

    await grpcEdge.restart();
    const restartedAt = Date.now();
    await waitFor('the edge back in the answers', async () => (await ask()).answers.some((a) => a.data === edgeAddress[victim]), 5000, 10);
    const backAfter = Date.now() - restartedAt;
    // Not before `rise` successful checks: at least (rise - 1) intervals after the first success.
    expect(backAfter).toBeGreaterThanOrEqual((HEALTH.rise - 1) * HEALTH.intervalMs - 20);
    expect(server.health.state(victim)).toBe('up');
    expect(transitions.filter((t) => t.edgeId === victim).map((t) => `${t.from}->${t.to}`)).toEqual(['unknown->up', 'up->down', 'down->up']);

    // One log line per transition, naming the edge.
    const lines = logLines.filter((l) => l.msg === 'edge health changed' && l.edge === victim);
    expect(lines.map((l) => `${l.from}->${l.to}`)).toEqual(['unknown->up', 'up->down', 'down->up']);
    expect(lines[1].level).toBe(40); // warn for down
  });
});

describe('least-loaded', () => {
  afterAll(() => {
    server.setPolicy('geo');
    server.setLoadProvider(() => undefined);
  });

  it('shifts answers away from a loaded edge, and back when it cools down', async () => {
    server.setPolicy('least-loaded');
    const loads: Record<string, number> = Object.fromEntries(edgeIds.map((id) => [id, 10]));
    server.setLoadProvider((id) => loads[id]);
    const count = async (n: number) => {
      const seen: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const r = decodeResult(await udpExchange('127.0.0.1', port, encodeQuery({ name: ZONE, subnet: SUBNET.eu }, i)));
        for (const a of r.answers) seen[a.data] = (seen[a.data] ?? 0) + 1;
      }
      return seen;
    };
    const hot = edgeAddress['eu-1'];
    const even = await count(30);
    // Equal loads: ties rotate, so every edge shows up, eu-1 included.
    expect(Object.keys(even).length).toBe(6);
    expect(even[hot]).toBeGreaterThan(0);
    loads['eu-1'] = 1000;
    const loaded = await count(30);
    expect(loaded[hot]).toBeUndefined();
    loads['eu-1'] = 0;
    const cool = await count(10);
    expect(cool[hot]).toBe(10);
  });

  it('rejects unknown policy names and non-function providers', () => {
    expect(() => server.setPolicy('fastest')).toThrow('expected policy to be one of geo, weighted, least-loaded, latency, round-robin, got "fastest"');
    expect(() => server.setLoadProvider(42 as unknown as () => number)).toThrow('expected load provider to be a function');
  });
});

describe('metrics', () => {
  it('serves queries by policy, rcode and region, and health transitions, on /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    expect(value(/cdnlab_dns_queries_total\{policy="geo",rcode="NOERROR",region="eu",transport="udp"\} (\d+)/)).toBeGreaterThan(5);
    expect(value(/cdnlab_dns_queries_total\{policy="least-loaded",rcode="NOERROR",region="eu",transport="udp"\} (\d+)/)).toBe(70);
    expect(value(/cdnlab_dns_queries_total\{policy="geo",rcode="REFUSED",region="unknown",transport="udp"\} (\d+)/)).toBeGreaterThan(0);
    expect(value(/cdnlab_dns_health_transitions_total\{edge="eu-1",from="up",to="down"\} (\d+)/)).toBe(1);
    expect(value(/cdnlab_dns_edge_health\{edge="eu-1"\} (-?\d+)/)).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/nope`)).status).toBe(404);
  });
});
