import { createRng, Xoshiro128 } from './rng';

describe('xoshiro128**', () => {
  it('matches outputs worked out by hand from the state (1, 2, 3, 4)', () => {
    // Output 1: rotl(s1 * 5, 7) * 9 = rotl(10, 7) * 9 = 1280 * 9 = 11520.
    // Step: t = 2 << 9 = 1024; s2 ^= s0 -> 2; s3 ^= s1 -> 6; s1 ^= s2 -> 0; s0 ^= s3 -> 7;
    //       s2 ^= t -> 1026; s3 = rotl(6, 11) = 12288.
    // Output 2: rotl(0 * 5, 7) * 9 = 0.
    // Step: t = 0; s2 ^= s0 -> 1029; s3 ^= s1 -> 12288; s1 ^= s2 -> 1029; s0 ^= s3 -> 12295; s2 -> 1029;
    //       s3 = rotl(12288, 11) = 25165824.
    // Output 3: rotl(1029 * 5, 7) * 9 = (5145 << 7) * 9 = 658560 * 9 = 5927040.
    const rng = new Xoshiro128(1, 2, 3, 4);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(0)).not.toEqual(draw(-1));
    for (const x of draw(7)) expect(x >>> 0).toBe(x);
  });

  it('spreads floats evenly over [0, 1)', () => {
    const rng = createRng(1234);
    const buckets = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = rng.nextFloat();
      if (!(x >= 0 && x < 1)) throw new Error(`nextFloat returned ${x}`);
      buckets[Math.floor(x * 10)]++;
    }
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.1 % critical value.
    const chi2 = buckets.reduce((a, b) => a + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('nextInt stays in range, hits every value and validates n', () => {
    const rng = createRng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = rng.nextInt(7);
      expect(Number.isInteger(x) && x >= 0 && x < 7).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(7);
    expect(rng.nextInt(1)).toBe(0);
    expect(() => rng.nextInt(0)).toThrow('expected n to be an integer in [1, 2^32], got 0');
    expect(() => rng.nextInt(2.5)).toThrow(/got 2.5/);
  });

  it('validates the seed and the state', () => {
    expect(() => createRng(1.5)).toThrow('expected seed to be a 32-bit integer, got 1.5');
    expect(() => createRng(2 ** 32)).toThrow(/expected seed to be a 32-bit integer/);
    expect(() => new Xoshiro128(0, 0, 0, 0)).toThrow(/not all zero/);
  });
});
