/**
 * Small stand-ins for cache tier nodes: real grpc-js servers implementing
 * Tier.Purge and Tier.Stats, recording each call, and doing the tree
 * forwarding exactly as the real tier must (see the contract in the
 * package report / fanout-tree.ts), so a tree fan-out test is end to end.
 */
import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import {
  CdnError,
  callOptions,
  createBearerAuth,
  createRpcServer,
  createTierClient,
  fromServiceError,
  loadProtos,
  toServiceError,
  unaryCall,
  type PurgeAck,
  type PurgeReply__Output,
  type PurgeRequest__Output,
  type CdnErrorCode,
  type RpcServer,
  type TierClient,
  type TierHandlers,
} from '@cdnlab/rpc';

/** Metadata key the fakes set when they forward, so tests can tell who called whom. */
export const CALLER_KEY = 'x-fake-caller';

export interface RecordedPurge {
  request: PurgeRequest__Output;
  receivedAtMs: number;
  /** Id of the forwarding fake, or "control" when the call carried no caller mark. */
  caller: string;
}

export interface FakeTier {
  id: string;
  address: string;
  purges: RecordedPurge[];
  statsCalls: number;
  /** The caller's address:port of every Purge and Stats call, in order: a new port is a new connection. */
  peers: string[];
  /** Wait this long before applying (simulates a slow node / link). */
  delayMs: number;
  /** Never answer Purge (the caller's deadline must save it). */
  hang: boolean;
  /** Answer Purge at once with this error (a node that is up but cannot take the purge); the call is still recorded. */
  failWith: CdnErrorCode | undefined;
  /** objects_affected to report. */
  objects: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The share of the time left a forwarder gives its child (same rule as the control plane's HOP_DEADLINE_SHARE). */
const SHARE = 0.8;

export async function startFakeTier(id: string, opts: { delayMs?: number; token?: string; port?: number } = {}): Promise<FakeTier> {
  const rpc: RpcServer = createRpcServer();
  const clients = new Map<string, TierClient>();
  const clientFor = (address: string): TierClient => {
    let c = clients.get(address);
    if (!c) {
      const mark: grpc.Interceptor = (options, next) =>
        new grpc.InterceptingCall(next(options), {
          start(metadata, listener, nxt) {
            metadata.set(CALLER_KEY, id);
            nxt(metadata, listener);
          },
        });
      c = createTierClient(address, { interceptors: [mark], ...(opts.token ? { token: opts.token } : {}) });
      clients.set(address, c);
    }
    return c;
  };

  const fake: FakeTier = {
    id,
    address: '',
    purges: [],
    statsCalls: 0,
    peers: [],
    delayMs: opts.delayMs ?? 0,
    hang: false,
    failWith: undefined,
    objects: 3,
    async close() {
      await rpc.shutdown(0);
      for (const c of clients.values()) c.close();
    },
  };
  const started = Date.now();

  const handlers: TierHandlers = {
    Fetch(call) {
      call.emit('error', toServiceError(new CdnError('BAD_REQUEST', 'fake tier does not fetch')));
    },
    Purge(call, callback) {
      const caller = call.metadata.get(CALLER_KEY)[0];
      fake.peers.push(call.getPeer());
      fake.purges.push({ request: call.request, receivedAtMs: Date.now(), caller: typeof caller === 'string' ? caller : 'control' });
      if (fake.hang) return; // never answers; the caller's deadline ends the call
      if (fake.failWith) {
        callback(toServiceError(new CdnError(fake.failWith, `fake ${id} refuses purges`)));
        return;
      }
      void (async () => {
        await sleep(fake.delayMs);
        const appliedAtMs = Date.now();
        // The forwarding contract: after applying, call every route whose
        // `via` is me, passing the whole route list, each with a share of the
        // time left; flatten the children's own acks and theirs.
        const mine = call.request.forward.filter((r) => r.via === id);
        const lists = await Promise.all(
          mine.map(async (route): Promise<PurgeAck[]> => {
            const deadline = call.getDeadline();
            const left = (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();
            try {
              if (!(left > 1)) throw new CdnError('UPSTREAM_TIMEOUT', 'no time left to forward');
              const reply = await unaryCall<PurgeReply__Output>((cb) =>
                clientFor(route.address).Purge(call.request, callOptions(Math.max(1, Math.floor(left * SHARE)), call), cb),
              );
              return [{ nodeId: route.nodeId, appliedAtMs: reply.appliedAtMs, objectsAffected: reply.objectsAffected, error: '' }, ...reply.forwarded];
            } catch (err) {
              const e = fromServiceError(err);
              return [{ nodeId: route.nodeId, appliedAtMs: 0, objectsAffected: 0, error: `${e.code}: ${e.message}` }];
            }
          }),
        );
        callback(null, { nodeId: id, appliedAtMs, objectsAffected: fake.objects, forwarded: lists.flat() });
      })();
    },
    Stats(call, callback) {
      fake.statsCalls += 1;
      fake.peers.push(call.getPeer());
      callback(null, {
        nodeId: id,
        role: 'fake',
        region: 'test',
        counters: { hits: 10, misses: 2, requests: 12 },
        uptimeMs: Date.now() - started,
      });
    },
  };
  rpc.addService(loadProtos().tier.Tier.service, opts.token ? createBearerAuth(opts.token).protect(handlers) : handlers);
  const port = await rpc.listen('127.0.0.1', opts.port ?? 0);
  rpc.setServing(true);
  fake.address = `127.0.0.1:${port}`;
  return fake;
}

/** A loopback address where nothing listens (bound, then released). */
export async function closedAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `127.0.0.1:${port}`;
}

/** 1 shield, 2 regionals, 4 edges: s1 <- r1 <- (e1, e2); s1 <- r2 <- (e3, e4). */
export const TREE = [
  { id: 's1', role: 'shield', region: 'eu', parents: [] },
  { id: 'r1', role: 'regional', region: 'eu', parents: ['s1'] },
  { id: 'r2', role: 'regional', region: 'us', parents: ['s1'] },
  { id: 'e1', role: 'edge', region: 'eu', parents: ['r1'] },
  { id: 'e2', role: 'edge', region: 'eu', parents: ['r1'] },
  { id: 'e3', role: 'edge', region: 'us', parents: ['r2'] },
  { id: 'e4', role: 'edge', region: 'us', parents: ['r2'] },
] as const;
