/**
 * Direct fan-out: the control plane calls Tier.Purge on every target at
 * once. Fastest propagation (one hop for everyone), but the control plane
 * holds one connection per node and a node far away waits on a long link.
 */
import { failedOutcome, outcomeFromReply, purgeNode, type FanoutContext, type FanoutStrategy, type NodeOutcome } from './fanout';

export const directFanout: FanoutStrategy = {
  name: 'direct',
  description: 'the control plane calls every node at once',
  async run(ctx: FanoutContext): Promise<NodeOutcome[]> {
    return Promise.all(
      ctx.targets.map(async (node) => {
        // No routes: the node applies the purge and passes nothing on.
        const result = await purgeNode(ctx, node, [], ctx.deadlineAt);
        const ended = ctx.now();
        return 'reply' in result ? outcomeFromReply(result.reply, node, 'control', false, ended) : failedOutcome(node, result.error, 'control', false, ended);
      }),
    );
  },
};
