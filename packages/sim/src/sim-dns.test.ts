import { createRng } from '@cdnlab/core';
import { parseTopology } from '@cdnlab/scenario';
import type { SimCacheNode } from './sim-cache-node';
import { SimDns } from './sim-dns';
import { createVirtualScheduler } from './virtual-scheduler';

const topology = parseTopology(
  `
name: t
regions:
  - { name: na, cidrs: [127.10.0.0/16] }
edges: { perRegion: 2, parents: [origin] }
nodes:
  - { id: origin, role: origin, region: na, site: { paths: [{ match: /**, size: 1KiB }] } }
dns: { health: { interval: 1s, timeout: 500ms, fall: 2, rise: 3 } }
`,
  'dns.yaml',
);

/** The two fields of an edge the probes read, on a stand-in the test switches up and down. */
function edges(): Array<{ id: string; region: string; up: boolean }> {
  return topology.nodes.filter((n) => n.role === 'edge').map((n) => ({ id: n.id, region: n.region, up: true }));
}

describe('SimDns health probes', () => {
  it('marks an edge down after `fall` failed probes and up after `rise` good ones', () => {
    const s = createVirtualScheduler();
    const es = edges();
    const dns = new SimDns(topology, es as unknown as SimCacheNode[], s, createRng(1));
    dns.startHealthChecks(() => true);
    es[0].up = false;
    s.runUntil(1500);
    expect(dns.isHealthy(es[0].id)).toBe(true); // one failed probe of two
    s.runUntil(2000);
    expect(dns.isHealthy(es[0].id)).toBe(false);
    es[0].up = true;
    s.runUntil(4999);
    expect(dns.isHealthy(es[0].id)).toBe(false); // two good probes of three
    s.runUntil(5000);
    expect(dns.isHealthy(es[0].id)).toBe(true);
    expect(dns.transitions).toEqual([
      { atMs: 2000, edge: es[0].id, healthy: false },
      { atMs: 5000, edge: es[0].id, healthy: true },
    ]);
  });

  it('stops probing once every edge is settled and no node can change state, not before', () => {
    const s = createVirtualScheduler();
    const es = edges();
    const dns = new SimDns(topology, es as unknown as SimCacheNode[], s, createRng(1));
    let eventsLeft = 1;
    dns.startHealthChecks(
      () => true,
      () => eventsLeft > 0,
    );
    // A node event is still to come: the probes go on although nothing changes.
    s.runUntil(100_000);
    expect(s.pending).toBe(1);
    // The last event takes an edge down: probing goes on until its health says so.
    es[1].up = false;
    eventsLeft = 0;
    s.runUntil(101_000);
    expect(s.pending).toBe(1);
    expect(dns.isHealthy(es[1].id)).toBe(true);
    s.runUntil(102_000);
    expect(dns.isHealthy(es[1].id)).toBe(false);
    // Settled, and nothing can change any more: the last probe set no other.
    expect(s.pending).toBe(0);
    expect(dns.transitions).toEqual([{ atMs: 102_000, edge: es[1].id, healthy: false }]);
  });

  it('with no node event at all, probes once and stops', () => {
    const s = createVirtualScheduler();
    const dns = new SimDns(topology, edges() as unknown as SimCacheNode[], s, createRng(1));
    dns.startHealthChecks(
      () => true,
      () => false,
    );
    expect(s.runAll()).toBe(1);
    expect(s.now()).toBe(1000);
  });
});
