/**
 * The HEALTHCHECK of every cdnlab container. The base image has no shell,
 * wget or nc, so the check is a small Node script (bundled to
 * dist/healthcheck.js) that reads the node's own config from CDNLAB_CONFIG
 * and asks the node itself, on localhost, what the launcher's readiness
 * probe asks: grpc.health.v1 Check of "" == SERVING, or for the DNS service
 * any answer to an SOA query for its zone. Exit 0 healthy, 1 not (Docker's
 * contract; 2 is reserved).
 *
 * Why not @grpc/grpc-js and ./readiness: Docker runs this in every container
 * every few seconds, so its start-up cost is paid a dozen times per
 * interval on a 2-core machine. Loading grpc-js, protobufjs and the
 * launcher's plan (which compiles the scenario schemas) costs ~0.7 s of CPU
 * per run; this file needs only node:http2, node:dgram and dns-packet and
 * starts in well under 0.1 s. The gRPC call it makes is the simplest one
 * there is: one request frame with an empty message, one reply.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import dnsPacket from 'dns-packet';

export type HealthTarget = { kind: 'grpc'; port: number } | { kind: 'dns'; port: number; zone: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function port(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`expected ${field} to be a port number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * What to probe, from a node's config: DNS configs have `zone` and
 * `listen.port`; every other node has `grpc.port`. The host is always
 * localhost: the check runs inside the node's own container.
 */
export function healthTarget(config: unknown): HealthTarget {
  if (!isRecord(config)) throw new Error('expected CDNLAB_CONFIG to be a JSON object');
  if (typeof config.zone === 'string' && isRecord(config.listen)) return { kind: 'dns', port: port(config.listen.port, 'listen.port'), zone: config.zone };
  if (isRecord(config.grpc)) return { kind: 'grpc', port: port(config.grpc.port, 'grpc.port') };
  throw new Error('CDNLAB_CONFIG has neither grpc.port nor zone + listen.port: not a cdnlab node config');
}

/** CDNLAB_CONFIG holds the JSON itself, or a path to a file with it (as every entrypoint accepts). */
export function readNodeConfig(env: NodeJS.ProcessEnv = process.env): unknown {
  const source = env.CDNLAB_CONFIG;
  if (source === undefined || source.trim() === '') throw new Error('CDNLAB_CONFIG is not set');
  const text = source.trimStart().startsWith('{') ? source : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`CDNLAB_CONFIG is not valid JSON: ${(err as Error).message}`);
  }
}

/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING */
const SERVING = 1;

/**
 * The status in a HealthCheckResponse: a gRPC length-prefixed message
 * (1 byte compressed flag, 4 bytes length) whose protobuf holds field 1,
 * `status`, as a varint (tag byte 0x08). An empty message is status 0,
 * UNKNOWN. Returns undefined for anything else.
 */
export function decodeHealthStatus(frame: Buffer): number | undefined {
  if (frame.length < 5 || frame[0] !== 0) return undefined;
  const len = frame.readUInt32BE(1);
  if (frame.length !== 5 + len) return undefined;
  if (len === 0) return 0;
  if (frame[5] !== 0x08 || len < 2) return undefined;
  const status = frame[6] as number;
  // Every defined status (0..3) fits in one varint byte.
  return status < 0x80 && len === 2 ? status : undefined;
}

/** grpc.health.v1.Health/Check for the whole server (service ""), over plain HTTP/2. */
export function grpcHealthServing(host: string, grpcPort: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    const session = http2.connect(`http://${host}:${grpcPort}`);
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    session.on('error', () => finish(false));
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    req.on('error', () => finish(false));
    req.on('data', (c: Buffer) => chunks.push(c));
    // A trailers-only reply (an error) carries grpc-status in the headers.
    req.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined && headers['grpc-status'] !== '0') finish(false);
    });
    req.on('trailers', (trailers) => {
      finish(trailers['grpc-status'] === '0' && decodeHealthStatus(Buffer.concat(chunks)) === SERVING);
    });
    req.on('end', () => finish(false));
    // An uncompressed, empty HealthCheckRequest: service "" is the whole server.
    req.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

/** One SOA query for `zone` over UDP; true when any reply with our id arrives (even an error rcode: the server is up). */
export function dnsServing(host: string, dnsPort: number, zone: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const id = randomInt(1, 65535);
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('message', (msg) => {
      try {
        if (dnsPacket.decode(msg).id === id) finish(true);
      } catch {
        // Not a DNS message: keep waiting for ours.
      }
    });
    socket.send(dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: 'SOA', name: zone, class: 'IN' }] }), dnsPort, host, (err) => {
      if (err) finish(false);
    });
  });
}

/** One probe of a target on localhost; false on any failure (refused, timeout, NOT_SERVING). */
export function probeTarget(target: HealthTarget, timeoutMs: number, host = '127.0.0.1'): Promise<boolean> {
  return target.kind === 'dns' ? dnsServing(host, target.port, target.zone, timeoutMs) : grpcHealthServing(host, target.port, timeoutMs);
}

/** The script's body: exit code 0 healthy, 1 unhealthy or misconfigured. */
export async function runHealthcheck(env: NodeJS.ProcessEnv = process.env, timeoutMs = 1500): Promise<number> {
  let target: HealthTarget;
  try {
    target = healthTarget(readNodeConfig(env));
  } catch (err) {
    process.stderr.write(`healthcheck: ${(err as Error).message}\n`);
    return 1;
  }
  const ok = await probeTarget(target, timeoutMs);
  process.stdout.write(`healthcheck: ${target.kind} :${target.port} ${ok ? 'healthy' : 'unhealthy'}\n`);
  return ok ? 0 : 1;
}
