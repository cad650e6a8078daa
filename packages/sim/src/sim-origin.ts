/**
 * The simulated origin: the origin service's own pure parts (the synthetic
 * site, the fault table, the ground-truth counters) behind a virtual-time
 * front. Heads are the site's, byte for byte; it counts every request on
 * arrival, applies the fault in force, waits the generation latency, and
 * answers, as packages/origin/src/origin-handler.ts does.
 *
 * Bodies: unless `realBodies` is set, the site does not render them (the head
 * is the same, Content-Length included) and the simulator hands on a
 * zero-filled view of the right length. A
 * million cached objects then cost their bookkeeping, not their bytes,
 * while every size a cache accounts for stays exact.
 */
import type { HeaderList, ResponseHead, Rng } from '@cdnlab/core';
import type { OriginNode } from '@cdnlab/scenario';
import { createCounters, type Counters } from '@cdnlab/origin/src/counters';
import { faultFor, makeFault, NO_FAULTS, setFault, type FaultState } from '@cdnlab/origin/src/faults';
import { createSite, type Site } from '@cdnlab/origin/src/site';
import { requestKind } from '@cdnlab/origin/src/counters';
import { holdCut, holdFrozen, releaseCut, type CutOffMessage } from './sim-hold';
import type { Caller, SimEndpoint, SimRequest } from './sim-types';
import type { VirtualScheduler } from './virtual-scheduler';

export type SimFault = 'error' | 'slow' | 'down' | 'reset' | 'ok';

export interface SimOriginOptions {
  scheduler: VirtualScheduler;
  /** For faults that hit a fraction of requests. */
  rng: Rng;
  realBodies?: boolean;
  /** Called for every request that reaches the origin (series). */
  onRequest?: (path: string) => void;
}

const encoder = new TextEncoder();

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

/** The origin service's answer for an `error` fault (origin-handler.ts errorAnswer), rebuilt without its gRPC imports. */
function errorAnswer(method: string, target: string, status: number, now: number): { head: ResponseHead; body: Uint8Array } {
  const text = encoder.encode(`cdnlab origin: fault error ${status} for ${target}\n`);
  const headers: HeaderList = [
    ['date', new Date(Math.floor(now / 1000) * 1000).toUTCString()],
    ['server', 'cdnlab-origin'],
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(text.length)],
    ['x-origin-fault', 'error'],
  ];
  return { head: { status, headers }, body: method === 'HEAD' ? new Uint8Array(0) : text };
}

export class SimOrigin implements SimEndpoint {
  readonly id: string;
  readonly role = 'origin' as const;
  readonly region: string;
  readonly site: Site;
  readonly counters: Counters = createCounters();
  private faults: FaultState = NO_FAULTS;
  /** Fraction of requests each fault pattern acts on ('' = every path). */
  private readonly rates = new Map<string, number>();
  private alive = true;
  private paused = false;
  private disconnected = false;
  /** What waits while it is frozen (whenFree). */
  private readonly held: Array<() => void> = [];
  /** What waits while it is off its network (whenFree). */
  private cutOff: CutOffMessage[] = [];
  private zeros = new Uint8Array(64 * 1024);
  private readonly views = new Map<number, Uint8Array>();

  constructor(
    readonly config: OriginNode,
    private readonly opts: SimOriginOptions,
  ) {
    this.id = config.id;
    this.region = config.region;
    if (!config.site) throw new TypeError(`origin "${config.id}" proxies to ${config.upstream ?? 'a real server'}; the simulator needs a synthetic site (site:) for every origin`);
    this.site = createSite({ paths: config.site.paths, versionEveryMs: config.site.versionEveryMs }, 0);
  }

  get up(): boolean {
    return this.alive && !this.paused && !this.disconnected;
  }

  /** SIGKILL / SIGTERM: what waited on a frozen process finds it gone. */
  kill(): void {
    this.alive = false;
    this.paused = false;
    for (const run of this.held.splice(0)) run();
  }

  start(): void {
    this.alive = true;
  }

  /** Frozen (SIGSTOP, docker pause): requests and answers wait until it wakes, callers until their deadlines. */
  pause(): void {
    if (this.alive) this.paused = true;
  }

  unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const run of this.held.splice(0)) run();
  }

  /** Off its network (docker network disconnect): as a cache node (sim-hold.ts), nothing gets to it or from it. */
  disconnect(): void {
    if (this.alive) this.disconnected = true;
  }

  reconnect(): void {
    if (!this.disconnected) return;
    this.disconnected = false;
    const waiting = this.cutOff;
    this.cutOff = [];
    releaseCut(waiting, this.opts.scheduler);
  }

  /**
   * Runs `send` (a request arriving, or an answer leaving) now, or once the
   * origin can: a frozen one when it wakes, one off its network at TCP's
   * next retransmission after it is back (sim-hold.ts). `to` hears its
   * timeout at its deadline if that comes first.
   */
  private whenFree(to: Caller, send: () => void): void {
    const s = this.opts.scheduler;
    if (this.disconnected) {
      holdCut(this.cutOff, s, to.givesUpAt(), () => this.whenFree(to, send), () => to.reply('timeout', undefined));
      return;
    }
    if (this.paused) {
      holdFrozen(
        this.held,
        s,
        to.givesUpAt(),
        () => this.paused,
        () => this.whenFree(to, send),
        () => to.reply('timeout', undefined),
      );
      return;
    }
    send();
  }

  /** A timeline `origin-fault`: set (or with `ok`, clear) a fault for `path` (all paths when undefined). */
  setFault(fault: SimFault, opts: { status?: number; latencyMs?: number; path?: string; rate?: number }, now: number): void {
    const pattern = opts.path;
    if (fault === 'ok') {
      this.faults = setFault(this.faults, { kind: 'none' }, pattern, now);
      if (pattern === undefined) this.rates.clear();
      else this.rates.delete(pattern);
      return;
    }
    // `reset` drops the connection: the fault table's `hang` slot stands for it here.
    const f =
      fault === 'error' ? makeFault('error', { status: opts.status }) : fault === 'slow' ? makeFault('slow', { delayMs: Math.max(1, Math.round(opts.latencyMs ?? 1000)) }) : fault === 'down' ? makeFault('down') : makeFault('hang');
    this.faults = setFault(this.faults, f, pattern, now);
    this.rates.set(pattern ?? '', opts.rate ?? 1);
  }

  handle(req: SimRequest, to: Caller): void {
    if (this.paused || this.disconnected) {
      this.whenFree(to, () => this.handle(req, to));
      return;
    }
    if (!this.alive) {
      to.reply('connect', undefined);
      return;
    }
    const head = req.head;
    const path = pathOf(head.target);
    this.counters.record(path, requestKind(head.method, head.headers));
    this.opts.onRequest?.(path);

    let fault = this.faults.entries.length === 0 ? undefined : faultFor(this.faults, path);
    if (fault && fault.kind !== 'none') {
      const entry = this.faults.entries.findLast((e) => e.fault === fault);
      const rate = this.rates.get(entry?.pattern ?? '') ?? 1;
      if (rate < 1 && this.opts.rng.nextFloat() >= rate) fault = undefined;
      else this.counters.recordOutcome(path, `fault:${fault.kind}` as 'fault:error');
    }
    const kind = fault?.kind;
    if (kind === 'down') {
      to.reply('connect', undefined);
      return;
    }
    if (kind === 'hang') {
      to.reply('reset', undefined);
      return;
    }
    const latency = (this.site.ruleFor(path)?.latencyMs ?? 0) + (fault?.kind === 'slow' ? fault.delayMs : 0);
    const status = fault?.kind === 'error' ? fault.status : 0;
    const s = this.opts.scheduler;
    const left = req.deadline - s.now();
    if (latency > left) {
      // The caller stops waiting before the answer is made: it hears its timeout then.
      s.schedule(Math.max(0, left), () => to.reply('timeout', undefined));
      return;
    }
    s.schedule(latency, () => {
      if (this.paused || this.disconnected) {
        // Made, but not sent: a frozen process sends it when it wakes (its
        // generation is taken as done by then), one off its network when back.
        this.whenFree(to, () => this.respond(req, to, path, status));
        return;
      }
      this.respond(req, to, path, status);
    });
  }

  /** The answer leaves now (or the connection is reset, when the origin died meanwhile). */
  private respond(req: SimRequest, to: Caller, path: string, status: number): void {
    const head = req.head;
    if (!this.alive) {
      to.reply('reset', undefined);
      return;
    }
    const now = this.opts.scheduler.now();
    if (status !== 0) {
      const e = errorAnswer(head.method, head.target, status, now);
      to.reply(undefined, { head: e.head, age: undefined, body: e.body, originFetchedAt: now, result: 'origin' });
      return;
    }
    const real = this.opts.realBodies === true;
    const answer = this.site.answer(head, undefined, now, { renderBody: real });
    let body = answer.body;
    let resHead = answer.head;
    if (answer.head.status === 304) this.counters.recordOutcome(path, 'not-modified');
    else if (req.sizeBytes !== undefined && answer.head.status === 200 && req.sizeBytes !== answer.bodyBytes) {
      // The workload fixes this object's size: the body (and its length) follow it.
      resHead = { status: 200, headers: answer.head.headers.map((h) => (h[0] === 'content-length' ? ['content-length', String(req.sizeBytes)] : h)) };
      if (head.method !== 'HEAD') body = real ? new Uint8Array(req.sizeBytes) : this.zeroView(req.sizeBytes);
    } else if (!real && answer.bodyBytes > 0) body = this.zeroView(answer.bodyBytes);
    to.reply(undefined, { head: resHead, age: undefined, body, originFetchedAt: now, result: 'origin' });
  }

  /**
   * A zero-filled body of n bytes. Views are shared by length: a million
   * cached 1 KiB objects then hold one view between them, not a million.
   * Nothing may write into a body (no tier does).
   */
  private zeroView(n: number): Uint8Array {
    let v = this.views.get(n);
    if (v) return v;
    if (n > this.zeros.length) {
      let size = this.zeros.length;
      while (size < n) size *= 2;
      this.zeros = new Uint8Array(size);
    }
    v = this.zeros.subarray(0, n);
    if (this.views.size < 65536) this.views.set(n, v);
    return v;
  }
}
