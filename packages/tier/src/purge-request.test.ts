import type { PurgeRequest__Output } from '@cdnlab/rpc';
import { PURGE_LIMITS, purgeFromRequest } from './purge-request';

const NOW = 1_700_000_000_000;

function request(over: Partial<Record<keyof PurgeRequest__Output, unknown>> = {}): PurgeRequest__Output {
  return { kind: 'PURGE_KIND_URL', value: '/a', mode: 'PURGE_MODE_HARD', purgeAtMs: NOW, purgeId: 'p1', forward: [], ...over } as unknown as PurgeRequest__Output;
}

describe('purgeFromRequest', () => {
  it('reads kind, mode, value and time; UNSPECIFIED mode is hard, 0 is "when applied"', () => {
    expect(purgeFromRequest(request(), NOW)).toEqual({ kind: 'url', mode: 'hard', value: '/a', at: NOW });
    expect(purgeFromRequest(request({ kind: 'PURGE_KIND_ALL', value: 'ignored', mode: 'PURGE_MODE_UNSPECIFIED', purgeAtMs: 0 }), NOW)).toEqual({ kind: 'all', mode: 'hard', value: '', at: 0 });
    expect(purgeFromRequest(request({ mode: 'PURGE_MODE_SOFT', forward: [{ nodeId: 'e1', address: '127.0.0.1:7001', via: 'r1' }] }), NOW).mode).toBe('soft');
  });

  it.each([
    ['an unspecified kind', { kind: 'PURGE_KIND_UNSPECIFIED' }, 'kind: expected one of'],
    ['a kind the proto does not define', { kind: 99 }, 'kind: expected one of PURGE_KIND_URL, PURGE_KIND_TAG, PURGE_KIND_PREFIX, PURGE_KIND_ALL, got "99"'],
    ['a mode the proto does not define', { mode: 7 }, 'mode: expected one of'],
    ['no value', { value: '' }, 'value: required for a url purge'],
    ['a value with CR LF', { kind: 'PURGE_KIND_TAG', value: 'a\r\nb' }, 'value: expected no control characters'],
    ['a megabyte of value', { value: `/${'a'.repeat(1 << 20)}` }, `value: expected at most ${PURGE_LIMITS.valueLength} characters`],
    ['a negative purge time', { purgeAtMs: -1 }, 'purge_at_ms: expected epoch milliseconds >= 0'],
    ['a purge time far ahead', { purgeAtMs: NOW + 86_400_000 }, 'purge_at_ms: 1700086400000 is 86400000 ms ahead'],
    ['a megabyte of purge id', { purgeId: 'x'.repeat(1 << 20) }, `purge_id: expected at most ${PURGE_LIMITS.idLength} characters`],
    ['too many routes', { forward: Array.from({ length: PURGE_LIMITS.routes + 1 }, (_, i) => ({ nodeId: `n${i}`, address: `h:${i}`, via: 'x' })) }, `forward: expected at most ${PURGE_LIMITS.routes} routes`],
    ['a route without a node id', { forward: [{ nodeId: '', address: 'h:1', via: 'x' }] }, 'forward[0].node_id'],
    ['a route address without a port', { forward: [{ nodeId: 'e1', address: 'h', via: 'x' }] }, 'forward[0].address: expected host:port, got "h"'],
    ['a route address with a path', { forward: [{ nodeId: 'e1', address: 'h/x:1', via: 'x' }] }, 'forward[0].address'],
  ])('refuses %s, naming the field', (_name, over, message) => {
    expect(() => purgeFromRequest(request(over), NOW)).toThrow(message);
  });
});
