/**
 * A small, fast, seeded pseudo-random generator: xoshiro128** (Blackman and
 * Vigna, 2018). Four 32-bit words of state, period 2^128 - 1, and every step
 * is plain 32-bit integer arithmetic, so the same seed yields the same
 * sequence on every run and every platform. The simulator depends on that:
 * a scenario run with a seed must be reproducible bit for bit.
 *
 * Not for cryptography.
 */

export interface Rng {
  /** The next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number;
  /** A float in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** An integer in [0, n) for a positive integer n up to 2^32. */
  nextInt(n: number): number;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

export class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Use `createRng(seed)` unless you need a state given word by word. */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    // An all-zero state is the one fixed point of the generator.
    if ((s0 | s1 | s2 | s3) === 0) throw new Error('expected a xoshiro128** state that is not all zero');
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const times5 = Math.imul(s1, 5);
    const result = Math.imul((times5 << 7) | (times5 >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  nextFloat(): number {
    // 27 high bits of one draw and 26 of the next make a 53-bit mantissa.
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new Error(`expected n to be an integer in [1, 2^32], got ${n}`);
    }
    // Rejection keeps the result exactly uniform: draws that fall in the
    // short last partial block of 2^32 are thrown away.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }
}

/**
 * SplitMix32 spreads one 32-bit seed over the four state words, so seeds
 * that differ in one bit still start from unrelated states.
 */
function splitMix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded generator. `seed` is any integer in [0, 2^32) (or a negative int32). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < -2147483648 || seed >= TWO_POW_32) {
    throw new Error(`expected seed to be a 32-bit integer, got ${seed}`);
  }
  const state = { x: seed | 0 };
  const a = splitMix32(state);
  const b = splitMix32(state);
  const c = splitMix32(state);
  let d = splitMix32(state);
  if ((a | b | c | d) === 0) d = 1;
  return new Xoshiro128(a, b, c, d);
}
