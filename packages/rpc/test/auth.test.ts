import * as grpc from '@grpc/grpc-js';
import {
  CdnError,
  callOptions,
  createBearerAuth,
  createTierClient,
  readFetchReply,
  unaryCall,
  writeFetchReply,
  type StatsReply__Output,
  type TierClient,
} from '../src';
import { startTier, statsReply, type StartedTier } from './tier-fixture';

const TOKEN = 's3cret-token-for-tests';

describe('bearer auth between nodes', () => {
  let tier: StartedTier;
  let handled = 0;
  const clients: grpc.Client[] = [];
  beforeAll(async () => {
    const auth = createBearerAuth(TOKEN);
    tier = await startTier(
      {
        Stats: (_call, cb) => {
          handled++;
          cb(null, statsReply('auth'));
        },
        Fetch: (call) => {
          handled++;
          void writeFetchReply(call, { status: 204 }, Buffer.alloc(0));
        },
      },
      (h) => auth.protect(h),
    );
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await tier.close();
  });
  const client = (token?: string): TierClient => {
    const c = createTierClient(tier.address, token === undefined ? {} : { token });
    clients.push(c);
    return c;
  };
  const stats = (c: TierClient) => unaryCall<StatsReply__Output>((cb) => c.Stats({}, callOptions(5000), cb));

  it('rejects a call without a token with UNAUTHENTICATED, before the handler runs', async () => {
    const before = handled;
    const error = await stats(client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CdnError);
    expect((error as CdnError).code).toBe('UNAUTHENTICATED');
    expect(((error as CdnError).cause as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(handled).toBe(before);
  });

  it('rejects a wrong token, without echoing either token', async () => {
    const error = await stats(client('not-the-token')).catch((e: unknown) => e);
    expect((error as CdnError).code).toBe('UNAUTHENTICATED');
    expect(String((error as Error).message)).not.toContain('not-the-token');
    expect(String((error as Error).message)).not.toContain(TOKEN);
  });

  it('rejects a wrong token on a streaming call too', async () => {
    const error = await readFetchReply(client('nope').Fetch({ method: 'GET' }, callOptions(5000))).catch((e: unknown) => e);
    expect((error as CdnError).code).toBe('UNAUTHENTICATED');
  });

  it('accepts the right token', async () => {
    await expect(stats(client(TOKEN))).resolves.toMatchObject({ nodeId: 'auth' });
    const { head } = await readFetchReply(client(TOKEN).Fetch({ method: 'GET' }, callOptions(5000)));
    expect(head.status).toBe(204);
  });
});
