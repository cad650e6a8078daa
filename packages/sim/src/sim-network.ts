/**
 * The simulated network: every hop of the topology with its one-way latency,
 * jitter and loss, sampled from one seeded generator so a run is the same
 * for the same seed.
 *
 * Loss is modelled the way TCP (and so gRPC and HTTP/1.1) experiences it: the
 * message still arrives, one retransmission timeout later. The timeout starts
 * at 200 ms plus one round trip (Linux's minimum RTO is 200 ms; RFC 6298 §2
 * adds the variance term we leave out) and doubles on each further loss
 * (RFC 6298 §5.5), up to 6 retransmissions, after which the hop fails.
 */
import { MIN_RTO_MS, type Rng } from '@cdnlab/core';
import { clientEndpoint, clientLinkValues, type LinkValues, type Topology, type TopologyNode } from '@cdnlab/scenario';

/** A link's numbers in LinkTable.values: LINK_FIELDS doubles per link, at id * LINK_FIELDS. */
const LATENCY = 0;
const JITTER = 1;
const LOSS = 2;
/** 1 when the link is cut, else 0. */
const DOWN = 3;
const LINK_FIELDS = 4;

/**
 * Every link's numbers side by side in one array of doubles. A message on
 * a link reads them (twice per hop), and in objects of their own they were
 * a fetch of the link and of each number's box (V8 keeps a double field in
 * an object of its own), on links among thousands: here the numbers of a
 * few thousand links stay in the processor's caches.
 */
class LinkTable {
  values = new Float64Array(64 * LINK_FIELDS);
  count = 0;

  add(v: LinkValues): number {
    const id = this.count++;
    if ((id + 1) * LINK_FIELDS > this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    const at = id * LINK_FIELDS;
    this.values[at + LATENCY] = v.latencyMs;
    this.values[at + JITTER] = v.jitterMs;
    this.values[at + LOSS] = v.loss;
    this.values[at + DOWN] = 0;
    return id;
  }
}

/** One direction of a hop. Its numbers live in the network's LinkTable; a link event changes them through these accessors. */
export class LinkState {
  constructor(
    private readonly table: LinkTable,
    /** Its place in the table. */
    readonly id: number,
    readonly from: string,
    readonly to: string,
  ) {}

  get latencyMs(): number {
    return this.read(LATENCY);
  }

  set latencyMs(v: number) {
    this.write(LATENCY, v);
  }

  get jitterMs(): number {
    return this.read(JITTER);
  }

  set jitterMs(v: number) {
    this.write(JITTER, v);
  }

  get loss(): number {
    return this.read(LOSS);
  }

  set loss(v: number) {
    this.write(LOSS, v);
  }

  /** Cut: nothing crosses (a `link` timeline event with down: true). */
  get down(): boolean {
    return this.read(DOWN) !== 0;
  }

  set down(v: boolean) {
    this.write(DOWN, v ? 1 : 0);
  }

  private read(field: number): number {
    return this.table.values[this.id * LINK_FIELDS + field];
  }

  private write(field: number, v: number): void {
    this.table.values[this.id * LINK_FIELDS + field] = v;
  }
}

/** The delay of one message, or this when it never arrives. */
export const LOST = -1;
/** The id standing for no link (delayOn): hops the topology does not describe. */
export const NO_LINK = -1;

/** A link's id for delayOn (NO_LINK for none). */
export function linkIdOf(link: LinkState | undefined): number {
  return link === undefined ? NO_LINK : link.id;
}

const MAX_RETRANSMITS = 6;

export class SimNetwork {
  private readonly links = new Map<string, LinkState>();
  private readonly table = new LinkTable();
  private readonly nodes: Map<string, TopologyNode>;
  /** Every client<->edge link has a state (all(true) made them); else each is made when first asked for. */
  private clientsComplete = false;

  constructor(
    private readonly topology: Topology,
    private readonly rng: Rng,
  ) {
    for (const l of topology.links) this.add(l.from, l.to, l);
    this.nodes = new Map(topology.nodes.map((n) => [n.id, n]));
  }

  private add(from: string, to: string, v: LinkValues): LinkState {
    const state = new LinkState(this.table, this.table.add(v), from, to);
    this.links.set(`${from}\u0000${to}`, state);
    return state;
  }

  /**
   * The link state for one direction; undefined when the topology has no
   * such hop. The same object every time: a link event changes it in place.
   */
  link(from: string, to: string): LinkState | undefined {
    const l = this.links.get(`${from}\u0000${to}`);
    if (l !== undefined || this.clientsComplete) return l;
    // A client<->edge hop: made the first time it is used (topology.ts ClientLinks says why).
    const v = clientLinkValues(this.topology, from, to, (id) => this.nodes.get(id));
    return v === undefined ? undefined : this.add(from, to, v);
  }

  /**
   * Every link state. With `clients`, the client<->edge ones too, every one
   * of them made first (regions x edges x 2: for a link event that may
   * change them); without, only those made so far.
   */
  all(clients: boolean): IterableIterator<LinkState> {
    if (clients && !this.clientsComplete) {
      for (const r of this.topology.regions) {
        const client = clientEndpoint(r.name);
        for (const n of this.topology.nodes) {
          if (n.role !== 'edge') continue;
          this.link(client, n.id);
          this.link(n.id, client);
        }
      }
      this.clientsComplete = true;
    }
    return this.links.values();
  }

  /**
   * One-way delay of a message on `link` (sampled now), or LOST. A missing
   * link costs nothing: hops the topology does not describe are local.
   */
  delay(link: LinkState | undefined): number {
    return this.delayOn(linkIdOf(link));
  }

  /**
   * `delay` by the link's id (NO_LINK for none). The hot callers keep ids,
   * so a message reads the table alone, not the link object first.
   */
  delayOn(id: number): number {
    if (id === NO_LINK) return 0;
    const v = this.table.values;
    const at = id * LINK_FIELDS;
    if (v[at + DOWN] !== 0) return LOST;
    const latencyMs = v[at + LATENCY];
    let d = latencyMs;
    const jitterMs = v[at + JITTER];
    if (jitterMs > 0) d += this.rng.nextFloat() * jitterMs;
    const loss = v[at + LOSS];
    if (loss > 0) {
      let rto = MIN_RTO_MS + 2 * latencyMs;
      let tries = 0;
      while (this.rng.nextFloat() < loss) {
        if (++tries > MAX_RETRANSMITS) return LOST;
        d += rto;
        rto *= 2;
      }
    }
    return d;
  }
}
