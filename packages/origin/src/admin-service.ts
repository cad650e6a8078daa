import type { Scheduler } from '@cdnlab/core';
import { CdnError, toServiceError, type OriginAdminHandlers } from '@cdnlab/rpc';
import type { Counters } from './counters';
import { makeFault, type Fault } from './faults';
import type { Site } from './site';

/**
 * cdnlab.origin.v1.OriginAdmin: versions, faults and the ground-truth counts.
 * The service wraps these handlers in the bearer-token check.
 */
export interface AdminDeps {
  scheduler: Scheduler;
  counters: Counters;
  /** Undefined in proxy mode: the upstream owns its content. */
  site?: Site;
  setFault(fault: Fault, pattern: string | undefined): void;
}

// Proto enum names → our fault kinds.
const FAULT_NAMES: Record<string, string> = {
  FAULT_NONE: 'none',
  FAULT_ERROR: 'error',
  FAULT_SLOW: 'slow',
  FAULT_HANG: 'hang',
  FAULT_DOWN: 'down',
};

function badRequest(error: unknown): CdnError {
  return error instanceof CdnError ? error : new CdnError('BAD_REQUEST', error instanceof Error ? error.message : String(error), { cause: error });
}

export function createAdminHandlers(deps: AdminDeps): OriginAdminHandlers {
  const { scheduler, counters, site } = deps;
  return {
    SetVersion(call, callback) {
      try {
        const { pathPattern, all, version } = call.request;
        if (!site) throw new CdnError('BAD_REQUEST', 'SetVersion needs the synthetic site; this origin fronts a real upstream');
        if (all === (pathPattern !== '')) throw new CdnError('BAD_REQUEST', 'expected exactly one of path_pattern and all');
        const now = scheduler.now();
        site.setVersion(version, now, all ? undefined : pathPattern);
        callback(null, { appliedAtMs: now });
      } catch (error) {
        callback(toServiceError(badRequest(error)));
      }
    },
    SetFault(call, callback) {
      try {
        const { fault, statusCode, delayMs, pathPattern } = call.request;
        const kind = FAULT_NAMES[String(fault)];
        if (kind === undefined) throw new CdnError('BAD_REQUEST', `expected fault to be one of ${Object.keys(FAULT_NAMES).join(', ')}, got ${String(fault)}`);
        deps.setFault(makeFault(kind, { status: statusCode, delayMs }), pathPattern === '' ? undefined : pathPattern);
        callback(null, { appliedAtMs: scheduler.now() });
      } catch (error) {
        callback(toServiceError(badRequest(error)));
      }
    },
    GetCounts(_call, callback) {
      const snap = counters.snapshot();
      callback(null, { paths: snap.paths.map((p) => ({ path: p.path, byKind: p.byKind, total: p.total })), total: snap.total });
    },
    ResetCounts(_call, callback) {
      callback(null, { totalBefore: counters.reset() });
    },
  };
}
