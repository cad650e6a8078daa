/**
 * The report of one purge (the HTTP JSON shape), and the recent reports kept
 * by purge id. A report is not final when the fan-out returns: redeliveries
 * (purge-redelivery.ts) update its acks in place, so GET /purges/<id> shows
 * a node that took the purge minutes later.
 */

/** One node's line in a purge report (NodeAck plus how the purge got there). */
export interface PurgeAckEntry {
  nodeId: string;
  role: string;
  /** Epoch ms the node applied the purge (node clock); 0 when it did not. */
  appliedAtMs: number;
  /** appliedAtMs − purgeAtMs; 0 when the node did not apply the purge. */
  delayMs: number;
  objectsAffected: number;
  /** Empty on success; the latest call's error otherwise. */
  error: string;
  /** "control", or the id of the node that passed the purge on. */
  via: string;
  /** True when a tree fan-out could not reach the node and the control plane called it itself. */
  fallback: boolean;
  /**
   * Calls made to this node for this purge: 1 for the fan-out's (its own, a
   * forwarder's or the fallback), more once redelivered; 0 when the
   * strategy never reached it.
   */
  attempts: number;
}

export interface PurgeReportEntry {
  purgeId: string;
  purgeAtMs: number;
  kind: string;
  value: string;
  mode: string;
  fanout: string;
  /** Time until the fan-out had every ack or error, ms (control clock); redeliveries do not change it. */
  durationMs: number;
  applied: number;
  failed: number;
  /** Acks that will be called again (waiting for their next call, or in one). */
  redelivering: number;
  /** In topology order. */
  acks: PurgeAckEntry[];
}

/** Reports kept for GET /purges: enough for a lab session, bounded so a purge loop cannot grow memory. */
export const MAX_RECENT_PURGES = 1_000;

/** The latest reports by purge id, oldest dropped first. */
export class RecentPurges {
  // A Map iterates in insertion order: the first key is the oldest report.
  private readonly byId = new Map<string, PurgeReportEntry>();

  constructor(private readonly max = MAX_RECENT_PURGES) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`expected max to be a positive integer, got ${max}`);
  }

  /**
   * Keep `report` (the object itself: later updates show). A report dropped
   * here is still updated by the redelivery holding it; it is only no longer
   * found by id.
   */
  add(report: PurgeReportEntry): void {
    this.byId.set(report.purgeId, report);
    while (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value as string);
  }

  get(purgeId: string): PurgeReportEntry | undefined {
    return this.byId.get(purgeId);
  }

  /** Newest first. */
  list(): PurgeReportEntry[] {
    return [...this.byId.values()].reverse();
  }

  get size(): number {
    return this.byId.size;
  }
}
