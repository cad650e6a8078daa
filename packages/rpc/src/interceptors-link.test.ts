import fc from 'fast-check';
import { DEFAULT_LINK_SETTINGS, Link, estimateMessageBytes, seededRandom } from './interceptors-link';

describe('Link', () => {
  it('validates its options and names the bad one', () => {
    expect(() => new Link({ latencyMs: -1 })).toThrow('expected opts.latencyMs to be a non-negative finite number, got -1');
    expect(() => new Link({ jitterMs: Number.NaN })).toThrow(/opts.jitterMs/);
    expect(() => new Link({ loss: 1 })).toThrow('expected opts.loss to be a probability in [0, 1), got 1');
    expect(() => new Link({ mssBytes: 0 })).toThrow(/opts.mssBytes/);
    expect(() => new Link({ down: 'yes' as unknown as boolean })).toThrow('expected opts.down to be a boolean, got yes');
    const link = new Link({ latencyMs: 5 });
    expect(() => link.update({ rtoMs: -3 })).toThrow(/opts.rtoMs/);
    expect(link.settings.latencyMs).toBe(5); // a rejected update changes nothing
  });

  it('is idle only with no latency, jitter or loss', () => {
    expect(new Link().idle).toBe(true);
    expect(new Link({ latencyMs: 1 }).idle).toBe(false);
    expect(new Link({ jitterMs: 1 }).idle).toBe(false);
    expect(new Link({ loss: 0.1 }).idle).toBe(false);
    expect(new Link().settings).toEqual(DEFAULT_LINK_SETTINGS);
  });

  it('draws the same delays for the same seed and different ones for another', () => {
    const draw = (seed: number) => {
      const l = new Link({ latencyMs: 10, jitterMs: 20, loss: 0.05, seed });
      return Array.from({ length: 50 }, () => l.sampleDelayMs(3000));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('keeps every delay within [latency, latency + jitter] when there is no loss', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer(), fc.nat(1_000_000), (latencyMs, jitterMs, seed, bytes) => {
        const l = new Link({ latencyMs, jitterMs, seed });
        for (let i = 0; i < 20; i++) {
          const d = l.sampleDelayMs(bytes);
          if (d < latencyMs || d > latencyMs + jitterMs) return false;
        }
        return true;
      }),
    );
  });

  it('adds whole, doubling RTOs for lost segments, more often for bigger messages', () => {
    const link = new Link({ latencyMs: 0, loss: 0.02, rtoMs: 200, seed: 9 });
    let small = 0;
    let big = 0;
    for (let i = 0; i < 2000; i++) {
      const d = link.sampleDelayMs(100);
      // sums of 200 * 2^k
      expect(d % 200).toBe(0);
      if (d > 0) small++;
    }
    for (let i = 0; i < 2000; i++) if (link.sampleDelayMs(64 * 1024) > 0) big++;
    // one segment vs 46 segments per message
    expect(big).toBeGreaterThan(small * 5);
    expect(link.lostSegments).toBeGreaterThan(0);
  });

  it('changes at run time', () => {
    const link = new Link({ latencyMs: 10 });
    link.update({ latencyMs: 25 });
    expect(link.sampleDelayMs(0)).toBe(25);
  });
});

describe('seededRandom', () => {
  it('stays in [0, 1) and rejects non-integer seeds', () => {
    const r = seededRandom(123);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(() => seededRandom(1.5)).toThrow('expected seed to be an integer, got 1.5');
  });
});

describe('estimateMessageBytes', () => {
  it('counts bytes and strings, the bulk of our messages', () => {
    expect(estimateMessageBytes({ chunk: Buffer.alloc(65536) })).toBeGreaterThanOrEqual(65536);
    expect(estimateMessageBytes({ head: { headers: [{ name: 'a', value: 'bcd' }] } })).toBeGreaterThanOrEqual(4);
    expect(estimateMessageBytes(null)).toBe(0);
  });
});
