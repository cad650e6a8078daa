import * as http from 'node:http';
import * as https from 'node:https';
import type { HeaderList, RequestHead, ResponseHead } from '@cdnlab/core';
import { CdnError } from '@cdnlab/rpc';

/**
 * Proxy mode: the origin fronts a real HTTP server. Every method, end-to-end
 * header (order and repeats kept) and body goes to the upstream, and its
 * answer comes back as it was sent, so a user can put cdnlab in front of their
 * own application and watch it cache.
 *
 * node:http rather than fetch: fetch merges repeated fields, hides some
 * (Set-Cookie needs getSetCookie), forbids others and decodes bodies; node:http
 * gives rawHeaders and raw bytes.
 */

export interface UpstreamAnswer {
  head: ResponseHead;
  body: AsyncIterable<Uint8Array>;
}

export interface UpstreamProxy {
  readonly url: URL;
  /** Rejects with CdnError: UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, UPSTREAM_ERROR, BAD_REQUEST or CANCELLED. */
  forward(req: RequestHead, body: Uint8Array, signal: AbortSignal): Promise<UpstreamAnswer>;
  /** Close idle keep-alive connections. */
  close(): void;
}

export interface UpstreamProxyOptions {
  url: string;
  /** No byte from the upstream for this long ends the exchange (UPSTREAM_TIMEOUT). */
  timeoutMs: number;
  /** Send the client's Host instead of the upstream's own. */
  preserveHost?: boolean;
}

/**
 * Hop-by-hop fields belong to one connection and are not forwarded
 * (RFC 9110 §7.6.1), plus those the Connection field names. `trailer` and the
 * keep-alive / proxy-connection relics are connection-level too. Framing
 * (content-length of the request) is set again from the body we hold.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'trailer']);

/** Names listed in Connection fields, lower-cased (RFC 9110 §7.6.1). */
function connectionOptions(headers: HeaderList): Set<string> {
  const names = new Set<string>();
  for (const [n, v] of headers) {
    if (n !== 'connection') continue;
    for (const opt of v.split(',')) {
      const t = opt.trim().toLowerCase();
      if (t) names.add(t);
    }
  }
  return names;
}

export function endToEnd(headers: HeaderList): HeaderList {
  const listed = connectionOptions(headers);
  return headers.filter(([n]) => !HOP_BY_HOP.has(n) && !listed.has(n));
}

/** rawHeaders (name, value, name, value, ...) as a HeaderList with lower-case names. */
export function fromRawHeaders(raw: string[]): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
}

// Errors that mean "nobody answered at that address", as opposed to a broken answer.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

function classify(error: unknown, where: string): CdnError {
  if (error instanceof CdnError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && UNREACHABLE.has(code)) return new CdnError('UPSTREAM_UNAVAILABLE', `upstream ${where} unreachable: ${message}`, { cause: error });
  if (code === 'ERR_INVALID_HTTP_TOKEN' || code === 'ERR_INVALID_CHAR' || code === 'ERR_UNESCAPED_CHARACTERS' || code === 'ERR_INVALID_ARG_VALUE') {
    return new CdnError('BAD_REQUEST', `request cannot be forwarded to ${where}: ${message}`, { cause: error });
  }
  return new CdnError('UPSTREAM_ERROR', `upstream ${where} failed: ${message}`, { cause: error });
}

// Methods whose requests carry content even when it is empty; node would
// otherwise pick chunked framing for them.
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function createUpstreamProxy(opts: UpstreamProxyOptions): UpstreamProxy {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch (error) {
    throw new TypeError(`expected opts.url to be an http:// or https:// URL, got ${JSON.stringify(opts.url)}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`expected opts.url to be an http:// or https:// URL, got ${JSON.stringify(opts.url)}`);
  if (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs <= 0) throw new TypeError(`expected opts.timeoutMs to be a positive integer, got ${opts.timeoutMs}`);
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const request = secure ? https.request : http.request;
  const basePath = url.pathname.replace(/\/+$/, '');
  const where = url.origin;

  return {
    url,
    forward(req, body, signal) {
      return new Promise<UpstreamAnswer>((resolve, reject) => {
        if (signal.aborted) {
          reject(new CdnError('CANCELLED', 'the caller cancelled before the upstream was asked'));
          return;
        }
        const method = req.method.toUpperCase();
        const headers = endToEnd(req.headers).filter(([n]) => n !== 'host' && n !== 'content-length');
        const clientHost = req.headers.find(([n]) => n === 'host')?.[1] ?? req.host;
        const host = opts.preserveHost && clientHost ? clientHost : url.host;
        const raw: string[] = ['host', host];
        for (const [n, v] of headers) raw.push(n, v);
        if (body.length > 0 || BODY_METHODS.has(method) || req.headers.some(([n]) => n === 'content-length')) raw.push('content-length', String(body.length));

        let settled = false;
        const settle = (error: CdnError | null, answer?: UpstreamAnswer): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(answer!);
        };
        let outgoing: http.ClientRequest;
        const onAbort = (): void => {
          outgoing.destroy(new CdnError('CANCELLED', 'the caller cancelled the upstream exchange'));
        };
        try {
          outgoing = request({
            protocol: url.protocol,
            hostname: url.hostname.replace(/^\[|\]$/g, ''),
            port: url.port || (secure ? 443 : 80),
            method,
            path: basePath + req.target,
            headers: raw,
            agent,
            // The origin relays what it got: no automatic redirects or decoding here.
          });
        } catch (error) {
          settle(classify(error, where));
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        // Idle timeout on the socket: covers the wait for the head and stalls
        // in the body alike.
        outgoing.setTimeout(opts.timeoutMs, () => {
          outgoing.destroy(new CdnError('UPSTREAM_TIMEOUT', `upstream ${where} sent nothing for ${opts.timeoutMs} ms`));
        });
        outgoing.on('error', (error) => settle(classify(error, where)));
        outgoing.on('response', (res) => {
          const responseHeaders = endToEnd(fromRawHeaders(res.rawHeaders));
          async function* bodyOf(): AsyncGenerator<Uint8Array> {
            try {
              for await (const chunk of res) yield chunk as Buffer;
            } catch (error) {
              // A reset mid-body is a truncated answer, never "unavailable":
              // the head has already gone on.
              const e = classify(error, where);
              throw e.code === 'UPSTREAM_UNAVAILABLE' ? new CdnError('UPSTREAM_ERROR', `upstream ${where} broke off the body: ${e.message}`, { cause: error }) : e;
            } finally {
              signal.removeEventListener('abort', onAbort);
            }
          }
          // Keep the abort listener until the body is consumed; settle() would remove it.
          settled = true;
          resolve({ head: { status: res.statusCode ?? 502, headers: responseHeaders }, body: bodyOf() });
        });
        try {
          outgoing.end(body.length > 0 ? body : undefined);
        } catch (error) {
          outgoing.destroy();
          settle(classify(error, where));
        }
      });
    },
    close() {
      agent.destroy();
    },
  };
}
