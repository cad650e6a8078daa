/**
 * A node's counters only grow while it runs. One that restarted counts from
 * 0 again, and so do the origin's counts after a reset: the difference of two
 * readings is then the later reading itself. `cdnlab status --watch` and the
 * testbed's per-interval tallies both tell it this way.
 */

/** What telling a restart needs of one reading of a node's stats. */
export interface CounterReading {
  /** Requests counted so far. */
  requests: number;
  /** How long the node had been up when read; absent or 0 when not known. */
  uptimeMs?: number;
}

/**
 * Whether the node counted from 0 again between two readings: its uptime
 * went down (a restart, even one after which it already answered more than
 * before), or its request count did (a restart without uptimes to compare,
 * or counts reset).
 */
export function countedAfresh(prev: CounterReading, cur: CounterReading): boolean {
  if (cur.requests < prev.requests) return true;
  return prev.uptimeMs !== undefined && prev.uptimeMs > 0 && cur.uptimeMs !== undefined && cur.uptimeMs > 0 && cur.uptimeMs < prev.uptimeMs;
}
