/**
 * Tree fan-out: the control plane calls only the top of the tree (the
 * shields, and any cache node with no cache parent); each node applies the
 * purge and passes it on to the nodes below it. The tree travels in
 * PurgeRequest.forward as a flat list of parent pointers (see tier.proto,
 * PurgeRoute), built here from the topology; the tier nodes do the passing on.
 *
 * Propagation takes one hop per level, but the control plane holds few
 * connections and each link carries the purge once. A forwarder that is down
 * cuts off its subtree: the nodes the tree did not reach are then called by
 * the control plane itself (marked `fallback`), so one dead regional does not
 * leave its edges serving purged content.
 */
import type { PurgeReply__Output, PurgeRoute } from '@cdnlab/rpc';
import {
  HOP_DEADLINE_SHARE,
  failedOutcome,
  outcomeFromReply,
  purgeNode,
  type FanoutContext,
  type FanoutStrategy,
  type NodeOutcome,
} from './fanout';
import type { ControlNode, Topology } from './topology';

export interface PurgeTree {
  /** Nodes the control plane calls itself. */
  roots: ControlNode[];
  /** Every other target, with the node that passes the purge on to it. */
  routes: Required<PurgeRoute>[];
}

/**
 * Roots and routes for `targets`. Each target is reached once, through its
 * first purged cache parent (topology.forwarderOf); the parent graph is
 * acyclic (config.ts checks), so every route leads up to a root.
 */
export function buildPurgeTree(topology: Topology, targets: readonly ControlNode[]): PurgeTree {
  const ids = new Set(targets.map((t) => t.id));
  const roots: ControlNode[] = [];
  const routes: Required<PurgeRoute>[] = [];
  for (const node of targets) {
    const via = topology.forwarderOf(node, ids);
    if (via) routes.push({ nodeId: node.id, address: node.grpcAddress, via: via.id });
    else roots.push(node);
  }
  return { roots, routes };
}

function collect(
  reply: PurgeReply__Output,
  root: ControlNode,
  viaOf: ReadonlyMap<string, string>,
  into: Map<string, NodeOutcome>,
  endedAtMs: number,
): void {
  // The forwarded acks travel in the root's reply: the control plane learns them all at once.
  into.set(root.id, outcomeFromReply(reply, root, 'control', false, endedAtMs));
  for (const ack of reply.forwarded) {
    const via = viaOf.get(ack.nodeId);
    // Acks for nodes we did not route (a confused tier) are dropped rather
    // than trusted; the first ack for a node wins.
    if (via === undefined || into.has(ack.nodeId)) continue;
    into.set(ack.nodeId, {
      nodeId: ack.nodeId,
      appliedAtMs: ack.error ? 0 : ack.appliedAtMs,
      objectsAffected: ack.error ? 0 : ack.objectsAffected,
      error: ack.error,
      via,
      fallback: false,
      endedAtMs,
    });
  }
}

export const treeFanout: FanoutStrategy = {
  name: 'tree',
  description: 'the control plane calls the shields; each node passes the purge on to the nodes below it',
  async run(ctx: FanoutContext): Promise<NodeOutcome[]> {
    const { roots, routes } = buildPurgeTree(ctx.topology, ctx.targets);
    const viaOf = new Map(routes.map((r) => [r.nodeId, r.via]));
    const outcomes = new Map<string, NodeOutcome>();

    // The roots get a share of the time, so what is left can still reach the
    // nodes a failed subtree did not.
    const treeDeadline = ctx.now() + (ctx.deadlineAt - ctx.now()) * HOP_DEADLINE_SHARE;
    await Promise.all(
      roots.map(async (root) => {
        const result = await purgeNode(ctx, root, routes, treeDeadline);
        if ('reply' in result) collect(result.reply, root, viaOf, outcomes, ctx.now());
        else outcomes.set(root.id, failedOutcome(root, result.error, 'control', false, ctx.now()));
      }),
    );

    const unreached = ctx.targets.filter((t) => !outcomes.has(t.id));
    await Promise.all(
      unreached.map(async (node) => {
        const result = await purgeNode(ctx, node, [], ctx.deadlineAt);
        const ended = ctx.now();
        const why = `not reached through ${viaOf.get(node.id) ?? 'the tree'}; direct call failed: `;
        outcomes.set(
          node.id,
          'reply' in result ? outcomeFromReply(result.reply, node, 'control', true, ended) : failedOutcome(node, why + result.error, 'control', true, ended),
        );
      }),
    );
    return ctx.targets.map((t) => outcomes.get(t.id)).filter((o): o is NodeOutcome => o !== undefined);
  },
};
