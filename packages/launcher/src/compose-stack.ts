/**
 * The compose file as `docker stack deploy` reads it. The docker CLI's stack
 * loader validates against the v3 schema, which knows neither the long form
 * of depends_on ("services.x.depends_on must be a list") nor profiles, so
 * the same file goes through two mechanical rewrites and nothing else:
 *
 *   depends_on: {shield: {condition: service_healthy}}  →  depends_on: [shield]
 *   profiles: [cli]                                      →  (dropped; deploy.replicas: 0 keeps the cli down)
 *
 * Swarm ignores depends_on anyway (every task starts at once and the nodes
 * retry their parents), `build` (it warns), and the static ipv4_address
 * (tasks get addresses from the overlay's IPAM), so in a swarm the DNS A
 * records, which name the compose addresses, do not point at the edges.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { ComposeError } from './compose-file';

export function stackFileFrom(composeText: string): string {
  const doc = parseDocument(composeText);
  if (doc.errors.length > 0) throw new ComposeError(`the compose file does not parse: ${doc.errors[0]?.message ?? ''}`);
  const services = doc.get('services');
  if (!isMap(services)) throw new ComposeError('expected a compose file with a services: map');
  for (const item of services.items) {
    const service = item.value;
    if (!isMap(service)) continue;
    const deps = service.get('depends_on');
    if (isMap(deps)) service.set('depends_on', doc.createNode(deps.items.map((d) => String((d.key as { value?: unknown }).value ?? d.key))));
    else if (deps !== undefined && !isSeq(deps)) throw new ComposeError(`services.${String(item.key)}.depends_on: expected a map or a list`);
    service.delete('profiles');
  }
  return doc.toString({ lineWidth: 0 });
}

