/**
 * The edge's HTTP/1.1 front door: what curl, browsers and wrk talk to.
 * Turns a client request into a NodeRequest for the edge's CacheNode and the
 * answer back into HTTP, adding the debugging headers CDN users look for:
 * Age, Cache-Status (one member per tier, RFC 9211), X-Cache, X-Served-By, Via.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseCacheStatus, stripHopByHop, type CacheStatusMember, type HeaderList, type Scheduler } from '@cdnlab/core';
import { CdnError, fromServiceError } from '@cdnlab/rpc';
import type { CacheNode, NodeResponse } from '@cdnlab/tier';

export interface HttpFrontOptions {
  node: CacheNode;
  scheduler: Scheduler;
  /** Hostnames this CDN serves; any other Host is treated as the first (the default property). */
  hostnames: string[];
  /** Deadline for a whole request through the tiers. */
  upstreamTimeoutMs: number;
  /** Largest request body forwarded (POST, PUT …). Default 8 MiB. */
  maxBodyBytes?: number;
  /** Longest request target. Default 8 KiB (414 beyond). */
  maxUrlBytes?: number;
  /** Largest header section. Default 16 KiB (431 beyond, by Node's parser). */
  maxHeaderBytes?: number;
  /** Idle keep-alive timeout. Default 5 s. */
  keepAliveTimeoutMs?: number;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

function xCacheWord(m: CacheStatusMember): string {
  if (m.hit) return m.detail === 'stale-if-error' || m.detail === 'stale-while-revalidate' || (m.ttl !== undefined && m.ttl < 0) ? 'STALE' : 'HIT';
  if (m.fwd === 'method' || m.fwd === 'bypass') return 'PASS';
  if (m.fwd === 'stale' && m.fwdStatus === 304) return 'REVALIDATED';
  return 'MISS';
}

/**
 * X-Cache in the older per-tier convention (HIT, MISS, STALE …) and
 * X-Served-By, nearest the origin first like Cache-Status. Only upstream
 * members need parsing; on an edge hit there are none.
 */
function xCacheOf(upstreamLines: string[], own: CacheStatusMember): { xCache: string; servedBy: string } {
  const members = upstreamLines.length ? parseCacheStatus(upstreamLines.join(', ')) : [];
  members.push(own);
  return { xCache: members.map(xCacheWord).join(', '), servedBy: members.map((m) => m.cacheName).join(', ') };
}

function flatten(h: HeaderList): string[] {
  const out: string[] = [];
  for (const [n, v] of h) out.push(n, v);
  return out;
}

function errorBody(res: ServerResponse, status: number, message: string, extra: HeaderList = []): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${message}\n`;
  res.writeHead(status, flatten([['content-type', 'text/plain; charset=utf-8'], ['content-length', String(Buffer.byteLength(body))], ['cache-control', 'no-store'], ...extra]));
  res.end(body);
}

export function createHttpFront(opts: HttpFrontOptions): Server {
  const { node, scheduler } = opts;
  const maxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const maxUrl = opts.maxUrlBytes ?? 8192;
  const hostnames = new Set(opts.hostnames.map((h) => h.toLowerCase()));
  const defaultHost = opts.hostnames[0];
  const via = `1.1 ${node.id} (cdnlab)`;

  const send = async (req: IncomingMessage, res: ServerResponse, out: NodeResponse): Promise<void> => {
    const headers = stripHopByHop(out.head.headers);
    // Every cache-status line but the last (ours) came from upstream.
    const lines = headers.filter(([n]) => n === 'cache-status').map(([, v]) => v);
    const { xCache, servedBy } = xCacheOf(lines.slice(0, -1), out.status);
    const upstreamVia = headers.filter(([n]) => n === 'via').map(([, v]) => v);
    const final = headers.filter(([n]) => n !== 'via');
    final.push(['via', [...upstreamVia, via].join(', ')], ['x-cache', xCache], ['x-served-by', servedBy]);
    res.writeHead(out.head.status, flatten(final));
    if (req.method === 'HEAD' || out.head.status === 304 || out.head.status === 204) {
      res.end();
      return;
    }
    if (out.body instanceof Uint8Array) {
      res.end(out.body);
      return;
    }
    for await (const chunk of out.body) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', () => r()).once('close', () => r()));
    }
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? '';
    const target = req.url ?? '';
    if (!KNOWN_METHODS.has(method)) return errorBody(res, 501, `method ${method} is not supported`, [['allow', [...KNOWN_METHODS].join(', ')]]);
    if (target.length > maxUrl) return errorBody(res, 414, `request target longer than ${maxUrl} bytes`);
    if (!target.startsWith('/')) return errorBody(res, 400, 'request target must be a path (origin-form, RFC 9112 §3.2.1)');
    const rawHost = req.headers.host;
    if (!rawHost) return errorBody(res, 400, 'missing Host header (RFC 9112 §3.2)');
    const hostOnly = rawHost.toLowerCase().replace(/:\d+$/, '');
    const host = hostnames.has(hostOnly) ? rawHost.toLowerCase() : defaultHost;

    const headers: HeaderList = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i].toLowerCase();
      if (n === 'host') continue;
      headers.push([n, raw[i + 1]]);
    }
    let body: Uint8Array | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) return errorBody(res, 413, `request body larger than ${maxBody} bytes`);
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBody) return errorBody(res, 413, `request body larger than ${maxBody} bytes`);
        parts.push(chunk);
      }
      body = Buffer.concat(parts, size);
    }

    // The abort signal is made only if something asks for it: a hit never does,
    // and an AbortController per request is a measurable share of a hit's cost.
    let abort: AbortController | undefined;
    let closedEarly = false;
    const onClose = (): void => {
      if (res.writableFinished) return;
      closedEarly = true;
      abort?.abort();
    };
    res.once('close', onClose);
    try {
      const out = await node.handle({
        head: { method, scheme: 'http', host, target, headers: stripHopByHop(headers) },
        body,
        notBefore: 0,
        hops: 0,
        noStore: false,
        requestId: (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
        deadline: scheduler.now() + opts.upstreamTimeoutMs,
        get signal() {
          if (!abort) {
            abort = new AbortController();
            if (closedEarly) abort.abort();
          }
          return abort.signal;
        },
      });
      await send(req, res, out);
    } catch (err) {
      if (closedEarly) return;
      const e = err instanceof CdnError ? err : fromServiceError(err);
      const member = `${node.id}; fwd=miss; detail=${e.cacheStatusDetail}`;
      errorBody(res, e.httpStatus, `${e.code}: ${e.message}`, [['cache-status', member], ['x-cache', 'ERROR'], ['x-served-by', node.id]]);
    } finally {
      res.off('close', onClose);
    }
  };

  const server = createServer({ maxHeaderSize: opts.maxHeaderBytes ?? 16 * 1024, keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5000, requestTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch(() => errorBody(res, 500, 'internal error'));
  });
  // Malformed requests: answer 400 on the socket if it is still writable; never crash.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return server;
}
