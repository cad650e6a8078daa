/**
 * Adversarial but well-framed gRPC messages on the Control service, over
 * loopback, with fake tier nodes behind it: no crash, the control plane
 * keeps serving, a bad field is INVALID_ARGUMENT naming it, and one request
 * does not turn into thousands of calls to the nodes.
 */
import * as vm from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import { MAX_ERROR_DETAILS_LENGTH, callOptions, createControlClient, type ControlClient, type StatsReport__Output } from '@cdnlab/rpc';
import { startControl, type ControlHandle } from '../src';
import { TREE, startFakeTier, type FakeTier } from './fake-tier';
import { baseConfig, captureLogger, treeNodes } from './support';

const MB = 'a'.repeat(1 << 20);

// Jest gives a test file its own `process`; the control plane runs in the real one.
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
const crashes: unknown[] = [];
const onCrash = (e: unknown): void => {
  crashes.push(e);
};

const fakes = new Map<string, FakeTier>();
let control: ControlHandle;
let client: ControlClient;

beforeAll(async () => {
  hostProcess.on('uncaughtException', onCrash);
  hostProcess.on('unhandledRejection', onCrash);
  for (const n of TREE) fakes.set(n.id, await startFakeTier(n.id));
  control = await startControl(baseConfig(treeNodes(fakes), { rpcTimeoutMs: 1500 }), { logger: captureLogger().logger });
  client = createControlClient(`127.0.0.1:${control.grpcPort}`, { token: control.token });
});
afterAll(async () => {
  client?.close();
  await control?.stop();
  await Promise.all([...fakes.values()].map((f) => f.close()));
  hostProcess.off('uncaughtException', onCrash);
  hostProcess.off('unhandledRejection', onCrash);
});
afterEach(() => {
  expect(crashes).toEqual([]);
});

interface Outcome<R = unknown> {
  code: grpc.status;
  details: string;
  reply?: R;
}

function unaryOutcome<R>(start: (cb: grpc.requestCallback<R>) => unknown): Promise<Outcome<R>> {
  return new Promise((resolve) => {
    start((e, reply) => resolve(e ? { code: e.code, details: e.details } : { code: grpc.status.OK, details: '', reply }));
  });
}

const stats = (nodeIds: string[], timeoutMs = 4000) => unaryOutcome<StatsReport__Output>((cb) => client.Stats({ nodeIds }, callOptions(timeoutMs), cb));

function expectInvalid(o: Outcome, words: string): void {
  expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(o.details).toContain(words);
  expect(o.details.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
}

async function stillServes(): Promise<void> {
  const o = await stats(['e1']);
  expect(o.code).toBe(grpc.status.OK);
  expect(o.reply?.nodes.map((n) => n.nodeId)).toEqual(['e1']);
}

describe('Control.Stats', () => {
  // The message quoted the whole id: a megabyte in the grpc-message trailer
  // broke the connection, and the next call on it timed out too.
  it('with a megabyte of unknown node id: a short INVALID_ARGUMENT, and the connection still works', async () => {
    expectInvalid(await stats([MB]), 'node_ids[0]');
    await stillServes();
  });

  it('with one node named 20 000 times: that node is asked once', async () => {
    const before = fakes.get('e1')!.statsCalls;
    const o = await stats(Array.from({ length: 20_000 }, () => 'e1'));
    expect(o.code).toBe(grpc.status.OK);
    expect(o.reply?.nodes.map((n) => n.nodeId)).toEqual(['e1']);
    expect(fakes.get('e1')!.statsCalls - before).toBe(1);
  });
});

describe('Control.Purge', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['no kind', {}, 'kind'],
    ['a kind the proto does not define', { kind: 99 }, 'kind'],
    ['a mode the proto does not define', { kind: 'PURGE_KIND_ALL', mode: 99 }, 'mode'],
    ['a fan-out the proto does not define', { kind: 'PURGE_KIND_ALL', fanout: 99 }, 'fanout'],
    ['a megabyte of value', { kind: 'PURGE_KIND_URL', value: MB }, 'value'],
    ['a value with CR LF', { kind: 'PURGE_KIND_URL', value: '/a\r\nb' }, 'value'],
  ])('with %s: INVALID_ARGUMENT naming the field, and no node is called', async (_name, req, words) => {
    const before = [...fakes.values()].reduce((n, f) => n + f.purges.length, 0);
    expectInvalid(await unaryOutcome((cb) => client.Purge(req as never, callOptions(4000), cb)), words);
    expect([...fakes.values()].reduce((n, f) => n + f.purges.length, 0)).toBe(before);
    await stillServes();
  });
});

describe('Control.Events', () => {
  it('with odd type filters, or cancelled by the caller: the stream ends and the service keeps serving', async () => {
    for (const types of [['purge.applied'], [MB], Array.from({ length: 100_000 }, (_, i) => `t${i}`), ['\0', '']]) {
      const call = client.Events({ types }, callOptions(3000));
      const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
        call.on('data', () => undefined);
        call.on('error', (e: grpc.ServiceError) => resolve(e));
        call.on('end', () => resolve(undefined));
      });
      await new Promise((r) => setTimeout(r, 50));
      call.cancel();
      const e = await ended;
      // A filter may be refused as it arrives, or taken and never matched: either way the stream ends when asked.
      expect([grpc.status.CANCELLED, grpc.status.INVALID_ARGUMENT]).toContain(e?.code);
      if (e?.code === grpc.status.INVALID_ARGUMENT) expect(e.details.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
    }
    await stillServes();
  });
});
