import { edgeResultOf, resultOfMember, servedByEdge } from './edge-outcome';

describe('edge outcome from response headers', () => {
  it('takes the last word of X-Cache: the edge is last', () => {
    expect(edgeResultOf({ 'x-cache': 'MISS, MISS, HIT' })).toBe('hit');
    expect(edgeResultOf({ 'x-cache': 'HIT, MISS' })).toBe('miss');
    expect(edgeResultOf({ 'x-cache': 'STALE' })).toBe('stale');
    expect(edgeResultOf({ 'x-cache': 'MISS, REVALIDATED' })).toBe('revalidated');
    expect(edgeResultOf({ 'x-cache': 'PASS' })).toBe('pass');
    expect(edgeResultOf({ 'x-cache': 'ERROR' })).toBe('error');
  });

  it('falls back to the last Cache-Status member (RFC 9211), across header lines', () => {
    expect(edgeResultOf({ 'cache-status': ['origin-shield; fwd=uri-miss; stored', 'edge-1; hit; ttl=30'] })).toBe('hit');
    expect(edgeResultOf({ 'cache-status': 'shield; hit, edge-1; fwd=uri-miss; fwd-status=200' })).toBe('miss');
    expect(edgeResultOf({ 'cache-status': 'edge-1; hit; ttl=-3' })).toBe('stale');
    expect(edgeResultOf({ 'cache-status': 'edge-1; fwd=stale; fwd-status=304' })).toBe('revalidated');
    expect(edgeResultOf({ 'cache-status': 'edge-1; fwd=method' })).toBe('pass');
    expect(edgeResultOf({ 'x-cache': 'WHATEVER', 'cache-status': 'edge-1; hit; detail=stale-while-revalidate' })).toBe('stale');
  });

  it('says unknown rather than guessing', () => {
    expect(edgeResultOf({})).toBe('unknown');
    expect(edgeResultOf({ 'cache-status': '"unterminated' })).toBe('unknown');
  });

  it('maps members the way the edge writes X-Cache', () => {
    expect(resultOfMember({ cacheName: 'e', hit: true, detail: 'stale-if-error' })).toBe('stale');
    expect(resultOfMember({ cacheName: 'e', fwd: 'bypass' })).toBe('pass');
    expect(resultOfMember({ cacheName: 'e', fwd: 'stale', fwdStatus: 200 })).toBe('miss');
  });

  it('names the edge last in X-Served-By', () => {
    expect(servedByEdge({ 'x-served-by': 'shield, regional-na, edge-na-1' })).toBe('edge-na-1');
    expect(servedByEdge({})).toBeUndefined();
  });
});
