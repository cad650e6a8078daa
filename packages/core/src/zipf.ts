/**
 * Zipf(alpha, n) object popularity: object of rank k (1-based) is requested
 * with probability proportional to 1 / k^alpha. Web and CDN traces are close
 * to Zipf with alpha between 0.6 and 1.0, which is why the simulator and the
 * eviction benchmark use it.
 *
 * Sampling uses rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions", ACM
 * TOMACS 6(3), 1996): O(1) time per draw and O(1) memory whatever n is, so a
 * catalogue of a billion objects costs nothing to set up. Ids returned are
 * rank - 1, in [0, n): id 0 is the most popular object.
 *
 * The idea: the continuous hat h(x) = x^-alpha lies above the discrete
 * weights in the sense that the area under h over [k - 1/2, k + 1/2] is at
 * least h(k) (h is convex). Draw a point uniformly in the area under h by
 * inverting its integral H, round to the nearest k, and accept when the point
 * falls in the last h(k) of that interval's area. Accepted k then have
 * probability exactly proportional to h(k) = k^-alpha.
 */
import type { Rng } from './rng';
import { createRng } from './rng';

export interface ZipfOptions {
  /** Skew, >= 0. 0 is uniform; CDN traces are usually 0.6 - 1.0. */
  alpha: number;
  /** Number of distinct objects, a positive integer below 2^31. */
  n: number;
  /** Seed for a private generator; ignored when `rng` is given. Default 1. */
  seed?: number;
  /** A generator to draw from (shared with other samplers, say). */
  rng?: Rng;
}

export interface ZipfSampler {
  readonly alpha: number;
  readonly n: number;
  /** The next object id in [0, n). */
  next(): number;
}

/** expm1(t) / t, accurate near t = 0 where the quotient tends to 1. */
function expm1OverT(t: number): number {
  return Math.abs(t) > 1e-8 ? Math.expm1(t) / t : 1 + t / 2 + (t * t) / 6;
}

/** log1p(t) / t, accurate near t = 0 where the quotient tends to 1. */
function log1pOverT(t: number): number {
  return Math.abs(t) > 1e-8 ? Math.log1p(t) / t : 1 - t / 2 + (t * t) / 3;
}

class RejectionInversionZipf implements ZipfSampler {
  private readonly oneMinusAlpha: number;
  /** H(1.5) - h(1): the lower end of the sampled area. */
  private readonly areaLow: number;
  /** H(n + 0.5): the upper end. */
  private readonly areaHigh: number;

  constructor(
    readonly alpha: number,
    readonly n: number,
    private readonly rng: Rng,
  ) {
    this.oneMinusAlpha = 1 - alpha;
    this.areaLow = this.bigH(1.5) - 1;
    this.areaHigh = this.bigH(n + 0.5);
  }

  /**
   * H(x) = (x^(1-alpha) - 1) / (1 - alpha), the integral of x^-alpha from 1,
   * written through expm1 so alpha = 1 (where H = ln x) needs no special case.
   */
  private bigH(x: number): number {
    const logX = Math.log(x);
    return expm1OverT(this.oneMinusAlpha * logX) * logX;
  }

  /** The inverse of H. */
  private bigHInverse(y: number): number {
    let t = this.oneMinusAlpha * y;
    // Rounding can push t just past -1 when alpha > 1; keep log1p defined.
    if (t < -1) t = -1;
    return Math.exp(log1pOverT(t) * y);
  }

  next(): number {
    const n = this.n;
    for (;;) {
      const u = this.areaHigh + this.rng.nextFloat() * (this.areaLow - this.areaHigh);
      const x = this.bigHInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      // Accept when u lies in the last h(k) of k's slice of the area.
      if (u >= this.bigH(k + 0.5) - Math.exp(-this.alpha * Math.log(k))) return k - 1;
    }
  }
}

function validateZipf(opts: ZipfOptions): void {
  if (opts === null || typeof opts !== 'object') throw new Error(`expected opts to be an object, got ${String(opts)}`);
  if (typeof opts.alpha !== 'number' || !Number.isFinite(opts.alpha) || opts.alpha < 0) {
    throw new Error(`expected opts.alpha to be a finite number >= 0, got ${String(opts.alpha)}`);
  }
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > 2147483647) {
    throw new Error(`expected opts.n to be an integer in [1, 2^31 - 1], got ${String(opts.n)}`);
  }
}

/** A seeded Zipf(alpha, n) sampler returning ids in [0, n). */
export function createZipf(opts: ZipfOptions): ZipfSampler {
  validateZipf(opts);
  const rng = opts.rng ?? createRng(opts.seed ?? 1);
  return new RejectionInversionZipf(opts.alpha, opts.n, rng);
}

/** `length` Zipf draws in an Int32Array: a request trace of object ids. */
export function zipfTrace(opts: ZipfOptions & { length: number }): Int32Array {
  if (!Number.isInteger(opts.length) || opts.length < 0) {
    throw new Error(`expected opts.length to be a non-negative integer, got ${String(opts.length)}`);
  }
  const sampler = createZipf(opts);
  const trace = new Int32Array(opts.length);
  for (let i = 0; i < trace.length; i++) trace[i] = sampler.next();
  return trace;
}

/** The exact probability of id (rank id + 1), for tests and reports. O(n). */
export function zipfProbability(alpha: number, n: number, id: number): number {
  validateZipf({ alpha, n });
  let norm = 0;
  for (let k = 1; k <= n; k++) norm += Math.pow(k, -alpha);
  return Math.pow(id + 1, -alpha) / norm;
}
