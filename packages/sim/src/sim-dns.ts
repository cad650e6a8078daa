/**
 * GSLB DNS in virtual time: which edge a client of a region is sent to, and
 * which edges count as healthy. The policies mirror the DNS service's
 * (packages/dns/src/policy-*.ts): geo sends a client to the nearest region's
 * healthy edges, taking turns among equals; round-robin takes every healthy
 * edge in turn; weighted draws by edge weight; least-loaded picks the edge
 * with the fewest requests in flight; latency ranks by the same region
 * distances as geo (the simulator's latency table is the distance table).
 *
 * Health: every `interval` each edge is probed; `fall` failed probes in a
 * row mark it down, `rise` good ones mark it up again, as the DNS service's
 * checker does. A killed or paused edge fails its probes. When no edge is
 * healthy, `failMode: open` answers with every edge (a wrong answer beats
 * none) and `closed` answers nothing.
 */
import type { Rng, Scheduler } from '@cdnlab/core';
import type { DnsSettings, Topology } from '@cdnlab/scenario';
import type { SimCacheNode } from './sim-cache-node';

export type SimDnsPolicy = DnsSettings['policy'];

export const SIM_DNS_POLICIES: readonly SimDnsPolicy[] = ['geo', 'round-robin', 'weighted', 'least-loaded', 'latency'];

export class SimDns {
  policy: SimDnsPolicy;
  private readonly healthy: boolean[];
  private readonly fails: number[];
  private readonly goods: number[];
  private candidates: SimCacheNode[];
  /** Per client region: the candidates in tiers of equal distance (geo, latency). */
  private tiers = new Map<string, SimCacheNode[][]>();
  private turn = 0;
  private rrNext = 0;
  /** Health transitions, for the timeline and tests. */
  readonly transitions: Array<{ atMs: number; edge: string; healthy: boolean }> = [];

  constructor(
    private readonly topology: Topology,
    readonly edges: readonly SimCacheNode[],
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
  ) {
    this.policy = topology.dns.policy;
    this.healthy = edges.map(() => true);
    this.fails = edges.map(() => 0);
    this.goods = edges.map(() => 0);
    this.candidates = [...edges];
  }

  setPolicy(policy: SimDnsPolicy): void {
    if (!SIM_DNS_POLICIES.includes(policy)) throw new TypeError(`expected a DNS policy (${SIM_DNS_POLICIES.join(', ')}), got ${JSON.stringify(policy)}`);
    this.policy = policy;
  }

  /**
   * Probes every edge each interval while `keepGoing()` says so: the run's
   * event loop must be able to run dry once the workload is over. The
   * probes also stop for good once every edge's health agrees with its
   * state and `stateMayChange()` says no node can go down or come back any
   * more (only timeline events change a node's state): every later probe
   * would change nothing, so a trace stretched over months is not a tick
   * per interval of it. Stopping is exact: a probe that changes nothing
   * has no effect but its place in the queue, and leaving it out does not
   * reorder anything else.
   */
  startHealthChecks(keepGoing: () => boolean, stateMayChange: () => boolean = () => true): void {
    const { intervalMs } = this.topology.dns.health;
    const tick = (): void => {
      this.probeAll();
      if (keepGoing() && (stateMayChange() || !this.settled())) this.scheduler.setTimer(intervalMs, tick);
    };
    this.scheduler.setTimer(intervalMs, tick);
  }

  /**
   * Whether a probe now would change nothing: every edge's health matches
   * its state, and its counters are those a probe leaves (it was probed
   * since its state last changed).
   */
  private settled(): boolean {
    for (let i = 0; i < this.edges.length; i++) {
      const up = this.edges[i].up;
      if (this.healthy[i] !== up || (up ? this.fails[i] : this.goods[i]) !== 0) return false;
    }
    return true;
  }

  private probeAll(): void {
    const { fall, rise } = this.topology.dns.health;
    let changed = false;
    for (let i = 0; i < this.edges.length; i++) {
      if (this.edges[i].up) {
        this.fails[i] = 0;
        if (!this.healthy[i] && ++this.goods[i] >= rise) {
          this.healthy[i] = true;
          changed = true;
          this.transitions.push({ atMs: this.scheduler.now(), edge: this.edges[i].id, healthy: true });
        }
      } else {
        this.goods[i] = 0;
        if (this.healthy[i] && ++this.fails[i] >= fall) {
          this.healthy[i] = false;
          changed = true;
          this.transitions.push({ atMs: this.scheduler.now(), edge: this.edges[i].id, healthy: false });
        }
      }
    }
    if (changed) {
      this.candidates = this.edges.filter((_, i) => this.healthy[i]);
      this.tiers.clear();
    }
  }

  isHealthy(edgeId: string): boolean {
    const i = this.edges.findIndex((e) => e.id === edgeId);
    return i >= 0 && this.healthy[i];
  }

  /** The edge a client of `region` is told to use now, or undefined (SERVFAIL). */
  resolve(region: string): SimCacheNode | undefined {
    let c = this.candidates;
    if (c.length === 0) {
      if (this.topology.dns.failMode === 'closed') return undefined;
      c = this.edges as SimCacheNode[];
    }
    if (c.length === 0) return undefined;
    switch (this.policy) {
      case 'round-robin':
        return c[this.rrNext++ % c.length];
      case 'weighted': {
        let total = 0;
        for (const e of c) total += e.config.weight;
        let u = this.rng.nextFloat() * total;
        for (const e of c) {
          u -= e.config.weight;
          if (u < 0) return e;
        }
        return c[c.length - 1];
      }
      case 'least-loaded': {
        let best = c[0];
        for (const e of c) if (e.inflight < best.inflight) best = e;
        return best;
      }
      default: {
        const tiers = this.tiersFor(region, c);
        const nearest = tiers[0];
        return nearest[this.turn++ % nearest.length];
      }
    }
  }

  private tiersFor(region: string, c: SimCacheNode[]): SimCacheNode[][] {
    const key = c === this.candidates ? region : `\u0000all\u0000${region}`;
    let t = this.tiers.get(key);
    if (t) return t;
    const row = this.topology.distances[region] ?? {};
    const keyed = c.map((edge, i) => ({ edge, k: row[edge.region] ?? (edge.region === region ? 0 : Infinity), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    t = [];
    for (let j = 0; j < keyed.length; j++) {
      if (j === 0 || keyed[j].k !== keyed[j - 1].k) t.push([]);
      t[t.length - 1].push(keyed[j].edge);
    }
    this.tiers.set(key, t);
    return t;
  }
}
