import fc from 'fast-check';
import { buildPurgeTree } from './fanout-tree';
import { Topology, type ControlNode, type NodeRole } from './topology';

const n = (id: string, role: NodeRole, parents: string[] = []): ControlNode => ({ id, role, region: 'x', grpcAddress: `${id}.test:1`, parents });

describe('buildPurgeTree', () => {
  it('puts the shield at the top and each node under its first purged cache parent', () => {
    const topo = new Topology([
      n('o1', 'origin'),
      n('s1', 'shield', ['o1']),
      n('r1', 'regional', ['s1']),
      n('r2', 'regional', ['s1']),
      n('e1', 'edge', ['r1', 'r2']),
      n('e2', 'edge', ['s1']),
      n('e3', 'edge', ['o1']), // no cache parent: the control plane calls it
    ]);
    const tree = buildPurgeTree(topo, topo.purgeTargets(false));
    expect(tree.roots.map((r) => r.id)).toEqual(['s1', 'e3']);
    expect(tree.routes).toEqual([
      { nodeId: 'r1', address: 'r1.test:1', via: 's1' },
      { nodeId: 'r2', address: 'r2.test:1', via: 's1' },
      { nodeId: 'e1', address: 'e1.test:1', via: 'r1' },
      { nodeId: 'e2', address: 'e2.test:1', via: 's1' },
    ]);
    // With the origin purged too it is a root of its own, never a forwarder.
    const withOrigin = buildPurgeTree(topo, topo.purgeTargets(true));
    expect(withOrigin.roots.map((r) => r.id)).toEqual(['o1', 's1', 'e3']);
  });

  // Random layered topologies (shields, regionals, edges with 0-3 parents
  // from the layers above): every target is reached exactly once, through a
  // parent of its own, and following `via` always ends at a root.
  it('reaches every target exactly once along parent links (property)', () => {
    const layered = fc
      .record({ shields: fc.integer({ min: 0, max: 3 }), regionals: fc.integer({ min: 0, max: 5 }), edges: fc.integer({ min: 0, max: 8 }) })
      .chain(({ shields, regionals, edges }) => {
        const s = Array.from({ length: shields }, (_, i) => `s${i}`);
        const r = Array.from({ length: regionals }, (_, i) => `r${i}`);
        const pick = (pool: string[]) => (pool.length === 0 ? fc.constant([] as string[]) : fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3 }));
        return fc.tuple(
          fc.constant(s),
          fc.tuple(...r.map(() => pick(s))),
          fc.tuple(...Array.from({ length: edges }, () => pick([...r, ...s]))),
        );
      })
      .map(([s, rParents, eParents]) => [
        ...s.map((id) => n(id, 'shield')),
        ...rParents.map((p, i) => n(`r${i}`, 'regional', p)),
        ...eParents.map((p, i) => n(`e${i}`, 'edge', p)),
      ]);
    fc.assert(
      fc.property(layered, (nodes) => {
        const topo = new Topology(nodes);
        const { roots, routes } = buildPurgeTree(topo, nodes);
        const reached = [...roots.map((r) => r.id), ...routes.map((r) => r.nodeId)].sort();
        expect(reached).toEqual(nodes.map((x) => x.id).sort());
        const rootIds = new Set(roots.map((r) => r.id));
        const viaOf = new Map(routes.map((r) => [r.nodeId, r.via]));
        for (const route of routes) {
          expect(topo.get(route.nodeId)?.parents).toContain(route.via);
          let at = route.nodeId;
          for (let hops = 0; !rootIds.has(at); hops++) {
            expect(hops).toBeLessThan(nodes.length);
            at = viaOf.get(at) as string;
          }
        }
        for (const root of roots) expect(root.parents.filter((p) => topo.get(p)?.role !== 'origin')).toEqual([]);
      }),
    );
  });
});
