/**
 * The refusals every HTTP/1.1 server of ours (the edge's front door, the
 * control plane's API, the origin's plain port) makes before a request
 * reaches its handler, in one place so the three say the same thing:
 *
 * - bytes Node's parser refuses (the server's 'clientError' event), which
 *   Node would answer with a bare 400 or a silently closed connection;
 * - a request line whose version is not HTTP/1.x, which Node's parser
 *   accepts (`HTTP/2.0`, `HTTP/0.9`) and would have served as HTTP/1.1.
 *
 * Each server words the answer in its own format (text or JSON); the
 * status and the message naming the problem come from here.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HttpRefusal {
  status: number;
  /** What is wrong with the request, for the client to read. */
  message: string;
}

/** A Node parse error: an errno-style error with llhttp's reason (and the bytes, for some). */
export type HttpClientError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

/** A request line that is well-formed but for a method llhttp does not know: `TOKEN target HTTP/x.y`. */
const UNKNOWN_METHOD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}) [\x21-\x7e]+ HTTP\/\d\.\d\r?\n/;

/**
 * The answer to bytes Node's HTTP parser refused, or undefined when there is
 * nobody to answer (the client reset or left).
 */
export function refusalOfClientError(err: HttpClientError): HttpRefusal | undefined {
  const code = err.code ?? '';
  if (code === 'ECONNRESET' || code === 'EPIPE') return undefined;
  // Bytes after a request that said `Connection: close`: ignored (RFC 9112 §9.6), not answered.
  if (code === 'HPE_CLOSED_CONNECTION') return undefined;
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'request header section too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'request not received in time' };
  // llhttp stops at the HTTP/2 connection preface ("PRI * HTTP/2.0").
  if (code === 'HPE_PAUSED_H2_UPGRADE') return { status: 505, message: 'HTTP/2 is not supported: this server speaks HTTP/1.1 (RFC 9110 §15.6.6)' };
  // A well-formed request with a method llhttp does not know asks for a method
  // we do not implement (RFC 9110 §9.1): a 501, not a malformed request.
  const line = code === 'HPE_INVALID_METHOD' ? UNKNOWN_METHOD_LINE.exec(err.rawPacket?.subarray(0, 8192).toString('latin1') ?? '') : null;
  if (line) return { status: 501, message: `method ${JSON.stringify(line[1])} is not supported` };
  const why = err.reason ?? err.message.replace(/^Parse Error: /, '');
  return { status: 400, message: `malformed request: ${why}${code ? ` (${code})` : ''}` };
}

/**
 * RFC 9110 §15.6.6: a server may refuse the major version a request names.
 * Node reads `HTTP/2.0` and `HTTP/0.9` request lines and would answer them
 * as HTTP/1.1; we say instead that only HTTP/1.x is spoken here.
 */
export function refusalOfVersion(req: IncomingMessage): HttpRefusal | undefined {
  if (req.httpVersionMajor === 1) return undefined;
  return { status: 505, message: `HTTP/${req.httpVersion} is not supported: this server speaks HTTP/1.1 (RFC 9110 §15.6.6)` };
}

/**
 * RFC 9112 §3.2: an HTTP/1.1 request without a Host field, or with more than
 * one, is a 400. For a server created with `requireHostHeader: false`, so
 * the 400 says why (Node's own has an empty body). The edge checks Host
 * itself, more closely (its value picks the property served).
 */
export function refusalOfHost(req: IncomingMessage): HttpRefusal | undefined {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') hosts++;
  if (hosts > 1) return { status: 400, message: 'more than one Host header (RFC 9112 §3.2)' };
  if (hosts === 0 && req.httpVersion === '1.1') return { status: 400, message: 'missing Host header (RFC 9112 §3.2)' };
  return undefined;
}

/**
 * RFC 9110 §10.1.1: an Expect other than 100-continue may be refused with
 * 417. Node does so on its own (its 'checkExpectation' event), with an
 * empty body; a server that listens to the event answers with this instead.
 */
export function refusalOfExpectation(req: IncomingMessage): HttpRefusal {
  const value = String(req.headers.expect ?? '');
  const shown = value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}...` : JSON.stringify(value);
  return { status: 417, message: `Expect ${shown} is not supported: only 100-continue is (RFC 9110 §10.1.1)` };
}

/**
 * A whole HTTP/1.1 response on a raw socket, for 'clientError' (there is no
 * ServerResponse there). The connection is always closed after it: the
 * parser's state is lost, and what follows cannot be trusted.
 */
export function rawRefusal(r: HttpRefusal, contentType: string, body: string, extra: ReadonlyArray<[string, string]> = []): string {
  const lines = [
    `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Error'}`,
    'connection: close',
    `content-type: ${contentType}`,
    `content-length: ${Buffer.byteLength(body)}`,
    ...extra.map(([n, v]) => `${n}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Installs the 'clientError' answer of `server`: `answer(refusal)` is the
 * whole response text (rawRefusal), written once, after the answers still
 * owed to requests that came whole before the bad bytes, and the
 * connection is then closed. Bad bytes inside a request's body are that
 * request's refusal: it can never be read whole, so it is not waited for.
 *
 * Node's own handling writes its 400 at once and destroys the socket: a
 * request pipelined before the bad bytes (or sent with Connection: close and
 * followed by more) lost its answer, or got it after the 400 of a later one.
 */
export function refuseMalformedRequests(server: Server, answer: (refusal: HttpRefusal) => string): void {
  interface Exchange {
    req: IncomingMessage;
    res: ServerResponse;
  }
  /** Exchanges whose answer is not finished, by connection. */
  const open = new WeakMap<Duplex, Set<Exchange>>();
  /** Connections already refused (an errored parser reports later packets again), with what is still awaited. */
  const refused = new WeakMap<Duplex, { text: string; awaiting: Set<Exchange> } | undefined>();
  const write = (socket: Duplex, text: string): void => {
    // Not writable: the last answer said close, and Node is already closing after it.
    if (socket.writable) socket.end(text);
  };
  // First among the listeners, so an answer made at once is seen before it ends.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    let set = open.get(socket);
    if (!set) open.set(socket, (set = new Set()));
    const exchange: Exchange = { req, res };
    set.add(exchange);
    const finished = (): void => {
      set.delete(exchange);
      const pending = refused.get(socket);
      if (pending && pending.awaiting.delete(exchange) && pending.awaiting.size === 0) {
        refused.set(socket, undefined);
        write(socket, pending.text);
      }
    };
    res.once('finish', finished);
    res.once('close', finished);
  });
  server.on('clientError', (err: HttpClientError, socket: Duplex) => {
    if (refused.has(socket)) return;
    const refusal = refusalOfClientError(err);
    const unfinished = [...(open.get(socket) ?? [])];
    // Requests read whole before the bad bytes are answered first; one whose body held them never will be.
    const awaiting = new Set(unfinished.filter((x) => x.req.complete));
    const broken = unfinished.filter((x) => !x.req.complete);
    refused.set(socket, undefined);
    if (!refusal || !socket.writable || broken.some((x) => x.res.headersSent)) {
      // A closing client's last answer still goes out; Node then closes the connection.
      if (!(awaiting.size > 0 && err.code === 'HPE_CLOSED_CONNECTION')) socket.destroy();
      return;
    }
    const text = answer(refusal);
    if (awaiting.size === 0) write(socket, text);
    else refused.set(socket, { text, awaiting });
  });
}
