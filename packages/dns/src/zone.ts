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
  ttlSeconds: number;
  serial: number;
}

export class Zone {
  readonly name: string;
  readonly nsName: string;
  private readonly labels: string[];
  private readonly edgesById = new Map<string, PolicyEdge>();
  private readonly soaRecord: Answer;
  private readonly nsRecord: Answer;
  private readonly glue: Answer;
  /** RFC 2308 §5: negative answers are cached for min(SOA TTL, SOA MINIMUM). */
  readonly negativeTtl: number;

  constructor(readonly opts: ZoneOptions) {
    this.name = opts.zone.toLowerCase();
    this.labels = this.name.split('.');
    this.nsName = `ns1.${this.name}`;
    for (const e of opts.edges) this.edgesById.set(e.id, e);
    const ttl = opts.ttlSeconds;
    this.negativeTtl = ttl;
    this.soaRecord = {
      name: this.name,
      type: 'SOA',
      ttl,
      data: {
        mname: this.nsName,
        rname: `hostmaster.${this.name}`,
        serial: opts.serial >>> 0,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: ttl,
      },
    };
    this.nsRecord = { name: this.name, type: 'NS', ttl: 3600, data: this.nsName };
    this.glue = { name: this.nsName, type: opts.nsFamily === 4 ? 'A' : 'AAAA', ttl: 3600, data: opts.nsAddress };
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
    return { ...this.soaRecord, ttl: this.negativeTtl } as Answer;
  }

  ns(): Answer {
    return this.nsRecord;
  }

  nsGlue(): Answer {
    return this.glue;
  }

  nsFamily(): 4 | 6 {
    return this.opts.nsFamily;
  }
}
