/**
 * Stats of every node, asked concurrently. A node that does not answer by
 * the deadline gets an entry with its error; the others are still reported.
 */
import { CdnError, callOptions, fromServiceError, quoteForMessage, unaryCall, type ParentCall, type StatsReply, type StatsReply__Output, type TierClient } from '@cdnlab/rpc';
import { MIN_CALL_MS } from './fanout';
import type { ControlNode, Topology } from './topology';

export interface NodeStatsEntry {
  nodeId: string;
  role: string;
  region: string;
  /** null when the node did not answer. */
  counters: StatsReply__Output['counters'];
  uptimeMs: number;
  /** Empty on success. */
  error: string;
}

export interface CollectStatsOptions {
  topology: Topology;
  /** Only these nodes; empty: every node. Unknown ids are a BAD_REQUEST. */
  nodeIds: readonly string[];
  tierClient(node: ControlNode): TierClient;
  deadlineAt: number;
  parent?: ParentCall;
  now?: () => number;
}

/**
 * The nodes `nodeIds` names, each once however often it is named: one
 * request must not turn into thousands of calls to the same node.
 */
export function selectNodes(topology: Topology, nodeIds: readonly string[]): ControlNode[] {
  if (nodeIds.length === 0) return [...topology.nodes];
  const selected = new Set<ControlNode>();
  nodeIds.forEach((id, i) => {
    const node = topology.get(id);
    if (!node) throw new CdnError('BAD_REQUEST', `unknown node id ${quoteForMessage(id)} in node_ids[${i}]`);
    selected.add(node);
  });
  return [...selected];
}

export async function collectStats(opts: CollectStatsOptions): Promise<NodeStatsEntry[]> {
  const now = opts.now ?? Date.now;
  const nodes = selectNodes(opts.topology, opts.nodeIds);
  return Promise.all(
    nodes.map(async (node): Promise<NodeStatsEntry> => {
      const base = { nodeId: node.id, role: node.role, region: node.region };
      const ms = Math.floor(opts.deadlineAt - now());
      if (ms < MIN_CALL_MS) return { ...base, counters: null, uptimeMs: 0, error: 'UPSTREAM_TIMEOUT: no time left before the deadline' };
      const client = opts.tierClient(node);
      try {
        const reply = await unaryCall<StatsReply__Output>((cb) => client.Stats({}, callOptions(ms, opts.parent), cb));
        return { ...base, counters: reply.counters, uptimeMs: reply.uptimeMs, error: '' };
      } catch (err) {
        const e = fromServiceError(err);
        return { ...base, counters: null, uptimeMs: 0, error: `${e.code}: ${e.message}` };
      }
    }),
  );
}

/**
 * The gRPC shape. StatsReply has no error field, so a node that did not
 * answer appears with its id, role and region and no counters.
 */
export function toProtoStats(entries: readonly NodeStatsEntry[]): StatsReply[] {
  return entries.map((e) => ({ nodeId: e.nodeId, role: e.role, region: e.region, counters: e.counters, uptimeMs: e.uptimeMs }));
}
