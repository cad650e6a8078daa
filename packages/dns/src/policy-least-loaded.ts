import { type DnsPolicy, type PolicyContext, UNKNOWN_COST, rankWithTies } from './policy';

/**
 * least-loaded: lightest edges first, by the load provider the server was
 * given. Region is ignored on purpose: this is the "knows load, not distance"
 * counterpart of anycast's "knows distance, not load". Edges with unknown load
 * rank after every known one.
 */
export function createLeastLoadedPolicy(ctx: PolicyContext): DnsPolicy {
  let turn = 0;
  return {
    name: 'least-loaded',
    select({ candidates, count }) {
      return rankWithTies(
        candidates,
        (e) => {
          const load = ctx.load(e.id);
          return typeof load === 'number' && Number.isFinite(load) ? load : UNKNOWN_COST;
        },
        count,
        turn++,
      );
    },
  };
}
