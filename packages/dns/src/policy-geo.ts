import { type DnsPolicy, type PolicyContext, UNKNOWN_COST, createTieredSelector } from './policy';

/**
 * geo: the nearest usable edges by region distance. A client in region R gets
 * R's own edges first (distance R->R defaults to 0), then the next-nearest
 * region's, so losing an edge spills to the neighbour, not to a random one.
 * Edges at the same distance take turns. Unknown client region: all edges tie.
 */
export function createGeoPolicy(ctx: PolicyContext): DnsPolicy {
  const distance = (region: string | undefined, edge: { region: string }) => {
    if (region === undefined) return 0;
    const d = ctx.distances[region]?.[edge.region];
    return d ?? (edge.region === region ? 0 : UNKNOWN_COST);
  };
  return { name: 'geo', select: createTieredSelector(distance) };
}
