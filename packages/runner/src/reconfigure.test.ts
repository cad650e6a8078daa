import fc from 'fast-check';
import type { TierCacheSettings } from '@cdnlab/core';
import { DEFAULT_TOPOLOGY } from '@cdnlab/launcher';
import { isCacheNode, loadTopologyFile, type CacheNode, type OriginNode, type Topology } from '@cdnlab/scenario';
import type { ClusterAdmin } from './cluster-admin';
import { applyReconfigure, cacheSettingsRequest, originSiteConfig, planReconfigure, ReconfigureError, type RuntimeChange } from './reconfigure';

const BASE = loadTopologyFile(DEFAULT_TOPOLOGY);
const copy = (): Topology => structuredClone(BASE);
const caches = (t: Topology): CacheNode[] => t.nodes.filter(isCacheNode);
const node = (t: Topology, id: string): CacheNode => caches(t).find((n) => n.id === id) as CacheNode;
const firstEdge = caches(BASE).find((n) => n.role === 'edge') as CacheNode;
const regional = caches(BASE).find((n) => n.role === 'regional') as CacheNode;
const origin = (t: Topology): OriginNode => t.nodes.find((n): n is OriginNode => n.role === 'origin') as OriginNode;

describe('planReconfigure', () => {
  it('has nothing to do for the same topology', () => {
    expect(planReconfigure(BASE, copy())).toEqual({ ok: true, changes: [] });
  });

  it('turns collapsing off at every tier into one settings change per cache node', () => {
    const wanted = copy();
    for (const n of caches(wanted)) n.cache.collapsing = 'off';
    const plan = planReconfigure(BASE, wanted);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.changes).toEqual(caches(BASE).filter((n) => n.cache.collapsing !== 'off').map((n) => ({ kind: 'cache-settings', node: n.id, settings: { collapsing: 'off' } })));
    expect(plan.changes.length).toBeGreaterThanOrEqual(5);
  });

  it('lists store-shaping settings too (capacity, eviction): a clear rebuilds the store', () => {
    const wanted = copy();
    node(wanted, firstEdge.id).cache.capacityBytes *= 2;
    node(wanted, firstEdge.id).cache.eviction = firstEdge.cache.eviction === 'lfu' ? 'lru' : 'lfu';
    const plan = planReconfigure(BASE, wanted);
    expect(plan).toEqual({ ok: true, changes: [{ kind: 'cache-settings', node: firstEdge.id, settings: { capacityBytes: firstEdge.cache.capacityBytes * 2, eviction: node(wanted, firstEdge.id).cache.eviction } }] });
  });

  it('changes the node->parent link a hop uses, and ignores client and parent->child links', () => {
    const wanted = copy();
    const parent = firstEdge.parents[0];
    for (const l of wanted.links) {
      if (l.from === firstEdge.id && l.to === parent) l.latencyMs = 400;
      if (l.from === parent && l.to === firstEdge.id) l.latencyMs = 77; // not used by the engine
    }
    // Clients have no link model in the testbed.
    for (const row of Object.values(wanted.clientLinks.byRegion)) for (const hop of Object.values(row)) hop.out = { ...hop.out, loss: 0.2 };
    expect(Object.keys(wanted.clientLinks.byRegion).length).toBeGreaterThan(0);
    const plan = planReconfigure(BASE, wanted);
    expect(plan.ok && plan.changes).toEqual([{ kind: 'link', node: firstEdge.id, parent, link: expect.objectContaining({ latencyMs: 400 }) }]);
  });

  it('gathers DNS policy, TTL, answers and edge weights into one DNS change', () => {
    const wanted = copy();
    wanted.dns.policy = wanted.dns.policy === 'least-loaded' ? 'geo' : 'least-loaded';
    wanted.dns.ttlSeconds += 5;
    wanted.dns.answers += 1;
    node(wanted, firstEdge.id).weight = 3;
    const plan = planReconfigure(BASE, wanted);
    expect(plan.ok && plan.changes).toEqual([
      { kind: 'dns', policy: wanted.dns.policy, ttlSeconds: wanted.dns.ttlSeconds, answers: wanted.dns.answers, weights: { [firstEdge.id]: 3 } },
    ]);
  });

  it("turns a change of an origin's site into one origin-site change carrying the whole wanted site", () => {
    const wanted = copy();
    const site = origin(wanted).site!;
    site.paths[0].headers = { ...site.paths[0].headers, 'Cache-Control': 'no-store' };
    site.paths[0].latencyMs += 25;
    site.versionEveryMs = 5_000;
    const plan = planReconfigure(BASE, wanted);
    expect(plan).toEqual({ ok: true, changes: [{ kind: 'origin-site', node: origin(BASE).id, site }] });
    // With a site change, other runtime changes still come through.
    node(wanted, firstEdge.id).cache.collapsing = firstEdge.cache.collapsing === 'off' ? 'wait' : 'off';
    const both = planReconfigure(BASE, wanted);
    expect(both.ok && both.changes.map((c) => c.kind).sort()).toEqual(['cache-settings', 'origin-site']);
  });

  it.each<[string, (t: Topology) => void, string[]]>([
    ['a removed node', (t) => void (t.nodes = t.nodes.filter((n) => n.id !== firstEdge.id)), ['nodes (removed)']],
    ['an added node', (t) => void t.nodes.push({ ...structuredClone(firstEdge), id: 'edge-new-1' }), ['nodes (added)']],
    ['changed parents', (t) => void (node(t, firstEdge.id).parents = ['shield']), [`nodes.${firstEdge.id}.parents`]],
    ['a changed region', (t) => void (node(t, regional.id).region = 'mars'), [`nodes.${regional.id}.region`]],
    ['a changed cache key', (t) => void (node(t, firstEdge.id).key.ignoreQuery = !firstEdge.key.ignoreQuery), [`nodes.${firstEdge.id}.key`]],
    ['a regional weight (children hash on it)', (t) => void (node(t, regional.id).weight = 5), [`nodes.${regional.id}.weight`]],
    ['anycast switched on', (t) => void (t.dns.anycast.enabled = !t.dns.anycast.enabled), ['dns.anycast']],
    ['the DNS fail mode', (t) => void (t.dns.failMode = t.dns.failMode === 'open' ? 'closed' : 'open'), ['dns.failMode']],
    ['new region distances', (t) => void (t.distances[t.regions[0].name][t.regions[1].name] += 1), ['distances']],
    [
      "an origin's upstream (proxy mode is how the process started)",
      (t) => {
        const o = origin(t);
        delete o.site;
        o.upstream = 'http://127.0.0.1:3000';
      },
      [`nodes.${origin(BASE).id}.upstream`],
    ],
    ['a listen address', (t) => void (node(t, firstEdge.id).listen = { httpPort: 9999 }), [`nodes.${firstEdge.id}.listen`]],
  ])('refuses %s, naming where', (_what, change, paths) => {
    const wanted = copy();
    change(wanted);
    const plan = planReconfigure(BASE, wanted);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.differences.map((d) => d.path)).toEqual(paths);
  });

  it('lists every structural difference, not just the first, with both values', () => {
    const wanted = copy();
    wanted.dns.anycast.enabled = !wanted.dns.anycast.enabled;
    node(wanted, firstEdge.id).parents = ['shield'];
    node(wanted, regional.id).cache.collapsing = 'off'; // changeable, but the plan is refused as a whole
    const plan = planReconfigure(BASE, wanted);
    expect(plan).toEqual({
      ok: false,
      differences: [
        { path: `nodes.${firstEdge.id}.parents`, running: firstEdge.parents, wanted: ['shield'] },
        { path: 'dns.anycast', running: BASE.dns.anycast, wanted: wanted.dns.anycast },
      ],
    });
  });

  it('for any mix of cache-setting changes, the changes carry exactly the changed fields (property)', () => {
    const ids = caches(BASE).map((n) => n.id);
    const mutation = fc.record({
      node: fc.constantFrom(...ids),
      collapsing: fc.option(fc.constantFrom<TierCacheSettings['collapsing']>('off', 'wait', 'lock-timeout'), { nil: undefined }),
      staleWhileRevalidate: fc.option(fc.boolean(), { nil: undefined }),
      maxTtlMs: fc.option(fc.nat(1_000_000), { nil: undefined }),
      defaultTtlMs: fc.option(fc.nat(1_000_000), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 12 }), (muts) => {
        const wanted = copy();
        for (const m of muts) {
          const c = node(wanted, m.node).cache;
          if (m.collapsing !== undefined) c.collapsing = m.collapsing;
          if (m.staleWhileRevalidate !== undefined) c.staleWhileRevalidate = m.staleWhileRevalidate;
          if (m.maxTtlMs !== undefined) c.maxTtlMs = m.maxTtlMs;
          if (m.defaultTtlMs !== undefined) c.defaultTtlMs = m.defaultTtlMs;
        }
        const plan = planReconfigure(BASE, wanted);
        if (!plan.ok) return false;
        // Applying the changes to the running settings gives the wanted ones...
        const applied = new Map(caches(BASE).map((n) => [n.id, { ...n.cache }]));
        for (const ch of plan.changes) {
          if (ch.kind !== 'cache-settings') return false;
          Object.assign(applied.get(ch.node) as object, ch.settings);
          // ...and no change names a field that did not change.
          for (const [k, v] of Object.entries(ch.settings)) if (JSON.stringify((node(BASE, ch.node).cache as Record<string, unknown>)[k]) === JSON.stringify(v)) return false;
        }
        return caches(wanted).every((n) => JSON.stringify(applied.get(n.id)) === JSON.stringify(n.cache));
      }),
      { numRuns: 200 },
    );
  });
});

function fakeAdmin(): { admin: ClusterAdmin; calls: string[] } {
  const calls: string[] = [];
  const state = { nodeId: '', role: '', cache: null, ttlOverrides: [], links: [], storeRebuilt: false, appliedAtMs: 0 };
  const admin: ClusterAdmin = {
    tierIds: () => [],
    tierState: async () => state,
    setLinks: async (id, req) => {
      calls.push(`links ${id} ${JSON.stringify(req)}`);
      return state;
    },
    setCacheSettings: async (id, req) => {
      calls.push(`cache ${id} collapsing=${req.collapsing} clearTtl=${req.clearTtlOverrides}`);
      return state;
    },
    originIds: () => [],
    setOriginSite: async (id, site) => {
      calls.push(`site ${id} ${JSON.stringify(site)}`);
      return { appliedAtMs: 0, paths: 0 };
    },
    resetOrigin: async (id) => {
      calls.push(`reset ${id}`);
      return { appliedAtMs: 0, faultsCleared: 2 };
    },
    clearCache: async (id) => {
      calls.push(`clear ${id}`);
      return { nodeId: id, objectsRemoved: 3, appliedAtMs: 0 };
    },
    dnsState: async () => ({ policy: '', policies: [], weights: [], latencyMs: [], answers: 0, ttlSeconds: 0, anycast: false, routeCosts: [], appliedAtMs: 0, health: [] }),
    setDnsPolicy: async (req) => {
      calls.push(`dns ${req.policy} ttl=${req.ttlSeconds}`);
      return { policy: '', policies: [], weights: [], latencyMs: [], answers: 0, ttlSeconds: 0, anycast: false, routeCosts: [], appliedAtMs: 0, health: [] };
    },
    setRouteCosts: async (req) => {
      calls.push(`routes ${req.costs?.length}`);
      return { broken: 0, routes: {}, routeCosts: [], appliedAtMs: 0 };
    },
    close: () => undefined,
  };
  return { admin, calls };
}

describe('applyReconfigure', () => {
  it('refuses structural differences before making any call', async () => {
    const { admin, calls } = fakeAdmin();
    const wanted = copy();
    node(wanted, firstEdge.id).parents = ['shield'];
    await expect(applyReconfigure(admin, BASE, wanted)).rejects.toBeInstanceOf(ReconfigureError);
    await expect(applyReconfigure(admin, BASE, wanted)).rejects.toThrow(`nodes.${firstEdge.id}.parents: running ${JSON.stringify(firstEdge.parents)}, wanted ["shield"]`);
    expect(calls).toEqual([]);
  });

  it('sets every node whole (undoing earlier timeline events), then clears every cache last', async () => {
    const { admin, calls } = fakeAdmin();
    const wanted = copy();
    for (const n of caches(wanted)) n.cache.collapsing = 'off';
    const report = await applyReconfigure(admin, BASE, wanted);
    const ids = caches(BASE).map((n) => n.id);
    expect(report.cleared).toEqual(ids.map((node) => ({ node, objectsRemoved: 3 })));
    expect(report.changes.every((c: RuntimeChange) => c.kind === 'cache-settings')).toBe(true);
    for (const id of ids) expect(calls).toContain(`cache ${id} collapsing=off clearTtl=true`);
    const hops = caches(BASE).reduce((n, c) => n + c.parents.length, 0);
    expect(calls.filter((c) => c.startsWith('links ')).length).toBe(hops);
    expect(calls.filter((c) => c.startsWith('links ')).every((c) => c.includes('"down":false'))).toBe(true);
    expect(calls.filter((c) => c.startsWith('dns '))).toEqual([`dns ${BASE.dns.policy} ttl=${BASE.dns.ttlSeconds}`]);
    const firstClear = calls.findIndex((c) => c.startsWith('clear '));
    expect(calls.slice(firstClear).every((c) => c.startsWith('clear '))).toBe(true);
    expect(report.calls).toBe(calls.length);
  });

  it('gives every origin its wanted site, then resets it, before any cache is cleared', async () => {
    const { admin, calls } = fakeAdmin();
    const wanted = copy();
    const o = origin(wanted);
    o.site!.paths[0].headers = { 'Cache-Control': 'max-age=1' };
    const report = await applyReconfigure(admin, BASE, wanted);
    const site = calls.indexOf(`site ${o.id} ${JSON.stringify(originSiteConfig(o.site!))}`);
    const reset = calls.indexOf(`reset ${o.id}`);
    const firstClear = calls.findIndex((c) => c.startsWith('clear '));
    expect(site).toBeGreaterThanOrEqual(0);
    expect(reset).toBeGreaterThan(site);
    expect(firstClear).toBeGreaterThan(reset);
    expect(report.originsReset).toEqual([{ node: o.id, faultsCleared: 2 }]);
    expect(report.changes).toEqual([{ kind: 'origin-site', node: o.id, site: o.site }]);
  });

  it('resets every origin even when nothing about it changed (faults and versions of an earlier run)', async () => {
    const { admin, calls } = fakeAdmin();
    await applyReconfigure(admin, BASE, copy());
    const origins = BASE.nodes.filter((n) => n.role === 'origin').map((n) => n.id);
    expect(calls.filter((c) => c.startsWith('reset '))).toEqual(origins.map((id) => `reset ${id}`));
  });

  it('resets anycast route costs to the region distances when anycast is on', async () => {
    const { admin, calls } = fakeAdmin();
    const t = copy();
    t.dns.anycast.enabled = true;
    await applyReconfigure(admin, t, structuredClone(t));
    const edges = t.nodes.filter((n) => n.role === 'edge').length;
    expect(calls).toContain(`routes ${edges * t.regions.length}`);
  });
});

describe('cacheSettingsRequest', () => {
  it('carries every setting and drops TTL overrides', () => {
    const req = cacheSettingsRequest({ ...firstEdge.cache, honourRequestCacheControl: false } as TierCacheSettings);
    expect(req.clearTtlOverrides).toBe(true);
    expect(req.setTargetedFields).toBe(true);
    expect(req.honourRequestCacheControl).toBe(false);
    for (const k of Object.keys(firstEdge.cache)) expect(req).toHaveProperty(k);
  });
});

describe('originSiteConfig', () => {
  it('is the site as the origin config takes it, without versionEveryMs when unset', () => {
    const site = origin(BASE).site!;
    const cfg = originSiteConfig({ paths: site.paths });
    expect(cfg).toEqual({ paths: site.paths });
    expect('versionEveryMs' in cfg).toBe(false);
    expect(originSiteConfig({ paths: [], versionEveryMs: 10 })).toEqual({ paths: [], versionEveryMs: 10 });
  });
});
