import { type Cidr, type IpBytes, commonPrefixLength, parseCidr, parseIp, samePrefix } from './ip';

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
   * would be judged on bits the client never sent. The scope (RFC 7871 §6:
   * the bits of the address the answer covers) must describe a network on
   * which every address gets this answer, because a resolver answers the
   * whole of it from its cache. So it starts at the matched entry's prefix
   * and narrows past every more specific entry inside that entry: just far
   * enough to leave one out (the first bit where it and the client differ),
   * and to that entry's own prefix when it overlaps the client's network. With
   * no match at all it is the source prefix (we cannot promise anything
   * about the neighbours), or a longer entry's prefix that overlaps it.
   */
  lookup(ip: IpBytes, sourcePrefix: number): CoverageMatch {
    const list = ip.family === 4 ? this.v4 : this.v6;
    let longestOverlap = -1;
    for (const e of list) {
      if (e.prefix > sourcePrefix) {
        if (e.prefix > longestOverlap && samePrefix(e.bytes, ip.bytes, sourcePrefix)) longestOverlap = e.prefix;
        continue;
      }
      if (samePrefix(e.bytes, ip.bytes, e.prefix)) return { region: e.region, scopePrefix: this.scope(list, ip, e.prefix, sourcePrefix) };
    }
    return { region: undefined, scopePrefix: Math.max(sourcePrefix, longestOverlap) };
  }

  /** The narrowest scope from `from` that leaves out every more specific entry not holding the client. */
  private scope(list: readonly Entry[], ip: IpBytes, from: number, sourcePrefix: number): number {
    let scope = from;
    // Longest first: the entries before the first one of length `from` are the more specific ones.
    for (const f of list) {
      if (f.prefix <= from) break;
      const shared = commonPrefixLength(f.bytes, ip.bytes, Math.min(f.prefix, sourcePrefix));
      // f overlaps the client's network: the answer holds only outside f, so cover no more than f.
      if (shared >= Math.min(f.prefix, sourcePrefix)) scope = Math.max(scope, f.prefix);
      else scope = Math.max(scope, shared + 1);
    }
    return scope;
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
