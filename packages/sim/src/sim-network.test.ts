import { createRng } from '@cdnlab/core';
import { LOST, SimNetwork } from './sim-network';
import { generateTopology } from './topology-generate';

describe('SimNetwork', () => {
  const topology = generateTopology({ regions: 1, edgesPerRegion: 2 });
  const edge = topology.nodes.find((n) => n.role === 'edge')!;
  const parent = edge.parents[0];

  it('gives one state per link direction, and a delay of its latency when it has no jitter or loss', () => {
    const net = new SimNetwork(topology, createRng(1));
    const up = net.link(edge.id, parent)!;
    expect(net.link(edge.id, parent)).toBe(up);
    expect(net.link(parent, edge.id)).not.toBe(up);
    expect(net.link(edge.id, 'no-such-node')).toBeUndefined();
    up.jitterMs = 0;
    up.loss = 0;
    up.latencyMs = 12.5;
    expect(net.delay(up)).toBe(12.5);
    expect(net.delay(undefined)).toBe(0);
  });

  it('applies a link event to that direction alone: latency, cut and restored', () => {
    const net = new SimNetwork(topology, createRng(1));
    const up = net.link(edge.id, parent)!;
    const down = net.link(parent, edge.id)!;
    const before = { latencyMs: down.latencyMs, jitterMs: down.jitterMs, loss: down.loss };
    up.jitterMs = 0;
    up.loss = 0;
    up.latencyMs = 40;
    up.down = true;
    expect(up.down).toBe(true);
    expect(net.delay(up)).toBe(LOST);
    up.down = false;
    expect(net.delay(up)).toBe(40);
    expect({ latencyMs: down.latencyMs, jitterMs: down.jitterMs, loss: down.loss, down: down.down }).toEqual({ ...before, down: false });
  });

  it('adds jitter below jitterMs, and one doubling retransmission timeout per loss (lost after six)', () => {
    const net = new SimNetwork(topology, createRng(7));
    const up = net.link(edge.id, parent)!;
    up.latencyMs = 10;
    up.loss = 0;
    up.jitterMs = 5;
    for (let i = 0; i < 100; i++) {
      const d = net.delay(up);
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThan(15);
    }
    up.jitterMs = 0;
    up.loss = 0.5;
    const rto = 200 + 2 * 10;
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = net.delay(up);
      if (d === LOST) continue;
      // 10 + rto * (2^k - 1) for k losses.
      const k = Math.log2((d - 10) / rto + 1);
      expect(Number.isInteger(k) && k >= 0 && k <= 6).toBe(true);
      seen.add(k);
    }
    expect(seen.has(0) && seen.has(1) && seen.has(2)).toBe(true);
    up.loss = 1;
    expect(net.delay(up)).toBe(LOST);
  });

});
