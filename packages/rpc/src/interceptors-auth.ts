/**
 * Bearer-token authentication between cdnlab nodes and for the admin and
 * control APIs: the client side adds `authorization: Bearer <token>`; the
 * server side checks it in the handler (or wraps a whole service).
 *
 * The token is a shared secret: it is compared in constant time and never
 * appears in an error message or a log line.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CdnError, toServiceError } from './errors';

const AUTHORIZATION = 'authorization';
const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

function validateToken(token: unknown, where: string): asserts token is string {
  if (typeof token !== 'string' || token.length === 0 || /\s/.test(token)) {
    // Say what is wrong without echoing the secret.
    throw new Error(`expected ${where} to be a non-empty string without whitespace`);
  }
}

/** A client interceptor that adds the bearer token to every call. */
export function createBearerAuthInterceptor(token: string): grpc.Interceptor {
  validateToken(token, 'opts.token');
  const value = `Bearer ${token}`;
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(AUTHORIZATION, value);
        next(metadata, listener);
      },
    });
}

// Hashing first makes both sides the same length, so timingSafeEqual can
// compare them and the time taken says nothing about the expected length.
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** A checker for one expected token. */
export interface BearerAuth {
  /** null when the metadata carries the right token, else the reason (no secret in it). */
  check(metadata: grpc.Metadata): CdnError | null;
  /**
   * Wrap every handler of a service implementation: calls without the right
   * token end with UNAUTHENTICATED before the handler runs.
   */
  protect<T extends grpc.UntypedServiceImplementation>(implementation: T): T;
}

export function createBearerAuth(token: string): BearerAuth {
  validateToken(token, 'opts.token');
  const expected = digest(token);

  const check = (metadata: grpc.Metadata): CdnError | null => {
    const values = metadata.get(AUTHORIZATION);
    if (values.length === 0) return new CdnError('UNAUTHENTICATED', 'missing authorization metadata (expected "Bearer <token>")');
    if (values.length > 1) return new CdnError('UNAUTHENTICATED', 'more than one authorization value');
    const raw = values[0];
    const match = typeof raw === 'string' ? BEARER.exec(raw) : null;
    if (!match) return new CdnError('UNAUTHENTICATED', 'authorization metadata is not of the form "Bearer <token>"');
    if (!timingSafeEqual(digest(match[1]), expected)) return new CdnError('UNAUTHENTICATED', 'wrong bearer token');
    return null;
  };

  const protect = <T extends grpc.UntypedServiceImplementation>(implementation: T): T => {
    const wrapped: grpc.UntypedServiceImplementation = {};
    for (const [name, handler] of Object.entries(implementation)) {
      // Unary and client-streaming handlers answer through a callback; the
      // streaming-response kinds answer by emitting an error on the call.
      wrapped[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => {
        const denied = check(call.metadata);
        if (!denied) {
          (handler as (c: unknown, cb?: unknown) => void)(call, callback);
          return;
        }
        if (typeof callback === 'function') {
          callback(toServiceError(denied));
          return;
        }
        call.emit('error', toServiceError(denied));
      }) as grpc.UntypedHandleCall;
    }
    return wrapped as T;
  };

  return { check, protect };
}
