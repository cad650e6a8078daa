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
import type { Rng } from '@cdnlab/core';
import type { Link, Topology } from '@cdnlab/scenario';

export interface LinkState {
  from: string;
  to: string;
  latencyMs: number;
  jitterMs: number;
  loss: number;
  /** Cut: nothing crosses (a `link` timeline event with down: true). */
  down: boolean;
}

/** The delay of one message, or this when it never arrives. */
export const LOST = -1;

const MIN_RTO_MS = 200;
const MAX_RETRANSMITS = 6;

export class SimNetwork {
  private readonly links = new Map<string, LinkState>();

  constructor(
    topology: Topology,
    private readonly rng: Rng,
  ) {
    for (const l of topology.links) this.add(l);
  }

  private add(l: Link): void {
    this.links.set(`${l.from}\u0000${l.to}`, { from: l.from, to: l.to, latencyMs: l.latencyMs, jitterMs: l.jitterMs, loss: l.loss, down: false });
  }

  /** The link state for one direction; undefined when the topology has no such hop. */
  link(from: string, to: string): LinkState | undefined {
    return this.links.get(`${from}\u0000${to}`);
  }

  all(): IterableIterator<LinkState> {
    return this.links.values();
  }

  /**
   * One-way delay of a message on `link` (sampled now), or LOST. A missing
   * link costs nothing: hops the topology does not describe are local.
   */
  delay(link: LinkState | undefined): number {
    if (link === undefined) return 0;
    if (link.down) return LOST;
    let d = link.latencyMs;
    if (link.jitterMs > 0) d += this.rng.nextFloat() * link.jitterMs;
    if (link.loss > 0) {
      let rto = MIN_RTO_MS + 2 * link.latencyMs;
      let tries = 0;
      while (this.rng.nextFloat() < link.loss) {
        if (++tries > MAX_RETRANSMITS) return LOST;
        d += rto;
        rto *= 2;
      }
    }
    return d;
  }
}
