/**
 * One Tier client (one channel) per node, made on first use and kept: a
 * purge or stats round then reuses warm connections instead of paying a TCP
 * handshake per node per call.
 *
 * Except after a call to the node runs out of time: the connection may be
 * dead without either end knowing. A container killed or cut off sends no
 * RST, calls queued on the connection keep TCP retransmitting with a growing
 * backoff, and gRPC's keepalive gives up on it only after 30 + 10 s; until
 * then every stats or purge call to that node, even once it is back, waits
 * on the dead connection and times out too (measured in compose: a restarted
 * edge's stats were missing for the whole next run).
 *
 * And after a call finds the node unavailable: the channel then waits out
 * its reconnect backoff (and, for a container whose name stopped resolving,
 * its resolver's), failing every call at once meanwhile, so the first stats
 * reading after a node came back said it was still gone.
 *
 * So a client whose call ended DEADLINE_EXCEEDED or UNAVAILABLE is closed,
 * and the next call gets a new channel with a subchannel of its own (grpc-js
 * would otherwise hand it the same pooled connection), which resolves and
 * connects afresh. The control plane's calls are few (a stats reading, a
 * purge), so a dead node costs one connection attempt per call.
 */
import * as grpc from '@grpc/grpc-js';
import { createTierClient, type TierClient } from '@cdnlab/rpc';
import type { ControlNode } from './topology';

interface Entry {
  client: TierClient;
  /** A call on it ended DEADLINE_EXCEEDED or UNAVAILABLE: replace it before the next call. */
  failed: boolean;
}

export class NodeClients {
  private readonly clients = new Map<string, Entry>();
  private readonly token: string | undefined;
  /** How many clients were replaced after a failed call (for tests). */
  renewed = 0;

  constructor(opts: { token?: string } = {}) {
    this.token = opts.token;
  }

  get(node: ControlNode): TierClient {
    let entry = this.clients.get(node.grpcAddress);
    if (entry?.failed) {
      // Calls still open on it end as they would (close does not cancel them).
      entry.client.close();
      entry = undefined;
      this.renewed += 1;
    }
    if (!entry) {
      entry = this.connect(node.grpcAddress);
      this.clients.set(node.grpcAddress, entry);
    }
    return entry.client;
  }

  private connect(address: string): Entry {
    const entry: Entry = { client: undefined as unknown as TierClient, failed: false };
    const watch: grpc.Interceptor = (options, nextCall) =>
      new grpc.InterceptingCall(nextCall(options), {
        start(metadata, listener, next) {
          next(metadata, {
            onReceiveStatus(status, nextStatus) {
              if (status.code === grpc.status.DEADLINE_EXCEEDED || status.code === grpc.status.UNAVAILABLE) entry.failed = true;
              nextStatus(status);
            },
          });
        },
      });
    entry.client = createTierClient(address, {
      ...(this.token === undefined ? {} : { token: this.token }),
      interceptors: [watch],
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    });
    return entry;
  }

  close(): void {
    for (const entry of this.clients.values()) entry.client.close();
    this.clients.clear();
  }
}
