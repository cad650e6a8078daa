import { type Cidr, type IpBytes, parseCidr, parseIp, samePrefix } from './ip';

// The coverage-zone map: which region a client address belongs to, the same
// idea as Traffic Control's coverage zone file (CIDR -> cache group). The most
// specific (longest) matching prefix wins.

export interface CoverageMatch {
  region: string | undefined;
  /** RFC 7871 §7.2.1 SCOPE PREFIX-LENGTH: how far around the client this answer holds. */
  scopePrefix: number;
}

interface Entry extends Cidr {
  region: string;
}

export class CoverageMap {
  // Sorted longest prefix first, so the first hit is the longest match. A
  // linear scan is fine for the tens of prefixes a lab topology has; a trie
  // would be the next step for real coverage files with thousands.
  private readonly v4: Entry[] = [];
  private readonly v6: Entry[] = [];
  private readonly cache = new Map<string, CoverageMatch>();

  constructor(regions: ReadonlyArray<{ name: string; cidrs: readonly string[] }>) {
    regions.forEach((region, r) => {
      region.cidrs.forEach((text, c) => {
        const cidr = parseCidr(text);
        if (typeof cidr === 'string') throw new Error(`regions[${r}].cidrs[${c}]: ${cidr}`);
        (cidr.family === 4 ? this.v4 : this.v6).push({ ...cidr, region: region.name });
      });
    });
    const byPrefix = (a: Entry, b: Entry) => b.prefix - a.prefix;
    this.v4.sort(byPrefix);
    this.v6.sort(byPrefix);
  }

  /**
   * Region of a network the client told us about (ECS: only `sourcePrefix`
   * bits are known) or of a plain address (sourcePrefix = 32 or 128).
   *
   * Only entries no longer than the source prefix can match: longer ones
   * would be judged on bits the client never sent. For the scope we stay
   * conservative: if a more specific entry overlaps the client's network the
   * answer is not uniform across the matched entry, so the scope is narrowed
   * to max(source, that entry's prefix); with no match at all it is the source
   * prefix (we cannot promise anything about the neighbours).
   */
  lookup(ip: IpBytes, sourcePrefix: number): CoverageMatch {
    const list = ip.family === 4 ? this.v4 : this.v6;
    let longestOverlap = -1;
    for (const e of list) {
      if (e.prefix > sourcePrefix) {
        if (e.prefix > longestOverlap && samePrefix(e.bytes, ip.bytes, sourcePrefix)) longestOverlap = e.prefix;
        continue;
      }
      if (samePrefix(e.bytes, ip.bytes, e.prefix)) {
        const scope = longestOverlap > e.prefix ? Math.max(sourcePrefix, longestOverlap) : e.prefix;
        return { region: e.region, scopePrefix: scope };
      }
    }
    return { region: undefined, scopePrefix: Math.max(sourcePrefix, longestOverlap) };
  }

  /** Region of a socket peer address. Memoised: the bench and real clients repeat addresses. */
  lookupAddress(address: string): CoverageMatch {
    const hit = this.cache.get(address);
    if (hit) return hit;
    const ip = parseIp(address);
    const match = ip ? this.lookup(ip, ip.family === 4 ? 32 : 128) : { region: undefined, scopePrefix: 0 };
    // Bounded: a flood of spoofed sources must not grow memory without limit.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(address, match);
    return match;
  }
}
