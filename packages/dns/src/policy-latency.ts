import { type DnsPolicy, type PolicyContext, UNKNOWN_COST, createTieredSelector } from './policy';

/**
 * latency: lowest measured region x edge latency first. Unlike geo this can
 * prefer a far region's edge when the table says its path is faster. Unknown
 * client region: all edges tie and take turns.
 */
export function createLatencyPolicy(ctx: PolicyContext): DnsPolicy {
  const latency = (region: string | undefined, edge: { id: string }) => {
    const row = region === undefined ? undefined : ctx.latencyMs?.[region];
    return row ? (row[edge.id] ?? UNKNOWN_COST) : 0;
  };
  return { name: 'latency', select: createTieredSelector(latency) };
}
