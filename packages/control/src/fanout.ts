/**
 * How a purge reaches the nodes: one narrow interface, several strategies
 * (fanout-direct.ts, fanout-tree.ts) chosen by name (fanout-registry.ts), so
 * the purge runner never branches on a strategy's name (STYLE 3).
 */
import {
  callOptions,
  fromServiceError,
  unaryCall,
  type ParentCall,
  type PurgeReply__Output,
  type PurgeRequest,
  type PurgeRoute,
  type TierClient,
} from '@cdnlab/rpc';
import type { ControlNode, Topology } from './topology';

/** A purge as it goes on the wire, minus the routes the strategy adds. */
export type PurgeBase = Required<Pick<PurgeRequest, 'kind' | 'value' | 'mode' | 'purgeId'>> & { purgeAtMs: number };

/** One node's outcome, before the runner turns it into a report entry. */
export interface NodeOutcome {
  nodeId: string;
  /** Epoch ms at which the node applied the purge (its clock); 0 when it did not. */
  appliedAtMs: number;
  objectsAffected: number;
  /** Empty on success. */
  error: string;
  /** Who called this node: "control" or the id of the node that forwarded to it. */
  via: string;
  /** True when the control plane called the node itself after the tree could not reach it. */
  fallback: boolean;
  /**
   * Epoch ms (control clock) the control plane learnt this outcome: when the
   * call that carried it ended. A failed node's first redelivery counts from
   * here. Absent: when the whole fan-out ended.
   */
  endedAtMs?: number;
}

export interface FanoutContext {
  purge: PurgeBase;
  topology: Topology;
  /** The nodes this purge must reach (never empty: the runner checks). */
  targets: readonly ControlNode[];
  /** The Tier client for a node (channels are shared and owned by the caller). */
  tierClient(node: ControlNode): TierClient;
  /** Absolute epoch-ms deadline for the whole fan-out; no call outlives it. */
  deadlineAt: number;
  /** The server call this purge serves, so cancellation follows it (STYLE 9). */
  parent?: ParentCall;
  /** Injected for tests; Date.now otherwise. */
  now(): number;
}

export interface FanoutStrategy {
  readonly name: string;
  /** One sentence for docs, --help and error messages. */
  readonly description: string;
  /**
   * Purge every target and resolve with what is known about each by the
   * deadline. Never rejects: a node that fails is an outcome with an error.
   * Targets missing from the result are reported by the runner as not reached.
   */
  run(ctx: FanoutContext): Promise<NodeOutcome[]>;
}

/**
 * The share of the time left that a caller gives the call it makes; the rest
 * is kept to collect the answer and reply (or to fall back). Each forwarding
 * hop applies it again, so a hung leaf times out at its parent before the
 * parent's own caller gives up on the parent, and the acks of every healthy
 * node still come back.
 */
export const HOP_DEADLINE_SHARE = 0.8;

/** Below this many ms left, a call is not worth starting. */
export const MIN_CALL_MS = 5;

/** What one call needs of a fan-out's context: the redeliveries make calls outside any fan-out. */
export type PurgeCallContext = Pick<FanoutContext, 'purge' | 'tierClient' | 'parent' | 'now'>;

/** Call Tier.Purge on one node until `deadlineAt` at the latest. Never rejects. */
export async function purgeNode(
  ctx: PurgeCallContext,
  node: ControlNode,
  forward: PurgeRoute[],
  deadlineAt: number,
): Promise<{ reply: PurgeReply__Output } | { error: string }> {
  const ms = Math.floor(deadlineAt - ctx.now());
  if (ms < MIN_CALL_MS) return { error: 'UPSTREAM_TIMEOUT: no time left before the purge deadline to call this node' };
  const request: PurgeRequest = { ...ctx.purge, forward };
  const client = ctx.tierClient(node);
  try {
    const reply = await unaryCall<PurgeReply__Output>((cb) => client.Purge(request, callOptions(ms, ctx.parent), cb));
    return { reply };
  } catch (err) {
    const e = fromServiceError(err);
    return { error: `${e.code}: ${e.message}` };
  }
}

/** The outcome of a node that answered itself. */
export function outcomeFromReply(reply: PurgeReply__Output, node: ControlNode, via: string, fallback: boolean, endedAtMs?: number): NodeOutcome {
  return {
    // The configured id wins: a node answering under another id is a
    // misconfiguration, but its ack still belongs to the address we called.
    nodeId: node.id,
    appliedAtMs: reply.appliedAtMs,
    objectsAffected: reply.objectsAffected,
    error: '',
    via,
    fallback,
    endedAtMs,
  };
}

export function failedOutcome(node: ControlNode, error: string, via: string, fallback: boolean, endedAtMs?: number): NodeOutcome {
  return { nodeId: node.id, appliedAtMs: 0, objectsAffected: 0, error, via, fallback, endedAtMs };
}
