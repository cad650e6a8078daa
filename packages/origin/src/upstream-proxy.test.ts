import { createUpstreamProxy, endToEnd, fromRawHeaders } from './upstream-proxy';

describe('upstream proxy header rules', () => {
  it('drops hop-by-hop fields and those the Connection field names (RFC 9110 §7.6.1), keeping order and repeats', () => {
    expect(endToEnd([
      ['set-cookie', 'a=1'],
      ['connection', 'keep-alive, X-Private'],
      ['keep-alive', 'timeout=5'],
      ['x-private', 'secret'],
      ['transfer-encoding', 'chunked'],
      ['set-cookie', 'b=2'],
      ['upgrade', 'h2c'],
      ['vary', 'accept'],
    ])).toEqual([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['vary', 'accept']]);
  });

  it('reads rawHeaders as lower-cased pairs', () => {
    expect(fromRawHeaders(['Set-Cookie', 'a', 'set-cookie', 'b', 'ETag', '"x"'])).toEqual([['set-cookie', 'a'], ['set-cookie', 'b'], ['etag', '"x"']]);
  });

  it('validates its options', () => {
    expect(() => createUpstreamProxy({ url: 'ftp://x', timeoutMs: 1 })).toThrow('expected opts.url');
    expect(() => createUpstreamProxy({ url: 'nope', timeoutMs: 1 })).toThrow('expected opts.url');
    expect(() => createUpstreamProxy({ url: 'http://x', timeoutMs: 0 })).toThrow('expected opts.timeoutMs to be a positive integer, got 0');
  });
});
