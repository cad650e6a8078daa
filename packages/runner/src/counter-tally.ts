/**
 * The testbed's node counters over a run. The control plane reports each
 * node's counters as totals since it started; the runner reads them at the
 * start, every interval and at the end, and takes differences. A node that
 * restarted meanwhile counted from 0 again (countedAfresh: its uptime or
 * its request count went down), so its difference is the reading itself.
 */
import { countedAfresh } from '@cdnlab/rpc';
import type { NodeCounters, StatsEntry } from './cluster-api';

const COUNTER_FIELDS: Array<keyof NodeCounters> = ['hits', 'misses', 'staleServed', 'revalidations', 'collapsedWaiters', 'evictions', 'requests', 'upstreamFetches'];

/** A node's counters and uptime as read, or null when it did not answer. */
export type Reading = { counters: NodeCounters; uptimeMs?: number } | null;

export const readingOf = (s: StatsEntry): Reading => (s.counters ? { counters: s.counters, ...(s.uptimeMs !== undefined ? { uptimeMs: s.uptimeMs } : {}) } : null);

/** Counters since `base`; a node that restarted meanwhile (countedAfresh) counts from 0 again. */
function since(cur: NonNullable<Reading>, base: Reading | undefined): NodeCounters {
  const c = cur.counters;
  const out = { ...c };
  if (!base) return out;
  const b = base.counters;
  const restarted = countedAfresh({ requests: b.requests, uptimeMs: base.uptimeMs }, { requests: c.requests, uptimeMs: cur.uptimeMs });
  for (const f of COUNTER_FIELDS) out[f] = restarted ? c[f] : c[f] - b[f];
  return out;
}

/**
 * Each cache node's counters summed over the readings of a run (the
 * baseline, the tier poll's every interval, the final one): a node killed
 * before the end keeps what it counted up to its last reading, and one that
 * restarted adds what it counted since, where a single final reading would
 * have had nothing for the first and only the restart's counts for the second.
 */
export class CounterTally {
  private readonly last: Map<string, Reading>;
  private readonly sums = new Map<string, { counters: NodeCounters; atMs: number }>();

  constructor(base: Map<string, Reading>) {
    this.last = new Map(base);
  }

  /** Adds a reading taken at `atMs`; calls `each` with every node's difference since its previous one. */
  add(stats: readonly StatsEntry[], atMs: number, each: (s: StatsEntry, delta: NodeCounters) => void): void {
    for (const s of stats) {
      const reading = readingOf(s);
      if (!reading) continue;
      const delta = since(reading, this.last.get(s.nodeId));
      this.last.set(s.nodeId, reading);
      const sum = this.sums.get(s.nodeId);
      if (sum) {
        for (const f of COUNTER_FIELDS) sum.counters[f] += delta[f];
        // Gauges: the latest reading's.
        sum.counters.objectsStored = reading.counters.objectsStored;
        sum.counters.bytesStored = reading.counters.bytesStored;
        sum.atMs = atMs;
      } else this.sums.set(s.nodeId, { counters: { ...delta }, atMs });
      each(s, delta);
    }
  }

  /** A node's counts over the run so far and when it was last read, or undefined when it never answered a reading. */
  of(id: string): { counters: NodeCounters; atMs: number } | undefined {
    return this.sums.get(id);
  }
}

/** Counters since the baseline, from one reading of every node (a snapshot's). */
export function countersFrom(stats: readonly StatsEntry[], base: Map<string, Reading>): (id: string) => NodeCounters | undefined {
  const byId = new Map(stats.map((s) => [s.nodeId, readingOf(s)]));
  return (id) => {
    const r = byId.get(id);
    return r ? since(r, base.get(id)) : undefined;
  };
}
