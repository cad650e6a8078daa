/**
 * The nodes the control plane manages, as the launcher describes them, and
 * the few questions fan-out asks about them (who is purged, who forwards to
 * whom). Validation lives in config.ts; this file assumes a checked list.
 */

export const NODE_ROLES = ['edge', 'regional', 'shield', 'origin'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** Roles that hold a cache and therefore take purges. */
export const CACHE_ROLES: ReadonlySet<NodeRole> = new Set(['edge', 'regional', 'shield']);

export interface ControlNode {
  id: string;
  role: NodeRole;
  region: string;
  /** host:port of the node's gRPC server (Tier service). */
  grpcAddress: string;
  /** host:port of the node's HTTP listener, if it has one. */
  httpAddress?: string;
  /** Ids of the nodes this node fetches from, in preference order. */
  parents: string[];
}

export class Topology {
  readonly nodes: readonly ControlNode[];
  private readonly byId: Map<string, ControlNode>;

  constructor(nodes: readonly ControlNode[]) {
    this.nodes = nodes;
    this.byId = new Map(nodes.map((n) => [n.id, n]));
  }

  get(id: string): ControlNode | undefined {
    return this.byId.get(id);
  }

  /**
   * The nodes a purge goes to: every cache node, plus the origin when asked
   * (an origin normally holds no cache, so it is left out by default).
   */
  purgeTargets(includeOrigin: boolean): ControlNode[] {
    return this.nodes.filter((n) => CACHE_ROLES.has(n.role) || (includeOrigin && n.role === 'origin'));
  }

  /**
   * The node that passes a tree purge on to `node`: its first parent (in
   * preference order) that is itself purged and holds a cache. An origin is
   * never a forwarder (it sits above the shields but caches nothing), so
   * shields stay the top of the tree. undefined: the control plane calls
   * this node itself.
   */
  forwarderOf(node: ControlNode, targetIds: ReadonlySet<string>): ControlNode | undefined {
    if (node.role === 'origin') return undefined;
    for (const parentId of node.parents) {
      const parent = this.byId.get(parentId);
      if (parent && CACHE_ROLES.has(parent.role) && targetIds.has(parent.id)) return parent;
    }
    return undefined;
  }
}

/** A node as the Topology answers show it (the proto's Node, camelCase). */
export interface TopologyEntry {
  id: string;
  /** "edge", "regional", "shield", "origin" or "control". */
  role: string;
  region: string;
  grpcAddress: string;
  httpAddress: string;
  parents: string[];
}

/** Every managed node, then the control plane itself. */
export function describeTopology(topology: Topology, self: { id: string; grpcAddress: string; httpAddress: string }): TopologyEntry[] {
  const nodes: TopologyEntry[] = topology.nodes.map((n) => ({
    id: n.id,
    role: n.role,
    region: n.region,
    grpcAddress: n.grpcAddress,
    httpAddress: n.httpAddress ?? '',
    parents: [...n.parents],
  }));
  nodes.push({ id: self.id, role: 'control', region: '', grpcAddress: self.grpcAddress, httpAddress: self.httpAddress, parents: [] });
  return nodes;
}
