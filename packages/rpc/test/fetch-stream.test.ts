import { createHash } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import {
  FETCH_CHUNK_BYTES,
  callOptions,
  createTierClient,
  readFetchReply,
  writeFetchReply,
  type FetchReply__Output,
  type TierClient,
} from '../src';
import { startTier, type StartedTier } from './tier-fixture';

const BODY_BYTES = 5 * 1024 * 1024;

function makeBody(): Buffer {
  // Each 4-byte word holds its own index, so a reordered or dropped chunk
  // changes the content, not just the length.
  const body = Buffer.alloc(BODY_BYTES);
  for (let i = 0; i < BODY_BYTES / 4; i++) body.writeUInt32BE(i, i * 4);
  return body;
}

describe('Tier.Fetch streaming', () => {
  const body = makeBody();
  let tier: StartedTier;
  let client: TierClient;

  beforeAll(async () => {
    tier = await startTier({
      Fetch: (call) => {
        void writeFetchReply(
          call,
          {
            status: 200,
            headers: [
              { name: 'content-type', value: 'application/octet-stream' },
              { name: 'set-cookie', value: 'a=1' },
              { name: 'set-cookie', value: 'b=2' },
            ],
            cacheStatus: ['shield; hit'],
            originFetchedAtMs: 1_700_000_000_123,
            storedAtMs: 1_700_000_000_456,
            ageSeconds: 1.5,
            servedBy: 'shield-1',
            collapsed: true,
          },
          body,
        ).catch(() => undefined);
      },
    });
    client = createTierClient(tier.address);
  });

  afterAll(async () => {
    client.close();
    await tier.close();
  });

  it('delivers the head first, then a 5 MiB body in order in chunks of at most 64 KiB', async () => {
    const stream = client.Fetch({ method: 'GET', target: '/big', cacheKey: 'k' }, callOptions(30_000));
    const parts: Array<{ part: string | undefined; size: number }> = [];
    stream.on('data', (reply: FetchReply__Output) => parts.push({ part: reply.part, size: reply.chunk?.length ?? 0 }));
    const { head, body: received } = await readFetchReply(stream as grpc.ClientReadableStream<FetchReply__Output>);

    expect(parts[0].part).toBe('head');
    expect(parts.slice(1).every((p) => p.part === 'chunk' && p.size > 0 && p.size <= FETCH_CHUNK_BYTES)).toBe(true);
    expect(parts.length - 1).toBe(BODY_BYTES / FETCH_CHUNK_BYTES);
    expect(received.length).toBe(BODY_BYTES);
    expect(createHash('sha256').update(received).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));

    expect(head.status).toBe(200);
    expect(head.headers).toEqual([
      { name: 'content-type', value: 'application/octet-stream' },
      { name: 'set-cookie', value: 'a=1' },
      { name: 'set-cookie', value: 'b=2' },
    ]);
    // int64 arrives as a JS number (loader option longs: Number), unchanged.
    expect(head.originFetchedAtMs).toBe(1_700_000_000_123);
    expect(typeof head.storedAtMs).toBe('number');
    expect(head.ageSeconds).toBe(1.5);
    expect(head.cacheStatus).toEqual(['shield; hit']);
    expect(head.servedBy).toBe('shield-1');
    expect(head.collapsed).toBe(true);
  });
});
