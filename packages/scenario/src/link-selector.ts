/**
 * Link endpoints in topology `links` and timeline `link` events:
 *
 *   edge            every node of a role (edge, regional, shield, origin)
 *   client          the clients of every region
 *   edge@apac       a role within one region (client@apac too)
 *   @apac           anything in a region
 *   edge-na-1       one node, by id
 *
 * When several rules match a hop, the most specific wins: a node id counts 3,
 * role@region 2, a role or a region 1, summed over both ends; among equals the
 * later rule wins, so a file reads as "general rules first, exceptions after".
 */
import { ROLES, type Role } from './schema-topology';

export interface Endpoint {
  /** Node id, or undefined for a region's clients. */
  id?: string;
  role: Role | 'client';
  region: string;
}

export interface Selector {
  text: string;
  id?: string;
  role?: Role | 'client';
  region?: string;
  specificity: number;
}

const ROLE_NAMES: readonly string[] = [...ROLES, 'client'];

export interface SelectorContext {
  regions: ReadonlySet<string>;
  nodeIds: ReadonlySet<string>;
}

/** Parses a selector against the topology's names; returns a message on error. */
export function parseSelector(text: string, ctx: SelectorContext): Selector | string {
  const at = text.indexOf('@');
  if (at >= 0) {
    const role = text.slice(0, at);
    const region = text.slice(at + 1);
    if (role !== '' && !ROLE_NAMES.includes(role)) {
      return `unknown role "${role}" in link endpoint "${text}"; expected one of: ${ROLE_NAMES.join(', ')}`;
    }
    if (!ctx.regions.has(region)) return `unknown region "${region}" in link endpoint "${text}"; known: ${[...ctx.regions].join(', ')}`;
    return role === '' ? { text, region, specificity: 1 } : { text, role: role as Role | 'client', region, specificity: 2 };
  }
  if (ROLE_NAMES.includes(text)) return { text, role: text as Role | 'client', specificity: 1 };
  if (ctx.nodeIds.has(text)) return { text, id: text, specificity: 3 };
  return `unknown link endpoint "${text}"; expected a role (${ROLE_NAMES.join(', ')}), role@region, @region or a node id`;
}

export function matches(sel: Selector, ep: Endpoint): boolean {
  if (sel.id !== undefined) return sel.id === ep.id;
  if (sel.role !== undefined && sel.role !== ep.role) return false;
  if (sel.region !== undefined && sel.region !== ep.region) return false;
  return true;
}
