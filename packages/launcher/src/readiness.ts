/**
 * Is a node ready? Nodes with a gRPC server answer grpc.health.v1 and say
 * SERVING once they are; the DNS server has no gRPC, so it is ready when it
 * answers a DNS query for its zone.
 */
import { checkHealth, createHealthClient } from '@cdnlab/rpc';
import { dnsServing } from './compose-healthcheck';
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

/** One SOA query for `zone` over UDP; true when any answer with our id arrives (the container healthcheck's probe). */
export function dnsAnswers(at: Endpoint, zone: string, timeoutMs: number): Promise<boolean> {
  return dnsServing(at.host, at.port, zone, timeoutMs);
}

/** The readiness probe of a planned node. */
export function probeFor(node: PlannedNode, zone: string): Probe {
  if (node.role === 'dns') return (ms) => dnsAnswers(node.dns, zone, ms);
  const address = formatEndpoint(node.grpc);
  return (ms) => grpcServing(address, ms);
}
