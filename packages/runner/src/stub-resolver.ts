/**
 * A stub resolver per client, as a real one behaves: it asks the CDN's DNS
 * server over UDP from the client's own address (so geo DNS sees the
 * client's region), keeps the answer for its TTL (RFC 1035 §3.2.1, §4.1.3)
 * and asks again after that, and shares one query among the requests that
 * need an answer while it is in flight. No OS resolver, no /etc/hosts: the
 * scenario measures the CDN's DNS, not ours.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface StubResolverOptions {
  server: { host: string; port: number };
  /** The client's source address; undefined: the host picks (ECS then says where the client is). */
  localAddress?: string;
  /**
   * Send an EDNS Client Subnet option (RFC 7871 §6) naming this address with
   * a /24 source prefix, as a recursive resolver does for its clients. Used
   * where clients cannot send from their region's addresses (inside a
   * compose network): the GSLB then places them by the subnet.
   */
  clientSubnet?: string;
  name: string;
  /** Per attempt. Default 1000. */
  timeoutMs?: number;
  /** Attempts before giving up (RFC 1536 §1: stubs retransmit). Default 2. */
  attempts?: number;
  now?: () => number;
}

export class DnsLookupError extends Error {
  readonly code = 'ERR_CDNLAB_DNS';
  constructor(message: string) {
    super(message);
    this.name = 'DnsLookupError';
  }
}

export interface Resolved {
  addresses: string[];
  /** Absolute time (opts.now) the answer stops being usable. */
  expiresAt: number;
}

/** One A query over UDP from `localAddress`; the addresses and the smallest TTL of the answer. */
export function queryA(opts: StubResolverOptions, id: number): Promise<{ addresses: string[]; ttlSeconds: number }> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    let done = false;
    const finish = (err: Error | undefined, value?: { addresses: string[]; ttlSeconds: number }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(new DnsLookupError(`no DNS answer from ${opts.server.host}:${opts.server.port} within ${timeoutMs} ms`)), timeoutMs);
    const from = opts.localAddress ?? 'this host';
    socket.on('error', (err) => finish(new DnsLookupError(`DNS query from ${from} failed: ${err.message}`)));
    socket.on('message', (msg) => {
      let packet: dnsPacket.Packet;
      try {
        packet = dnsPacket.decode(msg);
      } catch (err) {
        finish(new DnsLookupError(`undecodable DNS answer: ${(err as Error).message}`));
        return;
      }
      // A stray or spoofed datagram with another id is ignored (RFC 5452 §4.3).
      if (packet.id !== id) return;
      const rcode = (packet as { rcode?: string }).rcode;
      if (rcode && rcode !== 'NOERROR') {
        finish(new DnsLookupError(`DNS answered ${rcode} for ${opts.name}`));
        return;
      }
      const a = (packet.answers ?? []).filter((r): r is dnsPacket.StringAnswer => r.type === 'A');
      if (a.length === 0) {
        finish(new DnsLookupError(`DNS answer for ${opts.name} has no A record`));
        return;
      }
      finish(undefined, { addresses: a.map((r) => String(r.data)), ttlSeconds: Math.min(...a.map((r) => r.ttl ?? 0)) });
    });
    socket.bind(0, opts.localAddress ?? '0.0.0.0', () => {
      const query = dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'A', name: opts.name }],
        ...(opts.clientSubnet === undefined ? {} : { additionals: [clientSubnetOpt(opts.clientSubnet)] }),
      });
      socket.send(query, opts.server.port, opts.server.host, (err) => {
        if (err) finish(new DnsLookupError(`DNS query from ${from} failed: ${err.message}`));
      });
    });
  });
}

/** The OPT record carrying an IPv4 client subnet with a /24 source prefix (address bits past it zeroed, RFC 7871 §6). */
export function clientSubnetOpt(address: string): dnsPacket.OptAnswer {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new TypeError(`expected opts.clientSubnet to be an IPv4 address, got ${JSON.stringify(address)}`);
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    // 8: CLIENT_SUBNET (RFC 7871 §6); family 1: IPv4.
    options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: `${octets[0]}.${octets[1]}.${octets[2]}.0` }],
  };
}

export interface StubResolver {
  /** The cached answer while fresh, else a new query (shared by concurrent callers). */
  resolve(): Promise<Resolved>;
  /** Queries sent so far. */
  readonly queries: number;
}

export function createStubResolver(opts: StubResolverOptions): StubResolver {
  const now = opts.now ?? Date.now;
  const attempts = opts.attempts ?? 2;
  if (!Number.isInteger(attempts) || attempts < 1) throw new TypeError(`expected opts.attempts to be a positive integer, got ${String(opts.attempts)}`);
  let cached: Resolved | undefined;
  let pending: Promise<Resolved> | undefined;
  let queries = 0;
  let nextId = Math.floor(Math.random() * 0xffff);

  const lookup = async (): Promise<Resolved> => {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      queries++;
      nextId = (nextId + 1) & 0xffff;
      try {
        const r = await queryA(opts, nextId);
        return { addresses: r.addresses, expiresAt: now() + r.ttlSeconds * 1000 };
      } catch (err) {
        last = err;
      }
    }
    throw last;
  };

  return {
    get queries() {
      return queries;
    },
    resolve() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached);
      pending ??= lookup().then(
        (r) => {
          cached = r;
          pending = undefined;
          return r;
        },
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
  };
}
