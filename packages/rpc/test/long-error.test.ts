/**
 * An error message that quotes a huge request value: the status a handler
 * sends must stay small enough for the grpc-message trailer, or the peer
 * refuses the trailer and the HTTP/2 connection breaks for every call on it.
 */
import * as grpc from '@grpc/grpc-js';
import { CdnError, MAX_ERROR_DETAILS_LENGTH, callOptions, createTierClient, toServiceError, type PurgeReply__Output, type TierClient } from '../src';
import { startTier, statsReply, type StartedTier } from './tier-fixture';

describe('a handler error quoting a megabyte', () => {
  let tier: StartedTier;
  let client: TierClient;
  beforeAll(async () => {
    tier = await startTier({
      // Echoes the request's value, as a careless "unknown x: <value>" message would.
      Purge: (call, cb) => (call.request.value.length > 100 ? cb(toServiceError(new CdnError('BAD_REQUEST', `value: unknown ${call.request.value}`))) : cb(null, { nodeId: 'ok' })),
      Stats: (_call, cb) => cb(null, statsReply('still-here')),
    });
    client = createTierClient(tier.address);
  });
  afterAll(async () => {
    client.close();
    await tier.close();
  });

  it('arrives cut short, as INVALID_ARGUMENT, and the connection keeps serving', async () => {
    const error = await new Promise<grpc.ServiceError>((resolve, reject) => {
      client.Purge({ kind: 'PURGE_KIND_TAG', value: 'v'.repeat(1 << 20) }, callOptions(3000), (e: grpc.ServiceError | null, r?: PurgeReply__Output) => (e ? resolve(e) : reject(new Error(`expected an error, got ${JSON.stringify(r)}`))));
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
    expect(error.details).toMatch(/^value: unknown v+\.\.\. \(\d+ more characters\)$/);
    const stats = await new Promise<unknown>((resolve, reject) => client.Stats({}, callOptions(3000), (e, r) => (e ? reject(e) : resolve(r))));
    expect(stats).toMatchObject({ nodeId: 'still-here' });
  });
});
