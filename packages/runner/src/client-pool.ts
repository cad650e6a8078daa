/**
 * The scenario's clients. Each client of a group is one "user" in its
 * region: it sends from its own source address inside the region's CIDR (so
 * geo DNS and the edges see where it is), resolves the CDN name with its own
 * stub resolver, keeps its connections alive in a bounded agent (a browser
 * keeps a few per host), and remembers the validators it saw so that
 * `conditional` requests carry If-None-Match / If-Modified-Since.
 */
import http from 'node:http';
import type { HeaderList } from '@cdnlab/core';
import { headerLineContains, type PlannedRequest, type Topology, type WatchRule } from '@cdnlab/scenario';
import { edgeResultOf, servedByEdge, type EdgeResult } from './edge-outcome';
import { createStubResolver, DnsLookupError, type StubResolver } from './stub-resolver';

export type Outcome =
  | {
      kind: 'answered';
      status: number;
      result: EdgeResult;
      edge: string | undefined;
      bytes: number;
      /** Indexes into `opts.watch` of the rules the answer matched, ascending; shared and empty when none did. */
      watched: readonly number[];
    }
  | { kind: 'error'; error: string };

export interface ClientPoolOptions {
  topology: Topology;
  zone: string;
  dns: { host: string; port: number };
  /** The HTTP port an edge address answers on (all edges share one in loopback addressing). */
  edgePort(address: string): number;
  /** Edge id of an address, when the address is an edge's. */
  edgeAt(address: string): string | undefined;
  requestTimeoutMs: number;
  maxSocketsPerClient: number;
  dnsTimeoutMs?: number;
  /**
   * How a client shows its region. `bind` (default): it sends from its own
   * address in the region's CIDR (loopback, the embedded cluster). `ecs`: the
   * host picks the source and the client's DNS queries carry that address as
   * an EDNS Client Subnet, as a recursive resolver would for it (inside a
   * compose network, where one container cannot own every region's addresses).
   */
  placement?: 'bind' | 'ecs';
  /** `workload.watch`: each answer says which of these it matched. Default none. */
  watch?: readonly WatchRule[];
}

interface Client {
  /** The client's address in its region: bound in `bind` placement, announced by ECS in `ecs` placement. */
  localAddress: string;
  agent: http.Agent;
  resolver: StubResolver;
  validators: Map<string, { etag?: string; lastModified?: string }>;
}

/** Validators remembered per client; the oldest goes first (a browser cache is bounded too). */
const MAX_VALIDATORS = 1000;
const POST_BODY = Buffer.from('cdnlab scenario client\n');

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** First and count of usable host addresses in `cidr` (network and broadcast left out). */
export function cidrHosts(cidr: string): { first: number; count: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 32 || m[1].split('.').some((o) => Number(o) > 255)) throw new TypeError(`expected an IPv4 CIDR such as 127.10.0.0/16, got ${JSON.stringify(cidr)}`);
  const bits = Number(m[2]);
  const size = bits === 32 ? 1 : 2 ** (32 - bits);
  const base = (ipToInt(m[1]) & (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0)) >>> 0;
  return size <= 2 ? { first: base, count: size } : { first: base + 1, count: size - 2 };
}

/**
 * The source address of every client, group by group: clients of one region
 * take consecutive addresses of the region's first CIDR. Throws when a region
 * is not on loopback (the embedded clients cannot send from elsewhere).
 */
export function clientAddresses(topology: Topology, groups: ReadonlyArray<{ region: string; count: number }>, opts: { loopbackOnly?: boolean } = {}): string[][] {
  const loopbackOnly = opts.loopbackOnly ?? true;
  const used = new Map<string, number>();
  return groups.map((g, gi) => {
    const region = topology.regions.find((r) => r.name === g.region);
    if (!region) throw new TypeError(`workload.clients[${gi}]: region ${JSON.stringify(g.region)} is not in topology ${topology.name}`);
    const cidr = region.cidrs[0];
    const { first, count } = cidrHosts(cidr);
    if (loopbackOnly && first >>> 24 !== 127) {
      throw new TypeError(`region ${region.name}: CIDR ${cidr} is not on loopback (127.0.0.0/8); the embedded engine's clients can only send from loopback addresses`);
    }
    const start = used.get(region.name) ?? 0;
    used.set(region.name, start + g.count);
    // More clients than addresses: they share, round-robin.
    return Array.from({ length: g.count }, (_, i) => intToIp(first + ((start + i) % count)));
  });
}

export function classifyError(err: unknown): string {
  if (err instanceof DnsLookupError) return 'dns';
  const e = err as NodeJS.ErrnoException & { timeout?: boolean };
  if (e?.timeout) return 'timeout';
  switch (e?.code) {
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EADDRINUSE':
      return 'connect';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'reset';
    default:
      return e?.message === 'socket hang up' ? 'reset' : `other${e?.code ? `:${e.code}` : ''}`;
  }
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * The watch rules an answer matched, from its raw header lines: each line
 * as it came (node joins repeated fields in `res.headers`, and a match must
 * not span two lines), names lower-cased as a HeaderList's are.
 */
export function watchedRules(rules: readonly WatchRule[], rawHeaders: readonly string[]): readonly number[] {
  if (rules.length === 0) return NONE;
  const lines: HeaderList = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push([rawHeaders[i].toLowerCase(), rawHeaders[i + 1]]);
  const out: number[] = [];
  rules.forEach((r, i) => {
    if (headerLineContains(lines, r.header, r.contains)) out.push(i);
  });
  return out.length ? out : NONE;
}

class TimeoutError extends Error {
  readonly timeout = true;
}

export interface ClientPool {
  send(p: PlannedRequest, signal: AbortSignal): Promise<Outcome>;
  dnsQueries(): number;
  close(): void;
}

export function createClientPool(opts: ClientPoolOptions, groups: ReadonlyArray<{ region: string; count: number }>): ClientPool {
  if (!Number.isInteger(opts.maxSocketsPerClient) || opts.maxSocketsPerClient < 1) {
    throw new TypeError(`expected opts.maxSocketsPerClient to be a positive integer, got ${String(opts.maxSocketsPerClient)}`);
  }
  if (!(opts.requestTimeoutMs > 0)) throw new TypeError(`expected opts.requestTimeoutMs to be a positive number, got ${String(opts.requestTimeoutMs)}`);
  const placement = opts.placement ?? 'bind';
  if (placement !== 'bind' && placement !== 'ecs') throw new TypeError(`expected opts.placement to be "bind" or "ecs", got ${JSON.stringify(placement)}`);
  const bind = placement === 'bind';
  // Names lower-cased here too: a hand-built workload has not been through the loader.
  const watch = (opts.watch ?? []).map((r) => ({ ...r, header: r.header.toLowerCase() }));
  const addresses = clientAddresses(opts.topology, groups, { loopbackOnly: bind });
  const clients: Client[][] = addresses.map((list) =>
    list.map((localAddress) => ({
      localAddress,
      agent: new http.Agent({ keepAlive: true, maxSockets: opts.maxSocketsPerClient, maxFreeSockets: opts.maxSocketsPerClient }),
      resolver: createStubResolver({
        server: opts.dns,
        ...(bind ? { localAddress } : { clientSubnet: localAddress }),
        name: opts.zone,
        timeoutMs: opts.dnsTimeoutMs ?? 1000,
      }),
      validators: new Map(),
    })),
  );

  const send = async (p: PlannedRequest, signal: AbortSignal): Promise<Outcome> => {
    const c = clients[p.group][p.clientIndex];
    let address: string;
    try {
      const r = await c.resolver.resolve();
      // Several A records: a client sticks to one per answer, spread over clients.
      address = r.addresses[p.clientIndex % r.addresses.length];
    } catch (err) {
      return { kind: 'error', error: classifyError(err) };
    }
    if (signal.aborted) return { kind: 'error', error: 'aborted' };

    const headers: Record<string, string> = { host: opts.zone };
    for (const [k, v] of p.headers) headers[k] = v;
    if (p.kind === 'conditional') {
      const v = c.validators.get(p.target);
      if (v?.etag) headers['if-none-match'] = v.etag;
      if (v?.lastModified) headers['if-modified-since'] = v.lastModified;
    }
    const body = p.method === 'POST' ? POST_BODY : undefined;
    if (body) headers['content-length'] = String(body.length);

    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const done = (o: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      let req: http.ClientRequest;
      const timer = setTimeout(() => req.destroy(new TimeoutError(`no complete answer within ${opts.requestTimeoutMs} ms`)), opts.requestTimeoutMs);
      const onAbort = (): void => {
        req.destroy();
        done({ kind: 'error', error: 'aborted' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const attempt = (retry: boolean): void => {
        req = http.request({ host: address, port: opts.edgePort(address), method: p.method, path: p.target, headers, agent: c.agent, ...(bind ? { localAddress: c.localAddress } : {}) });
        let answered = false;
        req.on('error', (err) => {
          const error = classifyError(err);
          // A kept-alive connection the edge closed (idle timeout) just as we
          // reused it: nothing reached the edge, and a browser sends the
          // request again on a new connection. So do we, once, for methods
          // that are safe to repeat.
          if (retry && !answered && req.reusedSocket && error === 'reset' && !signal.aborted && (p.method === 'GET' || p.method === 'HEAD')) {
            attempt(false);
            return;
          }
          done({ kind: 'error', error });
        });
        req.on('response', (res) => {
          answered = true;
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          // An answer whose body breaks off is not an answer.
          res.on('error', (err) => done({ kind: 'error', error: classifyError(err) }));
          res.on('aborted', () => done({ kind: 'error', error: 'reset' }));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 200 && (p.method === 'GET' || p.method === 'HEAD')) {
              const etag = res.headers.etag;
              const lastModified = res.headers['last-modified'];
              if (etag || lastModified) {
                c.validators.delete(p.target);
                c.validators.set(p.target, { etag, lastModified });
                if (c.validators.size > MAX_VALIDATORS) c.validators.delete(c.validators.keys().next().value as string);
              }
            }
            done({ kind: 'answered', status, result: edgeResultOf(res.headers), edge: servedByEdge(res.headers) ?? opts.edgeAt(address), bytes, watched: watchedRules(watch, res.rawHeaders) });
          });
        });
        req.end(body);
      };
      attempt(true);
    });
  };

  return {
    send,
    dnsQueries: () => clients.flat().reduce((a, c) => a + c.resolver.queries, 0),
    close() {
      for (const c of clients.flat()) c.agent.destroy();
    },
  };
}
