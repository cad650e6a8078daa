import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { REDACTED_LOG_PATHS } from '../src/control-service';
import { TREE, type FakeTier } from './fake-tier';

/** A pino logger at debug level whose lines land in `lines` (to check what is logged). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: pino({ level: 'debug', redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, sink), lines };
}

/** The 7-node test tree pointing at the fakes; `addresses` overrides some (e.g. a closed port). */
export function treeNodes(fakes: Map<string, FakeTier>, addresses: Record<string, string> = {}) {
  return TREE.map((n) => ({ ...n, parents: [...n.parents], grpcAddress: addresses[n.id] ?? (fakes.get(n.id) as FakeTier).address }));
}

export function baseConfig(nodes: unknown[], extra: Record<string, unknown> = {}) {
  return {
    grpc: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    defaultFanout: 'direct',
    nodes,
    rpcTimeoutMs: 2_000,
    shutdownGraceMs: 200,
    ...extra,
  };
}

/** What the tests look at in an HTTP answer. */
export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: assertions dig into the JSON freely
  json: any;
}

export async function postJson(port: number, path: string, body: unknown, token?: string, raw?: string): Promise<HttpAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

export async function get(port: number, path: string, token?: string): Promise<HttpAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}
