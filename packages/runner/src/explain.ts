/**
 * `cdnlab explain`: a scenario in words. The prose the author wrote, then
 * what each variant changes, computed from the loaded topologies rather than
 * the override text, so defaults and generated edges are accounted for:
 * "collapsing: wait → off on 9 nodes (edge-na-1, …)".
 */
import { displayName, formatDuration, isCacheNode, listNames, pacedByTrace, type Scenario, type Topology, type TopologyNode } from '@cdnlab/scenario';

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Leaf differences between two plain values, as dotted paths. */
function diff(a: unknown, b: unknown, at: string, out: Array<{ path: string; from: unknown; to: unknown }>): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const plain = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (plain(a) && plain(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k, out);
    return;
  }
  out.push({ path: at, from: a, to: b });
}

function nodeFields(n: TopologyNode): Record<string, unknown> {
  if (!isCacheNode(n)) return { role: n.role, region: n.region, site: n.site, upstream: n.upstream };
  return { role: n.role, region: n.region, parents: n.parents, weight: n.weight, cache: n.cache, key: n.key };
}

/** What `to` changes relative to `from`, one line per change, nodes with the same change grouped. */
export function topologyChanges(from: Topology, to: Topology): string[] {
  const lines: string[] = [];
  const fromIds = new Map(from.nodes.map((n) => [n.id, n]));
  const toIds = new Map(to.nodes.map((n) => [n.id, n]));
  const added = to.nodes.filter((n) => !fromIds.has(n.id));
  const removed = from.nodes.filter((n) => !toIds.has(n.id));
  for (const n of added) lines.push(`adds ${n.role} ${n.id} (${n.region})${n.parents.length ? `, parents ${n.parents.join(', ')}` : ''}`);
  for (const n of removed) lines.push(`removes ${n.role} ${n.id}`);
  const grouped = new Map<string, string[]>();
  for (const n of to.nodes) {
    const before = fromIds.get(n.id);
    if (!before) continue;
    const changes: Array<{ path: string; from: unknown; to: unknown }> = [];
    diff(nodeFields(before), nodeFields(n), '', changes);
    for (const c of changes) {
      const key = `${c.path}: ${show(c.from)} → ${show(c.to)}`;
      grouped.set(key, [...(grouped.get(key) ?? []), n.id]);
    }
  }
  for (const [change, ids] of grouped) lines.push(`${change} on ${ids.length === 1 ? ids[0] : `${ids.length} nodes (${listNames(ids)})`}`);
  const rest: Array<{ path: string; from: unknown; to: unknown }> = [];
  diff({ zone: from.zone, regions: from.regions, distances: from.distances, dns: from.dns, control: from.control }, { zone: to.zone, regions: to.regions, distances: to.distances, dns: to.dns, control: to.control }, '', rest);
  for (const c of rest) lines.push(`${c.path}: ${show(c.from)} → ${show(c.to)}`);
  if (JSON.stringify(from.links) !== JSON.stringify(to.links)) lines.push(`links differ (${from.links.length} → ${to.links.length} resolved hops)`);
  if (JSON.stringify(from.clientLinks) !== JSON.stringify(to.clientLinks)) lines.push('client<->edge links differ');
  return lines;
}

export function explainScenario(s: Scenario): string {
  const out: string[] = [`${s.title}`, `${'='.repeat(Math.min(78, s.title.length))}`, '', s.description.trim(), '', `Scenario ${s.name} (${s.file})${s.quick ? ', quick profile' : ''}.`];
  if (s.engines.length === 1) out.push(`Runs on the ${s.engines[0]} engine only (engines: [${s.engines[0]}]).`);
  else if (s.engines.includes('compose') && !s.engines.includes('embedded')) {
    out.push(`Runs on the ${s.engines.join(' and ')} engines (engines: [${s.engines.join(', ')}]): the testbed in compose only (--target compose), not as processes on loopback.`);
  }
  out.push('');
  const first = s.variants[0];
  out.push(`Topology: ${first.topology.name}, ${first.topology.nodes.length} nodes in ${first.topology.regions.map((r) => r.name).join(', ')}.`, '');
  out.push('Variants (each runs the same workload and timeline):');
  for (const [i, v] of s.variants.entries()) {
    out.push(`- ${v.name}${v.description ? `: ${v.description}` : ''}`);
    if (i === 0) {
      out.push('    the reference for the changes listed below');
      continue;
    }
    const changes = topologyChanges(first.topology, v.topology);
    out.push(...(changes.length ? changes.map((c) => `    ${c}`) : ['    no topology change from the first variant']));
  }
  const w = s.workload;
  out.push('', `Workload: seed ${w.seed}${w.durationMs !== undefined ? `, ${formatDuration(w.durationMs)}` : ''}${w.requests !== undefined ? `, at most ${w.requests} requests` : ''}.`);
  const o = w.objects;
  const traceTimed = pacedByTrace(o);
  // With a trace setting the times, groups without paths share what no group's paths take, by rate.
  const rates = w.clients.reduce((sum, c) => sum + (c.paths ? 0 : c.rate), 0);
  const rest = w.clients.some((c) => c.paths) ? 'the rest' : "the trace's requests";
  for (const c of w.clients) {
    if (traceTimed) {
      out.push(`- ${c.count} clients in ${c.region}, sending ${c.paths ? `the trace's requests for ${c.paths.join(', ')}` : `${Math.round((100 * c.rate) / rates)}% of ${rest}`} (rate ${c.rate})`);
      continue;
    }
    out.push(`- ${c.count} clients in ${c.region}, ${c.rate} req/s, ${c.arrival}${c.burst ? ` (${c.burst.size} every ${formatDuration(c.burst.everyMs)})` : ''}${c.startMs ? ` from ${formatDuration(c.startMs)}` : ''}${c.stopMs !== undefined ? ` until ${formatDuration(c.stopMs)}` : ''}`);
  }
  const speedup = o.popularity === 'trace' && o.speedup !== undefined && o.speedup !== 1 ? `, ${o.speedup} times faster` : '';
  const traceTiming = traceTimed ? `at the trace's own times${speedup}` : "at the client groups' pace";
  out.push(`- objects: ${o.popularity === 'hot' ? `hot keys ${o.keys.join(', ')}` : o.popularity === 'trace' ? `trace ${displayName(o.file)} (${o.format}), requests ${traceTiming}` : `${o.popularity} over ${o.count} objects (${o.path})`}`);
  if (s.timeline.length) {
    out.push('', 'Timeline:');
    for (const e of s.timeline) out.push(`- at ${formatDuration(e.atMs)}: ${e.action}${e.note ? `, ${e.note}` : ''}`);
  }
  if (s.expectations.length) {
    out.push('', 'Expectations:');
    for (const x of s.expectations) out.push(`- ${x.expect.text}${x.atMs !== undefined ? ` at ${formatDuration(x.atMs)}` : ''}${x.variant ? ` [${x.variant}]` : ''}${x.description ? `: ${x.description}` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
