import type { Answer } from 'dns-packet';
import type { PolicyEdge } from './policy';

// The CDN zone's contents. Names that exist: the apex (the CDN hostname, with
// SOA, NS and the policy-chosen A/AAAA), ns1.<zone> (the name server), and
// <edge-id>.<zone> for every edge. Everything else under the zone is
// NXDOMAIN; everything outside it is not ours (REFUSED).

export type NameKind =
  | { kind: 'apex' }
  | { kind: 'ns' }
  | { kind: 'edge'; edge: PolicyEdge }
  | { kind: 'nxdomain' }
  | { kind: 'outside' };

export interface ZoneOptions {
  zone: string;
  edges: readonly PolicyEdge[];
  /** Address of ns1.<zone> (glue for the NS record). */
  nsAddress: string;
  nsFamily: 4 | 6;
  /** TTL of the zone's own records (SOA, per-edge names) and its negative TTL; see setTtl. */
  ttlSeconds: number;
  serial: number;
}

/** RFC 2181 §8: a TTL is an unsigned 32-bit number with the top bit clear. */
const MAX_TTL = 2 ** 31 - 1;

function checkTtl(seconds: number, what: string): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_TTL) throw new Error(`expected ${what} to be an integer from 0 to ${MAX_TTL}, got ${seconds}`);
}

/**
 * The serial after a change to the zone: the current clock in seconds (the
 * same convention as the start-up serial, so it reads as "when the zone last
 * changed" and a restart, which seeds from the clock again, normally moves on
 * from it), unless that would not be later than the current serial under
 * RFC 1982 serial arithmetic (two changes in one second, a clock stepped
 * back); then one more. Either way the result compares as greater (RFC 1982
 * §3.1: an increment below 2^31), wrapping past 2^32 - 1 as the RFC allows.
 */
export function nextSerial(current: number, nowSeconds: number): number {
  const now = Math.floor(nowSeconds) >>> 0;
  const ahead = (now - current) >>> 0;
  return ahead > 0 && ahead < 2 ** 31 ? now : (current + 1) >>> 0;
}

export class Zone {
  readonly name: string;
  readonly nsName: string;
  private readonly labels: string[];
  private readonly edgesById = new Map<string, PolicyEdge>();
  private readonly family: 4 | 6;
  private readonly nsRecord: Answer;
  private readonly glue: Answer;
  // The TTL can change while we serve (DnsAdmin SetPolicy ttl_seconds), so
  // nothing that carries it is fixed at construction: setTtl rebuilds these.
  private ttl = 0;
  private negTtl = 0;
  private soaSerial = 0;
  private soaRecord!: Answer;
  private negativeSoaRecord!: Answer;

  constructor(opts: ZoneOptions) {
    checkTtl(opts.ttlSeconds, 'opts.ttlSeconds');
    this.name = opts.zone.toLowerCase();
    this.labels = this.name.split('.');
    this.nsName = `ns1.${this.name}`;
    this.family = opts.nsFamily;
    for (const e of opts.edges) this.edgesById.set(e.id, e);
    this.nsRecord = { name: this.name, type: 'NS', ttl: 3600, data: this.nsName };
    this.glue = { name: this.nsName, type: opts.nsFamily === 4 ? 'A' : 'AAAA', ttl: 3600, data: opts.nsAddress };
    this.build(opts.ttlSeconds, opts.serial >>> 0);
  }

  /** TTL of the zone's own records: the SOA, and each edge's <id>.<zone> name. */
  get ttlSeconds(): number {
    return this.ttl;
  }

  /** RFC 2308 §5: negative answers are cached for min(SOA TTL, SOA MINIMUM). */
  get negativeTtl(): number {
    return this.negTtl;
  }

  get serial(): number {
    return this.soaSerial;
  }

  /**
   * A new TTL for the zone's records. The SOA's TTL and MINIMUM (so the
   * negative TTL) and the per-edge names take it from the next answer on.
   * Returns whether the zone changed.
   *
   * The serial moves with it (RFC 1035 §3.3.13: it is the version of the
   * zone; RFC 1034 §4.3.5 and RFC 1996: secondaries, and the monitors that
   * check every name server of a zone agrees, compare it to see whether
   * what they hold is current). A changed SOA MINIMUM and changed record
   * TTLs under the old serial would be two different zones claiming to be
   * the same version. Setting the TTL it already has changes nothing, so it
   * keeps the serial: nobody should refetch an unchanged zone. The policy's
   * apex A/AAAA answers are chosen per query and do not move the serial, as
   * in any GSLB: they are not stored zone data.
   */
  setTtl(seconds: number, nowSeconds: number): boolean {
    checkTtl(seconds, 'ttl seconds');
    if (seconds === this.ttl) return false;
    this.build(seconds, nextSerial(this.soaSerial, nowSeconds));
    return true;
  }

  private build(ttl: number, serial: number): void {
    this.ttl = ttl;
    this.soaSerial = serial;
    const data = {
      mname: this.nsName,
      rname: `hostmaster.${this.name}`,
      serial,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: ttl,
    };
    this.soaRecord = { name: this.name, type: 'SOA', ttl, data };
    // Written as the RFC 2308 §5 rule even though both are `ttl` today, so a
    // separate MINIMUM later cannot quietly lengthen negative caching.
    this.negTtl = Math.min(ttl, data.minimum);
    this.negativeSoaRecord = { name: this.name, type: 'SOA', ttl: this.negTtl, data };
  }

  /**
   * Place a query name, given as its raw labels (so a label holding a '.' byte
   * can never masquerade as two labels). Comparison is ASCII case-insensitive
   * (RFC 4343).
   */
  classify(labels: readonly string[]): NameKind {
    const extra = labels.length - this.labels.length;
    if (extra < 0) return { kind: 'outside' };
    for (let i = 0; i < this.labels.length; i++) {
      if (labels[extra + i].toLowerCase() !== this.labels[i]) return { kind: 'outside' };
    }
    if (extra === 0) return { kind: 'apex' };
    if (extra > 1) return { kind: 'nxdomain' };
    const first = labels[0].toLowerCase();
    if (first === 'ns1') return { kind: 'ns' };
    const edge = this.edgesById.get(first);
    return edge ? { kind: 'edge', edge } : { kind: 'nxdomain' };
  }

  soa(): Answer {
    return this.soaRecord;
  }

  /** The SOA for the authority section of a negative answer (RFC 2308 §3), TTL = negative TTL. */
  negativeSoa(): Answer {
    return this.negativeSoaRecord;
  }

  ns(): Answer {
    return this.nsRecord;
  }

  nsGlue(): Answer {
    return this.glue;
  }

  nsFamily(): 4 | 6 {
    return this.family;
  }
}
