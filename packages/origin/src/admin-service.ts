import * as grpc from '@grpc/grpc-js';
import type { Scheduler } from '@cdnlab/core';
import { CdnError, toServiceError, type OriginAdminHandlers } from '@cdnlab/rpc';
import { parseSiteConfig } from './config';
import type { Counters } from './counters';
import { makeFault, type Fault } from './faults';
import type { Site, SiteConfig } from './site';

/**
 * cdnlab.origin.v1.OriginAdmin: versions, faults, the site itself and the
 * ground-truth counts. The service wraps these handlers in the bearer-token
 * check.
 */
export interface AdminDeps {
  scheduler: Scheduler;
  counters: Counters;
  /** The site in force; undefined in proxy mode (the upstream owns its content). */
  site(): Site | undefined;
  setFault(fault: Fault, pattern: string | undefined): void;
  /** Serve `config` from now on (already validated); only called when site() is defined. */
  setSite(config: SiteConfig): Site;
  /** Every version back to the start, every fault cleared; returns the fault entries that were in force. */
  reset(): number;
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

/** The call is fine, the origin runs in a mode that does not support it (UNIMPLEMENTED, code NOT_SUPPORTED). */
function wrongMode(message: string): Partial<grpc.StatusObject> & Error {
  return toServiceError(new CdnError('NOT_SUPPORTED', message));
}

/** site_json as a validated site config; errors name the field (`site.paths[1].status`). */
export function parseSiteJson(json: string): SiteConfig {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new CdnError('BAD_REQUEST', `expected site_json to be JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseSiteConfig(value, 'site');
}

export function createAdminHandlers(deps: AdminDeps): OriginAdminHandlers {
  const { scheduler, counters } = deps;
  return {
    SetVersion(call, callback) {
      try {
        const { pathPattern, all, version } = call.request;
        const site = deps.site();
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
    SetSite(call, callback) {
      if (!deps.site()) {
        callback(wrongMode('SetSite needs the synthetic site; this origin runs in proxy mode (config.upstream) and its upstream owns the content'));
        return;
      }
      try {
        const site = deps.setSite(parseSiteJson(call.request.siteJson));
        callback(null, { appliedAtMs: scheduler.now(), paths: site.config.paths.length });
      } catch (error) {
        callback(toServiceError(badRequest(error)));
      }
    },
    Reset(_call, callback) {
      const faultsCleared = deps.reset();
      callback(null, { appliedAtMs: scheduler.now(), faultsCleared });
    },
  };
}
