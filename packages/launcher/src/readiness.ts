/**
 * Is a node ready? Nodes with a gRPC server answer grpc.health.v1 and say
 * SERVING once they are; the DNS server has no gRPC, so it is ready when it
 * answers a DNS query for its zone.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { checkHealth, createHealthClient } from '@cdnlab/rpc';
import { formatEndpoint, type Endpoint, type PlannedNode } from './plan';

export type Probe = (timeoutMs: number) => Promise<boolean>;

/** One grpc.health.v1 Check of the whole server (""): true when SERVING. */
export async function grpcServing(address: string, timeoutMs: number): Promise<boolean> {
  const client = createHealthClient(address);
  try {
    return (await checkHealth(client, '', timeoutMs)) === 'SERVING';
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** One SOA query for `zone` over UDP; true when any answer with our id arrives (even an error rcode: the server is up). */
export function dnsAnswers(at: Endpoint, zone: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const id = randomInt(1, 65535);
    const socket = dgram.createSocket(at.host.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('message', (msg) => {
      try {
        if (dnsPacket.decode(msg).id === id) finish(true);
      } catch {
        // Not a DNS message: keep waiting for ours.
      }
    });
    const query = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: 'SOA', name: zone, class: 'IN' }] });
    socket.send(query, at.port, at.host, (err) => {
      if (err) finish(false);
    });
  });
}

/** The readiness probe of a planned node. */
export function probeFor(node: PlannedNode, zone: string): Probe {
  if (node.role === 'dns') return (ms) => dnsAnswers(node.dns, zone, ms);
  const address = formatEndpoint(node.grpc);
  return (ms) => grpcServing(address, ms);
}
