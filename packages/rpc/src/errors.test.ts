import * as grpc from '@grpc/grpc-js';
import { briefError, CDN_ERROR_CODES, CdnError, ERROR_CODE_METADATA_KEY, ERROR_TABLE, MAX_ERROR_DETAILS_LENGTH, METADATA_ONLY_CODES, codeFromGrpcStatus, fromServiceError, toServiceError } from './errors';

describe('error table', () => {
  it('gives every code a distinct gRPC status, so the status alone classifies foreign errors', () => {
    const statuses = CDN_ERROR_CODES.map((c) => ERROR_TABLE[c].grpc);
    expect(new Set(statuses).size).toBe(statuses.length);
    for (const code of CDN_ERROR_CODES.filter((c) => !METADATA_ONLY_CODES.has(c))) expect(codeFromGrpcStatus(ERROR_TABLE[code].grpc)).toBe(code);
  });

  it('knows NOT_SUPPORTED only by its metadata: a bare UNIMPLEMENTED is an upstream error', () => {
    expect(fromServiceError(toServiceError(new CdnError('NOT_SUPPORTED', 'proxy mode'))).code).toBe('NOT_SUPPORTED');
    expect(fromServiceError({ code: grpc.status.UNIMPLEMENTED, details: 'unknown service' }).code).toBe('UPSTREAM_ERROR');
  });

  it('maps upstream failures to the gateway statuses the edge sends', () => {
    expect(ERROR_TABLE.UPSTREAM_ERROR.http).toBe(502);
    expect(ERROR_TABLE.UPSTREAM_UNAVAILABLE.http).toBe(502);
    expect(ERROR_TABLE.UPSTREAM_TIMEOUT.http).toBe(504);
    expect(ERROR_TABLE.OVERLOADED.http).toBe(503);
    expect(ERROR_TABLE.BAD_REQUEST.http).toBe(400);
  });

  it('treats statuses we do not name as upstream errors and refuses OK', () => {
    expect(codeFromGrpcStatus(grpc.status.DATA_LOSS)).toBe('UPSTREAM_ERROR');
    expect(codeFromGrpcStatus(grpc.status.UNIMPLEMENTED)).toBe('UPSTREAM_ERROR');
    expect(() => codeFromGrpcStatus(grpc.status.OK)).toThrow(/got OK/);
  });

  it('cuts a long message to a size a trailer can carry, saying how much was left out', () => {
    const wire = toServiceError(new CdnError('BAD_REQUEST', `eviction: got ${'x'.repeat(1 << 20)}`));
    expect(wire.details!.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS_LENGTH);
    expect(wire.details).toMatch(/^eviction: got x+\.\.\. \(\d+ more characters\)$/);
    expect(wire.message).toBe(wire.details);
    expect(toServiceError(new CdnError('BAD_REQUEST', 'short')).details).toBe('short');
  });

  it('round-trips every code through a service error, keeping the message and the cause', () => {
    for (const code of CDN_ERROR_CODES) {
      const original = new CdnError(code, `boom ${code}`, { cause: new Error('root') });
      const wire = toServiceError(original);
      expect(wire.code).toBe(ERROR_TABLE[code].grpc);
      expect(wire.metadata?.get(ERROR_CODE_METADATA_KEY)).toEqual([code]);
      const back = fromServiceError({ ...wire, details: wire.details });
      expect(back.code).toBe(code);
      expect(back.message).toBe(`boom ${code}`);
      expect(back.cause).toBeDefined();
    }
  });

  it('keeps the carried code even when the gRPC status says something else', () => {
    // A relaying tier may fail a call with UNKNOWN while the code says what really happened.
    const metadata = new grpc.Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, 'OVERLOADED');
    expect(fromServiceError({ code: grpc.status.UNKNOWN, details: 'x', metadata }).code).toBe('OVERLOADED');
    metadata.set(ERROR_CODE_METADATA_KEY, 'NOT_A_CODE');
    expect(fromServiceError({ code: grpc.status.UNAVAILABLE, details: 'x', metadata }).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('wraps anything else as INTERNAL with the original as cause', () => {
    const thrown = new TypeError('oops');
    const wire = toServiceError(thrown);
    expect(wire.code).toBe(grpc.status.INTERNAL);
    expect(fromServiceError(thrown)).toMatchObject({ code: 'INTERNAL', message: 'oops', cause: thrown });
    expect(fromServiceError('a string')).toMatchObject({ code: 'INTERNAL' });
    expect(fromServiceError({ code: grpc.status.OK })).toMatchObject({ code: 'INTERNAL' });
  });

  it('exposes the edge-facing fields on the error', () => {
    const e = new CdnError('UPSTREAM_TIMEOUT', 'slow');
    expect([e.grpcStatus, e.httpStatus, e.cacheStatusDetail, e.name]).toEqual([grpc.status.DEADLINE_EXCEEDED, 504, 'upstream-timeout', 'CdnError']);
  });
});

describe('briefError', () => {
  it('keeps the code and the first clause of a gRPC error', () => {
    expect(briefError('UPSTREAM_TIMEOUT: Deadline exceeded after 5.000s,metadata filters: 0.001s,LB pick: 0.001s')).toBe('UPSTREAM_TIMEOUT: Deadline exceeded after 5.000s');
    expect(briefError('UPSTREAM_UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED')).toBe('UPSTREAM_UNAVAILABLE: No connection established');
  });

  it('cuts long text and leaves short text alone', () => {
    expect(briefError('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(briefError('')).toBe('');
  });
});
