/**
 * A gRPC server with the lifecycle every cdnlab node follows (STYLE 10):
 * bind (port 0 in tests), report NOT_SERVING on the standard health service
 * until the caller says it is ready, and on shutdown go NOT_SERVING first,
 * let calls in flight finish, and cut the rest off after a grace period.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** Largest message either side accepts: body chunks are ≤ 64 KiB, request bodies are capped well below. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Server-side defaults. Server keepalive finds dead clients of long streams (Events, big Fetches). */
export const DEFAULT_SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

/** The health service name that stands for the whole server (gRPC health protocol convention). */
export const OVERALL_HEALTH_SERVICE = '';

export interface RpcServerOptions {
  /** Merged over DEFAULT_SERVER_OPTIONS. */
  serverOptions?: grpc.ServerOptions;
}

export interface RpcServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  /**
   * Register a service. Its health status (under its full name, e.g.
   * "cdnlab.tier.v1.Tier") follows the server's: NOT_SERVING until setServing(true).
   */
  addService(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void;
  /** Bind and start; resolves with the bound port (the real one when `port` is 0). */
  listen(host: string, port: number): Promise<number>;
  /** Flip the health status of the server and every added service. */
  setServing(serving: boolean): void;
  readonly serving: boolean;
  /**
   * NOT_SERVING, stop taking new calls, wait up to graceMs for calls in
   * flight, then cut the remaining ones. Resolves when the server is down.
   * Safe to call more than once.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** "cdnlab.tier.v1.Tier" from a definition whose paths look like "/cdnlab.tier.v1.Tier/Fetch". */
export function serviceNameOf(definition: grpc.ServiceDefinition): string {
  const first = Object.values(definition)[0];
  const match = first ? /^\/([^/]+)\//.exec(first.path) : null;
  if (!match) throw new Error('expected a service definition with at least one method path like "/pkg.Service/Method"');
  return match[1];
}

function hostPort(host: string, port: number): string {
  if (typeof host !== 'string' || host === '') throw new Error(`expected host to be a non-empty string, got ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`expected port to be an integer in [0, 65535], got ${port}`);
  // IPv6 literals need brackets in a host:port string.
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}

export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  const server = new grpc.Server({ ...DEFAULT_SERVER_OPTIONS, ...options.serverOptions });
  const healthNames = new Set<string>([OVERALL_HEALTH_SERVICE]);
  const health = new HealthImplementation({ [OVERALL_HEALTH_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  let serving = false;
  let shuttingDown: Promise<void> | undefined;

  const setAll = (status: ServingStatus): void => {
    for (const name of healthNames) health.setStatus(name, status);
  };

  return {
    server,
    health,
    get serving() {
      return serving;
    },
    addService(definition, implementation) {
      const name = serviceNameOf(definition);
      server.addService(definition, implementation);
      healthNames.add(name);
      health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    listen(host, port) {
      return new Promise<number>((resolve, reject) => {
        const address = hostPort(host, port); // a throw here rejects the promise
        server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => {
          if (error) {
            reject(new Error(`could not bind gRPC server to ${address}: ${error.message}`, { cause: error }));
            return;
          }
          resolve(bound);
        });
      });
    },
    setServing(next) {
      if (shuttingDown && next) throw new Error('cannot report SERVING: the server is shutting down');
      serving = next;
      setAll(next ? 'SERVING' : 'NOT_SERVING');
    },
    shutdown(graceMs) {
      if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error(`expected graceMs to be a non-negative number, got ${graceMs}`);
      if (shuttingDown) return shuttingDown;
      serving = false;
      setAll('NOT_SERVING');
      shuttingDown = new Promise<void>((resolve) => {
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve();
        };
        // Calls still running after the grace period (long streams, hung
        // upstreams) are cut: a deploy must not wait on them forever.
        const timer = setTimeout(() => {
          server.forceShutdown();
          finish();
        }, graceMs);
        server.tryShutdown(() => finish());
      });
      return shuttingDown;
    },
  };
}
