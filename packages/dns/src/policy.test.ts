import fc from 'fast-check';
import { createPolicy, policyNames } from './policies';
import type { PolicyContext, PolicyEdge } from './policy';

const edge = (id: string, region: string, weight = 1): PolicyEdge => ({ id, region, address: '127.0.0.1', grpcAddress: '127.0.0.1:1', weight, family: 4 });
const edges = [edge('a1', 'a'), edge('a2', 'a'), edge('b1', 'b', 3), edge('b2', 'b'), edge('c1', 'c', 0)];

function context(over: Partial<PolicyContext> = {}): PolicyContext {
  let seed = 1;
  return {
    edges,
    distances: { a: { a: 0, b: 10, c: 20 }, b: { a: 10, b: 0, c: 5 }, c: { a: 20, b: 5, c: 0 } },
    latencyMs: { a: { a1: 30, a2: 5, b1: 1, b2: 50, c1: 60 } },
    load: () => undefined,
    // A small deterministic generator so weighted tests do not flake.
    random: () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646,
    ...over,
  };
}

// STYLE 4: every registered policy runs the same conformance checks.
describe.each(policyNames())('policy %s: conformance', (name) => {
  it('returns at most `count` distinct edges, all from the candidates', () => {
    fc.assert(
      fc.property(fc.subarray(edges), fc.integer({ min: 1, max: 8 }), fc.constantFrom(undefined, 'a', 'b', 'c', 'zz'), (candidates, count, region) => {
        const policy = createPolicy(name, context());
        const chosen = policy.select({ region, candidates, count });
        expect(chosen.length).toBeLessThanOrEqual(count);
        expect(new Set(chosen).size).toBe(chosen.length);
        for (const e of chosen) expect(candidates).toContain(e);
        // With enough candidates every policy fills the answer (weight-0 edges included as a last resort).
        expect(chosen.length).toBe(Math.min(count, candidates.length));
      }),
      { numRuns: 300 },
    );
  });

  it('returns nothing when there is nothing to choose', () => {
    expect(createPolicy(name, context()).select({ region: 'a', candidates: [], count: 2 })).toEqual([]);
  });
});

describe('policies', () => {
  const ids = (es: PolicyEdge[]) => es.map((e) => e.id);

  it('geo: own region first, then the nearest; ties take turns', () => {
    const geo = createPolicy('geo', context());
    const first = ids(geo.select({ region: 'a', candidates: edges, count: 2 }));
    expect(first.sort()).toEqual(['a1', 'a2']);
    const leaders = new Set([0, 1, 2, 3].map(() => ids(geo.select({ region: 'a', candidates: edges, count: 1 }))[0]));
    expect(leaders).toEqual(new Set(['a1', 'a2']));
    // Region c: c1 (0), then b (5), then a (20).
    expect(ids(geo.select({ region: 'c', candidates: edges, count: 3 }))[0]).toBe('c1');
    expect(ids(geo.select({ region: 'c', candidates: edges, count: 3 })).slice(1).sort()).toEqual(['b1', 'b2']);
    // Own region unhealthy (not in candidates): spill to the nearest neighbour.
    expect(ids(geo.select({ region: 'b', candidates: [edges[0], edges[4]], count: 1 }))).toEqual(['c1']);
  });

  it('latency: lowest table value first', () => {
    const p = createPolicy('latency', context());
    expect(ids(p.select({ region: 'a', candidates: edges, count: 3 }))).toEqual(['b1', 'a2', 'a1']);
  });

  it('least-loaded: lightest first, unknown load last, and follows a new provider', () => {
    let loads: Record<string, number> = { a1: 90, a2: 10, b1: 50 };
    const p = createPolicy('least-loaded', context({ load: (id) => loads[id] }));
    expect(ids(p.select({ region: 'a', candidates: edges, count: 3 }))).toEqual(['a2', 'b1', 'a1']);
    loads = { a1: 0, a2: 100, b1: 100, b2: 100, c1: 100 };
    expect(ids(p.select({ region: 'a', candidates: edges, count: 1 }))).toEqual(['a1']);
  });

  it('round-robin: each edge leads in turn', () => {
    const p = createPolicy('round-robin', context());
    const leads = edges.map(() => p.select({ region: 'a', candidates: edges, count: 2 })[0].id);
    expect(leads).toEqual(edges.map((e) => e.id));
  });

  it('weighted: leads in proportion to weight, never a weight-0 edge while others remain', () => {
    const p = createPolicy('weighted', context());
    const counts: Record<string, number> = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const lead = p.select({ region: 'a', candidates: edges, count: 1 })[0].id;
      counts[lead] = (counts[lead] ?? 0) + 1;
    }
    // Weights 1,1,3,1,0 -> b1 leads 3/6 of the time, the others 1/6 each.
    expect(counts.b1 / n).toBeCloseTo(0.5, 1);
    expect(counts.a1 / n).toBeCloseTo(1 / 6, 1);
    expect(counts.c1).toBeUndefined();
  });

  it('the registry names what exists when asked for something else', () => {
    expect(() => createPolicy('fastest', context())).toThrow('expected policy to be one of geo, weighted, least-loaded, latency, round-robin, got "fastest"');
  });
});
