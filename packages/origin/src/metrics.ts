import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutcomeName, RequestKindName } from './counters';

/**
 * Prometheus metrics of one origin. Each origin owns its Registry (not
 * prom-client's global one), so several origins in one process (tests, the
 * embedded lab) do not collide.
 */
export type Transport = 'grpc' | 'http';

export class OriginMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'kind' | 'transport'>;
  readonly outcomes: Counter<'outcome'>;
  readonly generation: Histogram<'transport'>;
  readonly inflight: Gauge;
  readonly upstreamFetches: Counter<'result'>;

  constructor(labels: { id: string; region: string }) {
    this.registry.setDefaultLabels({ node: labels.id, region: labels.region });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'cdnlab_origin_requests_total',
      help: 'Requests that reached the origin, by request kind (get, head, conditional, post, ...) and transport.',
      labelNames: ['kind', 'transport'],
      registers,
    });
    this.outcomes = new Counter({
      name: 'cdnlab_origin_outcomes_total',
      help: 'What happened to requests beyond a plain answer: not-modified, fault:error, fault:slow, fault:hang, fault:down.',
      labelNames: ['outcome'],
      registers,
    });
    this.generation = new Histogram({
      name: 'cdnlab_origin_generation_seconds',
      help: 'Time from a request reaching the origin to its answer head being ready (configured latency, slow faults, upstream time).',
      labelNames: ['transport'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inflight = new Gauge({
      name: 'cdnlab_origin_inflight_requests',
      help: 'Requests the origin is serving right now.',
      registers,
    });
    this.upstreamFetches = new Counter({
      name: 'cdnlab_origin_upstream_fetches_total',
      help: 'Exchanges forwarded to the real upstream server (proxy mode), by result: ok, unavailable, timeout, error.',
      labelNames: ['result'],
      registers,
    });
  }

  request(kind: RequestKindName, transport: Transport): void {
    this.requests.inc({ kind, transport });
  }

  outcome(outcome: OutcomeName): void {
    this.outcomes.inc({ outcome });
  }
}
