import * as http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseAbsoluteTarget, type HeaderList, type RequestHead } from '@cdnlab/core';
import { CdnError, rawRefusal, refuseMalformedRequests, refusalOfExpectation, refusalOfHost, refusalOfVersion } from '@cdnlab/rpc';
import type { OriginHandler } from './origin-handler';
import type { OriginMetrics } from './metrics';
import { fromRawHeaders } from './upstream-proxy';

/**
 * The origin over plain HTTP/1.1, so curl (or a browser, or Prometheus) can
 * reach it directly: the same site, counts and faults as the gRPC Fetch path.
 * `GET /metrics` is the origin's own and shadows a site or upstream path of
 * that name on this port only (tiers reach the origin over gRPC).
 */

/** Request bodies above this are refused with 413 (the gRPC path caps them at its message size too). */
export const MAX_HTTP_REQUEST_BODY_BYTES = 4 * 1024 * 1024;

export interface OriginHttpServerDeps {
  handler: OriginHandler;
  metrics: OriginMetrics;
  /** Track one exchange (in-flight gauge, Stats, stop); `cancel` may be run by stop(). Returns `end`. */
  begin(cancel: () => void): () => void;
  /** Called when a client leaves (or is cut) before its answer is complete. */
  onCancel(): void;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function plain(res: http.ServerResponse, status: number, text: string, extra: HeaderList = []): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, ['content-type', 'text/plain; charset=utf-8', 'content-length', String(body.length), ...extra.flat()]);
  res.end(body);
}

export function createOriginHttpServer(deps: OriginHttpServerDeps): http.Server {
  const { handler, metrics } = deps;

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    // Not HTTP/1.x, or Host missing or doubled (RFC 9110 §15.6.6, RFC 9112 §3.2): say which.
    const refusal = refusalOfVersion(req) ?? refusalOfHost(req);
    if (refusal) {
      plain(res, refusal.status, `cdnlab origin: ${refusal.message}`);
      return;
    }
    if ((method === 'GET' || method === 'HEAD') && target === '/metrics') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
      return;
    }
    let path = target;
    let authority: string | undefined;
    if (!target.startsWith('/')) {
      // A server must accept the absolute-form and take the host from it (RFC 9112 §3.2.2).
      const abs = parseAbsoluteTarget(target);
      if (abs === undefined || typeof abs === 'string') {
        plain(res, 400, `cdnlab origin: ${abs ?? 'expected a request target in origin-form ("/path?query") or an absolute http URI'}`);
        return;
      }
      path = abs.target;
      authority = abs.authority;
    }
    const body = await readBody(req, MAX_HTTP_REQUEST_BODY_BYTES);
    if (body === 'too-large') {
      plain(res, 413, `cdnlab origin: request body over ${MAX_HTTP_REQUEST_BODY_BYTES} bytes`, [['connection', 'close']]);
      return;
    }
    const headers = fromRawHeaders(req.rawHeaders);
    const head: RequestHead = {
      method,
      scheme: 'http',
      host: authority ?? req.headers.host ?? '',
      target: path,
      headers,
    };
    const abort = new AbortController();
    const cancel = (): void => {
      if (abort.signal.aborted) return;
      deps.onCancel();
      abort.abort();
      end();
    };
    const end = deps.begin(cancel);
    // 'close' before the answer finished: the client went away.
    res.on('close', () => {
      if (!res.writableFinished) cancel();
      end();
    });
    let outcome;
    try {
      outcome = await handler.handle(head, body, 'http', abort.signal);
    } catch (error) {
      const e = error instanceof CdnError ? error : new CdnError('INTERNAL', String(error), { cause: error });
      if (e.code === 'CANCELLED') return;
      plain(res, e.httpStatus, `cdnlab origin: ${e.code}: ${e.message}`);
      return;
    }
    if (outcome.type === 'down') {
      // A dead host: no status line at all.
      req.socket.destroy();
      return;
    }
    res.writeHead(outcome.head.status, outcome.head.headers.flat());
    if (outcome.body instanceof Uint8Array) {
      res.end(outcome.body.length > 0 ? outcome.body : undefined);
      return;
    }
    try {
      await pipeline(Readable.from(outcome.body), res);
    } catch {
      // The upstream broke off mid-body (or the client left): the status line
      // is out, so the only honest signal left is a cut connection.
      res.destroy();
    }
  };

  // Host is checked in `serve` (refusalOfHost), so its 400 names what is wrong.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    serve(req, res).catch((error: unknown) => {
      // Whatever went wrong (a header node refuses to write, a read error),
      // this request fails alone; the server keeps going.
      try {
        plain(res, 500, `cdnlab origin: internal error: ${error instanceof Error ? error.message : String(error)}`);
      } catch {
        res.destroy();
      }
    });
  });
  // An Expect we cannot meet: Node's own 417 would say nothing about why.
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    plain(res, 417, `cdnlab origin: ${refusalOfExpectation(req).message}`);
  });
  // Bytes Node's parser refuses: an answer naming the problem, after the
  // answers still owed on that connection, then it is closed.
  refuseMalformedRequests(server, (refusal) => rawRefusal(refusal, 'text/plain; charset=utf-8', `cdnlab origin: ${refusal.message}\n`));
  return server;
}
