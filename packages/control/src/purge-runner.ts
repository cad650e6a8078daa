/**
 * One purge from command to report: give it an id and an issue time, run
 * the chosen fan-out, turn node outcomes into per-node delays, and tell the
 * event stream and the metrics; then hand the nodes that did not take it to
 * the redeliveries, and keep the report for GET /purges. Both APIs (HTTP and
 * gRPC) go through here.
 */
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { NodeAck, ParentCall, PurgeReport, TierClient } from '@cdnlab/rpc';
import { deadlineFor } from './call-deadline';
import type { EventHub } from './event-hub';
import type { NodeOutcome, PurgeBase } from './fanout';
import { getFanout } from './fanout-registry';
import type { ControlMetrics } from './metrics';
import { PURGE_KINDS, PURGE_MODES, type PurgeCommandInput } from './purge-command';
import { PurgeRedeliveries, type RedeliveryTarget } from './purge-redelivery';
import { RecentPurges, type PurgeAckEntry, type PurgeReportEntry } from './purge-report';
import type { ControlNode, Topology } from './topology';

export type { PurgeAckEntry, PurgeReportEntry } from './purge-report';

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
  /** For tests only: how old a purge may get before redelivery gives up. Default PURGE_REDELIVERY_WINDOW_MS (10 minutes). */
  redeliveryWindowMs?: number;
}

export class PurgeRunner {
  private readonly deps: PurgeRunnerDeps;
  private readonly now: () => number;
  private readonly redeliveries: PurgeRedeliveries;
  private readonly recent = new RecentPurges();

  constructor(deps: PurgeRunnerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.redeliveries = new PurgeRedeliveries({
      tierClient: deps.tierClient,
      timeoutMs: deps.timeoutMs,
      events: deps.events,
      metrics: deps.metrics,
      logger: deps.logger,
      now: this.now,
      windowMs: deps.redeliveryWindowMs,
    });
  }

  /** The report of a recent purge as it is now (redeliveries update it), or undefined. */
  report(purgeId: string): PurgeReportEntry | undefined {
    return this.recent.get(purgeId);
  }

  /** The recent purges' reports, newest first. */
  recentReports(): PurgeReportEntry[] {
    return this.recent.list();
  }

  /** Cancel every pending redelivery; none starts afterwards. For stop. */
  close(): void {
    this.redeliveries.close();
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

    const purge: PurgeBase = { kind: PURGE_KINDS[cmd.kind], value: cmd.value, mode: PURGE_MODES[cmd.mode], purgeId, purgeAtMs };
    const outcomes =
      targets.length === 0
        ? []
        : await strategy.run({
            purge,
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
      redelivering: 0,
      acks,
    };
    this.recent.add(report);

    metrics.purgeDuration.observe({ fanout: cmd.fanout }, report.durationMs);
    for (const ack of acks) {
      if (ack.error === '') {
        metrics.purgeDelay.observe({ fanout: cmd.fanout, role: ack.role }, Math.max(0, ack.delayMs));
        events.publish({
          timeMs: ack.appliedAtMs,
          nodeId: ack.nodeId,
          type: 'purge.applied',
          detail: { purgeId, delayMs: ack.delayMs, objectsAffected: ack.objectsAffected, via: ack.via, fallback: ack.fallback, attempts: ack.attempts },
        });
      } else {
        metrics.purgeNodeErrors.inc({ fanout: cmd.fanout, role: ack.role });
        events.publish({ timeMs: doneAt, nodeId: ack.nodeId, type: 'purge.failed', detail: { purgeId, error: ack.error, via: ack.via, attempts: ack.attempts } });
      }
    }
    if (cmd.redeliver) {
      // acks[i] is targets[i]'s.
      const failed: RedeliveryTarget[] = targets.flatMap((node, i) =>
        acks[i].error === '' ? [] : [{ ack: acks[i], node, endedAtMs: byId.get(node.id)?.endedAtMs ?? doneAt }],
      );
      this.redeliveries.start(report, purge, failed);
    }
    events.publish({
      timeMs: doneAt,
      nodeId: controlId,
      type: 'purge.completed',
      detail: { purgeId, fanout: cmd.fanout, applied: report.applied, failed: report.failed, redelivering: report.redelivering, durationMs: report.durationMs },
    });
    logger.info({ purgeId, applied: report.applied, failed: report.failed, redelivering: report.redelivering, durationMs: report.durationMs }, 'purge completed');
    // A copy: the kept report changes as redeliveries land, while this
    // answer is what the fan-out got (and the caller may hold it).
    return structuredClone(report);
  }
}

function toEntry(node: ControlNode, outcome: NodeOutcome | undefined, purgeAtMs: number): PurgeAckEntry {
  if (!outcome) {
    // A strategy that returned without this node: it was neither reached nor tried.
    return { nodeId: node.id, role: node.role, appliedAtMs: 0, delayMs: 0, objectsAffected: 0, error: 'not reached', via: '', fallback: false, attempts: 0 };
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
    // The fan-out makes one call per node: its own, a forwarder's, or the fallback after a forwarder failed to.
    attempts: 1,
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
