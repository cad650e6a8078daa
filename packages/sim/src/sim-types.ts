/**
 * What travels between simulated nodes: requests and answers as the tiers'
 * gRPC messages carry them (head, purge-time rule, hop count), minus bytes on
 * a wire. Calls are callbacks in virtual time, never promises: a run of ten
 * million requests must not allocate a promise chain per hop.
 */
import type { RequestHead, ResponseHead } from '@cdnlab/core';

export interface SimRequest {
  head: RequestHead;
  /** Purge-time rule from the child (0 when none). */
  notBefore: number;
  /** Set by a waiter that gave up on a lock: do not store what you fetch for it. */
  noStore: boolean;
  hops: number;
  /**
   * The object size the workload asks for (workload `sizes` or a trace), or
   * undefined to let the origin's path rules decide. Simulator only: the
   * real origin has no way to be told.
   */
  sizeBytes: number | undefined;
  /**
   * The head's primary cache key as computed by a node whose key settings
   * are `keyBy` (a token per distinct setting): the next node with the same
   * settings reuses it instead of building it again. Set by the nodes.
   */
  key?: string;
  keyBy?: symbol;
}

export interface SimAnswer {
  head: ResponseHead;
  body: Uint8Array;
  /** When the origin produced the content (travels unchanged through tiers). */
  originFetchedAt: number;
  /** What the answering tier did: hit, stale, miss, pass, revalidated (the edge's is what clients see). */
  result: string;
}

/** Why a call failed: no answer at all (an HTTP error status is an answer). */
export type SimErrorKind = 'connect' | 'reset' | 'timeout' | 'upstream' | 'loop';

export type Reply = (error: SimErrorKind | undefined, answer: SimAnswer | undefined) => void;

/** A node that can be called over the simulated network. */
export interface SimEndpoint {
  readonly id: string;
  readonly role: 'edge' | 'regional' | 'shield' | 'origin';
  readonly region: string;
  /** Receives a request that arrived now; replies (now or later) through `reply`. */
  handle(req: SimRequest, reply: Reply): void;
  /** Answers health checks. */
  readonly up: boolean;
}
