import * as grpc from '@grpc/grpc-js';
import {
  CdnError,
  callOptions,
  createTierClient,
  deadlineIn,
  fromServiceError,
  unaryCall,
  writeFetchReply,
  type StatsReply__Output,
  type TierClient,
} from '../src';
import { startTier, statsReply, type StartedTier } from './tier-fixture';

describe('deadlines and cancellation across hops', () => {
  const started: StartedTier[] = [];
  const clients: grpc.Client[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(started.map((s) => s.close()));
  });
  const tier = async (...args: Parameters<typeof startTier>): Promise<StartedTier> => {
    const s = await startTier(...args);
    started.push(s);
    return s;
  };
  const client = (address: string): TierClient => {
    const c = createTierClient(address);
    clients.push(c);
    return c;
  };

  it('refuses a call without a deadline before anything is sent', async () => {
    let handled = 0;
    const b = await tier({ Stats: (_call, cb) => { handled++; cb(null, statsReply('b')); } });
    const c = client(b.address);
    expect(() => c.Stats({}, () => undefined)).toThrow(/without a deadline/);
    expect(() => c.Stats({}, { deadline: Infinity }, () => undefined)).toThrow(CdnError);
    // The same call with a deadline goes through.
    await expect(unaryCall<StatsReply__Output>((cb) => c.Stats({}, callOptions(5000), cb))).resolves.toMatchObject({ nodeId: 'b' });
    expect(handled).toBe(1);
  });

  it('maps an expired deadline to UPSTREAM_TIMEOUT, which the edge answers with 504', async () => {
    const hung = await tier({ Stats: () => undefined });
    const c = client(hung.address);
    const error = await unaryCall<StatsReply__Output>((cb) => c.Stats({}, callOptions(100), cb)).then(
      () => { throw new Error('expected the call to fail'); },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CdnError);
    expect((error as CdnError).code).toBe('UPSTREAM_TIMEOUT');
    expect((error as CdnError).httpStatus).toBe(504);
    expect(((error as CdnError).cause as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('propagates the first hop deadline to the second hop through { parent: call }', async () => {
    let seenAtB: number | undefined;
    const b = await tier({
      Stats: (call) => {
        const d = call.getDeadline();
        seenAtB = d instanceof Date ? d.getTime() : d;
        // never answers: the deadline must end the call
      },
    });
    const toB = client(b.address);
    let errorAtA: unknown;
    const a = await tier({
      Stats: (call, cb) => {
        // A asks for 30 s of its own; the caller's 300 ms must win.
        toB.Stats({}, callOptions(30_000, call), (err, reply) => {
          errorAtA = err;
          if (err) {
            cb(err);
            return;
          }
          cb(null, reply);
        });
      },
    });
    const c = client(a.address);
    const clientDeadline = deadlineIn(300);
    const started = Date.now();
    const error = await unaryCall<StatsReply__Output>((cb) => c.Stats({}, { deadline: clientDeadline }, cb)).catch((e: unknown) => e);
    expect(fromServiceError(error).code).toBe('UPSTREAM_TIMEOUT');
    expect(seenAtB).toBeDefined();
    // B's deadline is the client's (give or take clock rounding on the wire), not A's 30 s.
    expect(seenAtB as number).toBeLessThanOrEqual(clientDeadline + 50);
    expect(Date.now() - started).toBeLessThan(10_000);
    // A's own upstream call ended too: by its deadline timer or by the
    // cancellation of A's server call when that deadline passed there, whichever fired first.
    for (let i = 0; i < 100 && errorAtA === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(['UPSTREAM_TIMEOUT', 'CANCELLED']).toContain(fromServiceError(errorAtA).code);
  });

  it('propagates client cancellation to the upstream server call', async () => {
    let resolveCancelled!: () => void;
    const cancelledAtB = new Promise<void>((resolve) => (resolveCancelled = resolve));
    const b = await tier({
      Fetch: (call) => {
        call.on('cancelled', () => resolveCancelled());
        // head now, body never: the call stays open until someone cancels it
        call.write({ head: { status: 200, servedBy: 'b' } });
      },
    });
    const toB = client(b.address);
    const a = await tier({
      Fetch: (call) => {
        const upstream = toB.Fetch(call.request, callOptions(30_000, call));
        upstream.on('data', (reply) => call.write(reply));
        upstream.on('error', () => undefined);
        call.on('cancelled', () => undefined);
      },
    });
    const c = client(a.address);
    const stream = c.Fetch({ method: 'GET', target: '/slow' }, callOptions(30_000));
    const clientError = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    stream.once('data', () => stream.cancel());
    await cancelledAtB;
    expect((await clientError).code).toBe(grpc.status.CANCELLED);
  });

  it('stops writing a reply when the caller cancels (writeFetchReply rejects with CANCELLED)', async () => {
    let outcome: Promise<unknown> | undefined;
    const b = await tier({
      Fetch: (call) => {
        async function* endless(): AsyncGenerator<Uint8Array> {
          for (let i = 0; i < 100_000; i++) {
            yield Buffer.alloc(64 * 1024, i % 256);
            await new Promise((r) => setImmediate(r));
          }
        }
        outcome = writeFetchReply(call, { status: 200 }, endless()).then(() => 'finished', (e: unknown) => e);
      },
    });
    const c = client(b.address);
    const stream = c.Fetch({ method: 'GET', target: '/endless' }, callOptions(30_000));
    stream.on('error', () => undefined);
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.cancel();
    for (let i = 0; i < 100 && !outcome; i++) await new Promise((r) => setTimeout(r, 10));
    const result = await outcome;
    expect(result).toBeInstanceOf(CdnError);
    expect((result as CdnError).code).toBe('CANCELLED');
  });
});
