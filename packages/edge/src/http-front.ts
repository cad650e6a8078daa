/**
 * The edge's HTTP/1.1 front door: what curl, browsers and wrk talk to.
 * Turns a client request into a NodeRequest for the edge's CacheNode and the
 * answer back into HTTP, adding the debugging headers CDN users look for:
 * Age, Cache-Status (one member per tier, RFC 9211), X-Cache, X-Served-By, Via.
 *
 * A hit is the common case and is served without a promise, a closure or a
 * listener: the request is read from `rawHeaders` in one pass, the node
 * answers from memory at once (CacheNode.serve), and the response fields that
 * never change for a stored head are derived once per head (`StoredFields`).
 * Everything that waits for upstream takes the general path below it; both
 * paths give the same fields in the same order (http-front.test.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  acceptEncodingNormaliser,
  contentRangeOf,
  decideRange,
  DEFAULT_CONTENT_CODINGS,
  HOP_BY_HOP_FIELDS,
  isValidHostValue,
  normalizePath,
  parseAbsoluteTarget,
  parseCacheStatus,
  stripHopByHop,
  type CacheStatusMember,
  type HeaderList,
  type RequestHead,
  type ResponseHead,
  type Scheduler,
} from '@cdnlab/core';
import { CdnError, fromServiceError, rawRefusal, refuseMalformedRequests, refusalOfExpectation, refusalOfVersion } from '@cdnlab/rpc';
import type { CacheNode, NodeRequest, NodeResponse } from '@cdnlab/tier';

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
  /**
   * Whether the tiers' cache keys normalise the path (CacheKeyOptions.normalizePath,
   * default true). The front then forwards the normalised path itself: see {@link forwardedPath}.
   */
  normalizePath?: boolean;
  /** Content codings the tiers' caches know (HttpCacheOptions.encodings). Default DEFAULT_CONTENT_CODINGS. */
  encodings?: readonly string[];
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const ALLOW = [...KNOWN_METHODS].join(', ');

export function xCacheWord(m: CacheStatusMember): string {
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

/**
 * The path (and query) a request is forwarded with, when the tiers' keys
 * normalise paths (core `normalizePath`, RFC 3986 §6.2.2): the normalised
 * path, so that what the origin answers is the answer for the path it is
 * stored under. Forwarded raw, `/static/../private/x` or `/priv%61te/x`
 * would be routed by an origin that reads the raw path (ours does: globs on
 * it) to another resource than `/private/x`, and that answer would then be
 * served to everyone who asks for `/private/x` (path-confusion poisoning).
 * The query is left as sent.
 */
export function forwardedPath(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const normal = normalizePath(path);
  if (normal === path) return target;
  return q === -1 ? normal : normal + target.slice(q);
}

/**
 * The Accept-Encoding a request is forwarded with: the one coding the tiers'
 * caches file its answer under (core `acceptEncodingNormaliser`, the Vary
 * normaliser). A cache that normalises only its key, and forwards the
 * client's own list, stores an answer to `gzip;q=NaN, br;q=1e3` (or one that
 * echoes `gzip, evil`) under a class other clients share (vary.ts says the
 * same). A request without the field is in the `identity` class, so it says
 * `identity` too: an origin free to pick any coding for it (RFC 9110
 * §12.5.3) could otherwise file a gzip body where `identity;q=1` clients
 * read. `none` (nothing acceptable) goes up as `*;q=0`, which reads as none again.
 */
export function forwardedAcceptEncoding(classOf: (value: string | undefined) => string | undefined, value: string | undefined): string {
  const coding = classOf(value) ?? 'identity';
  return coding === 'none' ? '*;q=0' : coding;
}

/** Something we did not foresee went wrong: a 500 if we still can, else drop the connection; never a crash. */
function lastResort(res: ServerResponse): void {
  try {
    errorBody(res, 500, 'internal error');
  } catch {
    res.destroy();
  }
}

/**
 * The response fields of the general path, as a flat name/value list:
 * hop-by-hop fields stripped (RFC 9110 §7.6.1), Via lines merged into one
 * with ours last (RFC 9110 §7.6.3), X-Cache and X-Served-By from every
 * Cache-Status member.
 */
export function responseFields(out: NodeResponse, via: string): string[] {
  const headers = stripHopByHop(out.head.headers);
  // Every cache-status line but the last (ours) came from upstream.
  const lines = headers.filter(([n]) => n === 'cache-status').map(([, v]) => v);
  const { xCache, servedBy } = xCacheOf(lines.slice(0, -1), out.status);
  const upstreamVia = headers.filter(([n]) => n === 'via').map(([, v]) => v);
  const final = headers.filter(([n]) => n !== 'via');
  final.push(['via', [...upstreamVia, via].join(', ')], ['x-cache', xCache], ['x-served-by', servedBy]);
  return flatten(final);
}

/** Sets `name` in a flat name/value field list (the first line of it, or a new one). */
function setField(fields: string[], name: string, value: string): void {
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === name) {
      fields[i + 1] = value;
      return;
    }
  }
  fields.push(name, value);
}

function withoutField(fields: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < fields.length; i += 2) if (fields[i] !== name) out.push(fields[i], fields[i + 1]);
  return out;
}

/** Says that byte ranges are served (RFC 9110 §14.3), replacing what upstream said of its own. */
function withAcceptRanges(fields: string[]): string[] {
  setField(fields, 'accept-ranges', 'bytes');
  return fields;
}

/** What the general path derives from a stored head alone: every field but Age, Cache-Status and X-Cache. */
export interface StoredFields {
  /** The stored fields as a flat name/value list, without hop-by-hop fields and Via. */
  flat: string[];
  /** The stored Via lines and ours, merged. */
  via: string;
}

/**
 * StoredFields of one stored head, or undefined when the head holds
 * something that makes the per-request fields depend on more than Age and
 * our member (a Connection field naming other fields, Cache-Status lines):
 * those answers take the general path.
 */
export function storedFieldsOf(head: ResponseHead, ourVia: string): StoredFields | undefined {
  const flat: string[] = [];
  let via = '';
  for (const [n, v] of head.headers) {
    if (n === 'connection' || n === 'cache-status') return undefined;
    if (HOP_BY_HOP_FIELDS.has(n)) continue;
    if (n === 'via') via += `${v}, `;
    else flat.push(n, v);
  }
  return { flat, via: via + ourVia };
}

/**
 * The fields of an answer that is a stored head as it is (`out.from`),
 * equal to what {@link responseFields} gives for it, from the fields derived
 * once per stored head. The last two lines of `out.head` are Age and our
 * Cache-Status member (CacheNode's contract for `from`).
 */
export function storedResponseFields(out: NodeResponse, stored: StoredFields, ownId: string): string[] {
  const h = out.head.headers;
  const n = h.length;
  const fields = stored.flat.slice();
  fields.push('age', h[n - 2][1], 'cache-status', h[n - 1][1], 'via', stored.via, 'x-cache', xCacheWord(out.status), 'x-served-by', ownId);
  return fields;
}

/**
 * The NodeRequest of one client request. `requestId` and `signal` are made
 * only when something asks for them: a hit never does, and a UUID and an
 * AbortController per request are a measurable share of a hit's cost.
 */
class FrontRequest implements NodeRequest {
  readonly notBefore = 0;
  readonly hops = 0;
  readonly noStore = false;
  body: Uint8Array | undefined = undefined;
  /** The request has a Range field (seen in the one pass over its header lines). */
  ranged = false;
  /** The client went away before the answer was complete. */
  closedEarly = false;
  private id: string | undefined;
  private abort: AbortController | undefined = undefined;

  constructor(
    readonly head: RequestHead,
    readonly deadline: number,
    clientRequestId: string | undefined,
  ) {
    this.id = clientRequestId;
  }

  get requestId(): string {
    this.id ??= randomUUID();
    return this.id;
  }

  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.closedEarly) this.abort.abort();
    }
    return this.abort.signal;
  }

  clientGone(): void {
    this.closedEarly = true;
    this.abort?.abort();
  }
}

export function createHttpFront(opts: HttpFrontOptions): Server {
  const { node, scheduler } = opts;
  const maxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const maxUrl = opts.maxUrlBytes ?? 8192;
  const normalizePaths = opts.normalizePath ?? true;
  const aeClass = acceptEncodingNormaliser(opts.encodings ?? DEFAULT_CONTENT_CODINGS);
  // Clients send the same few Accept-Encoding lists over and over: remember the last.
  const aeAbsent: [string, string] = ['accept-encoding', forwardedAcceptEncoding(aeClass, undefined)];
  let lastAe = '';
  let lastAeLine: [string, string] = ['accept-encoding', forwardedAcceptEncoding(aeClass, '')];
  /** Puts the forwarded Accept-Encoding in `headers` (a list of this request's own): one line, where the first was. */
  const setAcceptEncoding = (headers: HeaderList): void => {
    let at = -1;
    let value = '';
    for (let i = 0; i < headers.length; i++) {
      if (headers[i][0] !== 'accept-encoding') continue;
      if (at === -1) {
        at = i;
        value = headers[i][1];
      } else {
        value = `${value}, ${headers[i][1]}`;
        headers.splice(i--, 1);
      }
    }
    if (at === -1) {
      headers.push(aeAbsent);
      return;
    }
    if (value !== lastAe) {
      lastAeLine = ['accept-encoding', forwardedAcceptEncoding(aeClass, value)];
      lastAe = value;
    }
    headers[at] = lastAeLine;
  };
  const hostnames = new Set(opts.hostnames.map((h) => h.toLowerCase()));
  const defaultHost = opts.hostnames[0];
  const via = `1.1 ${node.id} (cdnlab)`;
  // Stored heads are replaced, never changed, when an entry is revalidated:
  // keyed by the head object, an entry never gets fields of an older head.
  const storedFields = new WeakMap<ResponseHead, StoredFields | null>();

  // Clients of one CDN send the same Host over and over: remember the last.
  let lastRawHost = '';
  let lastHost = defaultHost;
  const hostFor = (rawHost: string): string => {
    if (rawHost !== lastRawHost) {
      const lower = rawHost.toLowerCase();
      lastHost = hostnames.has(lower.replace(/:\d+$/, '')) ? lower : defaultHost;
      lastRawHost = rawHost;
    }
    return lastHost;
  };

  const fieldsFor = (out: NodeResponse): string[] => {
    const from = out.from;
    if (from) {
      let stored = storedFields.get(from);
      if (stored === undefined) {
        stored = storedFieldsOf(from, via) ?? null;
        storedFields.set(from, stored);
      }
      if (stored) return storedResponseFields(out, stored, node.id);
    }
    return responseFields(out, via);
  };

  /** Writes the answer; a promise only while a streamed body is still coming. */
  const send = (res: ServerResponse, req: FrontRequest, out: NodeResponse): void | Promise<void> => {
    const status = out.head.status;
    const method = req.head.method;
    const body = out.body;
    if (status === 200 && body instanceof Uint8Array && (method === 'GET' || method === 'HEAD')) {
      // A whole body in hand: byte ranges are served from it (RFC 9110 §14).
      const fields = withAcceptRanges(fieldsFor(out));
      const range = method === 'GET' && req.ranged ? decideRange(req.head.headers, out.head.headers, body.length) : undefined;
      if (range === undefined || range.kind === 'whole') {
        res.writeHead(200, fields);
        res.end(method === 'HEAD' ? undefined : body);
        return;
      }
      const part = range.kind === 'partial' ? body.subarray(range.first, range.last + 1) : undefined;
      setField(fields, 'content-length', String(part?.length ?? 0));
      fields.push('content-range', contentRangeOf(range));
      res.writeHead(part ? 206 : 416, part ? fields : withoutField(fields, 'content-type'));
      res.end(part);
      return;
    }
    res.writeHead(status, fieldsFor(out));
    if (method === 'HEAD' || status === 304 || status === 204) {
      res.end();
      return;
    }
    if (body instanceof Uint8Array) {
      res.end(body);
      return;
    }
    return pipeBody(res, body);
  };

  const fail = (res: ServerResponse, nreq: FrontRequest, err: unknown): void => {
    if (nreq.closedEarly) return;
    const e = err instanceof CdnError ? err : fromServiceError(err);
    const member = `${node.id}; fwd=miss; detail=${e.cacheStatusDetail}`;
    errorBody(res, e.httpStatus, `${e.code}: ${e.message}`, [['cache-status', member], ['x-cache', 'ERROR'], ['x-served-by', node.id]]);
  };

  /** An answer that waits for upstream: the node learns when the client goes away. */
  const whenAnswered = async (res: ServerResponse, nreq: FrontRequest, pending: Promise<NodeResponse>): Promise<void> => {
    const onClose = (): void => {
      if (!res.writableFinished) nreq.clientGone();
    };
    res.once('close', onClose);
    try {
      await send(res, nreq, await pending);
    } catch (err) {
      fail(res, nreq, err);
    } finally {
      res.off('close', onClose);
    }
  };

  const answer = (res: ServerResponse, nreq: FrontRequest): void => {
    const out = node.serve(nreq);
    if (out instanceof Promise) {
      whenAnswered(res, nreq, out).catch(() => lastResort(res));
      return;
    }
    // Answered from memory: nothing left to cancel, so no close listener.
    try {
      const streaming = send(res, nreq, out);
      if (streaming) streaming.catch((err: unknown) => fail(res, nreq, err));
    } catch (err) {
      // writeHead refuses a field value it cannot send: answer as the general path would.
      fail(res, nreq, err);
    }
  };

  const readBodyThenAnswer = async (req: IncomingMessage, res: ServerResponse, nreq: FrontRequest, declared: number): Promise<void> => {
    if (declared > maxBody) return errorBody(res, 413, `request body larger than ${maxBody} bytes`);
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBody) return errorBody(res, 413, `request body larger than ${maxBody} bytes`);
      parts.push(chunk);
    }
    nreq.body = Buffer.concat(parts, size);
    answer(res, nreq);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? '';
    const target = req.url ?? '';
    const version = refusalOfVersion(req);
    if (version) return errorBody(res, version.status, version.message);
    if (!KNOWN_METHODS.has(method)) return errorBody(res, 501, `method ${method} is not supported`, [['allow', ALLOW]]);
    if (target.length > maxUrl) return errorBody(res, 414, `request target longer than ${maxUrl} bytes`);
    // OPTIONS * asks about the server itself (RFC 9110 §9.3.7): what it allows, nothing to fetch.
    if (target === '*' && method === 'OPTIONS') {
      res.writeHead(200, flatten([['allow', ALLOW], ['content-length', '0'], ['cache-control', 'no-store']]));
      res.end();
      return;
    }
    let path = target;
    let authority: string | undefined;
    if (target.charCodeAt(0) !== 0x2f /* / */) {
      // A server must accept the absolute-form and take the host from it, not from Host (RFC 9112 §3.2.2).
      const abs = parseAbsoluteTarget(target);
      if (abs === undefined) return errorBody(res, 400, 'request target must be a path or an absolute http URI (RFC 9112 §3.2)');
      if (typeof abs === 'string') return errorBody(res, 400, abs);
      path = abs.target;
      authority = abs.authority;
    }
    if (normalizePaths) path = forwardedPath(path);

    // One pass over rawHeaders: `req.headers` would build an object of every
    // field on first use. Host, X-Request-Id and Content-Length are read the
    // way Node's `req.headers` reads them (first Content-Length, X-Request-Id
    // lines joined); a second Host line is a 400, as RFC 9112 §3.2 says.
    const raw = req.rawHeaders;
    let headers: HeaderList = [];
    let rawHost: string | undefined;
    let requestId: string | undefined;
    let contentLength: string | undefined;
    let hopByHop = false;
    let ranged = false;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i].toLowerCase();
      const v = raw[i + 1];
      if (n === 'host') {
        if (rawHost !== undefined) return errorBody(res, 400, 'more than one Host header (RFC 9112 §3.2)');
        rawHost = v;
        continue;
      }
      if (n === 'x-request-id') requestId = requestId === undefined ? v : `${requestId}, ${v}`;
      else if (n === 'content-length') contentLength ??= v;
      else if (n === 'range') ranged = true;
      else if (HOP_BY_HOP_FIELDS.has(n)) hopByHop = true;
      headers.push([n, v]);
    }
    // Every HTTP/1.1 request carries Host, absolute-form too (RFC 9112 §3.2); an
    // HTTP/1.0 client without one gets the default property. An http URI has a
    // host, so an empty Host is invalid unless the target names the host itself.
    if (rawHost === undefined && req.httpVersion !== '1.0') return errorBody(res, 400, 'missing Host header (RFC 9112 §3.2)');
    if (rawHost === '' && authority === undefined) return errorBody(res, 400, 'empty Host header (RFC 9112 §3.2)');
    // An invalid value is a 400 even beside an absolute-form target, whose host is the one used.
    if (rawHost !== undefined && rawHost !== '' && !isValidHostValue(rawHost)) return errorBody(res, 400, 'Host header is not a valid host[:port] (RFC 9112 §3.2)');
    // Connection may name more fields to drop (RFC 9110 §7.6.1): the general rule does it.
    if (hopByHop) headers = stripHopByHop(headers);
    // After that: an Accept-Encoding that Connection names is no field of the request.
    setAcceptEncoding(headers);

    const nreq = new FrontRequest({ method, scheme: 'http', host: hostFor(authority ?? rawHost ?? defaultHost), target: path, headers }, scheduler.now() + opts.upstreamTimeoutMs, requestId);
    nreq.ranged = ranged;
    if (method === 'GET' || method === 'HEAD') {
      answer(res, nreq);
      return;
    }
    readBodyThenAnswer(req, res, nreq, Number(contentLength ?? 0)).catch(() => lastResort(res));
  };

  // Host is checked here (requireHostHeader off) so its 400 names what is wrong.
  const server = createServer({ requireHostHeader: false, maxHeaderSize: opts.maxHeaderBytes ?? 16 * 1024, keepAliveTimeout: opts.keepAliveTimeoutMs ?? 5000, requestTimeout: 60_000 }, (req, res) => {
    try {
      onRequest(req, res);
    } catch {
      lastResort(res);
    }
  });
  // CONNECT asks for a tunnel, which a CDN's front door does not make. Without
  // a listener Node would drop the connection without a word: say so instead.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const body = `501 method CONNECT is not supported\n`;
    socket.on('error', () => socket.destroy());
    socket.end(`HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nallow: ${ALLOW}\r\n\r\n${body}`);
  });
  // An Expect we cannot meet: Node's own 417 would say nothing about why.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const r = refusalOfExpectation(req);
    errorBody(res, r.status, r.message);
  });
  // Bytes Node's parser refuses: an answer that names the problem, after the
  // answers still owed on that connection, then it is closed; never a crash.
  refuseMalformedRequests(server, (refusal) => {
    const extra: Array<[string, string]> = [['cache-control', 'no-store']];
    if (refusal.status === 501) extra.push(['allow', ALLOW]);
    return rawRefusal(refusal, 'text/plain; charset=utf-8', `${refusal.status} ${refusal.message}\n`, extra);
  });
  return server;
}

async function pipeBody(res: ServerResponse, body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of body) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', () => r()).once('close', () => r()));
  }
  res.end();
}
