import type { TierCacheSettings } from '@cdnlab/core';
import type { SetCacheSettingsRequest__Output, SetLinksRequest__Output } from '@cdnlab/rpc';
import { cacheSettingsFromRequest, cacheSettingsMessage, linkChangeFromRequest, ttlOverridesFromRequest } from './tier-admin';
import { testCacheSettings } from './cache-settings.test-fixture';

const S: TierCacheSettings = testCacheSettings({ capacityBytes: 1000, maxObjectBytes: 500 });

const cacheReq = (r: Partial<SetCacheSettingsRequest__Output>): SetCacheSettingsRequest__Output => ({
  setTargetedFields: false,
  targetedFields: [],
  clearTtlOverrides: false,
  ttlOverrides: [],
  ...r,
});
const linkReq = (r: Partial<SetLinksRequest__Output>): SetLinksRequest__Output => ({ parentIds: [], ...r });

describe('cacheSettingsFromRequest', () => {
  it('changes only the fields present', () => {
    expect(cacheSettingsFromRequest(S, cacheReq({}))).toEqual(S);
    const next = cacheSettingsFromRequest(S, cacheReq({ collapsing: 'off', staleWhileRevalidate: false, maxTtlMs: 60_000, defaultTtlMs: 1000 }));
    expect(next).toEqual({ ...S, collapsing: 'off', staleWhileRevalidate: false, maxTtlMs: 60_000, defaultTtlMs: 1000 });
    expect(S.collapsing).toBe('wait'); // input untouched
  });

  it('sets targeted fields only when asked, an empty list included', () => {
    expect(cacheSettingsFromRequest(S, cacheReq({ setTargetedFields: true, targetedFields: [] })).targetedFields).toEqual([]);
    expect(cacheSettingsFromRequest(S, cacheReq({ setTargetedFields: true, targetedFields: ['CDNlab-Cache-Control'] })).targetedFields).toEqual(['cdnlab-cache-control']);
    expect(() => cacheSettingsFromRequest(S, cacheReq({ targetedFields: ['x'] }))).toThrow('targeted_fields: given without set_targeted_fields: true');
    expect(() => cacheSettingsFromRequest(S, cacheReq({ setTargetedFields: true, targetedFields: ['a b'] }))).toThrow(/^targeted_fields\[0\]/);
  });

  it.each([
    [{ collapsing: 'sometimes' }, /^collapsing: expected one of off, wait, lock-timeout, got "sometimes"/],
    [{ eviction: 'random' }, /^eviction: expected one of .*lru.*, got "random"/],
    [{ capacityBytes: 0 }, /^capacity_bytes: expected a positive integer, got 0/],
    [{ capacityBytes: 1.5 }, /^capacity_bytes: expected an integer/],
    [{ lockTimeoutMs: 0 }, /^lock_timeout_ms: expected a positive integer/],
    [{ defaultTtlMs: -1 }, /^default_ttl_ms: expected a non-negative number, got -1/],
    [{ graceMs: Number.NaN }, /^grace_ms/],
    [{ heuristicFraction: 1.5 }, /^heuristic_fraction: expected a number in \[0, 1\], got 1.5/],
    [{ variantCap: 0 }, /^variant_cap/],
    [{ maxObjectBytes: 2000 }, /^max_object_bytes: max_object_bytes \(2000\) must not exceed capacity_bytes \(1000\)/],
    [{ capacityBytes: 100 }, /^capacity_bytes: max_object_bytes \(500\) must not exceed/],
    [{ minTtlMs: 10, maxTtlMs: 5 }, /^min_ttl_ms: min_ttl_ms \(10\) must not exceed max_ttl_ms \(5/],
  ] as Array<[Partial<SetCacheSettingsRequest__Output>, RegExp]>)('refuses %j naming the field', (r, message) => {
    let thrown: unknown;
    try {
      cacheSettingsFromRequest(S, cacheReq(r));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'BAD_REQUEST' });
    expect((thrown as Error).message).toMatch(message);
  });

  it('accepts a min TTL above max when max is 0 (no cap)', () => {
    expect(cacheSettingsFromRequest(S, cacheReq({ minTtlMs: 10 })).minTtlMs).toBe(10);
  });
});

describe('ttlOverridesFromRequest', () => {
  it('adds, replaces by match, and clears first when asked', () => {
    const one = ttlOverridesFromRequest([], cacheReq({ ttlOverrides: [{ match: '/a/**', ttlMs: 1000 }] }));
    expect(one).toEqual([{ match: '/a/**', ttlMs: 1000 }]);
    const two = ttlOverridesFromRequest(one, cacheReq({ ttlOverrides: [{ match: '/b', ttlMs: 5 }, { match: '/a/**', ttlMs: 2000 }] }));
    expect(two).toEqual([{ match: '/b', ttlMs: 5 }, { match: '/a/**', ttlMs: 2000 }]);
    expect(ttlOverridesFromRequest(two, cacheReq({ clearTtlOverrides: true }))).toEqual([]);
    expect(ttlOverridesFromRequest(two, cacheReq({ clearTtlOverrides: true, ttlOverrides: [{ match: '/c', ttlMs: 1 }] }))).toEqual([{ match: '/c', ttlMs: 1 }]);
  });

  it('names the bad override', () => {
    expect(() => ttlOverridesFromRequest([], cacheReq({ ttlOverrides: [{ match: '/ok', ttlMs: 1 }, { match: 'nope', ttlMs: 1 }] }))).toThrow(/^ttl_overrides\[1\]\.match: expected a path glob/);
    expect(() => ttlOverridesFromRequest([], cacheReq({ ttlOverrides: [{ match: '/ok', ttlMs: -5 }] }))).toThrow(/^ttl_overrides\[0\]\.ttl_ms/);
  });
});

describe('linkChangeFromRequest', () => {
  it('takes only what is present', () => {
    expect(linkChangeFromRequest(linkReq({ latencyMs: 40 }))).toEqual({ latencyMs: 40 });
    expect(linkChangeFromRequest(linkReq({ latencyMs: 0, jitterMs: 5, loss: 0.01, down: false }))).toEqual({ latencyMs: 0, jitterMs: 5, loss: 0.01, down: false });
  });

  it('refuses bad values and empty requests, naming the field', () => {
    expect(() => linkChangeFromRequest(linkReq({}))).toThrow(/nothing to change/);
    expect(() => linkChangeFromRequest(linkReq({ latencyMs: -1 }))).toThrow(/^latency_ms: expected a non-negative number, got -1/);
    expect(() => linkChangeFromRequest(linkReq({ jitterMs: Infinity }))).toThrow(/^jitter_ms/);
    expect(() => linkChangeFromRequest(linkReq({ loss: 1 }))).toThrow(/^loss: expected a probability in \[0, 1\), got 1/);
  });
});

describe('cacheSettingsMessage', () => {
  it('carries every setting, honour_request_cache_control only when set', () => {
    expect(cacheSettingsMessage(S)).not.toHaveProperty('honourRequestCacheControl');
    expect(cacheSettingsMessage({ ...S, honourRequestCacheControl: false }).honourRequestCacheControl).toBe(false);
    expect(Object.keys(cacheSettingsMessage(S)).sort()).toEqual(Object.keys(S).sort());
  });
});
