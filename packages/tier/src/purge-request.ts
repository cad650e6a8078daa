/**
 * A Tier.Purge request as a node applies it, checked field by field. The
 * control plane checks the purges it issues, but a node takes Purge from
 * whoever holds the cluster token (a parent forwarding a tree purge, a
 * tool, a test), so it checks again: a bad value is BAD_REQUEST naming the
 * field, before anything is purged or forwarded.
 */
import { isValidHostValue, type PurgeKind, type PurgeMode } from '@cdnlab/core';
import { CdnError, quoteForMessage, type PurgeRequest__Output } from '@cdnlab/rpc';

export const PURGE_LIMITS = {
  /** Longest value: the control plane's limit (a cache key or a surrogate key, not a document). */
  valueLength: 8192,
  /** Longest purge id: ids are kept (the last 256) to answer a re-sent purge. */
  idLength: 256,
  /** Most routes in a tree fan-out: one per node of the cluster. */
  routes: 1000,
  /** Longest node id or address in a route. */
  routeFieldLength: 1024,
  /**
   * How far ahead of this node's clock purge_at_ms may be. The control
   * plane stamps the purge with its clock, which may run a little ahead; a
   * time far in the future would make every copy fetched until then count
   * as purged (the purge-time rule), so the object could not be cached.
   */
  clockSkewMs: 60_000,
} as const;

const KINDS: Readonly<Record<string, PurgeKind>> = { PURGE_KIND_URL: 'url', PURGE_KIND_TAG: 'tag', PURGE_KIND_PREFIX: 'prefix', PURGE_KIND_ALL: 'all' };
// UNSPECIFIED is hard, as the control plane reads it.
const MODES: Readonly<Record<string, PurgeMode>> = { PURGE_MODE_UNSPECIFIED: 'hard', PURGE_MODE_HARD: 'hard', PURGE_MODE_SOFT: 'soft' };
const CONTROL_CHAR = /[\x00-\x1f\x7f]/;

export interface CheckedPurge {
  kind: PurgeKind;
  mode: PurgeMode;
  /** "" for kind all. */
  value: string;
  /** purge_at_ms; 0 when the request left it out (the node applies it as of when it applies it). */
  at: number;
}

function bad(field: string, message: string): CdnError {
  return new CdnError('BAD_REQUEST', `${field}: ${message}`);
}

function show(value: unknown): string {
  return quoteForMessage(String(value));
}

/** The purge a request asks for, at `now` on this node's clock; throws BAD_REQUEST naming the field. */
export function purgeFromRequest(req: PurgeRequest__Output, now: number): CheckedPurge {
  // With enums read as names, a number is a value this proto does not define.
  const kind = KINDS[String(req.kind)];
  if (!kind) throw bad('kind', `expected one of ${Object.keys(KINDS).join(', ')}, got ${show(req.kind)}`);
  const mode = MODES[String(req.mode)];
  if (!mode) throw bad('mode', `expected one of ${Object.keys(MODES).join(', ')}, got ${show(req.mode)}`);
  const value = kind === 'all' ? '' : req.value;
  if (kind !== 'all') {
    if (value === '') throw bad('value', `required for a ${kind} purge`);
    if (value.length > PURGE_LIMITS.valueLength) throw bad('value', `expected at most ${PURGE_LIMITS.valueLength} characters, got ${value.length}`);
    if (CONTROL_CHAR.test(value)) throw bad('value', `expected no control characters, got ${show(value)}`);
  }
  const at = req.purgeAtMs;
  if (!Number.isSafeInteger(at) || at < 0) throw bad('purge_at_ms', `expected epoch milliseconds >= 0 (0: now), got ${at}`);
  if (at > now + PURGE_LIMITS.clockSkewMs) throw bad('purge_at_ms', `${at} is ${at - now} ms ahead of this node's clock (at most ${PURGE_LIMITS.clockSkewMs} allowed)`);
  if (req.purgeId.length > PURGE_LIMITS.idLength) throw bad('purge_id', `expected at most ${PURGE_LIMITS.idLength} characters, got ${req.purgeId.length}`);
  if (req.forward.length > PURGE_LIMITS.routes) throw bad('forward', `expected at most ${PURGE_LIMITS.routes} routes, got ${req.forward.length}`);
  req.forward.forEach((r, i) => {
    if (r.nodeId === '' || r.nodeId.length > PURGE_LIMITS.routeFieldLength) throw bad(`forward[${i}].node_id`, `expected a node id of 1 to ${PURGE_LIMITS.routeFieldLength} characters, got ${show(r.nodeId)}`);
    // Every route may be dialled by some node down the tree: only host:port.
    if (r.address.length > PURGE_LIMITS.routeFieldLength || !/:\d{1,5}$/.test(r.address) || !isValidHostValue(r.address)) {
      throw bad(`forward[${i}].address`, `expected host:port, got ${show(r.address)}`);
    }
  });
  return { kind, mode, value, at };
}
