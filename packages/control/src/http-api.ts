/**
 * The control plane's HTTP JSON API, for people with curl and for
 * dashboards: the same operations as the gRPC service plus /healthz,
 * /metrics and a Server-Sent Events stream.
 *
 *   POST /purge     {kind, value, mode?, fanout?, redeliver?}
 *                                                 -> purge report     (bearer)
 *   GET  /purges                                  -> {purges: [purge report...]}, newest first (bearer)
 *   GET  /purges/<id>                             -> one purge report as it is now (bearer)
 *   GET  /stats     [?node=<id>...]               -> per-node stats   (bearer)
 *   GET  /topology                                -> nodes            (bearer)
 *   GET  /events    [?type=<type>...]             -> text/event-stream (bearer)
 *   GET  /healthz                                 -> {"status":"ok"}
 *   GET  /metrics                                 -> Prometheus text
 *
 * A purge report is what the fan-out got; `redeliver` (default true) has the
 * control plane call each node that did not take the purge again until it
 * does or the purge is 10 minutes old. GET /purges/<id> shows those later
 * calls landing (attempts, applied, redelivering); the last
 * MAX_RECENT_PURGES reports are kept.
 */
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { CdnError, rawRefusal, refuseMalformedRequests, refusalOfExpectation, refusalOfHost, refusalOfVersion, type BearerAuth } from '@cdnlab/rpc';
import type { Logger } from 'pino';
import { eventTypeProblem, type ControlEvent, type EventHub } from './event-hub';
import type { ControlMetrics } from './metrics';
import type { NodeStatsEntry } from './node-stats';
import { purgeCommandFromJson } from './purge-command';
import { MAX_RECENT_PURGES } from './purge-report';
import type { PurgeRunner } from './purge-runner';
import type { TopologyEntry } from './topology';

export interface HttpApiDeps {
  auth: BearerAuth;
  maxBodyBytes: number;
  defaultFanout: string;
  runner: PurgeRunner;
  stats(nodeIds: readonly string[]): Promise<NodeStatsEntry[]>;
  topology(): TopologyEntry[];
  events: EventHub;
  metrics: ControlMetrics;
  logger: Logger;
  /** SSE comment sent this often so proxies and clients see a live stream. Default 15000. */
  sseHeartbeatMs?: number;
}

/** Bytes a slow SSE reader may leave queued before it is cut off. */
export const MAX_QUEUED_SSE_BYTES = 1024 * 1024;

type Method = 'GET' | 'POST';
/** `param` is the decoded last path segment of a route named with ":id" (GET /purges/<id>); "" otherwise. */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, param: string) => Promise<void>;
interface Route {
  /** Admin routes need the bearer token; health and metrics do not (probes and scrapers). */
  auth: boolean;
  methods: Partial<Record<Method, Handler>>;
}

/** An answer other than 200, with the message the client sees. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The body as JSON, refusing more than `max` bytes (413) and bodies that are not JSON (415 / 400). */
async function readJson(req: http.IncomingMessage, max: number): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, `expected Content-Type application/json, got ${JSON.stringify(type)}`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new HttpError(413, `request body of ${declared} bytes is over the ${max}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, `request body is over the ${max}-byte limit`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'expected a JSON object body, got an empty body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * RFC 6750 §3: a 401 names the scheme; with a token that is wrong it adds
 * error="invalid_token". The reason never includes the token.
 */
function authenticate(auth: BearerAuth, req: http.IncomingMessage): void {
  const values = req.headersDistinct.authorization ?? [];
  const metadata = new grpc.Metadata();
  for (const v of values) metadata.add('authorization', v);
  const denied = auth.check(metadata);
  if (!denied) return;
  const challenge = values.length === 0 ? 'Bearer realm="cdnlab-control"' : 'Bearer realm="cdnlab-control", error="invalid_token"';
  throw new HttpError(401, denied.message, { 'WWW-Authenticate': challenge });
}

/** An id from a path, quoted and cut short for a message: never a wall of attacker text. */
function quote(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

interface MatchedRoute {
  /** The route's key: what metrics and 404s name. */
  name: string;
  route: Route;
  /** The last segment as sent (still URL-encoded) for a ":id" route; "" otherwise. */
  rawParam: string;
}

/**
 * The route for `pathname`: an exact one, or one ending in "/:id" whose
 * prefix matches with exactly one more segment. Undefined when none does.
 */
function matchRoute(routes: Record<string, Route>, pathname: string): MatchedRoute | undefined {
  if (Object.prototype.hasOwnProperty.call(routes, pathname)) return { name: pathname, route: routes[pathname], rawParam: '' };
  for (const name of Object.keys(routes)) {
    if (!name.endsWith('/:id')) continue;
    const prefix = name.slice(0, -':id'.length);
    const rest = pathname.slice(prefix.length);
    if (pathname.startsWith(prefix) && rest !== '' && !rest.includes('/')) return { name, route: routes[name], rawParam: rest };
  }
  return undefined;
}

/**
 * The request target on a placeholder origin, or undefined when it is not
 * one (`http://[`, `//[`: Node's parser lets them through, and `new URL`
 * throws on them, which in the request listener was an uncaught exception).
 */
function urlOf(req: http.IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://control.invalid');
  } catch {
    return undefined;
  }
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `expected the last path segment to be URL-encoded, got ${quote(raw)}`);
  }
}

function writeSse(res: http.ServerResponse, id: number, event: ControlEvent): void {
  // One `data:` line: JSON.stringify never emits a raw newline.
  res.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

export interface HttpApi {
  server: http.Server;
  /** Listen; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** End event streams, stop accepting, and cut connections still open after graceMs. */
  close(graceMs: number): Promise<void>;
}

export function createHttpApi(deps: HttpApiDeps): HttpApi {
  const heartbeatMs = deps.sseHeartbeatMs ?? 15_000;
  let sseSeq = 0;

  const routes: Record<string, Route> = {
    '/purge': {
      auth: true,
      methods: {
        POST: async (req, res) => {
          const body = await readJson(req, deps.maxBodyBytes);
          const cmd = purgeCommandFromJson(body, deps.defaultFanout);
          sendJson(res, 200, await deps.runner.run(cmd));
        },
      },
    },
    '/purges': {
      auth: true,
      methods: { GET: async (_req, res) => sendJson(res, 200, { purges: deps.runner.recentReports() }) },
    },
    '/purges/:id': {
      auth: true,
      methods: {
        GET: async (_req, res, _url, purgeId) => {
          const report = deps.runner.report(purgeId);
          if (!report) {
            throw new HttpError(404, `no purge ${quote(purgeId)} among the recent purges (the control plane keeps the last ${MAX_RECENT_PURGES}; GET /purges lists them)`);
          }
          sendJson(res, 200, report);
        },
      },
    },
    '/stats': {
      auth: true,
      methods: { GET: async (_req, res, url) => sendJson(res, 200, { nodes: await deps.stats(url.searchParams.getAll('node')) }) },
    },
    '/topology': {
      auth: true,
      methods: { GET: async (_req, res) => sendJson(res, 200, { nodes: deps.topology() }) },
    },
    '/events': {
      auth: true,
      methods: {
        GET: async (req, res, url) => {
          // A filter no event can match would be a stream that stays silent: say so now.
          const types = url.searchParams.getAll('type');
          for (const [i, type] of types.entries()) {
            const problem = eventTypeProblem(type);
            if (problem) throw new HttpError(400, `types[${i}]: ${problem.length > 200 ? `${problem.slice(0, 197)}...` : problem}`);
          }
          res.writeHead(200, {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-cache',
            Connection: 'keep-alive',
            // nginx and friends must not buffer the stream.
            'X-Accel-Buffering': 'no',
          });
          res.write(': connected\n\n');
          const gauge = deps.metrics.eventSubscribers.labels('sse');
          gauge.inc();
          let done = false;
          let unsubscribe = (): void => undefined;
          const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
          heartbeat.unref();
          const finish = (): void => {
            if (done) return;
            done = true;
            clearInterval(heartbeat);
            unsubscribe();
            gauge.dec();
          };
          unsubscribe = deps.events.subscribe(types, {
            onEvent(event) {
              if (res.writableLength > MAX_QUEUED_SSE_BYTES) {
                deps.metrics.eventsDropped.inc({ transport: 'sse' });
                finish();
                res.destroy();
                return;
              }
              sseSeq += 1;
              writeSse(res, sseSeq, event);
            },
            onClose() {
              finish();
              res.end();
            },
          });
          if (done) unsubscribe();
          req.on('close', finish);
        },
      },
    },
    '/healthz': {
      auth: false,
      methods: { GET: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    },
    '/metrics': {
      auth: false,
      methods: {
        GET: async (_req, res) => {
          const text = await deps.metrics.registry.metrics();
          res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType });
          res.end(text);
        },
      },
    },
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL | undefined): Promise<string> => {
    // Only the path is used (and logged): a query string is never echoed.
    const refusal = refusalOfVersion(req) ?? refusalOfHost(req);
    if (refusal) throw new HttpError(refusal.status, refusal.message);
    if (!url) throw new HttpError(400, `expected the request target to be a path or an absolute http URL, got ${quote(req.url ?? '')}`);
    const matched = matchRoute(routes, url.pathname);
    if (!matched) throw new HttpError(404, `no such endpoint ${quote(url.pathname)} (endpoints: ${Object.keys(routes).join(', ')})`);
    const { route, rawParam } = matched;
    const handler = route.methods[req.method as Method];
    if (!handler) {
      const allow = Object.keys(route.methods).join(', ');
      throw new HttpError(405, `${matched.name} takes ${allow}, not ${req.method ?? '?'}`, { Allow: allow });
    }
    if (route.auth) authenticate(deps.auth, req);
    await handler(req, res, url, decodeParam(rawParam));
    return url.pathname;
  };

  // Host is checked in `handle` (refusalOfHost), so its 400 names what is wrong.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    const started = Date.now();
    // Route names, not paths, label the metric: one series for every purge id.
    const known = (p: string): string => matchRoute(routes, p)?.name ?? 'other';
    const url = urlOf(req);
    const path = url?.pathname ?? '(unreadable target)';
    const done = (status: number): void => {
      deps.metrics.httpRequests.inc({ route: known(path), method: req.method ?? '?', status: String(status) });
      deps.logger.debug({ method: req.method, path, status, ms: Date.now() - started }, 'http request');
    };
    handle(req, res, url).then(
      () => done(res.statusCode),
      (err: unknown) => {
        let status = 500;
        let message = 'internal error';
        let headers: Record<string, string> = {};
        if (err instanceof HttpError) {
          ({ status, message, headers } = err);
        } else if (err instanceof CdnError && err.code === 'BAD_REQUEST') {
          status = 400;
          message = err.message;
        } else {
          deps.logger.error({ err, path }, 'http handler failed');
        }
        if (res.headersSent) {
          res.destroy();
        } else {
          // A refused body may still be arriving: do not keep this connection.
          if (status === 413) headers = { ...headers, Connection: 'close' };
          sendJson(res, status, { error: { status, message } }, headers);
        }
        done(status);
      },
    );
  });
  // An Expect we cannot meet: Node's own 417 would say nothing about why.
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const r = refusalOfExpectation(req);
    sendJson(res, r.status, { error: r });
    deps.metrics.httpRequests.inc({ route: 'other', method: req.method ?? '?', status: String(r.status) });
  });
  // Bytes Node's parser refuses: the same JSON error as every other refusal,
  // after the answers still owed on that connection, then it is closed.
  refuseMalformedRequests(server, (refusal) => rawRefusal(refusal, 'application/json; charset=utf-8', `${JSON.stringify({ error: refusal })}\n`));

  return {
    server,
    listen(host, port) {
      return new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    close(graceMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
