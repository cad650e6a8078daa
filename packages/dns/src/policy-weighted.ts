import type { DnsPolicy, PolicyContext, PolicyEdge } from './policy';

/**
 * weighted: draw edges at random in proportion to their weight, without
 * replacement, so an edge of weight 3 leads three times as often as one of
 * weight 1. Weight 0 edges are only used when nothing else is left.
 */
export function createWeightedPolicy(ctx: PolicyContext): DnsPolicy {
  return {
    name: 'weighted',
    select({ candidates, count }) {
      const pool = candidates.filter((e) => e.weight > 0);
      const out: PolicyEdge[] = [];
      let total = pool.reduce((sum, e) => sum + e.weight, 0);
      while (out.length < count && pool.length > 0) {
        let r = ctx.random() * total;
        let i = 0;
        while (i < pool.length - 1 && r >= pool[i].weight) {
          r -= pool[i].weight;
          i++;
        }
        out.push(pool[i]);
        total -= pool[i].weight;
        pool.splice(i, 1);
      }
      for (const e of candidates) if (out.length < count && e.weight === 0) out.push(e);
      return out;
    },
  };
}
