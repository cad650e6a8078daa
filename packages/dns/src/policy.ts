import type { EdgeConfig } from './config';

// STYLE 3: answer-selection policies behind one narrow interface and a
// registry by name, like grpc-js registerLoadBalancerType. The server never
// branches on a policy name; it asks the registry for a factory.

export interface PolicyEdge extends EdgeConfig {
  family: 4 | 6;
}

export interface PolicyRequest {
  /** Client region from the coverage map, undefined when unknown. */
  region: string | undefined;
  /** Usable edges of the asked family (health already applied), in config order. */
  candidates: readonly PolicyEdge[];
  /** How many answers to return at most. */
  count: number;
}

export interface DnsPolicy {
  readonly name: string;
  select(request: PolicyRequest): PolicyEdge[];
}

/** Load of an edge (any unit, lower is lighter); undefined when not known. */
export type LoadProvider = (edgeId: string) => number | undefined;

export interface PolicyContext {
  edges: readonly PolicyEdge[];
  distances: Readonly<Record<string, Readonly<Record<string, number>>>>;
  latencyMs?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Reads the server's current load provider (it can be swapped at run time). */
  load: LoadProvider;
  /** Injectable randomness in [0, 1) so tests are deterministic. */
  random: () => number;
}

export type PolicyFactory = (ctx: PolicyContext) => DnsPolicy;

const registry = new Map<string, PolicyFactory>();

export function registerPolicy(name: string, factory: PolicyFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`expected policy name to be kebab-case, got ${JSON.stringify(name)}`);
  registry.set(name, factory);
}

export function createPolicy(name: string, ctx: PolicyContext): DnsPolicy {
  const factory = registry.get(name);
  if (!factory) throw new Error(`expected policy to be one of ${policyNames().join(', ')}, got ${JSON.stringify(name)}`);
  return factory(ctx);
}

export function policyNames(): string[] {
  return [...registry.keys()];
}

/**
 * Order candidates by `key` (ascending) and take `count`. Equal keys are
 * rotated by `turn` so that ties share the traffic instead of the first edge
 * in config order taking all of it.
 */
export function rankWithTies(
  candidates: readonly PolicyEdge[],
  key: (e: PolicyEdge) => number,
  count: number,
  turn: number,
): PolicyEdge[] {
  const keyed = candidates.map((edge, i) => ({ edge, k: key(edge), i }));
  keyed.sort((a, b) => a.k - b.k || a.i - b.i);
  const out: PolicyEdge[] = [];
  let start = 0;
  while (start < keyed.length && out.length < count) {
    let end = start + 1;
    while (end < keyed.length && keyed[end].k === keyed[start].k) end++;
    const size = end - start;
    const shift = turn % size;
    for (let j = 0; j < size && out.length < count; j++) out.push(keyed[start + ((j + shift) % size)].edge);
    start = end;
  }
  return out;
}

/**
 * For policies whose order depends only on the region (geo, latency): the
 * candidates grouped into tiers of equal key, computed once per candidate
 * list and region and reused until the list changes (the server hands the
 * same array back until an edge changes health). Then a query only rotates
 * within tiers: no sort on the hot path.
 */
export function createTieredSelector(key: (region: string | undefined, edge: PolicyEdge) => number): (request: PolicyRequest) => PolicyEdge[] {
  let memo = new WeakMap<readonly PolicyEdge[], Map<string | undefined, PolicyEdge[][]>>();
  let turn = 0;
  const tiersFor = (candidates: readonly PolicyEdge[], region: string | undefined): PolicyEdge[][] => {
    let byRegion = memo.get(candidates);
    if (!byRegion) {
      byRegion = new Map();
      memo.set(candidates, byRegion);
    }
    let tiers = byRegion.get(region);
    if (!tiers) {
      const keyed = candidates.map((edge, i) => ({ edge, k: key(region, edge), i }));
      keyed.sort((a, b) => a.k - b.k || a.i - b.i);
      tiers = [];
      for (let j = 0; j < keyed.length; j++) {
        if (j === 0 || keyed[j].k !== keyed[j - 1].k) tiers.push([]);
        tiers[tiers.length - 1].push(keyed[j].edge);
      }
      // Bounded: regions come from the config, but be safe against a caller inventing them.
      if (byRegion.size > 1000) memo = new WeakMap();
      byRegion.set(region, tiers);
    }
    return tiers;
  };
  return ({ region, candidates, count }) => {
    const tiers = tiersFor(candidates, region);
    const t = turn++;
    const out: PolicyEdge[] = [];
    for (const tier of tiers) {
      const shift = t % tier.length;
      for (let j = 0; j < tier.length && out.length < count; j++) out.push(tier[(j + shift) % tier.length]);
      if (out.length >= count) break;
    }
    return out;
  };
}

/** Missing table entries are "very far": a route exists but nothing is known about it. */
export const UNKNOWN_COST = Number.MAX_SAFE_INTEGER;
