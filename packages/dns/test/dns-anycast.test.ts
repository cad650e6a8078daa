import * as http from 'node:http';
import * as net from 'node:net';
import pino from 'pino';
import { type DnsServer, createDnsServer } from '../src/server';
import { decodeResult, encodeQuery, udpExchange, waitFor } from './support';

// The anycast toy: one virtual address (127.0.0.100) in front of four small
// HTTP "edges" on their own loopback addresses. Clients bind source addresses
// per region (Linux routes all of 127/8 to lo), so the router places them by
// the same coverage map the DNS uses.

const REGIONS = [
  { name: 'eu', cidrs: ['127.10.0.0/16'] },
  { name: 'us', cidrs: ['127.20.0.0/16'] },
];
const EDGES = [
  { id: 'eu-1', region: 'eu', host: '127.0.3.1' },
  { id: 'eu-2', region: 'eu', host: '127.0.3.2' },
  { id: 'us-1', region: 'us', host: '127.0.4.1' },
  { id: 'us-2', region: 'us', host: '127.0.4.2' },
];
const CLIENT = { eu: '127.10.0.7', us: '127.20.0.7' };

interface HttpEdge {
  id: string;
  server: http.Server;
  port: number;
  served: number;
}

const httpEdges: HttpEdge[] = [];
let dns: DnsServer;
let anycastPort: number;
let dnsPort: number;

function startHttpEdge(id: string, host: string): Promise<HttpEdge> {
  const edge: HttpEdge = { id, server: http.createServer(), port: 0, served: 0 };
  edge.server.on('request', (req, res) => {
    edge.served++;
    if (req.url === '/stream') {
      // A long download: chunks until the connection goes away.
      res.writeHead(200, { 'x-served-by': id });
      const t = setInterval(() => res.write('chunk\n'), 20);
      res.on('close', () => clearInterval(t));
      return;
    }
    res.writeHead(200, { 'x-served-by': id, connection: 'close' });
    res.end(id);
  });
  return new Promise((resolve) => edge.server.listen(0, host, () => resolve({ ...edge, port: (edge.server.address() as net.AddressInfo).port, server: edge.server })));
}

beforeAll(async () => {
  for (const e of EDGES) httpEdges.push(await startHttpEdge(e.id, e.host));
  const targets = Object.fromEntries(EDGES.map((e, i) => [e.id, `${e.host}:${httpEdges[i].port}`]));
  dns = createDnsServer(
    {
      regions: REGIONS,
      edges: EDGES.map((e) => ({ id: e.id, region: e.region, address: e.host, grpcAddress: '127.0.0.1:9' })),
      distances: { eu: { us: 100 }, us: { eu: 100 } },
      answers: 1,
      policy: 'least-loaded',
      anycast: {
        address: '127.0.0.100',
        port: 0,
        targets,
        // Within a region the first edge is one hop closer.
        routeCosts: { eu: { 'eu-1': 1, 'eu-2': 2, 'us-1': 100, 'us-2': 100 }, us: { 'us-1': 1, 'us-2': 2, 'eu-1': 100, 'eu-2': 100 } },
      },
    },
    // The HTTP edges have no gRPC: a probe that always says SERVING keeps this test about routing.
    { probe: () => Promise.resolve(true), logger: pino({ level: 'silent' }) },
  );
  const ports = await dns.start();
  anycastPort = ports.anycastPort as number;
  dnsPort = ports.udpPort;
});

afterAll(async () => {
  await dns?.stop();
  await Promise.all(httpEdges.map((e) => new Promise((r) => e.server.close(r))));
});

/** One HTTP GET through the anycast address from a region's source address. */
function get(region: keyof typeof CLIENT, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.100', port: anycastPort, path, localAddress: CLIENT[region], agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(String(res.headers['x-served-by'] ?? body)));
    });
    req.on('error', reject);
    req.setTimeout(3000, () => req.destroy(new Error('timeout')));
  });
}

const loadOf: Record<string, number> = { 'eu-1': 0, 'eu-2': 0, 'us-1': 0, 'us-2': 0 };

describe('anycast router', () => {
  it('sends a region to its lowest-cost edge, blind to load, while least-loaded DNS moves away', async () => {
    dns.setLoadProvider((id) => loadOf[id]);
    loadOf['eu-1'] = 1000; // eu-1 is drowning
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await get('eu'));
    expect([...seen]).toEqual(['eu-1']);
    expect(await get('us')).toBe('us-1');
    // The DNS side does see the load.
    const r = decodeResult(await udpExchange('127.0.0.1', dnsPort, encodeQuery({ name: 'cdn.cdnlab.test' }, 7)));
    expect(r.answers.map((a) => a.data)).not.toContain('127.0.3.1');
  });

  it('breaks connections in flight on a route change; new ones go to the new best edge', async () => {
    // Open a long download from eu through the anycast address.
    const socket = net.connect({ host: '127.0.0.100', port: anycastPort, localAddress: CLIENT.eu });
    let received = '';
    let closedAt = 0;
    socket.on('data', (c) => (received += c.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => (closedAt = Date.now()));
    socket.write('GET /stream HTTP/1.1\r\nHost: cdn\r\n\r\n');
    await waitFor('the stream to flow', () => received.includes('chunk'), 3000);
    expect(received).toContain('x-served-by: eu-1');
    expect(dns.anycast?.openFlows()).toBe(1);

    // A us flow that the route change does not touch.
    const usSocket = net.connect({ host: '127.0.0.100', port: anycastPort, localAddress: CLIENT.us });
    let usReceived = '';
    usSocket.on('data', (c) => (usReceived += c.toString()));
    usSocket.on('error', () => undefined);
    usSocket.write('GET /stream HTTP/1.1\r\nHost: cdn\r\n\r\n');
    await waitFor('the us stream to flow', () => usReceived.includes('chunk'), 3000);

    const changeAt = Date.now();
    const { broken } = dns.setRouteCosts({ eu: { 'eu-1': 5, 'eu-2': 2 }, us: { 'us-1': 1, 'us-2': 2 } });
    expect(broken).toBe(1);
    await waitFor('the eu flow to break', () => closedAt > 0, 2000);
    expect(closedAt - changeAt).toBeLessThan(1000);
    expect(socket.destroyed).toBe(true);
    // The us flow kept its path.
    const before = usReceived.length;
    await waitFor('the us stream to keep flowing', () => usReceived.length > before, 2000);
    expect(usSocket.destroyed).toBe(false);
    usSocket.destroy();

    expect(await get('eu')).toBe('eu-2');
    expect(await get('eu')).toBe('eu-2');
    const metrics = await dns.metrics.text();
    expect(metrics).toMatch(/cdnlab_anycast_connections_broken_total\{edge="eu-1"\} 1/);
    expect(metrics).toMatch(/cdnlab_anycast_connections_total\{region="eu",edge="eu-2"\} 2/);
  });

  it('rejects bad route costs naming the field', () => {
    expect(() => dns.setRouteCosts({ eu: { 'eu-9': 1 } })).toThrow('expected routeCosts.eu key to be a known edge id, got "eu-9"');
    expect(() => dns.setRouteCosts({ eu: { 'eu-1': -1 } })).toThrow('expected routeCosts.eu.eu-1 to be a finite number >= 0, got -1');
  });
});
