/**
 * What travels between simulated nodes: requests and answers as the tiers'
 * gRPC messages carry them (head, purge-time rule, hop count), minus bytes on
 * a wire. A call's answer goes to a Replier, an object the caller already
 * has, in virtual time: never a promise, nor a closure per hop (a run of ten
 * million requests would allocate a chain of them per hop).
 */
import { withAgeLine, type RequestHead, type ResponseHead } from '@cdnlab/core';

export interface SimRequest {
  head: RequestHead;
  /** Purge-time rule from the child (0 when none). */
  notBefore: number;
  /** Set by a waiter that gave up on a lock: do not store what you fetch for it. */
  noStore: boolean;
  hops: number;
  /**
   * When the caller stops waiting for the answer (absolute virtual ms; a
   * client's is CLIENT_TIMEOUT_MS after it sent it). A tier takes as its own the
   * earlier of this and UPSTREAM_TIMEOUT_MS after the request reached it,
   * and every call it makes for the request shares that one deadline, as
   * the tier services pass a gRPC deadline down the chain (tier-node.ts).
   */
  deadline: number;
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
  /** With `key`: its id in the simulation's KeyIds (core key-ids.ts), when known. */
  keyId?: number;
}

export interface SimAnswer {
  /**
   * The head, or with `age` set the head without its Age line: a tier that
   * answers from its cache hands over the stored head itself (never to be
   * changed), and the next tier's store takes it as is (core
   * HttpCache.answerAge): no copy of the head per hop. {@link sentHead}
   * gives the head as sent.
   */
  head: ResponseHead;
  /** The value of the Age line that ends the head as sent, when `head` lacks it. */
  age: string | undefined;
  body: Uint8Array;
  /** When the origin produced the content (travels unchanged through tiers). */
  originFetchedAt: number;
  /** What the answering tier did: hit, stale, miss, pass, revalidated (the edge's is what clients see). */
  result: string;
}

/** The answer's head as sent: with its Age line. */
export function sentHead(a: SimAnswer): ResponseHead {
  return a.age === undefined ? a.head : withAgeLine(a.head, a.age);
}

/** Why a call failed: no answer at all (an HTTP error status is an answer). */
export type SimErrorKind = 'connect' | 'reset' | 'timeout' | 'upstream' | 'loop';

/**
 * Where an answer goes: the caller itself (a client request, an upstream
 * call, a request a node is handling), so a hop allocates no closure.
 */
export interface Replier {
  reply(error: SimErrorKind | undefined, answer: SimAnswer | undefined): void;
}

/** Whoever sends a request to a node: a client or a tier's upstream call. */
export interface Caller extends Replier {
  /**
   * When it stops waiting (absolute virtual ms). Read only where the node
   * it called cannot answer in time: a frozen process, or one off its
   * network, whose callers hear their timeouts at these instants. With
   * `silentSince`: for a request the node already has, on a connection
   * that went silent at that instant (the node left its network), where a
   * client's TCP keepalive gives up before its own timeout.
   */
  givesUpAt(silentSince?: number): number;
}

/** A node that can be called over the simulated network. */
export interface SimEndpoint {
  readonly id: string;
  readonly role: 'edge' | 'regional' | 'shield' | 'origin';
  readonly region: string;
  /** Receives a request that arrived now; replies (now or later) to `to`. */
  handle(req: SimRequest, to: Caller): void;
  /** Answers health checks. */
  readonly up: boolean;
}
