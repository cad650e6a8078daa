/**
 * Parent selection by rendezvous (highest-random-weight) hashing on the cache
 * key: every child ranks the parents the same way for a given key, so one
 * object lives in one parent and the parents' capacities add up instead of
 * holding copies of the same hot set. When a parent fails, only the keys it
 * owned move, each to its own next-ranked parent (ATS parent.config's
 * consistent_hash, Traffic Control's multi-parent mode).
 */

/** 32-bit FNV-1a then a murmur3 finaliser, so nearby strings spread well. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Weighted {
  id: string;
  /** Relative capacity; a parent of weight 2 owns about twice the keys. */
  weight?: number;
}

/**
 * Parents in the order a child should try them for `key`: best first. Weighted
 * by the logarithmic method, so weights scale ownership proportionally.
 */
export function rankParents<P extends Weighted>(key: string, parents: readonly P[]): P[] {
  if (parents.length <= 1) return parents.slice();
  const scored = parents.map((p) => {
    const w = p.weight ?? 1;
    if (!(w > 0)) throw new TypeError(`expected parent ${p.id} weight to be a positive number, got ${w}`);
    // Uniform in (0,1), then -w/ln(u): larger is better.
    const u = (hash32(`${p.id}\u0000${key}`) + 0.5) / 4294967296;
    return { p, score: -w / Math.log(u) };
  });
  scored.sort((a, b) => b.score - a.score || (a.p.id < b.p.id ? -1 : 1));
  return scored.map((s) => s.p);
}

/** How long a parent that failed (refused or reset a call) is tried after the others: the tiers' default. */
export const PARENT_PENALTY_MS = 2000;

/**
 * `ranked` (rankParents' order) with the parents that failed within the
 * last `penaltyMs` moved after the others, each group keeping its order:
 * a child does not keep paying a refused connection to a parent that just
 * failed, and gives one that came back a moment before its keys are sent
 * to it again. `failedAt(p)` is when p last failed (-Infinity: never).
 */
export function preferHealthy<P>(ranked: readonly P[], failedAt: (p: P) => number, now: number, penaltyMs = PARENT_PENALTY_MS): P[] {
  const ok: P[] = [];
  const bad: P[] = [];
  for (const p of ranked) (now - failedAt(p) > penaltyMs ? ok : bad).push(p);
  return bad.length === 0 ? ok : [...ok, ...bad];
}
