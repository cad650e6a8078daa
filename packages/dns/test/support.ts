import { execFile, execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import * as dnsPacket from 'dns-packet';
import { HealthImplementation } from 'grpc-health-check';

// Helpers for the integration tests: real gRPC health servers standing in for
// edges, and a DNS client that is the real `dig` when installed and a small
// dns-packet client otherwise (both are exercised when dig is present).

export type ClientKind = 'dig' | 'node';

let digChecked: boolean | undefined;
export function hasDig(): boolean {
  if (digChecked === undefined) {
    try {
      execFileSync('which', ['dig'], { stdio: 'ignore' });
      digChecked = true;
    } catch {
      digChecked = false;
    }
  }
  return digChecked;
}

/** The clients to run DNS assertions with: node always, dig when installed. */
export function clientKinds(): ClientKind[] {
  return hasDig() ? ['dig', 'node'] : ['node'];
}

export interface DnsAnswer {
  type: string;
  ttl: number;
  data: string;
}

export interface DnsResult {
  rcode: string;
  aa: boolean;
  tc: boolean;
  ra: boolean;
  answers: DnsAnswer[];
  /** The authority section (the SOA of a negative answer), data in dig's presentation form. */
  authorities: DnsAnswer[];
  /** SCOPE PREFIX-LENGTH of the echoed ECS option, if any. */
  ecsScope?: number;
}

export interface DnsQuery {
  port: number;
  name: string;
  type?: 'A' | 'AAAA' | 'TXT' | 'SOA' | 'NS' | 'ANY';
  subnet?: string;
  tcp?: boolean;
  host?: string;
  /** UDP: do not retry over TCP on TC (dig +ignore); the node client never retries. */
  timeoutMs?: number;
}

export function query(kind: ClientKind, q: DnsQuery): Promise<DnsResult> {
  return kind === 'dig' ? digQuery(q) : nodeQuery(q);
}

function digQuery(q: DnsQuery): Promise<DnsResult> {
  const args = [`@${q.host ?? '127.0.0.1'}`, '-p', String(q.port), q.name, q.type ?? 'A', '+tries=1', '+time=2', '+ignore', q.tcp ? '+tcp' : '+notcp'];
  if (q.subnet) args.push(`+subnet=${q.subnet}`);
  return new Promise((resolve, reject) => {
    execFile('dig', args, { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        reject(new Error(`dig ${args.join(' ')} failed: ${err.message}\n${stdout}`));
        return;
      }
      resolve(parseDig(stdout));
    });
  });
}

/** Parse dig's default presentation output (header, flags, ECS line, answer section). */
export function parseDig(out: string): DnsResult {
  const status = /status: (\w+)/.exec(out);
  const flags = /;; flags:([^;]*);/.exec(out);
  if (!status || !flags) throw new Error(`cannot parse dig output:\n${out}`);
  const flagSet = new Set(flags[1].trim().split(/\s+/));
  const section = (name: string): DnsAnswer[] => {
    const records: DnsAnswer[] = [];
    const body = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(\\n\\n|$)`).exec(out);
    for (const line of body ? body[1].split('\n') : []) {
      const m = /^\S+\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(line.trim());
      if (m) records.push({ ttl: Number(m[1]), type: m[2], data: m[3] });
    }
    return records;
  };
  const ecs = /CLIENT-SUBNET: [^/]+\/\d+\/(\d+)/.exec(out);
  return {
    rcode: status[1],
    aa: flagSet.has('aa'),
    tc: flagSet.has('tc'),
    ra: flagSet.has('ra'),
    answers: section('ANSWER'),
    authorities: section('AUTHORITY'),
    ecsScope: ecs ? Number(ecs[1]) : undefined,
  };
}

export function encodeQuery(q: Pick<DnsQuery, 'name' | 'type' | 'subnet'>, id: number): Buffer {
  const options: Array<{ code: number; data: Buffer }> = [];
  if (q.subnet) {
    const [ip, len] = q.subnet.split('/');
    const prefix = Number(len);
    options.push({ code: 8, data: Buffer.from([0, 1, prefix, 0, ...ip.split('.').map(Number).slice(0, Math.ceil(prefix / 8))]) });
  }
  return dnsPacket.encode({
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: q.name, type: (q.type ?? 'A') as dnsPacket.RecordType, class: 'IN' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, options } as unknown as dnsPacket.Answer],
  });
}

/** A record's data as dig prints it, for the types the tests compare (A, AAAA, NS, SOA). */
function presentation(a: dnsPacket.Answer): string {
  if (a.type === 'SOA') {
    const d = a.data;
    return `${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
  }
  if (a.type === 'NS') return `${a.data}.`;
  return 'data' in a ? String(a.data) : '';
}

const records = (section: dnsPacket.Answer[] | undefined): DnsAnswer[] => (section ?? []).map((a) => ({ type: a.type, ttl: 'ttl' in a ? (a.ttl ?? 0) : 0, data: presentation(a) }));

export function decodeResult(buf: Buffer): DnsResult {
  const p = dnsPacket.decode(buf);
  const opt = (p.additionals ?? []).find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
  const ecs = opt?.options.find((o) => o.code === 8) as { scopePrefixLength?: number } | undefined;
  return {
    rcode: (p as unknown as { rcode: string }).rcode,
    aa: p.flag_aa,
    tc: p.flag_tc,
    ra: p.flag_ra,
    answers: records(p.answers),
    authorities: records(p.authorities),
    ecsScope: ecs?.scopePrefixLength,
  };
}

function nodeQuery(q: DnsQuery): Promise<DnsResult> {
  const id = Math.floor(Math.random() * 65536);
  const packet = encodeQuery(q, id);
  const host = q.host ?? '127.0.0.1';
  const timeoutMs = q.timeoutMs ?? 2000;
  return q.tcp ? tcpExchange(host, q.port, [packet], timeoutMs).then((r) => decodeResult(r[0])) : udpExchange(host, q.port, packet, timeoutMs).then(decodeResult);
}

/** One UDP round trip; rejects on timeout. */
export function udpExchange(host: string, port: number, packet: Buffer, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (msg) => {
      if (msg.length >= 2 && packet.length >= 2 && msg.readUInt16BE(0) !== packet.readUInt16BE(0)) return;
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(packet, port, host);
  });
}

/** Send several length-framed messages on one TCP connection, collect as many answers. */
export function tcpExchange(host: string, port: number, packets: Buffer[], timeoutMs = 2000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const answers: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`got ${answers.length}/${packets.length} TCP answers within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const len = pending.readUInt16BE(0);
        answers.push(pending.subarray(2, 2 + len));
        pending = pending.subarray(2 + len);
      }
      if (answers.length === packets.length) {
        clearTimeout(timer);
        socket.end();
        resolve(answers);
      }
    });
    socket.write(Buffer.concat(packets.map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 255]), p]))));
  });
}

export interface HealthEdge {
  port: number;
  stop(): Promise<void>;
  /** Start again on the same port. */
  restart(): Promise<void>;
}

/** A real grpc-js server serving grpc.health.v1 (SERVING) on 127.0.0.1. */
export async function startHealthEdge(): Promise<HealthEdge> {
  let server: grpc.Server | undefined;
  const bind = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = new grpc.Server();
      new HealthImplementation({ '': 'SERVING' }).addToServer(s);
      s.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err) {
          reject(err);
          return;
        }
        server = s;
        resolve(bound);
      });
    });
  const port = await bind(0);
  return {
    port,
    async stop() {
      server?.forceShutdown();
      server = undefined;
    },
    async restart() {
      // The port was ours a moment ago; retry briefly in case the OS is slow to free it.
      for (let i = 0; ; i++) {
        try {
          await bind(port);
          return;
        } catch (err) {
          if (i >= 20) throw err;
          await sleep(50);
        }
      }
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until fn returns true, bounded by time. */
export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await fn()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
