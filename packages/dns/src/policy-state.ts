/**
 * The DNS node's policy as the admin service reads and changes it: its own
 * file so the admin service and the server can share the types without
 * importing each other.
 */
import type { RouteCosts } from './anycast-router';

/** A run-time change of the steering policy and its parameters; absent fields keep their value. */
export interface PolicyChange {
  policy?: string;
  /** Edge id -> weight (for weighted). */
  weights?: Record<string, number>;
  /** Region -> edge id -> ms (for latency); cells not given keep theirs. */
  latencyMs?: Record<string, Record<string, number>>;
  answers?: number;
  /** TTL of every answer, whatever the policy (per-policy TTLs are dropped). */
  ttlSeconds?: number;
}

/** The policy in force and its parameters. */
export interface PolicyState {
  policy: string;
  policies: string[];
  weights: Record<string, number>;
  latencyMs: Record<string, Record<string, number>>;
  answers: number;
  /** TTL of answers under the current policy. */
  ttlSeconds: number;
  anycast: boolean;
  /** Present with anycast: current path costs and the edge each region reaches. */
  routeCosts?: RouteCosts;
  routes?: Record<string, string | undefined>;
  /** Each edge's health as the checks see it now. */
  health: Record<string, 'unknown' | 'up' | 'down'>;
}
