/**
 * What the edge did with a request, read from the answer's headers: the
 * LAST Cache-Status member is the edge's own (RFC 9211 §2: members are
 * ordered from the origin towards the user), and the last word of X-Cache
 * says the same in the older convention. X-Cache is read first because it is
 * one comma away; Cache-Status is the fallback for answers without it.
 */
import { parseCacheStatus, type CacheStatusMember } from '@cdnlab/core';

export const EDGE_RESULTS = ['hit', 'stale', 'miss', 'pass', 'revalidated', 'error'] as const;
export type EdgeResult = (typeof EDGE_RESULTS)[number] | 'unknown';

const WORDS: ReadonlySet<string> = new Set(EDGE_RESULTS);

/** The same mapping the edge uses to write X-Cache, applied to a Cache-Status member. */
export function resultOfMember(m: CacheStatusMember): EdgeResult {
  if (m.hit) {
    // §2.4: a negative ttl means the copy was stale when served.
    const stale = m.detail === 'stale-if-error' || m.detail === 'stale-while-revalidate' || (m.ttl !== undefined && m.ttl < 0);
    return stale ? 'stale' : 'hit';
  }
  if (m.fwd === 'method' || m.fwd === 'bypass') return 'pass';
  // §2.2 fwd=stale with a 304 from the next hop: the stale copy was revalidated.
  if (m.fwd === 'stale' && m.fwdStatus === 304) return 'revalidated';
  return 'miss';
}

function lastItem(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const joined = Array.isArray(v) ? v.join(', ') : v;
  const parts = joined.split(',');
  const last = parts[parts.length - 1].trim();
  return last === '' ? undefined : last;
}

export function edgeResultOf(headers: Record<string, string | string[] | undefined>): EdgeResult {
  const word = lastItem(headers['x-cache'])?.toLowerCase();
  if (word && WORDS.has(word)) return word as EdgeResult;
  const cs = headers['cache-status'];
  if (cs === undefined) return 'unknown';
  let members: CacheStatusMember[];
  try {
    members = parseCacheStatus(Array.isArray(cs) ? cs.join(', ') : cs);
  } catch {
    return 'unknown';
  }
  const last = members[members.length - 1];
  return last ? resultOfMember(last) : 'unknown';
}

/** The edge that answered: the last name in X-Served-By (edge last, like Cache-Status). */
export function servedByEdge(headers: Record<string, string | string[] | undefined>): string | undefined {
  return lastItem(headers['x-served-by']);
}
