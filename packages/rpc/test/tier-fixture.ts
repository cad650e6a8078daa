/**
 * Shared by the integration tests: a real Tier server on 127.0.0.1:0 with
 * handlers given per test (missing ones answer UNIMPLEMENTED).
 */
import * as grpc from '@grpc/grpc-js';
import { createRpcServer, loadProtos, type RpcServer, type TierHandlers } from '../src';

export interface StartedTier {
  address: string;
  port: number;
  rpc: RpcServer;
  close(): Promise<void>;
}

const unimplemented = (name: string): grpc.ServiceError =>
  Object.assign(new Error(name), { code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by this test server`, metadata: new grpc.Metadata() });

export function tierHandlers(partial: Partial<TierHandlers>): TierHandlers {
  return {
    Fetch: partial.Fetch ?? ((call) => call.emit('error', unimplemented('Fetch'))),
    Purge: partial.Purge ?? ((_call, callback) => callback(unimplemented('Purge'))),
    Stats: partial.Stats ?? ((_call, callback) => callback(unimplemented('Stats'))),
  };
}

export async function startTier(handlers: Partial<TierHandlers> | TierHandlers, wrap?: (h: TierHandlers) => TierHandlers): Promise<StartedTier> {
  const rpc = createRpcServer();
  const full = tierHandlers(handlers);
  rpc.addService(loadProtos().tier.Tier.service, wrap ? wrap(full) : full);
  const port = await rpc.listen('127.0.0.1', 0);
  rpc.setServing(true);
  return { address: `127.0.0.1:${port}`, port, rpc, close: () => rpc.shutdown(200) };
}

/** A StatsReply for handlers that just need to answer something. */
export function statsReply(nodeId: string) {
  return {
    nodeId,
    role: 'regional',
    region: 'eu',
    counters: { hits: 1, misses: 2, requests: 3 },
    uptimeMs: 1234,
  };
}
