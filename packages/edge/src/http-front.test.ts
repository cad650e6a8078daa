import fc from 'fast-check';
import { formatCacheStatusMember, type CacheStatusMember, type HeaderList, type ResponseHead } from '@cdnlab/core';
import type { NodeResponse } from '@cdnlab/tier';
import { responseFields, storedFieldsOf, storedResponseFields } from './http-front';

const VIA = '1.1 edge-1 (cdnlab)';

/** A NodeResponse as CacheNode builds one for a stored head (its `from` contract). */
function answerFrom(stored: ResponseHead, age: string, member: CacheStatusMember): NodeResponse {
  return {
    head: { status: stored.status, headers: [...stored.headers, ['age', age], ['cache-status', formatCacheStatusMember(member)]] },
    body: new Uint8Array(0),
    originFetchedAt: 0,
    storedAt: 0,
    collapsed: false,
    status: member,
    from: stored,
  };
}

// Field names a stored head may hold, hop-by-hop ones and repeated ones included.
const name = fc.constantFrom('content-type', 'etag', 'via', 'vary', 'link', 'x-multi', 'surrogate-key', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'transfer-encoding', 'age', 'date');
const value = fc.stringMatching(/^[!-~]([ !-~]{0,18}[!-~])?$/);
const storedHead = fc.record({
  status: fc.constantFrom(200, 203, 301, 404),
  headers: fc.array(fc.tuple(name, value), { maxLength: 12 }) as fc.Arbitrary<HeaderList>,
});
const member = fc.record(
  {
    cacheName: fc.constant('edge-1'),
    hit: fc.boolean(),
    ttl: fc.integer({ min: -100, max: 100_000 }),
    detail: fc.constantFrom('stale-while-revalidate', 'stale-if-error', 'background-refresh'),
    fwd: fc.constantFrom('uri-miss', 'stale', 'miss'),
    fwdStatus: fc.constantFrom(200, 304),
    stored: fc.boolean(),
  },
  { requiredKeys: ['cacheName'] },
) as fc.Arbitrary<CacheStatusMember>;

describe('the stored-head fast path of the HTTP front', () => {
  it('gives exactly the fields the general path gives, in the same order', () => {
    fc.assert(
      fc.property(storedHead, fc.nat({ max: 2 ** 31 }), member, (head, age, m) => {
        const out = answerFrom(head, String(age), m);
        const stored = storedFieldsOf(head, VIA);
        expect(stored).toBeDefined();
        expect(storedResponseFields(out, stored!, 'edge-1')).toEqual(responseFields(out, VIA));
      }),
      { numRuns: 500 },
    );
  });

  it('merges stored Via lines with ours, last, and keeps repeated fields as separate lines', () => {
    const head: ResponseHead = { status: 200, headers: [['via', '1.1 origin'], ['link', '</a>; rel=preload'], ['keep-alive', 'timeout=5'], ['link', '</b>; rel=preload'], ['via', '1.1 shield']] };
    const out = answerFrom(head, '7', { cacheName: 'edge-1', hit: true, ttl: 50 });
    expect(storedResponseFields(out, storedFieldsOf(head, VIA)!, 'edge-1')).toEqual([
      'link', '</a>; rel=preload',
      'link', '</b>; rel=preload',
      'age', '7',
      'cache-status', 'edge-1;hit;ttl=50',
      'via', `1.1 origin, 1.1 shield, ${VIA}`,
      'x-cache', 'HIT',
      'x-served-by', 'edge-1',
    ]);
  });

  it('declines heads whose Connection or Cache-Status make the fields depend on more (general path)', () => {
    expect(storedFieldsOf({ status: 200, headers: [['connection', 'x-secret'], ['x-secret', '1']] }, VIA)).toBeUndefined();
    expect(storedFieldsOf({ status: 200, headers: [['cache-status', 'shield; hit']] }, VIA)).toBeUndefined();
  });
});
