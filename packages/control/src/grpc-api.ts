/**
 * The Control gRPC service. Handlers only translate: the work is in
 * PurgeRunner, collectStats and the EventHub, shared with the HTTP API.
 */
import type * as grpc from '@grpc/grpc-js';
import { CdnError, toServiceError, type ControlHandlers, type Event } from '@cdnlab/rpc';
import { eventTypeProblem, type ControlEvent, type EventHub } from './event-hub';
import type { ControlMetrics } from './metrics';
import type { NodeStatsEntry } from './node-stats';
import { toProtoStats } from './node-stats';
import { purgeCommandFromProto } from './purge-command';
import { toProtoReport, type PurgeRunner } from './purge-runner';
import type { TopologyEntry } from './topology';

/** Bytes a slow Events reader may leave queued before it is cut off. */
export const MAX_QUEUED_EVENT_BYTES = 1024 * 1024;

export interface GrpcApiDeps {
  defaultFanout: string;
  runner: PurgeRunner;
  stats(nodeIds: readonly string[], parent: grpc.ServerUnaryCall<unknown, unknown>): Promise<NodeStatsEntry[]>;
  topology(): TopologyEntry[];
  events: EventHub;
  metrics: ControlMetrics;
}

export function toProtoEvent(e: ControlEvent): Event {
  return { timeMs: e.timeMs, nodeId: e.nodeId, type: e.type, detailJson: JSON.stringify(e.detail) };
}

export function createControlHandlers(deps: GrpcApiDeps): ControlHandlers {
  return {
    Purge(call, callback) {
      let cmd;
      try {
        cmd = purgeCommandFromProto(call.request, deps.defaultFanout);
      } catch (err) {
        callback(toServiceError(err));
        return;
      }
      deps.runner.run(cmd, call).then(
        (report) => callback(null, toProtoReport(report)),
        (err: unknown) => callback(toServiceError(err)),
      );
    },

    Stats(call, callback) {
      deps.stats(call.request.nodeIds, call).then(
        (entries) => callback(null, { nodes: toProtoStats(entries) }),
        (err: unknown) => callback(toServiceError(err)),
      );
    },

    Topology(_call, callback) {
      callback(null, { nodes: deps.topology() });
    },

    Events(call) {
      // A filter no event can match would be a stream that stays silent: say so now (as GET /events does).
      for (const [i, type] of call.request.types.entries()) {
        const problem = eventTypeProblem(type);
        if (problem) {
          call.emit('error', toServiceError(new CdnError('BAD_REQUEST', `types[${i}]: ${problem.length > 200 ? `${problem.slice(0, 197)}...` : problem}`)));
          return;
        }
      }
      const gauge = deps.metrics.eventSubscribers.labels('grpc');
      gauge.inc();
      let done = false;
      let unsubscribe = (): void => undefined;
      const finish = (): void => {
        if (done) return;
        done = true;
        unsubscribe();
        gauge.dec();
      };
      unsubscribe = deps.events.subscribe(call.request.types, {
        onEvent(event) {
          if (call.writableLength > MAX_QUEUED_EVENT_BYTES) {
            deps.metrics.eventsDropped.inc({ transport: 'grpc' });
            finish();
            call.emit('error', toServiceError(new CdnError('OVERLOADED', 'events reader too slow: stream cut off')));
            return;
          }
          call.write(toProtoEvent(event));
        },
        onClose() {
          finish();
          call.end();
        },
      });
      if (done) unsubscribe();
      // STYLE 9: a stream with no natural end cleans up when its caller leaves.
      call.on('cancelled', finish);
      call.on('close', finish);
    },
  };
}
