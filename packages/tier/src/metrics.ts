/**
 * Prometheus metrics of one cache node, in a registry of its own (tests start
 * several nodes in one process). Names follow the other services: cdnlab_*.
 * Counters that the cache already keeps (objects, bytes, evictions) are read
 * at scrape time instead of being counted twice.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheNode, CacheNodeEvents } from './cache-node';

export interface NodeMetrics {
  registry: Registry;
  events: CacheNodeEvents;
  purgeApplied(kind: string, mode: string, objects: number): void;
  /** Binds the scrape-time gauges to the node once it exists. */
  bind(node: CacheNode): void;
}

export function createNodeMetrics(labels: { node: string; role: string; region: string }, opts: { defaultMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'cdnlab_cache_requests_total', help: 'Requests answered, by cache result (hit, stale, miss, pass, revalidated, error)', labelNames: ['result'], registers: [registry] });
  const bytes = new Counter({ name: 'cdnlab_cache_response_bytes_total', help: 'Body bytes answered from memory', registers: [registry] });
  const upstream = new Counter({ name: 'cdnlab_upstream_fetches_total', help: 'Fetches sent upstream, by reason and status', labelNames: ['reason', 'status'], registers: [registry] });
  const upstreamLatency = new Histogram({
    name: 'cdnlab_upstream_fetch_seconds', help: 'Time to the upstream response head (RPC latency)', labelNames: ['reason'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const collapsed = new Counter({ name: 'cdnlab_collapsed_waiters_total', help: 'Requests answered by another request\'s upstream fetch', registers: [registry] });
  const purges = new Counter({ name: 'cdnlab_purges_applied_total', help: 'Purges applied on this node', labelNames: ['kind', 'mode'], registers: [registry] });
  const purged = new Counter({ name: 'cdnlab_purged_objects_total', help: 'Objects removed or marked stale by purges', registers: [registry] });
  let bound: CacheNode | undefined;
  new Gauge({ name: 'cdnlab_cache_objects', help: 'Objects stored', registers: [registry], collect() { if (bound) this.set(bound.cache.stats().objects); } });
  new Gauge({ name: 'cdnlab_cache_bytes', help: 'Bytes stored', registers: [registry], collect() { if (bound) this.set(bound.cache.stats().bytes); } });
  new Gauge({ name: 'cdnlab_cache_evictions', help: 'Objects evicted for space since start', registers: [registry], collect() { if (bound) this.set(bound.cache.stats().evictions); } });
  new Gauge({ name: 'cdnlab_inflight_requests', help: 'Requests being handled', registers: [registry], collect() { if (bound) this.set(bound.inFlight); } });

  return {
    registry,
    events: {
      request(result, n) {
        requests.inc({ result });
        if (n > 0) bytes.inc(n);
      },
      upstreamFetch(reason, ms, status) {
        upstream.inc({ reason, status: status === undefined ? 'error' : String(status) });
        upstreamLatency.observe({ reason }, ms / 1000);
      },
      collapsed() {
        collapsed.inc();
      },
    },
    purgeApplied(kind, mode, objects) {
      purges.inc({ kind, mode });
      purged.inc(objects);
    },
    bind(node) {
      bound = node;
    },
  };
}
