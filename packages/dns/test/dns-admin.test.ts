/**
 * DnsAdmin over real gRPC: switch the policy and its parameters while the
 * DNS server answers real queries, and change anycast route costs.
 */
import pino from 'pino';
import {
  callOptions,
  createDnsAdminClient,
  unaryCall,
  type DnsAdminClient,
  type DnsState__Output,
  type SetRouteCostsReply__Output,
} from '@cdnlab/rpc';
import { createDnsServer, type DnsServer } from '../src';
import { type DnsAnswer, type DnsResult, clientKinds, decodeResult, encodeQuery, query, udpExchange } from './support';

const TOKEN = 'dns-admin-test-token';
const ZONE = 'cdn.cdnlab.test';
const REGIONS = [
  { name: 'eu', cidrs: ['10.1.0.0/16'] },
  { name: 'us', cidrs: ['10.2.0.0/16'] },
];
const EDGES = [
  { id: 'eu-1', region: 'eu', address: '127.0.31.1', grpcAddress: '127.0.0.1:9' },
  { id: 'us-1', region: 'us', address: '127.0.32.1', grpcAddress: '127.0.0.1:9' },
];

/** One A query over UDP with an ECS subnet; answers as address and TTL. */
async function nodeQueryA(port: number, name: string, subnet: string): Promise<{ answers: Array<{ address: string; ttl: number }> }> {
  const r = decodeResult(await udpExchange('127.0.0.1', port, encodeQuery({ name, type: 'A', subnet }, 1 + Math.floor(Math.random() * 65000))));
  return { answers: r.answers.filter((a) => a.type === 'A').map((a) => ({ address: a.data, ttl: a.ttl })) };
}

let server: DnsServer;
let dnsPort: number;
let admin: DnsAdminClient;
let anonymous: DnsAdminClient;

beforeAll(async () => {
  server = createDnsServer(
    {
      zone: ZONE,
      listen: { host: '127.0.0.1', port: 0 },
      ttlSeconds: 30,
      answers: 1,
      policy: 'geo',
      edges: EDGES,
      regions: REGIONS,
      distances: { eu: { us: 80 }, us: { eu: 80 } },
      health: { intervalMs: 50, timeoutMs: 50, fall: 1, rise: 1 },
      // The router is never connected to here: only its route table matters.
      anycast: { address: '127.0.0.1', port: 0, targets: { 'eu-1': '127.0.31.1:9', 'us-1': '127.0.32.1:9' } },
      admin: { host: '127.0.0.1', port: 0, token: TOKEN },
    },
    { probe: async () => true, logger: pino({ level: 'silent' }) },
  );
  const ports = await server.start();
  dnsPort = ports.udpPort;
  if (ports.adminPort === undefined) throw new Error('no admin port');
  admin = createDnsAdminClient(`127.0.0.1:${ports.adminPort}`, { token: TOKEN });
  anonymous = createDnsAdminClient(`127.0.0.1:${ports.adminPort}`);
  for (let i = 0; i < 100 && !EDGES.every((e) => server.health.state(e.id) === 'up'); i++) await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  admin?.close();
  anonymous?.close();
  await server?.stop();
});

const getState = () => unaryCall<DnsState__Output>((cb) => admin.GetState({}, callOptions(5000), cb));
const euAnswer = async () => (await nodeQueryA(dnsPort, ZONE, '10.1.7.0/24')).answers;

it('refuses calls without the token', async () => {
  await expect(unaryCall((cb) => anonymous.GetState({}, callOptions(5000), cb))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
});

it('reports the policy, its parameters and the anycast routes', async () => {
  const s = await getState();
  expect(s.policy).toBe('geo');
  expect(s.policies).toEqual(expect.arrayContaining(['geo', 'weighted', 'least-loaded', 'latency', 'round-robin']));
  expect(s.answers).toBe(1);
  expect(s.ttlSeconds).toBe(30);
  expect(s.anycast).toBe(true);
  expect(s.weights).toEqual([{ edgeId: 'eu-1', weight: 1 }, { edgeId: 'us-1', weight: 1 }]);
});

it('switches to weighted with new weights: the next answers follow them', async () => {
  expect(await euAnswer()).toEqual([{ address: '127.0.31.1', ttl: 30 }]);
  const s = await unaryCall<DnsState__Output>((cb) => admin.SetPolicy({ policy: 'weighted', weights: [{ edgeId: 'eu-1', weight: 0 }], ttlSeconds: 5 }, callOptions(5000), cb));
  expect(s.policy).toBe('weighted');
  expect(s.ttlSeconds).toBe(5);
  for (let i = 0; i < 10; i++) expect(await euAnswer()).toEqual([{ address: '127.0.32.1', ttl: 5 }]);
  await unaryCall((cb) => admin.SetPolicy({ policy: 'geo', weights: [{ edgeId: 'eu-1', weight: 1 }] }, callOptions(5000), cb));
  expect(await euAnswer()).toEqual([{ address: '127.0.31.1', ttl: 5 }]);
});

it('takes a new latency table for the latency policy', async () => {
  await unaryCall((cb) => admin.SetPolicy({ policy: 'latency', latencyMs: [{ region: 'eu', edgeId: 'eu-1', value: 90 }, { region: 'eu', edgeId: 'us-1', value: 10 }] }, callOptions(5000), cb));
  expect((await euAnswer())[0].address).toBe('127.0.32.1');
  const s = await unaryCall<DnsState__Output>((cb) => admin.SetPolicy({ latencyMs: [{ region: 'eu', edgeId: 'eu-1', value: 1 }] }, callOptions(5000), cb));
  expect(s.latencyMs).toEqual(expect.arrayContaining([{ region: 'eu', edgeId: 'eu-1', value: 1 }, { region: 'eu', edgeId: 'us-1', value: 10 }]));
  expect((await euAnswer())[0].address).toBe('127.0.31.1');
  await unaryCall((cb) => admin.SetPolicy({ policy: 'geo' }, callOptions(5000), cb));
});

it('refuses bad values naming the field, and changes nothing', async () => {
  await expect(unaryCall((cb) => admin.SetPolicy({ policy: 'nearest' }, callOptions(5000), cb))).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^policy: expected one of geo/) });
  await expect(unaryCall((cb) => admin.SetPolicy({ policy: 'weighted', weights: [{ edgeId: 'eu-9', weight: 1 }] }, callOptions(5000), cb))).rejects.toMatchObject({ message: expect.stringMatching(/^weights\.eu-9: not an edge/) });
  await expect(unaryCall((cb) => admin.SetPolicy({ answers: 0 }, callOptions(5000), cb))).rejects.toMatchObject({ message: expect.stringMatching(/^answers: expected an integer from 1/) });
  await expect(unaryCall((cb) => admin.SetRouteCosts({ costs: [{ region: 'mars', edgeId: 'eu-1', value: 1 }] }, callOptions(5000), cb))).rejects.toMatchObject({ message: expect.stringMatching(/^costs\[0\]\.region: "mars" is not a region/) });
  await expect(unaryCall((cb) => admin.SetRouteCosts({ costs: [{ region: 'eu', edgeId: 'eu-1', value: -1 }] }, callOptions(5000), cb))).rejects.toMatchObject({ message: expect.stringMatching(/^costs\[0\]\.value/) });
  expect((await getState()).policy).toBe('geo');
});

it('changes anycast route costs: a region moves to the cheaper edge', async () => {
  expect(server.anycast?.route('eu')?.id).toBe('eu-1');
  const r = await unaryCall<SetRouteCostsReply__Output>((cb) => admin.SetRouteCosts({ costs: [{ region: 'eu', edgeId: 'us-1', value: 0 }, { region: 'eu', edgeId: 'eu-1', value: 50 }] }, callOptions(5000), cb));
  expect(r.routes).toEqual({ eu: 'us-1', us: 'us-1' });
  expect(r.broken).toBe(0);
  expect(server.anycast?.route('eu')?.id).toBe('us-1');
  expect(r.routeCosts).toEqual(expect.arrayContaining([{ region: 'eu', edgeId: 'eu-1', value: 50 }, { region: 'us', edgeId: 'eu-1', value: 80 }]));
});

describe.each(clientKinds())('a TTL changed at run time, as seen by the %s client', (kind) => {
  const ask = (name: string, type?: 'A' | 'SOA' | 'TXT' | 'ANY'): Promise<DnsResult> => query(kind, { port: dnsPort, name, type, subnet: '10.1.7.0/24' });
  const setTtl = (ttlSeconds: number) => unaryCall<DnsState__Output>((cb) => admin.SetPolicy({ ttlSeconds }, callOptions(5000), cb));
  /** SOA RDATA in presentation form: mname rname serial refresh retry expire minimum. */
  const soaFields = (r: DnsAnswer | undefined) => {
    const f = (r?.data ?? '').split(' ');
    return { ttl: r?.ttl, serial: Number(f[2]), minimum: Number(f[6]) };
  };
  /** Every TTL the server hands out: the zone's records, negative answers and the policy's answer. */
  const zoneTtls = async () => {
    const soa = soaFields((await ask(ZONE, 'SOA')).answers[0]);
    const nx = await ask(`nothing.${ZONE}`);
    const nodata = await ask(ZONE, 'TXT');
    const edge = await ask(`eu-1.${ZONE}`);
    return {
      soa,
      // RFC 2308 §5: the negative TTL is min(SOA TTL, SOA MINIMUM); both carry it.
      nxdomain: [nx.rcode, soaFields(nx.authorities[0]).ttl, soaFields(nx.authorities[0]).minimum],
      nodata: [nodata.rcode, nodata.answers.length, soaFields(nodata.authorities[0]).ttl],
      edgeName: edge.answers.map((a) => a.ttl),
      // RFC 8482's synthesized HINFO borrows the negative TTL.
      any: (await ask(ZONE, 'ANY')).answers.map((a) => [a.type, a.ttl]),
      policyAnswer: (await ask(ZONE)).answers.map((a) => a.ttl),
    };
  };

  it('SOA TTL and MINIMUM, negative answers and per-edge names follow it; the serial moves only when the zone changed', async () => {
    await setTtl(12);
    const at12 = await zoneTtls();
    expect(at12).toEqual({
      soa: { ttl: 12, serial: expect.any(Number), minimum: 12 },
      nxdomain: ['NXDOMAIN', 12, 12],
      nodata: ['NOERROR', 0, 12],
      edgeName: [12],
      any: [['HINFO', 12]],
      policyAnswer: [12],
    });
    // The same TTL again changes nothing in the zone, so not its version either.
    await setTtl(12);
    expect((await zoneTtls()).soa.serial).toBe(at12.soa.serial);

    await setTtl(3);
    const at3 = await zoneTtls();
    expect(at3).toEqual({
      soa: { ttl: 3, serial: expect.any(Number), minimum: 3 },
      nxdomain: ['NXDOMAIN', 3, 3],
      nodata: ['NOERROR', 0, 3],
      edgeName: [3],
      any: [['HINFO', 3]],
      policyAnswer: [3],
    });
    // RFC 1982 serial arithmetic: later, and not by half the space or more.
    const step = (at3.soa.serial - at12.soa.serial) >>> 0;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(2 ** 31);
  });
});
