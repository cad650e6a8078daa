import { findLink, nodesOfRole } from '@cdnlab/scenario';
import { generateTopology, greatCircleKm, syntheticPops } from './topology-generate';

describe('generateTopology', () => {
  it('builds regions × edges with a regional per region and a shield, through the loader', () => {
    const t = generateTopology({ regions: 30, edgesPerRegion: 40 });
    expect(t.regions).toHaveLength(30);
    expect(nodesOfRole(t, 'edge')).toHaveLength(1200);
    expect(nodesOfRole(t, 'regional')).toHaveLength(30);
    expect(nodesOfRole(t, 'shield')).toHaveLength(1);
    expect(nodesOfRole(t, 'origin')).toHaveLength(1);
    const e = t.nodes.find((n) => n.id === 'edge-r07-3')!;
    expect(e.parents).toEqual(['regional-r07']);
    // Defaults come from the loader, as for a file.
    expect(e.role === 'edge' && e.cache.capacityBytes).toBe(64 * 1024 * 1024);
  });

  it('derives latency from great-circle distance at 200 km per ms', () => {
    const pops = [
      { name: 'london', lat: 51.5074, lon: -0.1278 },
      { name: 'newyork', lat: 40.7128, lon: -74.006 },
      { name: 'sydney', lat: -33.8688, lon: 151.2093 },
    ];
    const km = greatCircleKm(pops[0], pops[1]);
    expect(km).toBeGreaterThan(5500);
    expect(km).toBeLessThan(5620);
    const t = generateTopology({ pops, edgesPerRegion: 2, lastMileMs: 3 });
    expect(t.distances.london.newyork).toBeCloseTo(km / 200, 1);
    expect(t.distances.newyork.london).toBe(t.distances.london.newyork);
    expect(t.distances.sydney.sydney).toBe(0);
    // Client → edge: the last mile inside a region, the distance across regions.
    expect(findLink(t, 'client@london', 'edge-london-1')!.latencyMs).toBe(3);
    expect(findLink(t, 'client@sydney', 'edge-london-1')!.latencyMs).toBe(t.distances.sydney.london);
    // Regional → shield (in the first PoP) pays the distance.
    expect(findLink(t, 'regional-sydney', 'shield')!.latencyMs).toBe(t.distances.sydney.london);
    expect(generateTopology({ pops, edgesPerRegion: 1, kmPerMs: 100 }).distances.london.newyork).toBeCloseTo(km / 100, 1);
  });

  it('spreads synthetic PoPs deterministically', () => {
    const a = syntheticPops(10);
    expect(syntheticPops(10)).toEqual(a);
    expect(new Set(a.map((p) => p.name)).size).toBe(10);
    expect(a.every((p) => p.lat >= -50 && p.lat <= 60 && p.lon >= -180 && p.lon <= 180)).toBe(true);
  });

  it('validates its options', () => {
    expect(() => generateTopology({ regions: 0, edgesPerRegion: 1 })).toThrow('expected opts.regions to be an integer >= 1, got 0');
    expect(() => generateTopology({ regions: 2, edgesPerRegion: 0 })).toThrow('expected opts.edgesPerRegion to be an integer >= 1, got 0');
    expect(() => generateTopology({ pops: [{ name: 'X', lat: 0, lon: 0 }], edgesPerRegion: 1 })).toThrow('expected opts.pops[0].name to be a lower-case name');
    expect(() => generateTopology({ regions: 2, edgesPerRegion: 1, kmPerMs: 0 })).toThrow('expected opts.kmPerMs to be a positive number, got 0');
    const fra = { name: 'fra', lat: 50, lon: 8.6 };
    expect(() => generateTopology({ pops: [fra, fra], edgesPerRegion: 1 })).toThrow('expected opts.pops[1].name to be unique, got "fra" twice');
  });
});
