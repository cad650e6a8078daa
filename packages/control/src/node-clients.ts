/**
 * One Tier client (one channel) per node, made on first use and kept: a
 * purge or stats round then reuses warm connections instead of paying a TCP
 * handshake per node per call.
 */
import { createTierClient, type TierClient } from '@cdnlab/rpc';
import type { ControlNode } from './topology';

export class NodeClients {
  private readonly clients = new Map<string, TierClient>();
  private readonly token: string | undefined;

  constructor(opts: { token?: string } = {}) {
    this.token = opts.token;
  }

  get(node: ControlNode): TierClient {
    let client = this.clients.get(node.grpcAddress);
    if (!client) {
      client = createTierClient(node.grpcAddress, this.token === undefined ? {} : { token: this.token });
      this.clients.set(node.grpcAddress, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
