import { pathGlob, type PathGlob } from '@cdnlab/core';

/**
 * Faults the origin can be told to show, per path pattern. Pure: no timers,
 * the service applies what `faultFor` says.
 *
 * Several faults can be in force at once, one per pattern ("/api/** slow,
 * /img/* error 503"). Setting a fault for a pattern replaces that pattern's
 * entry; when patterns overlap the one set last wins. `none` for a pattern
 * removes its entry; `none` for every path clears them all.
 */
export type Fault =
  | { kind: 'none' }
  | { kind: 'error'; status: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'down' };

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = ['none', 'error', 'slow', 'hang', 'down'];

export interface FaultEntry {
  fault: Exclude<Fault, { kind: 'none' }>;
  /** Glob over the path; undefined: every path. */
  pattern?: string;
  setAtMs: number;
}

export interface FaultState {
  /** Oldest first: later entries win. */
  readonly entries: readonly FaultEntry[];
}

export const NO_FAULTS: FaultState = { entries: [] };

const DEFAULT_ERROR_STATUS = 500;
/** A slow answer longer than an hour is a typo, not an experiment. */
const MAX_DELAY_MS = 3_600_000;

/**
 * Check and complete a fault as it arrives from an admin call. `status`
 * defaults to 500 for `error`; `slow` needs a positive delay.
 */
export function makeFault(kind: string, opts: { status?: number; delayMs?: number } = {}): Fault {
  switch (kind) {
    case 'none':
    case 'hang':
    case 'down':
      return { kind };
    case 'error': {
      const status = opts.status === undefined || opts.status === 0 ? DEFAULT_ERROR_STATUS : opts.status;
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new TypeError(`expected status_code to be an HTTP status in [200, 599] (0 means 500), got ${opts.status}`);
      }
      return { kind, status };
    }
    case 'slow': {
      const delayMs = opts.delayMs;
      if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs <= 0 || delayMs > MAX_DELAY_MS) {
        throw new TypeError(`expected delay_ms to be an integer in [1, ${MAX_DELAY_MS}] for a slow fault, got ${delayMs}`);
      }
      return { kind, delayMs };
    }
    default:
      throw new TypeError(`expected fault to be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}

/** The state after setting `fault` for `pattern` (undefined or "": every path). */
export function setFault(state: FaultState, fault: Fault, pattern: string | undefined, now: number): FaultState {
  const p = pattern === '' ? undefined : pattern;
  if (p !== undefined) pathGlob(p); // throws on a bad glob before the state changes
  if (fault.kind === 'none') {
    return p === undefined ? NO_FAULTS : { entries: state.entries.filter((e) => e.pattern !== p) };
  }
  return { entries: [...state.entries.filter((e) => e.pattern !== p), { fault, pattern: p, setAtMs: now }] };
}

const compiled = new WeakMap<FaultEntry, PathGlob>();

function matches(entry: FaultEntry, path: string): boolean {
  if (entry.pattern === undefined) return true;
  let re = compiled.get(entry);
  if (!re) {
    re = pathGlob(entry.pattern);
    compiled.set(entry, re);
  }
  return re.test(path);
}

/** The fault in force for a path: the last entry whose pattern matches, or none. */
export function faultFor(state: FaultState, path: string): Fault {
  for (let i = state.entries.length - 1; i >= 0; i--) {
    if (matches(state.entries[i], path)) return state.entries[i].fault;
  }
  return { kind: 'none' };
}
