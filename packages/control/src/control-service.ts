/**
 * The control plane process: the Control gRPC service and the HTTP JSON
 * API over one shared core (purge runner, stats, events), guarded by one
 * admin bearer token.
 */
import { createBearerAuth, createRpcServer, loadProtos, type ParentCall } from '@cdnlab/rpc';
import { nanoid } from 'nanoid';
import pino, { type Logger } from 'pino';
import { deadlineFor } from './call-deadline';
import { parseControlConfig, type ControlConfig } from './config';
import { EventHub, eventTypeProblem, type ControlEvent } from './event-hub';
import { createControlHandlers } from './grpc-api';
import { createHttpApi } from './http-api';
import { ControlMetrics } from './metrics';
import { NodeClients } from './node-clients';
import { collectStats } from './node-stats';
import { PurgeRunner } from './purge-runner';
import { Topology, describeTopology } from './topology';

/** An event posted by the launcher, a scenario or a test. */
export interface EventInput {
  type: string;
  /** Default: the control plane's id. */
  nodeId?: string;
  /** Default: now. */
  timeMs?: number;
  detail?: Record<string, unknown>;
}

export interface StartControlOptions {
  /** Where logs go. Default: pino to stderr at "info". */
  logger?: Logger;
  /** Also export the process metrics (CPU, memory, event loop) on /metrics. */
  defaultMetrics?: boolean;
  /** For tests only: how old a purge may get before redelivery gives up (default 10 minutes, the core's). */
  redeliveryWindowMs?: number;
}

export interface ControlHandle {
  grpcPort: number;
  httpPort: number;
  /** The admin token: the configured one, or the one generated at start. */
  token: string;
  /** True when the token was generated here (main.ts prints it once). */
  tokenGenerated: boolean;
  config: ControlConfig;
  metrics: ControlMetrics;
  /** Publish an event to every Events / SSE subscriber. */
  emit(event: EventInput): void;
  /**
   * Stop both servers: pending purge redeliveries are cancelled, event
   * streams end, calls in flight get config.shutdownGraceMs. Idempotent.
   */
  stop(): Promise<void>;
}

/** Redaction paths: belt and braces, since no code path logs the token or the headers. */
export const REDACTED_LOG_PATHS = ['token', 'nodeToken', '*.token', '*.nodeToken', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization'];

function defaultLogger(): Logger {
  return pino({ name: 'cdnlab-control', redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, pino.destination(2));
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/**
 * Start the control plane. `input` is a ControlConfig or the raw JSON value
 * (it is checked either way; a ConfigError names the wrong field).
 */
export async function startControl(input: unknown, opts: StartControlOptions = {}): Promise<ControlHandle> {
  const config = parseControlConfig(input);
  const logger = opts.logger ?? defaultLogger();
  const tokenGenerated = config.token === undefined;
  // nanoid's 21 URL-safe characters carry ~126 bits: unguessable.
  const token = config.token ?? nanoid();
  const auth = createBearerAuth(token);
  const topology = new Topology(config.nodes);
  const clients = new NodeClients(config.nodeToken === undefined ? {} : { token: config.nodeToken });
  const tierClient = clients.get.bind(clients);
  const events = new EventHub();
  const metrics = new ControlMetrics({ defaultMetrics: opts.defaultMetrics });
  const runner = new PurgeRunner({
    controlId: config.id,
    topology,
    purgeOrigin: config.purgeOrigin,
    tierClient,
    timeoutMs: config.rpcTimeoutMs,
    events,
    metrics,
    logger,
    redeliveryWindowMs: opts.redeliveryWindowMs,
  });
  const stats = (nodeIds: readonly string[], parent?: ParentCall) =>
    collectStats({ topology, nodeIds, tierClient, deadlineAt: deadlineFor(Date.now(), config.rpcTimeoutMs, parent), parent });
  let bound = { grpc: '', http: '' };
  const topologyView = () => describeTopology(topology, { id: config.id, grpcAddress: bound.grpc, httpAddress: bound.http });

  const rpc = createRpcServer();
  rpc.addService(
    loadProtos().control.Control.service,
    auth.protect(createControlHandlers({ defaultFanout: config.defaultFanout, runner, stats, topology: topologyView, events, metrics })),
  );
  const httpApi = createHttpApi({
    auth,
    maxBodyBytes: config.maxBodyBytes,
    defaultFanout: config.defaultFanout,
    runner,
    stats,
    topology: topologyView,
    events,
    metrics,
    logger,
  });

  let grpcPort: number;
  let httpPort: number;
  try {
    grpcPort = await rpc.listen(config.grpc.host, config.grpc.port);
    httpPort = await httpApi.listen(config.http.host, config.http.port);
  } catch (err) {
    await rpc.shutdown(0);
    clients.close();
    throw err;
  }
  bound = { grpc: hostPort(config.grpc.host, grpcPort), http: hostPort(config.http.host, httpPort) };
  rpc.setServing(true);
  logger.info({ grpc: bound.grpc, http: bound.http, nodes: config.nodes.length, defaultFanout: config.defaultFanout, tokenGenerated }, 'control plane ready');

  let stopping: Promise<void> | undefined;
  return {
    grpcPort,
    httpPort,
    token,
    tokenGenerated,
    config,
    metrics,
    emit(event: EventInput) {
      const problem = eventTypeProblem(event.type);
      if (problem) throw new Error(problem);
      const full: ControlEvent = {
        type: event.type,
        nodeId: event.nodeId ?? config.id,
        timeMs: event.timeMs ?? Date.now(),
        detail: event.detail ?? {},
      };
      events.publish(full);
    },
    stop() {
      if (stopping) return stopping;
      logger.info('control plane stopping');
      // Before the clients close: a redelivery timer firing now would call a
      // node over a closing channel, and none may start after stop.
      runner.close();
      // Streams first: they never end on their own and would hold both
      // servers open for the whole grace period.
      events.close();
      stopping = Promise.all([rpc.shutdown(config.shutdownGraceMs), httpApi.close(config.shutdownGraceMs)]).then(() => {
        clients.close();
      });
      return stopping;
    },
  };
}
