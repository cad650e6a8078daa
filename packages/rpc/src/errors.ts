/**
 * One table for every error that crosses a gRPC hop (STYLE 11).
 *
 * The gRPC status is the wire contract. Our stable code travels beside it in
 * the trailing metadata key `cdnlab-error-code`, so a tier that relays an
 * error keeps its exact meaning (e.g. UPSTREAM_TIMEOUT stays a timeout even if
 * a proxy in between rewrote the message). Errors from peers that do not set
 * the key (grpc-js itself: deadlines, unreachable hosts, parse failures) are
 * classified by their gRPC status alone.
 */
import * as grpc from '@grpc/grpc-js';

/** Trailing-metadata key carrying our stable code. */
export const ERROR_CODE_METADATA_KEY = 'cdnlab-error-code';

export interface ErrorSpec {
  /** gRPC status sent on the wire. */
  grpc: grpc.status;
  /** HTTP status the edge answers a client with when a parent call fails this way. */
  http: number;
  /** `detail` parameter of the edge's Cache-Status member (RFC 9211 §2.8). */
  cacheStatusDetail: string;
}

export const ERROR_TABLE = {
  // The parent could not be reached (connection refused, reset, no parent
  // left). 502 like a reverse proxy whose upstream is down.
  UPSTREAM_UNAVAILABLE: { grpc: grpc.status.UNAVAILABLE, http: 502, cacheStatusDetail: 'upstream-unavailable' },
  // The deadline expired on this hop or one above it.
  UPSTREAM_TIMEOUT: { grpc: grpc.status.DEADLINE_EXCEEDED, http: 504, cacheStatusDetail: 'upstream-timeout' },
  // The parent failed in a way we do not classify further.
  UPSTREAM_ERROR: { grpc: grpc.status.UNKNOWN, http: 502, cacheStatusDetail: 'upstream-error' },
  // The request itself is invalid (bad field, over a size cap).
  BAD_REQUEST: { grpc: grpc.status.INVALID_ARGUMENT, http: 400, cacheStatusDetail: 'bad-request' },
  // A tier-to-tier or admin call without the right bearer token. For the
  // client of the edge this is our misconfiguration, not theirs: 502.
  UNAUTHENTICATED: { grpc: grpc.status.UNAUTHENTICATED, http: 502, cacheStatusDetail: 'unauthenticated' },
  NOT_FOUND: { grpc: grpc.status.NOT_FOUND, http: 404, cacheStatusDetail: 'not-found' },
  INTERNAL: { grpc: grpc.status.INTERNAL, http: 500, cacheStatusDetail: 'internal' },
  // A node sheds load (too many requests in flight, waiters over the limit).
  OVERLOADED: { grpc: grpc.status.RESOURCE_EXHAUSTED, http: 503, cacheStatusDetail: 'overloaded' },
  // A call the node does not support in the mode it runs in (SetSite on an
  // origin that proxies a real server): gRPC's UNIMPLEMENTED covers "not
  // supported or not enabled in this service". Recognised only by the code in
  // the metadata: a bare UNIMPLEMENTED from elsewhere (a parent that is not a
  // cdnlab tier) stays an upstream error.
  NOT_SUPPORTED: { grpc: grpc.status.UNIMPLEMENTED, http: 501, cacheStatusDetail: 'not-supported' },
  // The hop counter passed its limit: tiers are configured in a cycle.
  // 508 Loop Detected (RFC 5842 §7.2) says exactly that.
  LOOP_DETECTED: { grpc: grpc.status.FAILED_PRECONDITION, http: 508, cacheStatusDetail: 'loop-detected' },
  // The caller went away. The edge never gets to send this status (its
  // client is gone); 499 is nginx's convention for it in logs.
  CANCELLED: { grpc: grpc.status.CANCELLED, http: 499, cacheStatusDetail: 'cancelled' },
} as const satisfies Record<string, ErrorSpec>;

export type CdnErrorCode = keyof typeof ERROR_TABLE;

export const CDN_ERROR_CODES = Object.keys(ERROR_TABLE) as CdnErrorCode[];

/** Codes only our own services raise, always with `cdnlab-error-code`: their status alone does not name them. */
export const METADATA_ONLY_CODES: ReadonlySet<CdnErrorCode> = new Set<CdnErrorCode>(['NOT_SUPPORTED']);

/** gRPC status → our code, for errors that carry no `cdnlab-error-code`. */
const FROM_GRPC = new Map<grpc.status, CdnErrorCode>(
  CDN_ERROR_CODES.filter((code) => !METADATA_ONLY_CODES.has(code)).map((code) => [ERROR_TABLE[code].grpc, code] as const),
);

export function isCdnErrorCode(value: unknown): value is CdnErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TABLE, value);
}

/** Our code for a gRPC status; statuses we do not name (ABORTED, DATA_LOSS, ...) are upstream errors. */
export function codeFromGrpcStatus(status: grpc.status): CdnErrorCode {
  if (status === grpc.status.OK) throw new Error('expected a failed gRPC status, got OK');
  return FROM_GRPC.get(status) ?? 'UPSTREAM_ERROR';
}

export interface CdnErrorOptions {
  cause?: unknown;
}

/** An error with a stable code. `message` is for people; branch on `code`. */
export class CdnError extends Error {
  readonly code: CdnErrorCode;

  constructor(code: CdnErrorCode, message: string, options: CdnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CdnError';
    this.code = code;
  }

  get grpcStatus(): grpc.status {
    return ERROR_TABLE[this.code].grpc;
  }

  get httpStatus(): number {
    return ERROR_TABLE[this.code].http;
  }

  get cacheStatusDetail(): string {
    return ERROR_TABLE[this.code].cacheStatusDetail;
  }
}

/**
 * Longest status message a service sends. It travels percent-encoded in the
 * grpc-message trailer, and a message that quotes a megabyte of a bad
 * request made a trailer the peer refused: the HTTP/2 connection broke, and
 * every call sharing it with the bad one failed too.
 */
export const MAX_ERROR_DETAILS_LENGTH = 1024;

/** A name or value from a request, cut to 60 characters for an error message (a wall of attacker text helps no reader). */
export function clipForMessage(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/** clipForMessage, quoted. */
export function quoteForMessage(value: string): string {
  return JSON.stringify(clipForMessage(value));
}

/** `message`, cut to MAX_ERROR_DETAILS_LENGTH with a note of what was left out. */
export function capErrorDetails(message: string): string {
  if (message.length <= MAX_ERROR_DETAILS_LENGTH) return message;
  const keep = MAX_ERROR_DETAILS_LENGTH - 48;
  return `${message.slice(0, keep)}... (${message.length - keep} more characters)`;
}

/** Anything that went wrong, as the error a handler passes to its callback or emits on its stream. */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> & Error {
  const cdn = error instanceof CdnError ? error : new CdnError('INTERNAL', describe(error), { cause: error });
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, cdn.code);
  const details = capErrorDetails(cdn.message);
  return Object.assign(new Error(details), { code: cdn.grpcStatus, details, metadata });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return `non-error value thrown: ${String(error)}`;
}

function isStatusLike(error: unknown): error is { code: number; details?: string; metadata?: grpc.Metadata } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number';
}

/**
 * What a client call's error means to us. The upstream's own code wins when
 * present; otherwise the gRPC status decides.
 */
export function fromServiceError(error: unknown): CdnError {
  if (error instanceof CdnError) return error;
  if (!isStatusLike(error)) return new CdnError('INTERNAL', describe(error), { cause: error });
  if (error.code === grpc.status.OK) return new CdnError('INTERNAL', 'a call failed with status OK', { cause: error });
  const carried = error.metadata instanceof grpc.Metadata ? error.metadata.get(ERROR_CODE_METADATA_KEY)[0] : undefined;
  const code = isCdnErrorCode(carried) ? carried : codeFromGrpcStatus(error.code as grpc.status);
  const details = typeof error.details === 'string' && error.details !== '' ? error.details : describe(error);
  return new CdnError(code, details, { cause: error });
}

/** gRPC errors carry a paragraph of transport detail; tables and notes show the code and the first clause. */
export function briefError(error: string, max = 60): string {
  const first = error.split(/[,;]|\.(?:\s|$)/)[0];
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
