import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics of one control plane. Each instance owns its Registry
// (not prom-client's global one), so several in one process (tests, the
// embedded lab) do not collide.

/** Purge propagation delays are ms on loopback and up to seconds across a lab with link latency. */
export const DELAY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export class ControlMetrics {
  readonly registry = new Registry();
  readonly purges: Counter<'kind' | 'mode' | 'fanout'>;
  readonly purgeDelay: Histogram<'fanout' | 'role'>;
  readonly purgeDuration: Histogram<'fanout'>;
  readonly purgeNodeErrors: Counter<'fanout' | 'role'>;
  readonly purgeRedeliveries: Counter<'outcome'>;
  readonly purgeRedeliveriesWaiting: Gauge;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly eventSubscribers: Gauge<'transport'>;
  readonly eventsDropped: Counter<'transport'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.purges = new Counter({
      name: 'cdnlab_control_purges_total',
      help: 'Purges issued, by kind, mode and fan-out.',
      labelNames: ['kind', 'mode', 'fanout'],
      registers,
    });
    this.purgeDelay = new Histogram({
      name: 'cdnlab_control_purge_delay_ms',
      help: 'Time from issuing a purge to a node applying it (node clock minus control clock), ms.',
      labelNames: ['fanout', 'role'],
      buckets: DELAY_BUCKETS_MS,
      registers,
    });
    this.purgeDuration = new Histogram({
      name: 'cdnlab_control_purge_duration_ms',
      help: 'Time from issuing a purge to having every ack or error, ms.',
      labelNames: ['fanout'],
      buckets: DELAY_BUCKETS_MS,
      registers,
    });
    this.purgeNodeErrors = new Counter({
      name: 'cdnlab_control_purge_node_errors_total',
      help: 'Nodes that did not apply a purge (down, timed out, refused).',
      labelNames: ['fanout', 'role'],
      registers,
    });
    this.purgeRedeliveries = new Counter({
      name: 'cdnlab_control_purge_redeliveries_total',
      help: 'Calls made again to a node that had not taken a purge, by outcome (applied, failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.purgeRedeliveriesWaiting = new Gauge({
      name: 'cdnlab_control_purge_redeliveries_waiting',
      help: 'Nodes the control plane will call again for a purge they have not taken (waiting for the next call, or in it).',
      registers,
    });
    this.httpRequests = new Counter({
      name: 'cdnlab_control_http_requests_total',
      help: 'HTTP API requests, by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.eventSubscribers = new Gauge({
      name: 'cdnlab_control_event_subscribers',
      help: 'Live event subscribers, by transport (grpc, sse).',
      labelNames: ['transport'],
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'cdnlab_control_event_subscribers_dropped_total',
      help: 'Event subscribers cut off because they read too slowly.',
      labelNames: ['transport'],
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
