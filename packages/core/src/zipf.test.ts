import { createRng } from './rng';
import { createZipf, zipfProbability, zipfTrace } from './zipf';

/** Frequencies of `draws` samples against the exact probabilities, as z-scores. */
function worstZ(alpha: number, n: number, draws: number, seed: number): number {
  const counts = new Array(n).fill(0);
  const zipf = createZipf({ alpha, n, seed });
  for (let i = 0; i < draws; i++) counts[zipf.next()]++;
  let worst = 0;
  for (let id = 0; id < n; id++) {
    const p = zipfProbability(alpha, n, id);
    const z = Math.abs(counts[id] - draws * p) / Math.sqrt(draws * p * (1 - p));
    worst = Math.max(worst, z);
  }
  return worst;
}

describe('Zipf sampler (rejection-inversion)', () => {
  it.each([
    [0.9, 20],
    [1, 20],
    [1.5, 12],
    [0, 10],
    [0.5, 50],
  ])('alpha %s over %s ids matches the exact distribution', (alpha, n) => {
    // Seeded, so deterministic; 5 sigma per id would almost never trip for a correct sampler.
    expect(worstZ(alpha, n, 200_000, 99)).toBeLessThan(5);
  });

  it('returns ids in [0, n), id 0 the most popular', () => {
    const trace = zipfTrace({ alpha: 0.9, n: 1000, length: 50_000, seed: 3 });
    const counts = new Map<number, number>();
    for (const id of trace) {
      if (!(Number.isInteger(id) && id >= 0 && id < 1000)) throw new Error(`out of range: ${id}`);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    expect(top).toBe(0);
    // The top id's share is close to its probability (about 0.133 for alpha 0.9, n 1000).
    expect((counts.get(0) ?? 0) / trace.length).toBeCloseTo(zipfProbability(0.9, 1000, 0), 2);
  });

  it('handles n = 1 and huge n without tables', () => {
    expect(Array.from(zipfTrace({ alpha: 0.9, n: 1, length: 5 }))).toEqual([0, 0, 0, 0, 0]);
    const big = createZipf({ alpha: 0.8, n: 2_000_000_000, seed: 1 });
    for (let i = 0; i < 1000; i++) {
      const id = big.next();
      if (!(id >= 0 && id < 2_000_000_000)) throw new Error(`out of range: ${id}`);
    }
  });

  it('is deterministic for a seed and can share a generator', () => {
    const a = zipfTrace({ alpha: 0.9, n: 10_000, length: 1000, seed: 8 });
    const b = zipfTrace({ alpha: 0.9, n: 10_000, length: 1000, seed: 8 });
    const c = zipfTrace({ alpha: 0.9, n: 10_000, length: 1000, seed: 9 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const rng = createRng(8);
    const shared = createZipf({ alpha: 0.9, n: 10_000, rng });
    expect(Array.from({ length: 1000 }, () => shared.next())).toEqual(Array.from(a));
  });

  it('validates its options', () => {
    expect(() => createZipf({ alpha: -1, n: 10 })).toThrow('expected opts.alpha to be a finite number >= 0, got -1');
    expect(() => createZipf({ alpha: Number.NaN, n: 10 })).toThrow(/opts.alpha/);
    expect(() => createZipf({ alpha: 1, n: 0 })).toThrow('expected opts.n to be an integer in [1, 2^31 - 1], got 0');
    expect(() => createZipf({ alpha: 1, n: 2 ** 31 })).toThrow(/opts.n/);
    expect(() => zipfTrace({ alpha: 1, n: 3, length: -1 })).toThrow('expected opts.length to be a non-negative integer, got -1');
  });
});
