/**
 * When a node that did not take a purge is called again. The control plane
 * of the testbed and the simulator's both follow it, so a purge that missed
 * a frozen, cut-off or dead node lands at the same moment in either engine.
 *
 * A purge is cheap to send twice: a node applies it by the purge-time rule
 * (purge.ts), so a late one removes only copies fetched before it was
 * issued and never what the node fetched since. That is why a purge can be
 * redelivered at all, minutes late, without undoing newer content (Varnish's
 * bans and Traffic Control's invalidation jobs rest on the same idea: a rule
 * about what was fetched before an instant, not an order to delete now).
 */

/** The first redelivery waits this long after the call that failed ended. */
export const PURGE_REDELIVERY_FIRST_MS = 1_000;
/** The wait doubles up to this, then stays. */
export const PURGE_REDELIVERY_MAX_MS = 16_000;
/** No call is started once the purge is this old: the node is reported as failed for good. */
export const PURGE_REDELIVERY_WINDOW_MS = 600_000;

/**
 * The wait before call number `call` (2 for the first redelivery), counted
 * from the end of the call before it: 1 s, 2, 4, 8, 16 s, then every 16 s.
 */
export function purgeRedeliveryDelay(call: number): number {
  if (!Number.isInteger(call) || call < 2) throw new RangeError(`expected call to be an integer of at least 2 (the first call is not a redelivery), got ${call}`);
  return Math.min(PURGE_REDELIVERY_MAX_MS, PURGE_REDELIVERY_FIRST_MS * 2 ** Math.min(call - 2, 30));
}

/**
 * Whether another call may still start at `now` for a purge issued at
 * `purgeAtMs` (both on one clock). `windowMs` is for tests that cannot wait
 * ten minutes.
 */
export function mayRedeliver(purgeAtMs: number, now: number, windowMs = PURGE_REDELIVERY_WINDOW_MS): boolean {
  return now - purgeAtMs < windowMs;
}
