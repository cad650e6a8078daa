import type { HeaderList, RequestHead, ResponseHead, Scheduler } from '@cdnlab/core';
import { CdnError } from '@cdnlab/rpc';
import { requestKind, type Counters } from './counters';
import { faultFor, type Fault, type FaultState } from './faults';
import type { OriginMetrics, Transport } from './metrics';
import type { Site } from './site';
import type { UpstreamProxy } from './upstream-proxy';

/**
 * What the origin does with one request, whichever transport brought it
 * (gRPC Fetch from a tier, or plain HTTP from curl): count it, apply the
 * fault in force, wait the generation latency, then answer from the
 * synthetic site or the upstream. The transports only translate.
 */

export type Outcome =
  | {
      type: 'answer';
      head: ResponseHead;
      body: Uint8Array | AsyncIterable<Uint8Array>;
      /** When the answer was generated (after the latency): ResponseHead.originFetchedAtMs. */
      generatedAtMs: number;
    }
  /** The `down` fault: the transport refuses as a dead host would. */
  | { type: 'down' };

export interface OriginHandlerDeps {
  scheduler: Scheduler;
  counters: Counters;
  metrics: OriginMetrics;
  /** Read on every request, so admin changes apply to the next one. */
  faults: () => FaultState;
  /**
   * Exactly one of site and proxy. The site is read once when a request
   * arrives, so an admin SetSite applies to the next request and one in
   * flight finishes with the site it started with.
   */
  site?: () => Site;
  proxy?: UpstreamProxy;
}

export interface OriginHandler {
  /**
   * Never resolves while a `hang` fault holds the request: the caller's
   * abort (deadline, disconnect) ends it with CANCELLED.
   */
  handle(req: RequestHead, body: Uint8Array, transport: Transport, signal: AbortSignal): Promise<Outcome>;
  /** Exchanges started with the upstream (proxy mode), whatever their result. */
  readonly upstreamFetches: number;
}

export function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

const encoder = new TextEncoder();

function cancelled(): CdnError {
  return new CdnError('CANCELLED', 'the caller went away before the origin answered');
}

/** Wait on the scheduler's clock, giving up (and freeing the timer) when the caller goes away. */
function sleep(scheduler: Scheduler, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelled());
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(cancelled());
    };
    const timer = scheduler.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function hang(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    signal.addEventListener('abort', () => reject(cancelled()), { once: true });
  });
}

/** The answer of an `error` fault: a short plain-text page, no caching advice (as from a crashed app). */
export function errorAnswer(req: RequestHead, status: number, now: number): { head: ResponseHead; body: Uint8Array } {
  const text = encoder.encode(`cdnlab origin: fault error ${status} for ${req.target}\n`);
  const headers: HeaderList = [
    ['date', new Date(Math.floor(now / 1000) * 1000).toUTCString()],
    ['server', 'cdnlab-origin'],
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(text.length)],
    ['x-origin-fault', 'error'],
  ];
  return { head: { status, headers }, body: req.method.toUpperCase() === 'HEAD' ? new Uint8Array(0) : text };
}

export function createOriginHandler(deps: OriginHandlerDeps): OriginHandler {
  const { scheduler, counters, metrics, site, proxy } = deps;
  if ((site === undefined) === (proxy === undefined)) throw new TypeError('expected exactly one of deps.site and deps.proxy');

  let upstreamFetches = 0;

  return {
    get upstreamFetches() {
      return upstreamFetches;
    },
    async handle(req, body, transport, signal) {
      const startedAt = scheduler.now();
      const current = site?.();
      const path = pathOf(req.target);
      const kind = requestKind(req.method, req.headers);
      counters.record(path, kind);
      metrics.request(kind, transport);

      const fault: Fault = faultFor(deps.faults(), path);
      if (fault.kind !== 'none') {
        counters.recordOutcome(path, `fault:${fault.kind}`);
        metrics.outcome(`fault:${fault.kind}`);
      }
      if (fault.kind === 'down') return { type: 'down' };
      if (fault.kind === 'hang') return hang(signal);

      await sleep(scheduler, (current?.ruleFor(path)?.latencyMs ?? 0) + (fault.kind === 'slow' ? fault.delayMs : 0), signal);
      let now = scheduler.now();
      let head: ResponseHead;
      let answerBody: Uint8Array | AsyncIterable<Uint8Array>;
      if (fault.kind === 'error') {
        ({ head, body: answerBody } = errorAnswer(req, fault.status, now));
      } else if (current) {
        const answer = current.answer(req, body, now);
        head = answer.head;
        answerBody = answer.body;
      } else {
        upstreamFetches++;
        try {
          ({ head, body: answerBody } = await proxy!.forward(req, body, signal));
          now = scheduler.now(); // the upstream generated it when its head arrived
          metrics.upstreamFetches.inc({ result: 'ok' });
        } catch (error) {
          const code = error instanceof CdnError ? error.code : 'INTERNAL';
          const result = code === 'UPSTREAM_UNAVAILABLE' ? 'unavailable' : code === 'UPSTREAM_TIMEOUT' ? 'timeout' : code === 'CANCELLED' ? 'cancelled' : 'error';
          metrics.upstreamFetches.inc({ result });
          throw error;
        }
      }
      if (head.status === 304) {
        counters.recordOutcome(path, 'not-modified');
        metrics.outcome('not-modified');
      }
      metrics.generation.observe({ transport }, Math.max(0, scheduler.now() - startedAt) / 1000);
      return { type: 'answer', head, body: answerBody, generatedAtMs: now };
    },
  };
}
