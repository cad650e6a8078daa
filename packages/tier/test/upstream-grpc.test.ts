/**
 * createGrpcUpstream against a real fake parent (a Tier server on loopback):
 * how the reply stream is read (head, many chunks with back-pressure, a
 * second head, errors) and when the call is cancelled (client gone, body left).
 */
import type * as grpc from '@grpc/grpc-js';
import { createRpcServer, loadProtos, type FetchServerCall, type RpcServer } from '@cdnlab/rpc';
import { createGrpcUpstream, realScheduler, type GrpcUpstream, type UpstreamRequest } from '../src';

const CHUNKS = 40;
let parent: RpcServer;
let upstream: GrpcUpstream;
/** Resolves when the parent sees its call for `target` cancelled. */
const cancelled = new Map<string, () => void>();
const cancelledP = (target: string) => new Promise<void>((r) => cancelled.set(target, r));

beforeAll(async () => {
  parent = createRpcServer();
  parent.addService(loadProtos().tier.Tier.service, {
    Fetch(call: FetchServerCall) {
      const target = call.request.target;
      call.on('cancelled', () => cancelled.get(target)?.());
      const head = { status: 200, headers: [{ name: 'Content-Type', value: 'text/plain' }], servedBy: 'parent', originFetchedAtMs: 42 };
      if (target === '/many') {
        // Written without waiting for the reader: the reader must pause the stream, not drop or reorder.
        call.write({ head });
        for (let i = 0; i < CHUNKS; i++) call.write({ chunk: Buffer.from(`${i};`) });
        call.end();
      } else if (target === '/two-heads') {
        call.write({ head });
        call.write({ chunk: Buffer.from('a') });
        call.write({ head });
        call.end();
      } else if (target === '/no-head') {
        call.write({ chunk: Buffer.from('a') });
        call.end();
      } else if (target === '/fail') {
        call.emit('error', { code: 14, details: 'parent is going away' });
      } else if (target.startsWith('/hang')) {
        call.write({ head });
        call.write({ chunk: Buffer.from('first') });
        // ... and nothing more until cancelled.
      }
    },
    Purge: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {}),
    Stats: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, {}),
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await parent.listen('127.0.0.1', 0);
  parent.setServing(true);
  upstream = createGrpcUpstream({ parents: [{ id: 'parent', address: `127.0.0.1:${port}` }], scheduler: realScheduler, region: 'eu' });
});

afterAll(async () => {
  upstream?.close();
  await parent?.shutdown(200);
});

function req(target: string, signal = new AbortController().signal): UpstreamRequest {
  return {
    head: { method: 'GET', scheme: 'http', host: 'cdn.test', target, headers: [] },
    cacheKey: `http://cdn.test${target}`,
    notBefore: 0,
    hops: 1,
    noStore: false,
    requestId: 'r',
    deadline: Date.now() + 5000,
    signal,
  };
}

async function readBody(body: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const c of body) out += Buffer.from(c).toString();
  return out;
}

describe('the reply stream of a parent', () => {
  it('gives the head with lower-case names, then every chunk in order, reading slowly', async () => {
    const res = await upstream.fetch(req('/many'));
    expect(res.head).toEqual({ status: 200, headers: [['content-type', 'text/plain']] });
    expect(res.originFetchedAt).toBe(42);
    expect(res.servedBy).toBe('parent');
    let out = '';
    for await (const c of res.body) {
      out += Buffer.from(c).toString();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(out).toBe(Array.from({ length: CHUNKS }, (_, i) => `${i};`).join(''));
  });

  it('fails on a second head, on a reply without a head, and with the parent\'s status', async () => {
    const two = await upstream.fetch(req('/two-heads'));
    await expect(readBody(two.body)).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('second head') });
    await expect(upstream.fetch(req('/no-head'))).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('without a response head') });
    await expect(upstream.fetch(req('/fail'))).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('cancels the call when the client goes away mid-body', async () => {
    const abort = new AbortController();
    const seen = cancelledP('/hang-abort');
    const res = await upstream.fetch(req('/hang-abort', abort.signal));
    const it = res.body[Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe('first');
    const failed = expect(it.next()).rejects.toMatchObject({ code: 'CANCELLED' });
    abort.abort();
    await seen;
    await failed;
  });

  it('cancels the call when the body is left early, since nobody reads the rest', async () => {
    const seen = cancelledP('/hang-leave');
    const res = await upstream.fetch(req('/hang-leave'));
    for await (const c of res.body) {
      expect(Buffer.from(c).toString()).toBe('first');
      break;
    }
    await seen;
  });
});
