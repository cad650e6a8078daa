/**
 * A scenario's variant on a cluster that is already running: what must
 * change at run time to turn the running topology into the wanted one, and
 * doing it through the admin services (TierAdmin on every cache node,
 * DnsAdmin, OriginAdmin on every origin), then resetting every origin and
 * clearing every cache so the variant starts cold and clean.
 *
 * What can change at run time: every cache setting (settings the store is
 * built with rebuild it, which the clear does anyway), the node->parent
 * links, the DNS policy, TTL, answer count and edge weights, and an origin's
 * synthetic site (paths, headers, latency, version schedule). What cannot:
 * the shape of the cluster and what processes were started with: nodes,
 * roles, regions, parents and their order, parent weights (rendezvous
 * hashing in the children), cache keys, listen addresses, an origin's
 * upstream (proxy mode or not), regions and distances, anycast on/off, the
 * DNS fail mode and health checks. Those are refused with the list of differences: restart the
 * cluster with the wanted topology instead.
 *
 * Not compared: client<->edge links (the embedded engine's clients have no
 * link model), parent->child links (a hop's link is the child's and applies
 * to both directions), names and descriptions, and the control plane's
 * fan-out (each purge names its own).
 */
import type { TierCacheSettings } from '@cdnlab/core';
import { cacheSettingsMessage, type SetCacheSettingsRequest } from '@cdnlab/rpc';
import { findLink, isCacheNode, type CacheNode, type Link, type OriginNode, type Site, type Topology, type TopologyNode } from '@cdnlab/scenario';
import type { ClusterAdmin } from './cluster-admin';

export interface LinkValues {
  latencyMs: number;
  jitterMs: number;
  loss: number;
}

export type RuntimeChange =
  /** Only the fields that change. */
  | { kind: 'cache-settings'; node: string; settings: Partial<TierCacheSettings> }
  | { kind: 'link'; node: string; parent: string; link: LinkValues }
  /** The origin's whole wanted site (OriginAdmin.SetSite replaces it whole). */
  | { kind: 'origin-site'; node: string; site: Site }
  | { kind: 'dns'; policy?: Topology['dns']['policy']; ttlSeconds?: number; answers?: number; weights?: Record<string, number> };

export interface StructuralDifference {
  /** Where, as a path into the topology: `nodes.edge-1.parents`, `dns.anycast.enabled`. */
  path: string;
  running: unknown;
  wanted: unknown;
}

export type ReconfigurePlan = { ok: true; changes: RuntimeChange[] } | { ok: false; differences: StructuralDifference[] };

/** Thrown by applyReconfigure when the topologies differ in ways no admin call can change. */
export class ReconfigureError extends Error {
  readonly code = 'ERR_CDNLAB_RECONFIGURE';

  constructor(readonly differences: StructuralDifference[]) {
    super(
      `cannot reconfigure the running cluster at run time; restart it with the wanted topology. Differences:\n${differences
        .map((d) => `  ${d.path}: running ${JSON.stringify(d.running)}, wanted ${JSON.stringify(d.wanted)}`)
        .join('\n')}`,
    );
    this.name = 'ReconfigureError';
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const LINK_ZERO: LinkValues = { latencyMs: 0, jitterMs: 0, loss: 0 };

function linkOf(t: Topology, from: string, to: string): LinkValues {
  const l: Link | undefined = findLink(t, from, to);
  return l ? { latencyMs: l.latencyMs, jitterMs: l.jitterMs, loss: l.loss } : LINK_ZERO;
}

/** Node fields that only a restart changes (cache settings and links are compared separately). */
function fixedFields(n: TopologyNode): Record<string, unknown> {
  if (isCacheNode(n)) return { role: n.role, region: n.region, parents: n.parents, key: n.key, listen: n.listen };
  // The site is not here: OriginAdmin.SetSite changes it. Whether the origin
  // proxies (upstream) is: that is what the process was started as.
  return { role: n.role, region: n.region, listen: n.listen, upstream: n.upstream };
}

function structural(running: Topology, wanted: Topology): StructuralDifference[] {
  const out: StructuralDifference[] = [];
  const diff = (path: string, a: unknown, b: unknown): void => {
    if (!same(a, b)) out.push({ path, running: a, wanted: b });
  };
  diff('zone', running.zone, wanted.zone);
  diff('regions', running.regions, wanted.regions);
  diff('distances', running.distances, wanted.distances);
  const runIds = running.nodes.map((n) => n.id);
  const wantIds = wanted.nodes.map((n) => n.id);
  const missing = runIds.filter((id) => !wantIds.includes(id));
  const added = wantIds.filter((id) => !runIds.includes(id));
  if (missing.length > 0) out.push({ path: 'nodes (removed)', running: missing, wanted: [] });
  if (added.length > 0) out.push({ path: 'nodes (added)', running: [], wanted: added });
  for (const w of wanted.nodes) {
    const r = running.nodes.find((n) => n.id === w.id);
    if (!r) continue;
    const a = fixedFields(r);
    const b = fixedFields(w);
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(`nodes.${w.id}.${k}`, a[k], b[k]);
    // An edge's weight is the DNS node's (weighted policy), changeable at run
    // time; any other node's weight is its children's rendezvous hashing.
    if (w.role !== 'edge' && isCacheNode(w) && isCacheNode(r)) diff(`nodes.${w.id}.weight`, r.weight, w.weight);
  }
  diff('dns.anycast', running.dns.anycast, wanted.dns.anycast);
  diff('dns.failMode', running.dns.failMode, wanted.dns.failMode);
  diff('dns.health', running.dns.health, wanted.dns.health);
  return out;
}

function cacheDiff(a: TierCacheSettings, b: TierCacheSettings): Partial<TierCacheSettings> {
  const out: Partial<TierCacheSettings> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof TierCacheSettings>) {
    if (!same(a[k], b[k])) (out as Record<string, unknown>)[k] = b[k];
  }
  return out;
}

/**
 * The runtime changes that turn a cluster started from `running` into
 * `wanted`, or the structural differences that forbid it.
 */
export function planReconfigure(running: Topology, wanted: Topology): ReconfigurePlan {
  const differences = structural(running, wanted);
  if (differences.length > 0) return { ok: false, differences };
  const changes: RuntimeChange[] = [];
  for (const w of wanted.nodes) {
    if (w.role === 'origin') {
      const r = running.nodes.find((n) => n.id === w.id) as OriginNode;
      // Same upstream (checked above), so both have a site or neither has.
      if (w.site && !same(r.site, w.site)) changes.push({ kind: 'origin-site', node: w.id, site: w.site });
      continue;
    }
    if (!isCacheNode(w)) continue;
    const r = running.nodes.find((n) => n.id === w.id) as CacheNode;
    const settings = cacheDiff(r.cache, w.cache);
    if (Object.keys(settings).length > 0) changes.push({ kind: 'cache-settings', node: w.id, settings });
    for (const p of w.parents) {
      const link = linkOf(wanted, w.id, p);
      if (!same(linkOf(running, w.id, p), link)) changes.push({ kind: 'link', node: w.id, parent: p, link });
    }
  }
  const dns: Extract<RuntimeChange, { kind: 'dns' }> = { kind: 'dns' };
  if (running.dns.policy !== wanted.dns.policy) dns.policy = wanted.dns.policy;
  if (running.dns.ttlSeconds !== wanted.dns.ttlSeconds) dns.ttlSeconds = wanted.dns.ttlSeconds;
  if (running.dns.answers !== wanted.dns.answers) dns.answers = wanted.dns.answers;
  const weights: Record<string, number> = {};
  for (const w of wanted.nodes) {
    const r = running.nodes.find((n) => n.id === w.id);
    if (w.role === 'edge' && isCacheNode(w) && r && isCacheNode(r) && r.weight !== w.weight) weights[w.id] = w.weight;
  }
  if (Object.keys(weights).length > 0) dns.weights = weights;
  if (Object.keys(dns).length > 1) changes.push(dns);
  return { ok: true, changes };
}

/** Every field of a cache-settings request: a full reset of the node to `s`, TTL overrides dropped. */
export function cacheSettingsRequest(s: TierCacheSettings): SetCacheSettingsRequest {
  return { ...cacheSettingsMessage(s), setTargetedFields: true, clearTtlOverrides: true };
}

/**
 * A topology site as the origin's config (and SetSite) takes it: the shape
 * the launcher gives an origin at start-up, so a site set at run time is the
 * one a restart would serve.
 */
export function originSiteConfig(site: Site): { paths: Array<Record<string, unknown>>; versionEveryMs?: number } {
  return { paths: site.paths.map((p) => ({ ...p })), ...(site.versionEveryMs === undefined ? {} : { versionEveryMs: site.versionEveryMs }) };
}

export interface ReconfigureReport {
  /** What differed between the topologies (the admin calls set every node's whole state, which includes these). */
  changes: RuntimeChange[];
  /** Admin calls made. */
  calls: number;
  /** Objects each cache node held when it was cleared. */
  cleared: Array<{ node: string; objectsRemoved: number }>;
  /** Fault entries each origin had in force when it was reset. */
  originsReset: Array<{ node: string; faultsCleared: number }>;
}

/**
 * Bring the running cluster to `wanted` and clear every cache. Every cache
 * node gets its whole wanted state (settings, links, no TTL overrides), the
 * DNS node its policy, TTL, answers and edge weights, and every origin with
 * a synthetic site its wanted site, not only what the topologies say
 * differs: timeline events of an earlier run (a link change, a TTL
 * override, a policy switch) are undone too. Then every origin is reset
 * (versions back to the start, no fault: an earlier run's content updates
 * and faults are gone) and every cache cleared, so the variant starts cold
 * and clean. Throws ReconfigureError when the topologies differ
 * structurally, before any call.
 */
export async function applyReconfigure(admin: ClusterAdmin, running: Topology, wanted: Topology): Promise<ReconfigureReport> {
  const plan = planReconfigure(running, wanted);
  if (!plan.ok) throw new ReconfigureError(plan.differences);
  let calls = 0;
  const caches = wanted.nodes.filter(isCacheNode);
  await Promise.all(
    caches.map(async (n) => {
      await admin.setCacheSettings(n.id, cacheSettingsRequest(n.cache));
      calls++;
      for (const p of n.parents) {
        await admin.setLinks(n.id, { parentIds: [p], ...linkOf(wanted, n.id, p), down: false, cut: false });
        calls++;
      }
    }),
  );
  await admin.setDnsPolicy({
    policy: wanted.dns.policy,
    ttlSeconds: wanted.dns.ttlSeconds,
    answers: wanted.dns.answers,
    weights: wanted.nodes.filter((n) => n.role === 'edge').map((n) => ({ edgeId: n.id, weight: (n as CacheNode).weight })),
  });
  calls++;
  if (wanted.dns.anycast.enabled) {
    // Undo route changes: the DNS node's default costs are the region distances.
    const costs = wanted.regions.flatMap((r) =>
      wanted.nodes
        .filter((n) => n.role === 'edge')
        .map((e) => ({ region: r.name, edgeId: e.id, value: wanted.distances[r.name]?.[e.region] ?? (e.region === r.name ? 0 : undefined) }))
        .filter((c): c is { region: string; edgeId: string; value: number } => c.value !== undefined),
    );
    await admin.setRouteCosts({ costs });
    calls++;
  }
  // Site before reset, so the reset's fresh versions start on the wanted site;
  // both before the clear, so no cache keeps an answer of the old origin.
  const origins = wanted.nodes.filter((n): n is OriginNode => n.role === 'origin');
  const originsReset = await Promise.all(
    origins.map(async (o) => {
      if (o.site) {
        await admin.setOriginSite(o.id, originSiteConfig(o.site));
        calls++;
      }
      const r = await admin.resetOrigin(o.id);
      calls++;
      return { node: o.id, faultsCleared: r.faultsCleared };
    }),
  );
  // Last, so nothing a request stored during the changes above survives.
  const cleared = await Promise.all(
    caches.map(async (n) => {
      const r = await admin.clearCache(n.id);
      calls++;
      return { node: n.id, objectsRemoved: r.objectsRemoved };
    }),
  );
  return { changes: plan.changes, calls, cleared, originsReset };
}
