import dgram from 'node:dgram';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import type { PlannedRequest, Topology, WatchRule } from '@cdnlab/scenario';
import { cidrHosts, classifyError, clientAddresses, createClientPool, watchedRules, type Outcome } from './client-pool';
import { DnsLookupError } from './stub-resolver';

const topo = (cidrs: Record<string, string>): Topology => ({ name: 't', regions: Object.entries(cidrs).map(([name, c]) => ({ name, cidrs: [c] })) }) as unknown as Topology;

describe('client addresses', () => {
  it('counts the usable hosts of a CIDR', () => {
    expect(cidrHosts('127.10.0.0/16')).toEqual({ first: ((127 << 24) | (10 << 16)) + 1, count: 65534 });
    expect(cidrHosts('127.0.0.8/32').count).toBe(1);
    expect(() => cidrHosts('127.10.0.0/33')).toThrow(/expected an IPv4 CIDR/);
    expect(() => cidrHosts('eu')).toThrow(/got "eu"/);
  });

  it('gives each client of a region its own address, groups of one region continuing where the last stopped', () => {
    const a = clientAddresses(topo({ na: '127.10.0.0/16', eu: '127.20.0.0/16' }), [
      { region: 'na', count: 2 },
      { region: 'eu', count: 1 },
      { region: 'na', count: 2 },
    ]);
    expect(a).toEqual([['127.10.0.1', '127.10.0.2'], ['127.20.0.1'], ['127.10.0.3', '127.10.0.4']]);
  });

  it('stays inside the region for any client count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 24, max: 30 }), (count, bits) => {
        const [list] = clientAddresses(topo({ r: `127.30.0.0/${bits}` }), [{ region: 'r', count }]);
        const { first, count: size } = cidrHosts(`127.30.0.0/${bits}`);
        for (const ip of list) {
          const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
          expect(n).toBeGreaterThanOrEqual(first);
          expect(n).toBeLessThan(first + size);
        }
      }),
    );
  });

  it('refuses regions off loopback and unknown regions', () => {
    expect(() => clientAddresses(topo({ eu: '10.0.0.0/8' }), [{ region: 'eu', count: 1 }])).toThrow(/region eu: CIDR 10.0.0.0\/8 is not on loopback/);
    expect(() => clientAddresses(topo({ eu: '127.20.0.0/16' }), [{ region: 'na', count: 1 }])).toThrow(/workload.clients\[0\]: region "na" is not in topology t/);
  });
});

describe('classifyError', () => {
  it('sorts failures into connect, timeout, reset and dns', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyError(e('ECONNREFUSED'))).toBe('connect');
    expect(classifyError(e('ECONNRESET'))).toBe('reset');
    expect(classifyError(new Error('socket hang up'))).toBe('reset');
    expect(classifyError(Object.assign(new Error('t'), { timeout: true }))).toBe('timeout');
    expect(classifyError(new DnsLookupError('x'))).toBe('dns');
    expect(classifyError(e('EWEIRD'))).toBe('other:EWEIRD');
  });
});

describe('watch rules on real answers', () => {
  const rules: WatchRule[] = [
    { name: 'poisoned', header: 'link', contains: 'evil.example' },
    { name: 'never', header: 'link', contains: 'nothing like it' },
    // Spans the two Link lines: node joins them in res.headers, but a rule reads one line at a time.
    { name: 'joined', header: 'link', contains: 'app.js>, <https' },
    { name: 'marked', header: 'x-mark', contains: 'yes' },
  ];

  it('matches header lines by lower-cased name and case-sensitive text, one line at a time', () => {
    expect(watchedRules(rules, ['LINK', '<https://evil.example/app.js>', 'Link', '<https://shop.example/x>', 'X-Mark', 'yes'])).toEqual([0, 3]);
    expect(watchedRules(rules, ['Link', '<https://EVIL.example/app.js>'])).toEqual([]);
    expect(watchedRules([], ['Link', '<https://evil.example/app.js>'])).toEqual([]);
  });

  // An HTTP server standing in for an edge, and a DNS server that sends every client to it.
  let server: http.Server;
  let dns: dgram.Socket;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      // Mixed-case names and two Link lines, as any server may send them.
      if (req.url === '/poisoned') res.setHeader('LiNk', ['<https://evil.example/app.js>', '<https://shop.example/style.css>']);
      else res.setHeader('Link', '<https://shop.example/app.js>');
      res.setHeader('X-Mark', req.url === '/poisoned' ? 'no' : 'yes');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dns = dgram.createSocket('udp4');
    dns.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const answer = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [{ type: 'A', name: 'cdn.test', ttl: 60, data: '127.0.0.1' }] });
      dns.send(answer, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => dns.close(resolve));
  });

  it('reports which rules each answer matched', async () => {
    const pool = createClientPool(
      {
        topology: topo({ na: '127.61.0.0/16' }),
        zone: 'cdn.test',
        dns: { host: '127.0.0.1', port: (dns.address() as AddressInfo).port },
        edgePort: () => (server.address() as AddressInfo).port,
        edgeAt: () => 'edge-test',
        requestTimeoutMs: 5000,
        maxSocketsPerClient: 2,
        // A hand-built rule may name its header in any case.
        watch: rules.map((r) => (r.name === 'marked' ? { ...r, header: 'X-Mark' } : r)),
      },
      [{ region: 'na', count: 1 }],
    );
    const send = (target: string): Promise<Outcome> => {
      const p: PlannedRequest = { atMs: 0, region: 'na', group: 0, clientIndex: 0, method: 'GET', kind: 'GET', target, headers: [], objectId: -1, sizeBytes: undefined };
      return pool.send(p, new AbortController().signal);
    };
    try {
      const poisoned = await send('/poisoned');
      const clean = await send('/clean');
      expect(poisoned).toMatchObject({ kind: 'answered', status: 200, watched: [0] });
      expect(clean).toMatchObject({ kind: 'answered', status: 200, watched: [3] });
    } finally {
      pool.close();
    }
  });
});

describe('a kept-alive connection the edge closes just as it is reused', () => {
  // A minimal HTTP/1.1 server: on its first connection it answers one request
  // and then drops the connection when the next one arrives (what an idle
  // timeout firing at that instant looks like); later connections answer.
  let server: net.Server;
  let dns: dgram.Socket;
  let connections = 0;
  beforeAll(async () => {
    server = net.createServer((socket) => {
      const n = ++connections;
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
        requests++;
        if (n === 1 && requests === 2) socket.destroy();
        else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dns = dgram.createSocket('udp4');
    dns.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      dns.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [{ type: 'A', name: 'cdn.test', ttl: 60, data: '127.0.0.1' }] }), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => dns.close(resolve));
  });

  const pool = () =>
    createClientPool(
      {
        topology: topo({ na: '127.62.0.0/16' }),
        zone: 'cdn.test',
        dns: { host: '127.0.0.1', port: (dns.address() as AddressInfo).port },
        edgePort: () => (server.address() as AddressInfo).port,
        edgeAt: () => 'edge-test',
        requestTimeoutMs: 5000,
        maxSocketsPerClient: 1,
      },
      [{ region: 'na', count: 1 }],
    );
  const planned = (method: 'GET' | 'POST', target: string): PlannedRequest => ({ atMs: 0, region: 'na', group: 0, clientIndex: 0, method, kind: method, target, headers: [], objectId: -1, sizeBytes: undefined });

  it('sends a GET again on a new connection, as a browser does', async () => {
    connections = 0;
    const p = pool();
    try {
      expect(await p.send(planned('GET', '/a'), new AbortController().signal)).toMatchObject({ kind: 'answered', status: 200 });
      expect(await p.send(planned('GET', '/b'), new AbortController().signal)).toMatchObject({ kind: 'answered', status: 200 });
      expect(connections).toBe(2);
    } finally {
      p.close();
    }
  });

  it('does not repeat a POST: it fails as a reset', async () => {
    connections = 0;
    const p = pool();
    try {
      expect(await p.send(planned('GET', '/a'), new AbortController().signal)).toMatchObject({ kind: 'answered', status: 200 });
      expect(await p.send(planned('POST', '/form'), new AbortController().signal)).toEqual({ kind: 'error', error: 'reset' });
      expect(connections).toBe(1);
    } finally {
      p.close();
    }
  });
});
