import * as grpc from '@grpc/grpc-js';
import { createBearerAuth } from './interceptors-auth';

const md = (...values: string[]): grpc.Metadata => {
  const m = new grpc.Metadata();
  for (const v of values) m.add('authorization', v);
  return m;
};

describe('createBearerAuth().check', () => {
  const auth = createBearerAuth('tok-123');

  it('accepts exactly the right bearer token', () => {
    expect(auth.check(md('Bearer tok-123'))).toBeNull();
    expect(auth.check(md('bearer tok-123'))).toBeNull(); // the scheme is case-insensitive (RFC 9110 §11.1)
  });

  it.each([
    ['no header', md()],
    ['a wrong token', md('Bearer tok-124')],
    ['a prefix of the token', md('Bearer tok-12')],
    ['another scheme', md('Basic dG9rLTEyMw==')],
    ['two values', md('Bearer tok-123', 'Bearer tok-123')],
    ['an empty token', md('Bearer ')],
  ])('rejects %s with UNAUTHENTICATED and no secret in the message', (_name, metadata) => {
    const e = auth.check(metadata);
    expect(e?.code).toBe('UNAUTHENTICATED');
    expect(e?.message).not.toContain('tok-12');
  });

  it('refuses an empty expected token', () => {
    expect(() => createBearerAuth('')).toThrow('expected opts.token to be a non-empty string without whitespace');
  });
});
