/**
 * The least-loaded policy's eyes: every edge's requests in flight, read from
 * its Tier.Stats (the `inflight` gauge) every interval with the cluster's
 * token. A failed read forgets the edge's load (unknown ranks last), so a
 * dead edge never looks idle. Reads overlap nothing: one round at a time.
 */
import { callOptions, createTierClient, unaryCall, type StatsReply__Output, type TierClient } from '@cdnlab/rpc';

export interface LoadFeedOptions {
  edges: ReadonlyArray<{ id: string; grpcAddress: string }>;
  token: string;
  intervalMs: number;
}

export interface LoadFeed {
  /** Requests in flight at the edge at the last read; undefined when unknown. */
  load(edgeId: string): number | undefined;
  start(): void;
  stop(): void;
  /** One round of reads now (tests, and the first round at start). */
  poll(): Promise<void>;
}

export function createGrpcLoadFeed(opts: LoadFeedOptions): LoadFeed {
  if (!Number.isInteger(opts.intervalMs) || opts.intervalMs < 10) throw new Error(`expected opts.intervalMs to be an integer >= 10, got ${String(opts.intervalMs)}`);
  const loads = new Map<string, number>();
  const clients = new Map<string, TierClient>();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;

  const client = (address: string): TierClient => {
    let c = clients.get(address);
    if (!c) {
      c = createTierClient(address, { token: opts.token });
      clients.set(address, c);
    }
    return c;
  };

  const poll = (): Promise<void> => {
    round ??= Promise.all(
      opts.edges.map(async (e) => {
        try {
          const s = await unaryCall<StatsReply__Output>((cb) => client(e.grpcAddress).Stats({}, callOptions(Math.max(50, opts.intervalMs)), cb));
          loads.set(e.id, Number(s.counters?.inflight ?? 0));
        } catch {
          loads.delete(e.id);
        }
      }),
    ).then(() => {
      round = undefined;
    });
    return round;
  };

  return {
    load: (id) => loads.get(id),
    poll,
    start() {
      if (timer) return;
      void poll();
      timer = setInterval(() => void poll(), opts.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}
