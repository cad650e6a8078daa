import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import {
  callOptions,
  createOriginAdminClient,
  createTierClient,
  readFetchReply,
  type FetchRequest,
  type FetchResult,
  type OriginAdminClient,
  type TierClient,
} from '@cdnlab/rpc';
import type { OriginConfig } from '../src/config';

export const TOKEN = 'origin-admin-token-for-tests';

export const SITE: NonNullable<OriginConfig['site']> = {
  paths: [
    { match: '/static/**', sizeBytes: 150_000, headers: { 'Cache-Control': 'max-age=3600', 'Surrogate-Key': 'static {path}' } },
    { match: '/slow/*', sizeBytes: 100, latencyMs: 120, headers: { 'Cache-Control': 'max-age=60' } },
    { match: '/cookie', sizeBytes: 10, setCookie: true, headers: { 'Cache-Control': 'private' } },
    { match: '/**', sizeBytes: 200, headers: { 'Cache-Control': 'max-age=10', 'CDN-Cache-Control': 'max-age=600' } },
  ],
};

export function siteConfig(over: Partial<OriginConfig> = {}): OriginConfig {
  return {
    id: 'origin-test',
    region: 'eu',
    grpc: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    site: SITE,
    token: TOKEN,
    ...over,
  };
}

/** Clients made by a test, closed in afterAll. */
export class Clients {
  private readonly all: grpc.Client[] = [];

  tier(port: number, token?: string): TierClient {
    const c = createTierClient(`127.0.0.1:${port}`, token === undefined ? {} : { token });
    this.all.push(c);
    return c;
  }

  admin(port: number, token?: string): OriginAdminClient {
    const c = createOriginAdminClient(`127.0.0.1:${port}`, token === undefined ? {} : { token });
    this.all.push(c);
    return c;
  }

  close(): void {
    for (const c of this.all) c.close();
  }
}

export function fetchRequest(target: string, over: Partial<FetchRequest> = {}): FetchRequest {
  return { method: 'GET', scheme: 'http', authority: 'cdn.cdnlab.test', target, headers: [], ...over };
}

export function fetchVia(client: TierClient, req: FetchRequest, timeoutMs = 5_000): Promise<FetchResult> {
  return readFetchReply(client.Fetch(req, callOptions(timeoutMs)));
}

export function header(head: { headers: Array<{ name: string; value: string }> }, name: string): string | undefined {
  return head.headers.find((h) => h.name === name)?.value;
}

export interface HttpResult {
  status: number;
  rawHeaders: string[];
  body: Buffer;
}

/** One plain HTTP exchange (no agent: every request on its own connection). */
export function httpRequest(port: number, method: string, path: string, headers: Record<string, string> | string[] = {}, body?: Buffer): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('test HTTP request timed out')));
    req.end(body);
  });
}

/** Poll until `check` is true, bounded in time. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
