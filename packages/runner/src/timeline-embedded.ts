/**
 * A scenario's timeline on a real cluster: each event becomes a call on the
 * control plane, an origin's admin service, a cache node's or the DNS node's
 * admin service (link, ttl-override, dns-policy, route-change), or the
 * launcher. Events the
 * running services offer no handle for are recorded as not done (ok: false)
 * with the reason, never skipped silently: a report must not suggest a fault
 * happened when it did not.
 */
import type { RunningTopology } from '@cdnlab/launcher';
import { Fault, type SetFaultRequest, type SetLinksRequest } from '@cdnlab/rpc';
import { CUTTABLE_ON_LOOPBACK, isCacheNode, parseSelector, selectorMatches, type Endpoint, type NodeAction, type PurgeResult, type Selector, type TimelineEvent, type Topology } from '@cdnlab/scenario';
import { createClusterAdmin, type ClusterAdmin } from './cluster-admin';
import type { ClusterApi, PurgeAckJson } from './cluster-api';

export interface TimelineContext {
  topology: Topology;
  running: RunningTopology;
  api: ClusterApi;
  /** Offset of "now" from the start of the run. */
  elapsedMs(): number;
  /** Schedules a follow-up (e.g. the end of a fault with `for:`) at an offset; cancelled when the run ends. */
  later(atMs: number, what: string, fn: () => Promise<string>): void;
}

export interface EventOutcome {
  detail: string;
  ok: boolean;
  purge?: PurgeResult;
  /** The control plane's id of that purge, to read where it stands at the end of the run. */
  purgeId?: string;
}

/** A node's line of a purge, from the control plane's report. */
export function purgeAckOf(a: PurgeAckJson): PurgeResult['acks'][number] {
  return { nodeId: a.nodeId, role: a.role, delayMs: a.delayMs, objectsAffected: a.objectsAffected, ...(a.error ? { error: a.error } : {}), attempts: a.attempts };
}

/** Actions no running service can perform, with the reason (none today: link, ttl-override, dns-policy and route-change go through the admin services). */
const UNSUPPORTED: Partial<Record<TimelineEvent['action'], string>> = {};
type LinkEvent = Extract<TimelineEvent, { action: 'link' }>;

export interface LinkHops {
  /** Cache node -> the parents whose link from it changes. */
  byNode: Map<string, string[]>;
  /** Client->edge hops the event also names: the embedded engine's clients have no link model. */
  clientHops: number;
  /** Hops of a one-way event matched only parent->child (the Link model has one setting per hop, both directions). */
  reverseOnly: number;
}

/**
 * The node->parent hops a `link` event changes. A link is applied by the
 * child's Link interceptor to its calls to the parent, in both directions at
 * once, so a hop matches when the event names it either way; with
 * `oneWay: true` a match in the parent->child direction alone is counted in
 * `reverseOnly`, since both directions change.
 */
export function linkHops(t: Topology, ev: Pick<LinkEvent, 'from' | 'to' | 'oneWay'>): LinkHops {
  const ctx = { regions: new Set(t.regions.map((r) => r.name)), nodeIds: new Set(t.nodes.map((n) => n.id)) };
  const sel = (text: string): Selector => {
    const s = parseSelector(text, ctx);
    if (typeof s === 'string') throw new Error(s);
    return s;
  };
  const from = sel(ev.from);
  const to = sel(ev.to);
  const endpoints = new Map<string, Endpoint>(t.nodes.map((n) => [n.id, { id: n.id, role: n.role, region: n.region }]));
  const out: LinkHops = { byNode: new Map(), clientHops: 0, reverseOnly: 0 };
  for (const n of t.nodes) {
    if (!isCacheNode(n)) continue;
    const child = endpoints.get(n.id) as Endpoint;
    for (const p of n.parents) {
      const parent = endpoints.get(p);
      if (!parent) continue;
      const forward = selectorMatches(from, child) && selectorMatches(to, parent);
      const backward = selectorMatches(from, parent) && selectorMatches(to, child);
      if (!forward && !backward) continue;
      if (!forward && ev.oneWay) out.reverseOnly++;
      const list = out.byNode.get(n.id) ?? [];
      list.push(p);
      out.byNode.set(n.id, list);
    }
  }
  for (const r of t.regions) {
    const client: Endpoint = { role: 'client', region: r.name };
    for (const e of t.nodes) {
      if (e.role !== 'edge') continue;
      const edge = endpoints.get(e.id) as Endpoint;
      if ((selectorMatches(from, client) && selectorMatches(to, edge)) || (selectorMatches(from, edge) && selectorMatches(to, client))) out.clientHops++;
    }
  }
  return out;
}

function linkRequest(ev: LinkEvent): SetLinksRequest {
  const req: SetLinksRequest = {};
  if (ev.latencyMs !== undefined) req.latencyMs = ev.latencyMs;
  if (ev.jitterMs !== undefined) req.jitterMs = ev.jitterMs;
  if (ev.loss !== undefined) req.loss = ev.loss;
  if (ev.down !== undefined) req.down = ev.down;
  return req;
}

function describeLink(ev: LinkEvent): string {
  const parts: string[] = [];
  if (ev.latencyMs !== undefined) parts.push(`latency ${ev.latencyMs} ms`);
  if (ev.jitterMs !== undefined) parts.push(`jitter ${ev.jitterMs} ms`);
  if (ev.loss !== undefined) parts.push(`loss ${ev.loss}`);
  if (ev.down !== undefined) parts.push(ev.down ? 'down' : 'up');
  return parts.join(', ');
}

/** Admin clients for one event, closed after it. */
async function withAdmin<T>(ctx: TimelineContext, fn: (admin: ClusterAdmin) => Promise<T>): Promise<T> {
  const admin = createClusterAdmin(ctx.running.plan);
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

async function runLink(ev: LinkEvent, ctx: TimelineContext): Promise<EventOutcome> {
  const hops = linkHops(ctx.topology, ev);
  const notes: string[] = [];
  if (hops.clientHops > 0) notes.push(`${hops.clientHops} client<->edge hop(s) not changed: the embedded engine's clients have no link model`);
  if (hops.reverseOnly > 0) notes.push(`${hops.reverseOnly} hop(s) matched only parent->child: changed in both directions (one setting per hop)`);
  if (hops.byNode.size === 0) return { ok: false, detail: `link ${ev.from} -> ${ev.to}: no node->parent hop matches${notes.length ? `; ${notes.join('; ')}` : ''}` };
  const req = linkRequest(ev);
  const applied = await withAdmin(ctx, (admin) =>
    Promise.all(
      [...hops.byNode].map(async ([node, parents]) => {
        const state = await admin.setLinks(node, { ...req, parentIds: parents });
        return state.links.filter((l) => parents.includes(l.parentId)).map((l) => `${node}->${l.parentId} (${l.cut ? 'cut' : l.down ? 'down' : `${l.latencyMs}+${l.jitterMs} ms, loss ${l.loss}`})`);
      }),
    ),
  );
  return { ok: hops.clientHops === 0, detail: `link ${ev.from} -> ${ev.to}: ${describeLink(ev)} applied on ${applied.flat().join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''}` };
}

async function runTtlOverride(ev: Extract<TimelineEvent, { action: 'ttl-override' }>, ctx: TimelineContext): Promise<EventOutcome> {
  const nodes = ev.nodes ?? ctx.topology.nodes.filter(isCacheNode).map((n) => n.id);
  await withAdmin(ctx, (admin) => Promise.all(nodes.map((id) => admin.setCacheSettings(id, { ttlOverrides: [{ match: ev.match, ttlMs: ev.ttlMs }] }))));
  return { ok: true, detail: `TTL ${ev.ttlMs} ms for ${ev.match} on ${nodes.join(', ')} (objects stored from now on; no-store, private and no-cache answers untouched; the nodes' own TTL caps still apply)` };
}

async function runDnsPolicy(ev: Extract<TimelineEvent, { action: 'dns-policy' }>, ctx: TimelineContext): Promise<EventOutcome> {
  return withAdmin(ctx, async (admin) => {
    const before = await admin.dnsState();
    const after = await admin.setDnsPolicy({ policy: ev.policy });
    const anycast = ctx.topology.dns.anycast.enabled ? '; anycast is on: clients of the anycast address are routed by path cost, not by this policy' : '';
    return { ok: true, detail: `DNS policy ${before.policy} -> ${after.policy} on dns (answers keep TTL ${after.ttlSeconds} s: clients move as their cached answers expire)${anycast}` };
  });
}

async function runRouteChange(ev: Extract<TimelineEvent, { action: 'route-change' }>, ctx: TimelineContext): Promise<EventOutcome> {
  if (!ctx.topology.dns.anycast.enabled) return { ok: false, detail: `route change ${ev.region} -> ${ev.edge}: anycast is not enabled in this topology (dns.anycast.enabled), there is no route to change` };
  return withAdmin(ctx, async (admin) => {
    const r = await admin.setRouteCosts({ costs: [{ region: ev.region, edgeId: ev.edge, value: ev.cost }] });
    return { ok: true, detail: `anycast path cost ${ev.region} -> ${ev.edge} set to ${ev.cost} on dns: clients of ${ev.region} now reach ${r.routes[ev.region] || '(no edge)'}; ${r.broken} open connection(s) broken` };
  });
}


/**
 * The version an `origin-update` without `version:` pins: strictly above any
 * version a path can have now, so every cached copy is outdated. Versions
 * start at 1; each earlier pin P at offset t has since grown to at most
 * P + elapsed / versionEveryMs when the site advances versions by itself.
 */
export class VersionClock {
  private readonly pins: Array<{ version: number; atMs: number }> = [];

  constructor(private readonly everyMs: number | undefined) {}

  next(nowMs: number, explicit: number | undefined): number {
    const grown = (v: number, since: number): number => v + (this.everyMs ? Math.floor((nowMs - since) / this.everyMs) + 1 : 0);
    // The site's clock started before ours: the +1 above covers the part we did not see.
    const upper = Math.max(grown(1, 0), ...this.pins.map((p) => grown(p.version, p.atMs)));
    const version = explicit ?? upper + 1;
    this.pins.push({ version, atMs: nowMs });
    return version;
  }
}

function originIds(t: Topology, node?: string): string[] {
  return node ? [node] : t.nodes.filter((n) => n.role === 'origin').map((n) => n.id);
}

function faultRequest(ev: Extract<TimelineEvent, { action: 'origin-fault' }>): SetFaultRequest | string {
  const pathPattern = ev.path ?? '';
  switch (ev.fault) {
    case 'ok':
      return { fault: Fault.FAULT_NONE, pathPattern };
    case 'error':
      return { fault: Fault.FAULT_ERROR, statusCode: ev.status, pathPattern };
    case 'slow':
      return { fault: Fault.FAULT_SLOW, delayMs: ev.latencyMs ?? 0, pathPattern };
    case 'down':
      return { fault: Fault.FAULT_DOWN, pathPattern };
    case 'reset':
      return 'fault "reset" is not one of OriginAdmin\'s faults (error, slow, hang, down); not applied';
  }
}

export async function runTimelineEvent(ev: TimelineEvent, ctx: TimelineContext, versions: VersionClock): Promise<EventOutcome> {
  const unsupported = UNSUPPORTED[ev.action];
  if (unsupported) return { ok: false, detail: unsupported };
  switch (ev.action) {
    case 'purge': {
      const [kind, value] = ev.url !== undefined ? ['url', ev.url] : ev.tag !== undefined ? ['tag', ev.tag] : ev.prefix !== undefined ? ['prefix', ev.prefix] : ['all', ''];
      const mode = ev.soft ? 'soft' : 'hard';
      const fanout = ev.fanout ?? ctx.topology.control.fanout;
      const redeliver = ctx.topology.control.redeliver;
      // When it was issued: the fan-out may take its whole deadline to answer (a node that does not).
      const issuedAtMs = Math.round(ctx.elapsedMs());
      const report = await ctx.api.purge({ kind, value, mode, fanout, redeliver });
      const acks = report.acks.map(purgeAckOf);
      const failed = acks.filter((a) => a.error).length;
      const maxDelay = Math.max(0, ...acks.filter((a) => !a.error).map((a) => a.delayMs));
      // A node that did not acknowledge it is not a failure yet while the control plane calls it again.
      const again = failed > 0 && report.redelivering === failed ? ` (the control plane calls ${failed === 1 ? 'it' : 'them'} again until taken)` : '';
      return {
        ok: failed === 0 || again !== '',
        detail: `${mode} purge of ${kind}${value ? ` ${value}` : ''} (${fanout}): ${acks.length - failed}/${acks.length} nodes applied it, slowest after ${maxDelay} ms${failed ? `; ${failed} did not acknowledge it${again}` : ''}`,
        purge: { atMs: issuedAtMs, kind, value, mode, fanout, acks },
        purgeId: report.purgeId,
      };
    }
    case 'origin-update': {
      const origins = ctx.topology.nodes.filter((n) => n.role === 'origin');
      const every = origins.map((o) => (o.role === 'origin' ? o.site?.versionEveryMs : undefined)).find((x) => x !== undefined);
      const version = versions.next(ctx.elapsedMs(), ev.version);
      await ctx.api.setVersion(
        origins.map((o) => o.id),
        ev.path,
        version,
      );
      return { ok: true, detail: `origin content of ${ev.path} set to version ${version}${every ? ` (the site also advances every ${every} ms)` : ''}` };
    }
    case 'origin-fault': {
      const req = faultRequest(ev);
      if (typeof req === 'string') return { ok: false, detail: req };
      const ids = originIds(ctx.topology, ev.node);
      await ctx.api.setFault(ids, req);
      const notes: string[] = [];
      if (ev.rate < 1) notes.push(`rate ${ev.rate} is not supported by OriginAdmin: applied to every matching request`);
      if (ev.forMs !== undefined) {
        ctx.later(ev.atMs + ev.forMs, 'origin-fault ends', async () => {
          await ctx.api.setFault(ids, { fault: Fault.FAULT_NONE, pathPattern: ev.path ?? '' });
          return `fault cleared on ${ids.join(', ')} after ${ev.forMs} ms`;
        });
      }
      const what = ev.fault === 'error' ? `error ${ev.status}` : ev.fault === 'slow' ? `slow +${ev.latencyMs} ms` : ev.fault;
      return { ok: notes.length === 0, detail: `origin fault ${what} on ${ids.join(', ')}${ev.path ? ` for ${ev.path}` : ''}${ev.forMs !== undefined ? ` for ${ev.forMs} ms` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}` };
    }
    case 'kill':
    case 'stop':
    case 'start':
    case 'pause':
    case 'unpause':
    case 'disconnect':
    case 'reconnect':
      return nodeFault(ctx, ev.action, ev.node);
    case 'link':
      return runLink(ev, ctx);
    case 'ttl-override':
      return runTtlOverride(ev, ctx);
    case 'dns-policy':
      return runDnsPolicy(ev, ctx);
    case 'route-change':
      return runRouteChange(ev, ctx);
    default:
      return { ok: false, detail: `action ${(ev as { action: string }).action} is not known to the embedded engine` };
  }
}

const BY_SIGNAL: Record<NodeAction, string> = {
  kill: 'killed (SIGKILL)',
  stop: 'stopped (SIGTERM)',
  start: 'started and healthy',
  pause: 'paused (SIGSTOP)',
  unpause: 'resumed (SIGCONT)',
  disconnect: 'disconnected',
  reconnect: 'reconnected',
};
const BY_DOCKER: Record<NodeAction, string> = {
  kill: 'killed (docker kill)',
  stop: 'stopped (docker stop)',
  start: 'started (docker start) and healthy',
  pause: 'paused (docker pause: cgroup freezer)',
  unpause: 'resumed (docker unpause)',
  disconnect: 'disconnected from its networks (docker network disconnect)',
  reconnect: 'reconnected at its address (docker network connect)',
};

/**
 * Why `node` cannot be taken off the network on loopback, or undefined when
 * it can. An address on lo cannot leave its network, but every call
 * between the tiers and to the origin crosses an emulated link in the
 * caller's process (rpc Link), so a regional, shield or origin is cut off
 * by cutting those; an edge's clients and DNS's health checks cross none.
 */
export function loopbackCutRefusal(action: 'disconnect' | 'reconnect', node: string, role: string | undefined): string | undefined {
  if (role !== undefined && CUTTABLE_ON_LOOPBACK.includes(role)) return undefined;
  const elsewhere = "run in compose (--target compose, or cdnlab chaos --docker), where it acts on the container's network";
  if (role === 'edge') return `${action} ${node}: an edge on loopback cannot be cut off (its clients and DNS's health checks reach it over no emulated link); use pause for a host that hangs or kill for one that dies, or ${elsewhere}`;
  return `${action} ${node}: on loopback only a regional, shield or origin can be cut off (their links are emulated); ${elsewhere}`;
}

/**
 * Cuts (or restores) every emulated link to and from `node`: its own to
 * each parent and fallback, and every tier's to it (TierAdmin SetLinks
 * cut). That is the partition compose makes: calls wait until their
 * deadlines, and what was sent goes through at TCP's next retransmission
 * after the reconnect (the links time it as the simulator does). Returns
 * the links changed, as "from->to".
 */
export async function setEmulatedCut(admin: Pick<ClusterAdmin, 'tierIds' | 'tierState' | 'setLinks'>, node: string, cut: boolean): Promise<string[]> {
  const states = await Promise.all(admin.tierIds().map((id) => admin.tierState(id)));
  const hops = states.flatMap((s) => s.links.filter((l) => s.nodeId === node || l.parentId === node).map((l) => ({ from: s.nodeId, to: l.parentId })));
  const byFrom = new Map<string, string[]>();
  for (const h of hops) byFrom.set(h.from, [...(byFrom.get(h.from) ?? []), h.to]);
  await Promise.all([...byFrom].map(([from, to]) => admin.setLinks(from, { parentIds: to, cut })));
  return hops.map((h) => `${h.from}->${h.to}`);
}

/** What setEmulatedCut did, in a sentence; `ok` false when no link touched the node. */
export function describeEmulatedCut(action: 'disconnect' | 'reconnect', node: string, links: readonly string[]): { ok: boolean; detail: string } {
  if (links.length === 0) return { ok: false, detail: `${action} ${node}: no tier has an emulated link to or from it; nothing changed` };
  const n = `${links.length} emulated link${links.length === 1 ? '' : 's'}`;
  return {
    ok: true,
    detail:
      action === 'disconnect'
        ? `${node} cut off: ${n} cut (${links.join(', ')}); nothing crosses them until the reconnect (the control plane's stats and purges still reach it on loopback)`
        : `${node} reconnected: ${n} back (${links.join(', ')}); what was held goes through at TCP's next retransmission`,
  };
}

/** disconnect / reconnect of processes on loopback. */
async function cutLinks(ctx: TimelineContext, action: 'disconnect' | 'reconnect', node: string): Promise<EventOutcome> {
  const refused = loopbackCutRefusal(action, node, ctx.topology.nodes.find((x) => x.id === node)?.role);
  if (refused) return { ok: false, detail: refused };
  const links = await withAdmin(ctx, (admin) => setEmulatedCut(admin, node, action === 'disconnect'));
  return describeEmulatedCut(action, node, links);
}

async function nodeFault(ctx: TimelineContext, action: NodeAction, node: string): Promise<EventOutcome> {
  const r = ctx.running;
  switch (action) {
    case 'kill':
      await r.kill(node);
      break;
    case 'stop':
      await r.stopNode(node);
      break;
    case 'start':
      await r.startNode(node);
      break;
    case 'pause':
      await r.pause(node);
      break;
    case 'unpause':
      await r.unpause(node);
      break;
    case 'disconnect':
    case 'reconnect': {
      const f = action === 'disconnect' ? r.disconnect : r.reconnect;
      if (!f) return cutLinks(ctx, action, node);
      await f.call(r, node);
      break;
    }
  }
  return { ok: true, detail: `${node} ${(r.faults === 'docker' ? BY_DOCKER : BY_SIGNAL)[action]}` };
}
