import * as net from 'node:net';
import type { CoverageMap } from './coverage';

// Anycast, as a teaching toy. In real anycast every edge announces the same
// prefix over BGP and the network delivers each packet to the "nearest" edge
// by routing cost. Here one virtual address (e.g. 127.0.0.100:port) is a
// small TCP router that forwards each client connection to the edge with the
// lowest path cost from the client's region. Like BGP it knows distance, not
// load: a hot edge keeps receiving its region's clients. And like real
// anycast, a route change moves the path: connections in flight on the old
// path are broken, because the new edge has no state for them.

export interface AnycastEdge {
  id: string;
  region: string;
  host: string;
  port: number;
}

export type RouteCosts = Record<string, Record<string, number>>;

export interface AnycastRouterOptions {
  address: string;
  port: number;
  edges: readonly AnycastEdge[];
  coverage: CoverageMap;
  defaultRegion?: string;
  routeCosts: RouteCosts;
  connectTimeoutMs: number;
  /** An edge that is down has withdrawn its route (optional). */
  withdrawn?: (edgeId: string) => boolean;
  onConnection?: (region: string | undefined, edgeId: string) => void;
  onBroken?: (edgeId: string) => void;
}

interface Flow {
  client: net.Socket;
  upstream: net.Socket;
  region: string | undefined;
  edgeId: string;
}

function validateCosts(costs: unknown, edges: readonly AnycastEdge[]): RouteCosts {
  if (typeof costs !== 'object' || costs === null) throw new Error(`expected routeCosts to be an object of region -> edge -> cost, got ${JSON.stringify(costs)}`);
  const ids = new Set(edges.map((e) => e.id));
  for (const [region, row] of Object.entries(costs as Record<string, unknown>)) {
    if (typeof row !== 'object' || row === null) throw new Error(`expected routeCosts.${region} to be an object, got ${JSON.stringify(row)}`);
    for (const [edge, cost] of Object.entries(row as Record<string, unknown>)) {
      if (!ids.has(edge)) throw new Error(`expected routeCosts.${region} key to be a known edge id, got ${JSON.stringify(edge)}`);
      if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) {
        throw new Error(`expected routeCosts.${region}.${edge} to be a finite number >= 0, got ${JSON.stringify(cost)}`);
      }
    }
  }
  return structuredClone(costs as RouteCosts);
}

export class AnycastRouter {
  private readonly server: net.Server;
  private readonly flows = new Set<Flow>();
  private costs: RouteCosts;

  constructor(private readonly opts: AnycastRouterOptions) {
    if (opts.edges.length === 0) throw new Error('expected opts.edges to be a non-empty array');
    this.costs = validateCosts(opts.routeCosts, opts.edges);
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.on('error', () => undefined);
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.address, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** The edge a client in `region` reaches now: lowest cost, ties to config order (a stable tie-break, as BGP's router id). */
  route(region: string | undefined): AnycastEdge | undefined {
    const row = region === undefined ? undefined : this.costs[region];
    let best: AnycastEdge | undefined;
    let bestCost = Infinity;
    for (const edge of this.opts.edges) {
      if (this.opts.withdrawn?.(edge.id)) continue;
      const cost = row?.[edge.id] ?? Number.MAX_SAFE_INTEGER;
      if (best === undefined || cost < bestCost) {
        best = edge;
        bestCost = cost;
      }
    }
    return best;
  }

  regionOf(address: string | undefined): string | undefined {
    if (!address) return this.opts.defaultRegion;
    return this.opts.coverage.lookupAddress(address).region ?? this.opts.defaultRegion;
  }

  /**
   * A route-change event: new path costs. Every flow whose best edge changed
   * is destroyed, as an anycast flow breaks when its packets start landing on
   * a different site. Returns how many were broken.
   */
  setRouteCosts(costs: RouteCosts): { broken: number } {
    this.costs = validateCosts(costs, this.opts.edges);
    let broken = 0;
    for (const flow of [...this.flows]) {
      if (this.route(flow.region)?.id === flow.edgeId) continue;
      broken++;
      this.opts.onBroken?.(flow.edgeId);
      this.drop(flow);
    }
    return { broken };
  }

  routeCosts(): RouteCosts {
    return structuredClone(this.costs);
  }

  openFlows(): number {
    return this.flows.size;
  }

  close(): Promise<void> {
    for (const flow of [...this.flows]) this.drop(flow);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    const region = this.regionOf(client.remoteAddress);
    const edge = this.route(region);
    if (!edge) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: edge.host, port: edge.port });
    upstream.on('error', () => undefined);
    const flow: Flow = { client, upstream, region, edgeId: edge.id };
    this.flows.add(flow);
    this.opts.onConnection?.(region, edge.id);
    upstream.setTimeout(this.opts.connectTimeoutMs, () => this.drop(flow));
    upstream.once('connect', () => upstream.setTimeout(0));
    client.pipe(upstream);
    upstream.pipe(client);
    // A normal close on one side ends the other gracefully, so bytes still
    // queued for the client are delivered; only route changes destroy.
    const finish = (other: net.Socket) => () => {
      if (!this.flows.delete(flow)) return;
      other.end();
      setTimeout(() => other.destroy(), 5000).unref();
    };
    client.once('close', finish(upstream));
    upstream.once('close', finish(client));
  }

  private drop(flow: Flow): void {
    if (!this.flows.delete(flow)) return;
    flow.client.destroy();
    flow.upstream.destroy();
  }
}
