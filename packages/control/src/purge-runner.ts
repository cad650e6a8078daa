/**
 * One purge from command to report: give it an id and an issue time, run
 * the chosen fan-out, turn node outcomes into per-node delays, and tell the
 * event stream and the metrics. Both APIs (HTTP and gRPC) go through here.
 */
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { NodeAck, ParentCall, PurgeReport, TierClient } from '@cdnlab/rpc';
import { deadlineFor } from './call-deadline';
import type { EventHub } from './event-hub';
import type { NodeOutcome } from './fanout';
import { getFanout } from './fanout-registry';
import type { ControlMetrics } from './metrics';
import { PURGE_KINDS, PURGE_MODES, type PurgeCommandInput } from './purge-command';
import type { ControlNode, Topology } from './topology';

/** One node's line in a purge report (the HTTP JSON shape; NodeAck plus how the purge got there). */
export interface PurgeAckEntry {
  nodeId: string;
  role: string;
  /** Epoch ms the node applied the purge (node clock); 0 when it did not. */
  appliedAtMs: number;
  /** appliedAtMs − purgeAtMs; 0 when the node did not apply the purge. */
  delayMs: number;
  objectsAffected: number;
  /** Empty on success. */
  error: string;
  /** "control", or the id of the node that passed the purge on. */
  via: string;
  /** True when a tree fan-out could not reach the node and the control plane called it itself. */
  fallback: boolean;
}

export interface PurgeReportEntry {
  purgeId: string;
  purgeAtMs: number;
  kind: string;
  value: string;
  mode: string;
  fanout: string;
  /** Time until every ack or error was in, ms (control clock). */
  durationMs: number;
  applied: number;
  failed: number;
  /** In topology order. */
  acks: PurgeAckEntry[];
}

export interface PurgeRunnerDeps {
  controlId: string;
  topology: Topology;
  purgeOrigin: boolean;
  tierClient(node: ControlNode): TierClient;
  timeoutMs: number;
  events: EventHub;
  metrics: ControlMetrics;
  logger: Logger;
  now?: () => number;
}

export class PurgeRunner {
  private readonly deps: PurgeRunnerDeps;
  private readonly now: () => number;

  constructor(deps: PurgeRunnerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  async run(cmd: PurgeCommandInput, parent?: ParentCall): Promise<PurgeReportEntry> {
    const { topology, events, metrics, logger, controlId } = this.deps;
    const strategy = getFanout(cmd.fanout);
    // purge-command.ts only lets registered names through; this is a bug guard.
    if (!strategy) throw new Error(`no fan-out strategy named "${cmd.fanout}"`);
    const targets = topology.purgeTargets(this.deps.purgeOrigin);
    const purgeId = nanoid();
    const purgeAtMs = this.now();
    metrics.purges.inc({ kind: cmd.kind, mode: cmd.mode, fanout: cmd.fanout });
    events.publish({
      timeMs: purgeAtMs,
      nodeId: controlId,
      type: 'purge.issued',
      detail: { purgeId, kind: cmd.kind, value: cmd.value, mode: cmd.mode, fanout: cmd.fanout, targets: targets.length },
    });
    logger.info({ purgeId, kind: cmd.kind, mode: cmd.mode, fanout: cmd.fanout, targets: targets.length }, 'purge issued');

    const outcomes =
      targets.length === 0
        ? []
        : await strategy.run({
            purge: { kind: PURGE_KINDS[cmd.kind], value: cmd.value, mode: PURGE_MODES[cmd.mode], purgeId, purgeAtMs },
            topology,
            targets,
            tierClient: this.deps.tierClient,
            deadlineAt: deadlineFor(purgeAtMs, this.deps.timeoutMs, parent),
            parent,
            now: this.now,
          });
    const doneAt = this.now();

    const byId = new Map(outcomes.map((o) => [o.nodeId, o]));
    const acks = targets.map((node) => toEntry(node, byId.get(node.id), purgeAtMs));
    const report: PurgeReportEntry = {
      purgeId,
      purgeAtMs,
      kind: cmd.kind,
      value: cmd.value,
      mode: cmd.mode,
      fanout: cmd.fanout,
      durationMs: doneAt - purgeAtMs,
      applied: acks.filter((a) => a.error === '').length,
      failed: acks.filter((a) => a.error !== '').length,
      acks,
    };

    metrics.purgeDuration.observe({ fanout: cmd.fanout }, report.durationMs);
    for (const ack of acks) {
      if (ack.error === '') {
        metrics.purgeDelay.observe({ fanout: cmd.fanout, role: ack.role }, Math.max(0, ack.delayMs));
        events.publish({
          timeMs: ack.appliedAtMs,
          nodeId: ack.nodeId,
          type: 'purge.applied',
          detail: { purgeId, delayMs: ack.delayMs, objectsAffected: ack.objectsAffected, via: ack.via, fallback: ack.fallback },
        });
      } else {
        metrics.purgeNodeErrors.inc({ fanout: cmd.fanout, role: ack.role });
        events.publish({ timeMs: doneAt, nodeId: ack.nodeId, type: 'purge.failed', detail: { purgeId, error: ack.error, via: ack.via } });
      }
    }
    events.publish({
      timeMs: doneAt,
      nodeId: controlId,
      type: 'purge.completed',
      detail: { purgeId, fanout: cmd.fanout, applied: report.applied, failed: report.failed, durationMs: report.durationMs },
    });
    logger.info({ purgeId, applied: report.applied, failed: report.failed, durationMs: report.durationMs }, 'purge completed');
    return report;
  }
}

function toEntry(node: ControlNode, outcome: NodeOutcome | undefined, purgeAtMs: number): PurgeAckEntry {
  if (!outcome) {
    // A strategy that returned without this node: it was neither reached nor tried.
    return { nodeId: node.id, role: node.role, appliedAtMs: 0, delayMs: 0, objectsAffected: 0, error: 'not reached', via: '', fallback: false };
  }
  const ok = outcome.error === '';
  return {
    nodeId: node.id,
    role: node.role,
    appliedAtMs: ok ? outcome.appliedAtMs : 0,
    // Node clock minus control clock: on one host they agree; across hosts
    // clock skew shows up here (even as a negative delay), on purpose.
    delayMs: ok ? outcome.appliedAtMs - purgeAtMs : 0,
    objectsAffected: ok ? outcome.objectsAffected : 0,
    error: outcome.error,
    via: outcome.via,
    fallback: outcome.fallback,
  };
}

/** The gRPC PurgeReport for a report (drops the fields the proto has no room for). */
export function toProtoReport(report: PurgeReportEntry): PurgeReport {
  const acks: NodeAck[] = report.acks.map((a) => ({
    nodeId: a.nodeId,
    role: a.role,
    appliedAtMs: a.appliedAtMs,
    delayMs: a.delayMs,
    objectsAffected: a.objectsAffected,
    error: a.error,
  }));
  return { purgeId: report.purgeId, purgeAtMs: report.purgeAtMs, acks };
}
