import type { DnsPolicy, PolicyContext } from './policy';

/** round-robin: every usable edge in turn, blind to region and load. */
export function createRoundRobinPolicy(_ctx: PolicyContext): DnsPolicy {
  let next = 0;
  return {
    name: 'round-robin',
    select({ candidates, count }) {
      const n = candidates.length;
      if (n === 0) return [];
      const start = next++ % n;
      const out = [];
      for (let i = 0; i < Math.min(count, n); i++) out.push(candidates[(start + i) % n]);
      return out;
    },
  };
}
