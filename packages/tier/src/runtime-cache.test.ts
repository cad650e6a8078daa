import type { RequestHead, ResponseHead, TierCacheSettings } from '@cdnlab/core';
import { createRuntimeCache } from './runtime-cache';
import { testCacheSettings } from './cache-settings.test-fixture';

const SETTINGS: TierCacheSettings = testCacheSettings();

const req = (target: string): RequestHead => ({ method: 'GET', scheme: 'http', host: 'cdn.test', target, headers: [] });
const res = (cc: string): ResponseHead => ({ status: 200, headers: [['cache-control', cc], ['content-length', '3'], ['etag', '"v1"']] });
const body = new Uint8Array([1, 2, 3]);
const T = 1_000_000;

function storeAt(cache: ReturnType<typeof createRuntimeCache>, target: string, cc: string, now = T): number {
  const out = cache.store(req(target), res(cc), body, { requestTime: now, responseTime: now });
  if (!out.stored) throw new Error(`not stored: ${out.reason}`);
  return cache.ttlSeconds(out.entry, now);
}

describe('createRuntimeCache', () => {
  it('forces the lifetime of matching paths stored after a TTL override, and only theirs', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    expect(storeAt(cache, '/a/1', 'max-age=10')).toBe(10);
    cache.setTtlOverrides([{ match: '/a/*', ttlMs: 60_000 }]);
    expect(storeAt(cache, '/a/2?x=1', 'max-age=10')).toBe(60);
    expect(storeAt(cache, '/b/2', 'max-age=10')).toBe(10);
    // shorter than the origin's too, and the last added rule wins
    cache.setTtlOverrides([{ match: '/a/*', ttlMs: 60_000 }, { match: '/a/short', ttlMs: 2000 }]);
    expect(storeAt(cache, '/a/short', 'max-age=10')).toBe(2);
    // no-cache stays never fresh: it must be validated on every use
    expect(storeAt(cache, '/a/3', 'no-cache, max-age=10')).toBeLessThanOrEqual(0);
    // the override leaves the node's own caps as they were
    cache.setTtlOverrides([]);
    expect(storeAt(cache, '/a/4', 'max-age=10')).toBe(10);
    expect(cache.ttlOverrides()).toEqual([]);
  });

  it('does not leak the override field to the stored copy, and ignores one sent from upstream', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    const sneaky: ResponseHead = { status: 200, headers: [['cache-control', 'max-age=10'], ['cdnlab-ttl-override', 'max-age=9999']] };
    const out = cache.store(req('/x'), sneaky, body, { requestTime: T, responseTime: T });
    expect(out.stored && cache.ttlSeconds(out.entry, T)).toBe(10);
    expect(out.stored && out.entry.head.headers.some(([n]) => n === 'cdnlab-ttl-override')).toBe(false);
    cache.setTtlOverrides([{ match: '/**', ttlMs: 30_000 }]);
    const over = cache.store(req('/y'), res('max-age=10'), body, { requestTime: T, responseTime: T });
    expect(over.stored && cache.ttlSeconds(over.entry, T)).toBe(30);
    expect(over.stored && over.entry.head.headers.some(([n]) => n === 'cdnlab-ttl-override')).toBe(false);
    // private answers stay unshared whatever the operator's TTL
    const personal = cache.store(req('/me'), res('private, max-age=10'), body, { requestTime: T, responseTime: T });
    expect(personal.stored).toBe(false);
  });

  it('keeps the override through a 304 revalidation', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    cache.setTtlOverrides([{ match: '/r', ttlMs: 50_000 }]);
    const out = cache.store(req('/r'), res('max-age=1'), body, { requestTime: T, responseTime: T });
    if (!out.stored) throw new Error('not stored');
    const later = T + 60_000;
    const entry = cache.revalidated(out.entry, { status: 304, headers: [['cache-control', 'max-age=1']] }, { requestTime: later, responseTime: later });
    if (!entry) throw new Error('a 304 without validators selects the one stored response');
    expect(cache.ttlSeconds(entry, later)).toBe(50);
    expect(entry.head.headers.some(([n]) => n === 'cdnlab-ttl-override')).toBe(false);
  });

  it('changes collapsing settings without touching the store, and rebuilds it for any other change', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    storeAt(cache, '/old', 'max-age=100');
    expect(cache.apply({ ...SETTINGS, collapsing: 'off', lockTimeoutMs: 10, maxWaiters: 3 }).rebuilt).toBe(false);
    expect(cache.stats().objects).toBe(1);
    expect(cache.settings().collapsing).toBe('off');
    expect(cache.apply({ ...SETTINGS, maxTtlMs: 5000 }).rebuilt).toBe(true);
    expect(cache.stats().objects).toBe(0);
    expect(storeAt(cache, '/new', 'max-age=100')).toBe(5);
  });

  it('stops stale-while-revalidate after the switch goes off', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    storeAt(cache, '/swr', 'max-age=1, stale-while-revalidate=60');
    const on = cache.lookup(req('/swr'), T + 5000);
    expect(on.kind === 'hit' && on.stale).toBe(true);
    cache.apply({ ...SETTINGS, staleWhileRevalidate: false });
    storeAt(cache, '/swr', 'max-age=1, stale-while-revalidate=60');
    expect(cache.lookup(req('/swr'), T + 5000).kind).not.toBe('hit');
  });

  it('rebuilds the store (empty) when a setting it is built with changes, keeping the counters', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    storeAt(cache, '/a', 'max-age=100');
    storeAt(cache, '/b', 'max-age=100');
    const before = cache.stats();
    expect(cache.apply({ ...SETTINGS, eviction: 'lfu' }).rebuilt).toBe(true);
    expect(cache.stats().objects).toBe(0);
    expect(cache.stats().stores).toBe(before.stores);
    expect(cache.lookup(req('/a'), T).kind).toBe('miss');
    expect(cache.apply({ ...SETTINGS, eviction: 'lfu', targetedFields: ['cdn-cache-control', 'x-cdn'] }).rebuilt).toBe(true);
    expect(cache.apply({ ...SETTINGS, eviction: 'lfu', targetedFields: ['cdn-cache-control', 'x-cdn'], collapsing: 'off' }).rebuilt).toBe(false);
  });

  it('refuses settings the core rejects and keeps the old ones', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    storeAt(cache, '/a', 'max-age=100');
    expect(() => cache.apply({ ...SETTINGS, heuristicFraction: 2 })).toThrow(/heuristicFraction/);
    expect(() => cache.apply({ ...SETTINGS, eviction: 'nope', capacityBytes: 5 })).toThrow();
    expect(cache.settings()).toEqual(SETTINGS);
    expect(storeAt(cache, '/b', 'max-age=100')).toBe(100);
    expect(cache.stats().objects).toBe(2);
  });

  it('clears without a purge record, so upstream requests carry no purge-time rule', () => {
    const cache = createRuntimeCache('n', SETTINGS, {}, 'http://cdn.test');
    storeAt(cache, '/a', 'max-age=100');
    storeAt(cache, '/b', 'max-age=100');
    expect(cache.clear()).toBe(2);
    expect(cache.stats().objects).toBe(0);
    expect(cache.lookup(req('/a'), T).kind).toBe('miss');
    expect(cache.notBeforeFor(req('/a'))).toBeUndefined();
    // a purge, by contrast, leaves one
    storeAt(cache, '/a', 'max-age=100');
    cache.purge({ kind: 'all', value: '', mode: 'hard', at: T });
    expect(cache.notBeforeFor(req('/a'))).toBe(T);
  });
});
