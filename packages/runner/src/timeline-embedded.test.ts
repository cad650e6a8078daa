import { DEFAULT_TOPOLOGY } from '@cdnlab/launcher';
import { loadTopologyFile } from '@cdnlab/scenario';
import { linkHops } from './timeline-embedded';

const T = loadTopologyFile(DEFAULT_TOPOLOGY);
const hops = (from: string, to: string, oneWay = false) => {
  const h = linkHops(T, { from, to, oneWay });
  return { byNode: Object.fromEntries(h.byNode), clientHops: h.clientHops, reverseOnly: h.reverseOnly };
};

describe('linkHops', () => {
  it('finds the node->parent hops a role@region selector names', () => {
    expect(hops('edge@na', 'regional-na')).toEqual({ byNode: { 'edge-na-1': ['regional-na'], 'edge-na-2': ['regional-na'] }, clientHops: 0, reverseOnly: 0 });
  });

  it('matches a hop named parent->child too, counting it when the event is one-way', () => {
    expect(hops('shield', 'regional')).toEqual({ byNode: { 'regional-na': ['shield'], 'regional-eu': ['shield'], 'regional-apac': ['shield'] }, clientHops: 0, reverseOnly: 0 });
    expect(hops('shield', 'regional', true).reverseOnly).toBe(3);
    expect(hops('regional', 'shield', true).reverseOnly).toBe(0);
  });

  it('counts client hops, which the embedded engine cannot change', () => {
    // eu clients may be sent to any edge: six client->edge hops
    expect(hops('client@eu', 'edge')).toEqual({ byNode: {}, clientHops: 6, reverseOnly: 0 });
    // anything in eu <-> the eu edges: their clients, and their regional (a parent, named the other way)
    expect(hops('@eu', 'edge@eu')).toEqual({ byNode: { 'edge-eu-1': ['regional-eu'], 'edge-eu-2': ['regional-eu'] }, clientHops: 2, reverseOnly: 0 });
  });

  it('reaches the origin through the shield', () => {
    expect(hops('shield', 'origin').byNode).toEqual({ shield: ['origin'] });
    expect(hops('edge', 'origin').byNode).toEqual({});
  });

  it('names a bad selector', () => {
    expect(() => linkHops(T, { from: 'edgy', to: 'origin', oneWay: false })).toThrow(/unknown link endpoint "edgy"/);
  });
});
