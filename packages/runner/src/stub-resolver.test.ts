import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { clientSubnetOpt, createStubResolver, DnsLookupError, queryA } from './stub-resolver';

// A tiny authoritative server on real UDP: answers A with a TTL we choose,
// and records the source address of each query.

interface Fake {
  port: number;
  sources: string[];
  /** The EDNS Client Subnet option of each query, when it had one. */
  subnets: Array<{ family?: number; sourcePrefixLength?: number; ip?: string } | undefined>;
  ttl: number;
  address: string;
  mode: 'answer' | 'silent' | 'nxdomain' | 'wrong-id';
  close(): Promise<void>;
}

function fakeDns(): Promise<Fake> {
  const socket = dgram.createSocket('udp4');
  const fake: Fake = {
    port: 0,
    sources: [],
    subnets: [],
    ttl: 5,
    address: '127.1.1.1',
    mode: 'answer',
    close: () => new Promise((r) => socket.close(() => r())),
  };
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    fake.sources.push(rinfo.address);
    const opt = (q.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
    fake.subnets.push(opt?.options.find((o) => (o.code as unknown) === 8 || (o.code as unknown) === 'CLIENT_SUBNET') as Fake['subnets'][number]);
    if (fake.mode === 'silent') return;
    const reply =
      fake.mode === 'nxdomain'
        ? dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | 3, questions: q.questions, answers: [] })
        : dnsPacket.encode({
            type: 'response',
            id: fake.mode === 'wrong-id' ? ((q.id ?? 0) + 1) & 0xffff : q.id,
            flags: dnsPacket.AUTHORITATIVE_ANSWER,
            questions: q.questions,
            answers: [{ type: 'A', name: 'cdn.test', ttl: fake.ttl, data: fake.address }],
          });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => {
      fake.port = socket.address().port;
      resolve(fake);
    }),
  );
}

describe('stub resolver', () => {
  let dns: Fake;
  beforeAll(async () => {
    dns = await fakeDns();
  });
  afterAll(() => dns.close());
  beforeEach(() => {
    dns.sources = [];
    dns.subnets = [];
    dns.mode = 'answer';
    dns.ttl = 5;
  });

  it('asks from the client address and keeps the answer for its TTL, then asks again', async () => {
    let now = 1_000_000;
    const r = createStubResolver({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.20.0.7', name: 'cdn.test', now: () => now });
    const first = await r.resolve();
    expect(first.addresses).toEqual(['127.1.1.1']);
    expect(first.expiresAt).toBe(now + 5000);
    expect(dns.sources).toEqual(['127.20.0.7']);

    now += 4999;
    dns.address = '127.1.1.2';
    expect((await r.resolve()).addresses).toEqual(['127.1.1.1']);
    expect(r.queries).toBe(1);

    now += 1;
    expect((await r.resolve()).addresses).toEqual(['127.1.1.2']);
    expect(r.queries).toBe(2);
    dns.address = '127.1.1.1';
  });

  it('shares one query among concurrent callers', async () => {
    const r = createStubResolver({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.0.0.1', name: 'cdn.test' });
    const all = await Promise.all(Array.from({ length: 20 }, () => r.resolve()));
    expect(new Set(all.map((a) => a.addresses[0]))).toEqual(new Set(['127.1.1.1']));
    expect(r.queries).toBe(1);
  });

  it('a TTL of 0 means every request resolves again', async () => {
    dns.ttl = 0;
    const r = createStubResolver({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.0.0.1', name: 'cdn.test' });
    await r.resolve();
    await r.resolve();
    expect(r.queries).toBe(2);
  });

  it('retries a lost query, then fails with a DNS error', async () => {
    dns.mode = 'silent';
    const r = createStubResolver({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.0.0.1', name: 'cdn.test', timeoutMs: 100, attempts: 2 });
    await expect(r.resolve()).rejects.toThrow(DnsLookupError);
    expect(dns.sources).toHaveLength(2);
  });

  it('ignores an answer with another id (RFC 5452) and times out', async () => {
    dns.mode = 'wrong-id';
    await expect(queryA({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.0.0.1', name: 'cdn.test', timeoutMs: 150 }, 42)).rejects.toThrow(/no DNS answer/);
  });

  it('reports NXDOMAIN', async () => {
    dns.mode = 'nxdomain';
    await expect(queryA({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.0.0.1', name: 'cdn.test' }, 7)).rejects.toThrow(/NXDOMAIN/);
  });

  it('without a source address, announces the client by EDNS Client Subnet with a /24 (RFC 7871)', async () => {
    const r = createStubResolver({ server: { host: '127.0.0.1', port: dns.port }, clientSubnet: '127.20.3.77', name: 'cdn.test' });
    expect((await r.resolve()).addresses).toEqual(['127.1.1.1']);
    expect(dns.sources).toEqual(['127.0.0.1']);
    expect(dns.subnets).toEqual([expect.objectContaining({ family: 1, sourcePrefixLength: 24, ip: '127.20.3.0' })]);
  });

  it('sends no ECS option when the client sends from its own address', async () => {
    await createStubResolver({ server: { host: '127.0.0.1', port: dns.port }, localAddress: '127.0.0.1', name: 'cdn.test' }).resolve();
    expect(dns.subnets).toEqual([undefined]);
  });

  it('rejects a client subnet that is not an IPv4 address', () => {
    expect(() => clientSubnetOpt('10.0.0')).toThrow(/expected opts.clientSubnet to be an IPv4 address, got "10.0.0"/);
    expect(() => clientSubnetOpt('10.0.0.256')).toThrow(/IPv4 address/);
  });

  it('validates attempts', () => {
    expect(() => createStubResolver({ server: { host: '127.0.0.1', port: 1 }, localAddress: '127.0.0.1', name: 'x', attempts: 0 })).toThrow(/expected opts.attempts to be a positive integer, got 0/);
  });
});
