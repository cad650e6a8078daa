import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { HealthProbe, HealthTarget } from './health';

// The probe: grpc.health.v1.Health/Check on the edge's gRPC address, the
// standard protocol, so any gRPC server with grpc-health-check answers it.

type CheckCallback = (err: grpc.ServiceError | null, res?: { status?: string }) => void;
interface HealthClient extends grpc.Client {
  Check(req: { service: string }, opts: grpc.CallOptions, cb: CheckCallback): grpc.ClientUnaryCall;
}

// grpc-health-check exports a proto-loader definition; grpc-js accepts it at
// run time, the two type declarations just do not line up.
const HealthClientCtor = grpc.makeClientConstructor(
  healthService as unknown as grpc.ServiceDefinition,
  'grpc.health.v1.Health',
) as unknown as new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => HealthClient;

export interface GrpcHealthProbe extends HealthProbe {
  close(): void;
}

export interface GrpcHealthProbeOptions {
  /** Service name in the Check request; '' asks about the whole server. */
  service?: string;
  /** Cap on grpc-js reconnect backoff, so a restarted edge is seen within about one interval. */
  maxReconnectBackoffMs?: number;
}

export function createGrpcHealthProbe(opts: GrpcHealthProbeOptions = {}): GrpcHealthProbe {
  const service = opts.service ?? '';
  const backoff = opts.maxReconnectBackoffMs ?? 1000;
  if (!Number.isInteger(backoff) || backoff < 1) throw new Error(`expected opts.maxReconnectBackoffMs to be a positive integer, got ${backoff}`);
  const clients = new Map<string, HealthClient>();

  const clientFor = (target: HealthTarget): HealthClient => {
    let client = clients.get(target.grpcAddress);
    if (!client) {
      // One channel per healthy edge, reused across checks. The default
      // reconnect backoff grows to two minutes, and names are re-resolved at
      // most every 30 s: both far longer than a health interval.
      client = new HealthClientCtor(target.grpcAddress, grpc.credentials.createInsecure(), {
        'grpc.initial_reconnect_backoff_ms': Math.min(backoff, 100),
        'grpc.max_reconnect_backoff_ms': backoff,
        'grpc.dns_min_time_between_resolutions_ms': backoff,
      });
      clients.set(target.grpcAddress, client);
    }
    return client;
  };

  const probe = ((target: HealthTarget, timeoutMs: number) =>
    new Promise<boolean>((resolve, reject) => {
      // Deadline on every call (STYLE 9); the checker also times out on its clock.
      const client = clientFor(target);
      client.Check({ service }, { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) {
          // Any failed probe drops the channel, so the next one resolves the
          // name and dials afresh and sees a restarted edge at once. Kept, a
          // channel would answer from its past: stuck behind a connect to a
          // host that vanished (a killed container's address answers nothing,
          // and grpc-js has no connect timeout), failing fast in its
          // reconnect backoff, or dialling the address the name had before
          // the container restarted with a new one (seen in CI: 48 s).
          if (clients.get(target.grpcAddress) === client) {
            clients.delete(target.grpcAddress);
            client.close();
          }
          reject(new Error(`health check of ${target.id} at ${target.grpcAddress}: ${err.details || err.message}`));
          return;
        }
        resolve(res?.status === 'SERVING');
      });
    })) as GrpcHealthProbe;

  probe.close = () => {
    for (const client of clients.values()) client.close();
    clients.clear();
  };
  return probe;
}
