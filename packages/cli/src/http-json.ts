/** A JSON request to the control plane's HTTP API, with the bearer token. */
import http from 'node:http';
import { CliError } from './cli-error';

export interface JsonReply<T> {
  status: number;
  body: T;
}

/** The control plane answered with an error status: `status` lets a command say more about e.g. a 404. */
export class ControlRefusedError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    /** The control plane's own message, without our prefix. */
    readonly reason: string,
  ) {
    super(message);
  }
}

export function requestJson<T>(address: string, method: 'GET' | 'POST', pathname: string, token: string, body?: unknown, timeoutMs = 15_000): Promise<JsonReply<T>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `http://${address}${pathname}`,
      {
        method,
        timeout: timeoutMs,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new CliError(`control plane at ${address} answered ${method} ${pathname} with ${res.statusCode} and a body that is not JSON`));
            return;
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            const message = (parsed as { error?: { message?: string } }).error?.message ?? text.trim();
            reject(new ControlRefusedError(`control plane refused ${method} ${pathname} (${status}): ${message}`, status, message));
            return;
          }
          resolve({ status, body: parsed as T });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connection refused' : err.message;
      reject(new CliError(`cannot reach the control plane at ${address} (${why}); is the cluster up? see \`cdnlab status\``));
    });
    req.end(payload);
  });
}
