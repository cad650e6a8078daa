/**
 * Redelivery: a node that did not take a purge in the fan-out (down, frozen,
 * cut off past the deadline) is called again, alone and directly, on the
 * core's schedule (@cdnlab/core purge-redelivery.ts, shared with the
 * simulator) until it takes the purge or the purge is too old. A failed
 * call is not proof the node missed the purge: a frozen node reads a call
 * that waited in its socket when it wakes and applies it, its answer going
 * to a caller that gave up. Without redelivery the report cannot tell that
 * node from one whose call was lost for good (a dropped connection), which
 * serves the purged copy for its whole max-age.
 *
 * Calling again is safe: the request carries the original purge id and
 * purgeAtMs. A node that applied the purge already answers from its record
 * of the id (tier-node.ts keeps the recent ones), and one that applies it
 * late does so by the purge-time rule, removing only copies fetched before
 * the purge was issued, never content it fetched since.
 *
 * Each redelivery updates the report's ack in place (the report object kept
 * by RecentPurges), so GET /purges/<id> shows the node's state now.
 */
import { PURGE_REDELIVERY_WINDOW_MS, mayRedeliver, purgeRedeliveryDelay } from '@cdnlab/core';
import type { PurgeReply__Output, TierClient } from '@cdnlab/rpc';
import type { Logger } from 'pino';
import type { EventHub } from './event-hub';
import { purgeNode, type PurgeBase } from './fanout';
import type { ControlMetrics } from './metrics';
import type { PurgeAckEntry, PurgeReportEntry } from './purge-report';
import type { ControlNode } from './topology';

export interface PurgeRedeliveryDeps {
  tierClient(node: ControlNode): TierClient;
  /** Each call's deadline, ms: the same budget a fan-out has. */
  timeoutMs: number;
  events: EventHub;
  metrics: ControlMetrics;
  logger: Logger;
  now(): number;
  /** For tests only: how old a purge may get before no call starts. Default PURGE_REDELIVERY_WINDOW_MS. */
  windowMs?: number;
}

/** A failed ack to call again, and when the call that failed ended (control clock). */
export interface RedeliveryTarget {
  ack: PurgeAckEntry;
  node: ControlNode;
  endedAtMs: number;
}

/** One node that has still to take one purge. */
interface Waiting {
  report: PurgeReportEntry;
  purge: PurgeBase;
  ack: PurgeAckEntry;
  node: ControlNode;
  /** The next call's timer, while waiting for it. */
  timer: NodeJS.Timeout | undefined;
}

export class PurgeRedeliveries {
  private readonly deps: PurgeRedeliveryDeps;
  private readonly waiting = new Set<Waiting>();
  private readonly windowMs: number;
  private closed = false;

  constructor(deps: PurgeRedeliveryDeps) {
    this.deps = deps;
    this.windowMs = deps.windowMs ?? PURGE_REDELIVERY_WINDOW_MS;
    if (!(this.windowMs > 0 && Number.isFinite(this.windowMs))) throw new RangeError(`expected windowMs to be a positive number of ms, got ${this.windowMs}`);
  }

  /**
   * Start calling again each of `targets` (acks of `report` with an error).
   * Sets report.redelivering. Does nothing once closed.
   */
  start(report: PurgeReportEntry, purge: PurgeBase, targets: readonly RedeliveryTarget[]): void {
    if (this.closed || targets.length === 0) return;
    for (const { ack, node, endedAtMs } of targets) {
      const w: Waiting = { report, purge, ack, node, timer: undefined };
      this.waiting.add(w);
      report.redelivering += 1;
      this.deps.metrics.purgeRedeliveriesWaiting.inc();
      this.plan(w, endedAtMs);
    }
    this.deps.logger.info({ purgeId: report.purgeId, nodes: targets.map((t) => t.node.id) }, 'purge redelivery scheduled');
  }

  /** Cancel every pending call (the control plane is stopping). A call in flight is left to end; nothing starts after this. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const cancelled = [...this.waiting];
    for (const w of cancelled) {
      clearTimeout(w.timer);
      w.timer = undefined;
      this.finish(w);
    }
    if (cancelled.length > 0) {
      this.deps.logger.info({ nodes: cancelled.length, purgeIds: [...new Set(cancelled.map((w) => w.report.purgeId))] }, 'purge redeliveries cancelled: control plane stopping');
    }
  }

  /** Set the timer of the next call, counted from `endedAt` (when the last call's failure was known), or give up. */
  private plan(w: Waiting, endedAt: number): void {
    // A node the strategy never reached has made no call yet, but its next
    // one comes after the fan-out like any first redelivery.
    const call = Math.max(2, w.ack.attempts + 1);
    const startAt = endedAt + purgeRedeliveryDelay(call);
    if (!mayRedeliver(w.purge.purgeAtMs, startAt, this.windowMs)) {
      this.giveUp(w);
      return;
    }
    w.timer = setTimeout(() => {
      w.timer = undefined;
      this.call(w).catch((err: unknown) => {
        // A bug in the bookkeeping below, not a node failure (purgeNode never rejects).
        this.deps.logger.error({ err, purgeId: w.report.purgeId, nodeId: w.node.id }, 'purge redelivery failed unexpectedly');
        if (this.waiting.has(w)) this.finish(w);
      });
    }, Math.max(0, startAt - this.deps.now()));
    // A purge still waiting for a node must not keep a stopping process alive.
    w.timer.unref();
  }

  private async call(w: Waiting): Promise<void> {
    if (!this.waiting.has(w)) return;
    const { deps } = this;
    const startedAt = deps.now();
    // Timers fire late on a busy host: the window is checked again at the real start.
    if (!mayRedeliver(w.purge.purgeAtMs, startedAt, this.windowMs)) {
      this.giveUp(w);
      return;
    }
    const result = await purgeNode({ purge: w.purge, tierClient: deps.tierClient, now: deps.now }, w.node, [], startedAt + deps.timeoutMs);
    const { ack } = w;
    ack.attempts += 1;
    ack.via = 'control';
    ack.fallback = false;
    deps.metrics.purgeRedeliveries.inc({ outcome: 'reply' in result ? 'applied' : 'failed' });
    if ('reply' in result) {
      this.applied(w, result.reply);
      return;
    }
    ack.error = result.error;
    // Stopped during the call: the outcome is recorded, but no call follows.
    if (!this.waiting.has(w)) return;
    deps.logger.debug({ purgeId: w.report.purgeId, nodeId: w.node.id, attempts: ack.attempts, error: ack.error }, 'purge redelivery call failed');
    this.plan(w, deps.now());
  }

  private applied(w: Waiting, reply: PurgeReply__Output): void {
    const { report, ack } = w;
    ack.appliedAtMs = reply.appliedAtMs;
    // Node clock minus control clock, as for the fan-out's acks.
    ack.delayMs = reply.appliedAtMs - report.purgeAtMs;
    ack.objectsAffected = reply.objectsAffected;
    ack.error = '';
    report.applied = report.acks.filter((a) => a.error === '').length;
    report.failed = report.acks.length - report.applied;
    if (!this.waiting.has(w)) return;
    this.finish(w);
    const { events, metrics, logger } = this.deps;
    metrics.purgeDelay.observe({ fanout: report.fanout, role: ack.role }, Math.max(0, ack.delayMs));
    events.publish({
      timeMs: ack.appliedAtMs,
      nodeId: ack.nodeId,
      type: 'purge.applied',
      detail: {
        purgeId: report.purgeId,
        delayMs: ack.delayMs,
        objectsAffected: ack.objectsAffected,
        via: 'control',
        fallback: false,
        redelivered: true,
        attempts: ack.attempts,
      },
    });
    logger.info({ purgeId: report.purgeId, nodeId: ack.nodeId, attempts: ack.attempts, delayMs: ack.delayMs }, 'purge redelivered');
  }

  private giveUp(w: Waiting): void {
    this.finish(w);
    const { report, ack } = w;
    const now = this.deps.now();
    this.deps.events.publish({
      timeMs: now,
      nodeId: ack.nodeId,
      type: 'purge.failed',
      detail: { purgeId: report.purgeId, error: ack.error, via: 'control', attempts: ack.attempts, gaveUp: true },
    });
    this.deps.logger.warn(
      { purgeId: report.purgeId, nodeId: ack.nodeId, attempts: ack.attempts, error: ack.error, ageMs: now - report.purgeAtMs },
      'purge redelivery given up: the node never took the purge and the purge is too old to send again',
    );
  }

  /** The node no longer counts as waiting (applied, given up, or cancelled by close()). */
  private finish(w: Waiting): void {
    this.waiting.delete(w);
    w.report.redelivering -= 1;
    this.deps.metrics.purgeRedeliveriesWaiting.dec();
  }
}
