import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthState, HealthTransition } from './health';

// Prometheus metrics for one server instance. Each instance owns its Registry
// (not prom-client's global one) so several servers in one process - tests,
// the embedded lab - do not collide.

const HEALTH_VALUE: Record<HealthState, number> = { unknown: -1, down: 0, up: 1 };

export class DnsMetrics {
  readonly registry = new Registry();
  private readonly queries: Counter<'policy' | 'rcode' | 'region' | 'transport'>;
  private readonly truncated: Counter<'transport'>;
  private readonly transitions: Counter<'edge' | 'from' | 'to'>;
  private readonly edgeHealth: Gauge<'edge'>;
  private readonly anycastConnections: Counter<'region' | 'edge'>;
  private readonly anycastBroken: Counter<'edge'>;
  // The query path is hot (see bench/qps.ts): it bumps a plain map, and the
  // counter reads the map when scraped (prom-client's collect hook), instead
  // of prom-client hashing a label object on every query.
  private readonly queryCounts = new Map<string, { labels: Record<string, string>; n: number }>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const counts = this.queryCounts;
    this.queries = new Counter({
      name: 'cdnlab_dns_queries_total',
      help: 'DNS queries answered, by the policy in force, response code, client region and transport.',
      labelNames: ['policy', 'rcode', 'region', 'transport'],
      registers,
      collect() {
        // Rebuild from the running totals: counts only grow, so the exported counter stays monotonic.
        this.reset();
        for (const { labels, n } of counts.values()) this.inc(labels, n);
      },
    });
    this.truncated = new Counter({
      name: 'cdnlab_dns_truncated_total',
      help: 'Responses sent with TC=1 because they did not fit the UDP payload size.',
      labelNames: ['transport'],
      registers,
    });
    this.transitions = new Counter({
      name: 'cdnlab_dns_health_transitions_total',
      help: 'Edge health state changes seen by the GSLB health checker.',
      labelNames: ['edge', 'from', 'to'],
      registers,
    });
    this.edgeHealth = new Gauge({
      name: 'cdnlab_dns_edge_health',
      help: 'Edge health as the GSLB sees it: 1 up, 0 down, -1 unknown.',
      labelNames: ['edge'],
      registers,
    });
    this.anycastConnections = new Counter({
      name: 'cdnlab_anycast_connections_total',
      help: 'Connections the anycast router forwarded, by client region and chosen edge.',
      labelNames: ['region', 'edge'],
      registers,
    });
    this.anycastBroken = new Counter({
      name: 'cdnlab_anycast_connections_broken_total',
      help: 'Connections in flight destroyed by a route change (their path moved to another edge).',
      labelNames: ['edge'],
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  query(policy: string, rcode: string, region: string | undefined, transport: string): void {
    const r = region ?? 'unknown';
    const key = `${policy}\0${rcode}\0${r}\0${transport}`;
    const entry = this.queryCounts.get(key);
    if (entry) entry.n++;
    else this.queryCounts.set(key, { labels: { policy, rcode, region: r, transport }, n: 1 });
  }

  truncation(transport: string): void {
    this.truncated.inc({ transport });
  }

  initEdge(edge: string, state: HealthState): void {
    this.edgeHealth.set({ edge }, HEALTH_VALUE[state]);
  }

  healthTransition(t: HealthTransition): void {
    this.transitions.inc({ edge: t.edgeId, from: t.from, to: t.to });
    this.edgeHealth.set({ edge: t.edgeId }, HEALTH_VALUE[t.to]);
  }

  anycastConnection(region: string | undefined, edge: string): void {
    this.anycastConnections.inc({ region: region ?? 'unknown', edge });
  }

  anycastBrokenConnection(edge: string): void {
    this.anycastBroken.inc({ edge });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
