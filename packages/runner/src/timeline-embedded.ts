/**
 * A scenario's timeline on a real cluster: each event becomes a call on the
 * control plane, an origin's admin service, or the launcher. Events the
 * running services offer no handle for are recorded as not done (ok: false)
 * with the reason, never skipped silently: a report must not suggest a fault
 * happened when it did not.
 */
import type { RunningTopology } from '@cdnlab/launcher';
import { Fault, type SetFaultRequest } from '@cdnlab/rpc';
import type { PurgeResult, TimelineEvent, Topology } from '@cdnlab/scenario';
import type { ClusterApi } from './cluster-api';

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
}

const UNSUPPORTED: Partial<Record<TimelineEvent['action'], string>> = {
  'dns-policy': 'not supported by the embedded engine: the DNS service has no runtime admin API (its policy is fixed when it starts)',
  'route-change': 'not supported by the embedded engine: the anycast router has no runtime admin API',
  link: 'not supported by the embedded engine: link latency, jitter and loss are fixed in each node config when it starts',
  'ttl-override': 'not supported by the embedded engine: cache nodes have no runtime TTL override',
};

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
      const report = await ctx.api.purge({ kind, value, mode, fanout });
      const acks = report.acks.map((a) => ({ nodeId: a.nodeId, role: a.role, delayMs: a.delayMs, objectsAffected: a.objectsAffected, ...(a.error ? { error: a.error } : {}) }));
      const failed = acks.filter((a) => a.error).length;
      const maxDelay = Math.max(0, ...acks.filter((a) => !a.error).map((a) => a.delayMs));
      return {
        ok: failed === 0,
        detail: `${mode} purge of ${kind}${value ? ` ${value}` : ''} (${fanout}): ${acks.length - failed}/${acks.length} nodes applied it, slowest after ${maxDelay} ms${failed ? `; ${failed} failed` : ''}`,
        purge: { atMs: Math.round(ctx.elapsedMs()), kind, value, mode, fanout, acks },
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
      await ctx.running.kill(ev.node);
      return { ok: true, detail: `${ev.node} killed (SIGKILL)` };
    case 'stop':
      await ctx.running.stopNode(ev.node);
      return { ok: true, detail: `${ev.node} stopped (SIGTERM)` };
    case 'start':
      await ctx.running.startNode(ev.node);
      return { ok: true, detail: `${ev.node} started and healthy` };
    case 'pause':
      ctx.running.pause(ev.node);
      return { ok: true, detail: `${ev.node} paused (SIGSTOP)` };
    case 'unpause':
      ctx.running.unpause(ev.node);
      return { ok: true, detail: `${ev.node} resumed (SIGCONT)` };
    default:
      return { ok: false, detail: `action ${(ev as { action: string }).action} is not known to the embedded engine` };
  }
}
