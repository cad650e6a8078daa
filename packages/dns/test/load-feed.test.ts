/**
 * The least-loaded policy fed by the edges' real Tier.Stats over gRPC: two
 * fake edges report requests in flight; DNS answers with the lighter one,
 * and follows when the load moves.
 */
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { createBearerAuth, createRpcServer, loadProtos, toServiceError, type RpcServer, type StatsReply } from '@cdnlab/rpc';
import { createDnsServer, type DnsServer } from '../src';
import { createGrpcLoadFeed } from '../src/load-feed-grpc';
import { decodeResult, encodeQuery, udpExchange } from './support';

const TOKEN = 'load-feed-test-token';
const inflight: Record<string, number> = { 'eu-1': 7, 'eu-2': 1 };
const servers: RpcServer[] = [];
const addresses: Record<string, string> = {};
let dns: DnsServer;
let dnsPort: number;

async function fakeEdge(id: string): Promise<string> {
  const rpc = createRpcServer();
  const auth = createBearerAuth(TOKEN);
  rpc.addService(loadProtos().tier.Tier.service, {
    Stats(call: grpc.ServerUnaryCall<unknown, StatsReply>, cb: grpc.sendUnaryData<StatsReply>) {
      const denied = auth.check(call.metadata);
      if (denied) return cb(toServiceError(denied));
      cb(null, { nodeId: id, role: 'edge', region: 'eu', counters: { inflight: inflight[id] } });
    },
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await rpc.listen('127.0.0.1', 0);
  rpc.setServing(true);
  servers.push(rpc);
  return `127.0.0.1:${port}`;
}

beforeAll(async () => {
  for (const id of Object.keys(inflight)) addresses[id] = await fakeEdge(id);
  dns = createDnsServer(
    {
      listen: { host: '127.0.0.1', port: 0 },
      answers: 1,
      policy: 'least-loaded',
      regions: [{ name: 'eu', cidrs: ['10.1.0.0/16'] }],
      edges: [
        { id: 'eu-1', region: 'eu', address: '127.0.41.1', grpcAddress: addresses['eu-1'] },
        { id: 'eu-2', region: 'eu', address: '127.0.41.2', grpcAddress: addresses['eu-2'] },
      ],
      health: { intervalMs: 50, timeoutMs: 50, fall: 1, rise: 1 },
      admin: { host: '127.0.0.1', port: 0, token: TOKEN },
      loadFeedIntervalMs: 20,
    },
    { probe: async () => true, logger: pino({ level: 'silent' }) },
  );
  dnsPort = (await dns.start()).udpPort;
});

afterAll(async () => {
  await dns?.stop();
  await Promise.all(servers.map((s) => s.shutdown(100)));
});

let queryId = 1;
const answer = async (): Promise<string> => decodeResult(await udpExchange('127.0.0.1', dnsPort, encodeQuery({ name: 'cdn.cdnlab.test', type: 'A', subnet: '10.1.0.0/24' }, queryId++))).answers[0]?.data ?? '';

async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('answers with the edge that has fewer requests in flight, and follows the load', async () => {
  // Until the first reads land every edge is unknown and they take turns.
  const fourInARow = async (address: string) => (await Promise.all([answer(), answer(), answer(), answer()])).every((a) => a === address);
  await until('eu-2 (1 in flight) answered every time', () => fourInARow('127.0.41.2'));
  inflight['eu-1'] = 0;
  inflight['eu-2'] = 9;
  await until('eu-1 answered every time once it is lighter', () => fourInARow('127.0.41.1'));
});

it('reads nothing with a wrong token: the load stays unknown', async () => {
  const feed = createGrpcLoadFeed({ edges: [{ id: 'eu-1', grpcAddress: addresses['eu-1'] }], token: 'wrong-token-123', intervalMs: 100 });
  await feed.poll();
  expect(feed.load('eu-1')).toBeUndefined();
  const good = createGrpcLoadFeed({ edges: [{ id: 'eu-1', grpcAddress: addresses['eu-1'] }], token: TOKEN, intervalMs: 100 });
  await good.poll();
  expect(good.load('eu-1')).toBe(inflight['eu-1']);
  feed.stop();
  good.stop();
  expect(() => createGrpcLoadFeed({ edges: [], token: TOKEN, intervalMs: 0 })).toThrow('expected opts.intervalMs to be an integer >= 10, got 0');
});
