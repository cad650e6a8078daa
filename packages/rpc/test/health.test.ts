import {
  checkHealth,
  createHealthClient,
  createRpcServer,
  deadlineIn,
  loadProtos,
  watchHealth,
  type HealthCheckResponse,
} from '../src';
import { tierHandlers } from './tier-fixture';

describe('health lifecycle', () => {
  const rpc = createRpcServer();
  let client: ReturnType<typeof createHealthClient>;
  afterAll(async () => {
    client?.close();
    await rpc.shutdown(0);
  });

  it('goes NOT_SERVING -> SERVING -> NOT_SERVING (on shutdown), seen by a health client', async () => {
    rpc.addService(loadProtos().tier.Tier.service, tierHandlers({}));
    const port = await rpc.listen('127.0.0.1', 0);
    client = createHealthClient(`127.0.0.1:${port}`);

    expect(await checkHealth(client, '', 5000)).toBe('NOT_SERVING');
    expect(await checkHealth(client, 'cdnlab.tier.v1.Tier', 5000)).toBe('NOT_SERVING');

    const seen: string[] = [];
    const watch = watchHealth(client, '', { deadline: deadlineIn(20_000) });
    const ended = new Promise<void>((resolve) => {
      watch.on('error', () => resolve());
      watch.on('end', () => resolve());
    });
    const next = (n: number) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (seen.length >= n) {
            watch.off('data', check);
            resolve();
          }
        };
        watch.on('data', check);
        check();
      });
    watch.on('data', (r: HealthCheckResponse) => seen.push(r.status));

    await next(1);
    rpc.setServing(true);
    await next(2);
    expect(await checkHealth(client, 'cdnlab.tier.v1.Tier', 5000)).toBe('SERVING');

    const down = rpc.shutdown(300);
    await next(3);
    await down;
    await ended;
    expect(seen).toEqual(['NOT_SERVING', 'SERVING', 'NOT_SERVING']);
    expect(rpc.serving).toBe(false);
    expect(() => rpc.setServing(true)).toThrow(/shutting down/);
  });

  it('validates listen arguments', async () => {
    const other = createRpcServer();
    await expect(other.listen('127.0.0.1', 70000)).rejects.toThrow('expected port to be an integer in [0, 65535], got 70000');
    await expect(other.listen('', 1)).rejects.toThrow('expected host to be a non-empty string, got ""');
    await other.shutdown(0);
  });
});
