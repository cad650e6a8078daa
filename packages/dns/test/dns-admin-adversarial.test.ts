/**
 * DnsAdmin over real gRPC with adversarial but well-framed values. Several
 * of its messages quote the value they refuse; a megabyte of it made a
 * grpc-message trailer the client refused, and the HTTP/2 connection broke
 * for every call on it. @cdnlab/rpc's toServiceError now cuts every status
 * message to MAX_ERROR_DETAILS_LENGTH; this pins it for this service.
 */
import * as vm from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { MAX_ERROR_DETAILS_LENGTH, callOptions, createDnsAdminClient, type DnsAdminClient } from '@cdnlab/rpc';
import { createDnsServer, type DnsServer } from '../src';

const TOKEN = 'dns-adversarial-test-token';
const MB = 'a'.repeat(1 << 20);

// Jest gives a test file its own `process`; the server runs in the real one.
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
const crashes: unknown[] = [];
const onCrash = (e: unknown): void => {
  crashes.push(e);
};

let server: DnsServer;
let admin: DnsAdminClient;

beforeAll(async () => {
  hostProcess.on('uncaughtException', onCrash);
  hostProcess.on('unhandledRejection', onCrash);
  server = createDnsServer(
    {
      zone: 'cdn.cdnlab.test',
      listen: { host: '127.0.0.1', port: 0 },
      ttlSeconds: 30,
      answers: 1,
      policy: 'geo',
      edges: [
        { id: 'eu-1', region: 'eu', address: '127.0.31.1', grpcAddress: '127.0.0.1:9' },
        { id: 'us-1', region: 'us', address: '127.0.32.1', grpcAddress: '127.0.0.1:9' },
      ],
      regions: [
        { name: 'eu', cidrs: ['10.1.0.0/16'] },
        { name: 'us', cidrs: ['10.2.0.0/16'] },
      ],
      distances: { eu: { us: 80 }, us: { eu: 80 } },
      health: { intervalMs: 1000, timeoutMs: 50, fall: 1, rise: 1 },
      anycast: { address: '127.0.0.1', port: 0, targets: { 'eu-1': '127.0.31.1:9', 'us-1': '127.0.32.1:9' } },
      admin: { host: '127.0.0.1', port: 0, token: TOKEN },
    },
    { probe: async () => true, logger: pino({ level: 'silent' }) },
  );
  const ports = await server.start();
  admin = createDnsAdminClient(`127.0.0.1:${ports.adminPort}`, { token: TOKEN });
});
afterAll(async () => {
  admin?.close();
  await server?.stop();
  hostProcess.off('uncaughtException', onCrash);
  hostProcess.off('unhandledRejection', onCrash);
});
afterEach(() => {
  expect(crashes).toEqual([]);
});

function outcome(start: (cb: grpc.requestCallback<unknown>) => unknown): Promise<{ code: grpc.status; details: string }> {
  return new Promise((resolve) => {
    start((e) => resolve(e ? { code: e.code, details: e.details } : { code: grpc.status.OK, details: '' }));
  });
}

it.each<[string, (cb: grpc.requestCallback<unknown>) => unknown, string]>([
  ['policy', (cb) => admin.SetPolicy({ policy: MB }, callOptions(3000), cb), 'policy'],
  ['weights[0].edge_id', (cb) => admin.SetPolicy({ weights: [{ edgeId: MB, weight: 1 }] }, callOptions(3000), cb), 'weights'],
  ['latency_ms[0].region', (cb) => admin.SetPolicy({ latencyMs: [{ region: MB, edgeId: 'eu-1', value: 1 }] }, callOptions(3000), cb), 'latency_ms'],
  ['costs[0].region', (cb) => admin.SetRouteCosts({ costs: [{ region: MB, edgeId: 'eu-1', value: 1 }] }, callOptions(3000), cb), 'costs[0].region'],
  ['costs[0].edge_id', (cb) => admin.SetRouteCosts({ costs: [{ region: 'eu', edgeId: MB, value: 1 }] }, callOptions(3000), cb), 'costs[0].edge_id'],
])('a megabyte of %s: a short INVALID_ARGUMENT, and the connection still works', async (_name, call, field) => {
  const o = await outcome(call);
  expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(o.details).toContain(field);
  expect(o.details.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
  expect((await outcome((cb) => admin.GetState({}, callOptions(3000), cb))).code).toBe(grpc.status.OK);
});

it.each<[string, (cb: grpc.requestCallback<unknown>) => unknown]>([
  ['policy', (cb) => admin.SetPolicy({ policy: MB }, callOptions(3000), cb)],
  ['weights', (cb) => admin.SetPolicy({ weights: [{ edgeId: MB, weight: 1 }] }, callOptions(3000), cb)],
  ['latency_ms', (cb) => admin.SetPolicy({ latencyMs: [{ region: MB, edgeId: 'eu-1', value: 1 }] }, callOptions(3000), cb)],
  ['costs', (cb) => admin.SetRouteCosts({ costs: [{ region: 'eu', edgeId: MB, value: 1 }] }, callOptions(3000), cb)],
])('a megabyte of %s is quoted short by the service itself, not only cut by the transport', async (_name, call) => {
  const o = await outcome(call);
  expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(o.details).toMatch(/a\.\.\./);
  expect(o.details.length).toBeLessThan(300);
});

it.each<[string, (cb: grpc.requestCallback<unknown>) => unknown, string]>([
  // Two edges, two regions: at most 2 weights, and 4 cells of latency or cost.
  ['weights', (cb) => admin.SetPolicy({ weights: Array.from({ length: 3 }, () => ({ edgeId: 'eu-1', weight: 1 })) }, callOptions(3000), cb), 'weights: expected at most 2 entries (one per edge), got 3'],
  ['latency_ms', (cb) => admin.SetPolicy({ latencyMs: Array.from({ length: 5 }, () => ({ region: 'eu', edgeId: 'eu-1', value: 1 })) }, callOptions(3000), cb), 'latency_ms: expected at most 4 entries (one per region and edge), got 5'],
  ['costs', (cb) => admin.SetRouteCosts({ costs: Array.from({ length: 100_000 }, () => ({ region: 'eu', edgeId: 'eu-1', value: 1 })) }, callOptions(5000), cb), 'costs: expected at most 4 entries (one per region and edge), got 100000'],
])('more %s than the node has cells for: refused before anything is built', async (_name, call, message) => {
  const o = await outcome(call);
  expect(o).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: message });
  expect((await outcome((cb) => admin.GetState({}, callOptions(3000), cb))).code).toBe(grpc.status.OK);
});
