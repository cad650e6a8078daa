import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  Link,
  callOptions,
  createTierClient,
  fromServiceError,
  readFetchReply,
  unaryCall,
  writeFetchReply,
  type StatsReply__Output,
  type TierClient,
} from '../src';
import { startTier, statsReply, type StartedTier } from './tier-fixture';

function timeStats(c: TierClient, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  return unaryCall<StatsReply__Output>((cb) => c.Stats({}, callOptions(timeoutMs), cb)).then(() => performance.now() - t0);
}

describe('link interceptor over real gRPC', () => {
  let tier: StartedTier;
  const clients: grpc.Client[] = [];
  const body = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 16)) & 0xff;
  let upstreamCancelled = 0;
  let statsServed = 0;

  beforeAll(async () => {
    tier = await startTier({
      Stats: (_call, cb) => {
        statsServed++;
        cb(null, statsReply('t'));
      },
      Fetch: (call) => {
        call.on('cancelled', () => upstreamCancelled++);
        if (call.request.target === '/hang') {
          call.write({ head: { status: 200 } });
          return;
        }
        void writeFetchReply(call, { status: 200, servedBy: 't' }, body).catch(() => undefined);
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await tier.close();
  });
  const client = (link: Link): TierClient => {
    const c = createTierClient(tier.address, { link });
    clients.push(c);
    return c;
  };

  it('adds at least twice the one-way latency to a unary call', async () => {
    const link = new Link({ latencyMs: 40 });
    const c = client(link);
    await timeStats(c); // connect first: the handshake is not what we measure
    for (let i = 0; i < 3; i++) expect(await timeStats(c)).toBeGreaterThanOrEqual(80);
  });

  it('applies a latency changed at run time to the next calls', async () => {
    const link = new Link({ latencyMs: 0 });
    const c = client(link);
    await timeStats(c);
    link.update({ latencyMs: 60 });
    expect(await timeStats(c)).toBeGreaterThanOrEqual(120);
  });

  it('draws jitter from the seed: the call takes at least the delays a twin link draws', async () => {
    const settings = { latencyMs: 10, jitterMs: 40, seed: 42 };
    const c = client(new Link(settings));
    const twin = new Link(settings);
    const warm = new Link({ latencyMs: 0 });
    await timeStats(client(warm));
    // A unary call draws, in order: request message, response head, response
    // message, status. The response events arrive together and leave in
    // order, so the caller waits for the request draw plus the largest response draw.
    const elapsed = await timeStats(c);
    const [req, head, msg, status] = [0, 0, 0, 0].map(() => twin.sampleDelayMs(0));
    const expected = req + Math.max(head, msg, status);
    expect(expected).toBeGreaterThan(20);
    expect(elapsed).toBeGreaterThanOrEqual(expected);
  });

  it('models loss as retransmission delay: the call still succeeds, later', async () => {
    const link = new Link({ latencyMs: 5, loss: 0.5, rtoMs: 50, seed: 7 });
    const c = client(link);
    const elapsed = await timeStats(c);
    expect(link.lostSegments).toBeGreaterThan(0);
    // Every event waits at least the latency; at least one also waited an RTO.
    expect(elapsed).toBeGreaterThanOrEqual(2 * 5 + 50);
  });

  it('streams a 2 MiB body intact and in order across a delayed link', async () => {
    const link = new Link({ latencyMs: 20, jitterMs: 10, seed: 3 });
    const c = client(link);
    const t0 = performance.now();
    const { head, body: got } = await readFetchReply(c.Fetch({ method: 'GET', target: '/big' }, callOptions(30_000)));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    expect(head.servedBy).toBe('t');
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('ends a delayed call at its deadline, without adding the link delay to the local timeout', async () => {
    const link = new Link({ latencyMs: 2_000 });
    const c = client(link);
    const t0 = performance.now();
    const error = await unaryCall<StatsReply__Output>((cb) => c.Stats({}, callOptions(150), cb)).catch((e: unknown) => e);
    expect(fromServiceError(error).code).toBe('UPSTREAM_TIMEOUT');
    // Local deadline, local decision: well before the 4 s the link would add.
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('cancels a delayed stream at once and the upstream sees the cancellation', async () => {
    const link = new Link({ latencyMs: 30 });
    const c = client(link);
    const before = upstreamCancelled;
    const stream = c.Fetch({ method: 'GET', target: '/hang' }, callOptions(30_000));
    const failed = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.cancel();
    expect((await failed).code).toBe(grpc.status.CANCELLED);
    for (let i = 0; i < 200 && upstreamCancelled === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(upstreamCancelled).toBe(before + 1);
  });
  it('refuses calls as UNAVAILABLE while the link is down, and carries them again once it is up', async () => {
    const link = new Link({ latencyMs: 5 });
    const c = client(link);
    await timeStats(c);
    link.update({ down: true });
    const t0 = performance.now();
    const err = await timeStats(c).then(() => undefined, (e: unknown) => fromServiceError(e));
    expect(err?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err?.message).toMatch(/link down/);
    // refused at once: no deadline wait, no link delay
    expect(performance.now() - t0).toBeLessThan(1000);
    // a stream is refused the same way
    const stream = c.fetch({ method: 'GET', target: '/a' }, callOptions(5000));
    await expect(readFetchReply(stream)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    link.update({ down: false });
    expect(await timeStats(c)).toBeGreaterThanOrEqual(10);
  });
  it('holds every call while the link is cut, and delivers it at the first retransmission after the link is back', async () => {
    const link = new Link({ latencyMs: 5 });
    const c = client(link);
    await timeStats(c);
    link.update({ cut: true });
    const served = statsServed;
    const t0 = performance.now();
    const outlives = timeStats(c, 5000);
    const short = timeStats(c, 300).then(() => undefined, (e: unknown) => ({ err: fromServiceError(e), ms: performance.now() - t0 }));
    await new Promise((r) => setTimeout(r, 700));
    // Nothing reached the far side, and the short call ended at its own deadline, not at a refusal.
    expect(statsServed).toBe(served);
    const ended = await short;
    expect(ended?.err.code).toBe('UPSTREAM_TIMEOUT');
    expect(ended?.ms).toBeGreaterThanOrEqual(290);
    // Only the call still waiting holds anything: the one that ended let go of the link.
    expect(link.holders).toBe(1);
    link.update({ cut: false });
    // Sent at 0: retransmissions at 200, 600, 1400 ms; the link came back at about 700, so the request crosses at 1400.
    const took = await outlives;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(2600);
    expect(statsServed).toBe(served + 1);
    // After the cut, calls cross as before.
    expect(await timeStats(c)).toBeLessThan(1000);
  });

  it('freezes a stream that is crossing when the link is cut and resumes it intact', async () => {
    const link = new Link({ latencyMs: 2 });
    const c = client(link);
    await timeStats(c);
    const t0 = performance.now();
    const reading = readFetchReply(c.fetch({ method: 'GET', target: '/a' }, callOptions(10_000)));
    setTimeout(() => link.update({ cut: true }), 5);
    setTimeout(() => link.update({ cut: false }), 600);
    const { body: got } = await reading;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(600);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });
});
