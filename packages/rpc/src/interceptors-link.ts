/**
 * A client interceptor that makes a loopback gRPC call behave as if it
 * crossed a real network link: one-way latency, jitter, and packet loss.
 *
 * Why loss is a delay and not a dropped call: gRPC rides on TCP. A lost
 * segment is retransmitted by TCP after a retransmission timeout (RTO), and
 * every byte behind it waits (in-order delivery). The application never sees
 * the loss, only a late message. So each lost segment adds an RTO, doubled on
 * every further loss of the same segment (RFC 6298 §5.5), and a late message
 * holds back everything after it on the call. Dropping the RPC would model a
 * failure TCP does not produce; failures are modelled elsewhere (origin
 * faults, node kills, disconnects).
 *
 * What is delayed:
 * - request direction: each request message and the half-close, in order.
 *   Headers go out at once, because the call's deadline timer is tied to the
 *   real call; no server handler runs before the request message arrives, so
 *   holding the message is what the far side observes as latency.
 * - response direction: the response head, each message and the status, in
 *   order, each no earlier than the one before it.
 * Local endings (the caller cancels, the deadline expires) are not delayed:
 * they happen on this side of the link.
 *
 * Settings are read at every event, so a scenario can change a link while
 * calls are in flight (`link.update({ latencyMs: 80 })`).
 *
 * A link that is down (`link.update({ down: true })`) refuses every call
 * that starts while it is down with UNAVAILABLE, as a host behind a cut
 * link is unreachable, so callers fail over to another parent. Calls
 * already in flight carry on: modelling a half-delivered message on a link
 * that vanished would need the TCP timeouts this model leaves out.
 *
 * A link that is cut (`link.update({ cut: true })`) is a partition, as when
 * a node leaves its network (compose's `docker network disconnect`, which
 * this stands in for on loopback): nothing crosses it either way, calls
 * start and wait (their callers give up at their deadlines), and each held
 * message goes through once the link is back, at TCP's first
 * retransmission at or after that moment, timed from when it was sent
 * (@cdnlab/core retransmissionAfter; the simulator times held messages
 * the same way).
 */
import * as grpc from '@grpc/grpc-js';
import { retransmissionAfter } from '@cdnlab/core';

type DownstreamCall = ReturnType<grpc.NextCall>;
type MessageContext = Parameters<DownstreamCall['sendMessageWithContext']>[0];

export interface LinkSettings {
  /** One-way propagation delay in ms: the floor of every delay. */
  latencyMs: number;
  /** Extra delay drawn uniformly from [0, jitterMs] per event. Jitter only adds: queues never make a packet faster than light. */
  jitterMs: number;
  /** Probability in [0, 1) that one TCP segment is lost. */
  loss: number;
  /** Retransmission timeout per loss (doubling on repeated loss of one segment). */
  rtoMs: number;
  /** Bytes per TCP segment (1500 MTU minus IP and TCP headers with timestamps). */
  mssBytes: number;
  /** Down: calls that start now fail with UNAVAILABLE. */
  down: boolean;
  /** Cut: a partition; nothing crosses until it is back, then held messages go through at TCP's next retransmission. */
  cut: boolean;
}

export interface LinkOptions extends Partial<LinkSettings> {
  /** Seed of the link's random draws (jitter, loss), for reproducible runs. */
  seed?: number;
  /** A source of uniform floats in [0, 1); overrides `seed`. */
  random?: () => number;
}

export const DEFAULT_LINK_SETTINGS: Readonly<LinkSettings> = {
  latencyMs: 0,
  jitterMs: 0,
  loss: 0,
  rtoMs: 200,
  mssBytes: 1448,
  down: false,
  cut: false,
};

/** Backoff stops doubling after this many losses of one segment (RFC 6298 §5.5 allows a cap). */
const MAX_RETRANSMITS = 6;

/** Response messages read from the call before the caller asks for them, so a delayed stream stays pipelined. */
const READ_AHEAD_MESSAGES = 8;

/**
 * Mulberry32: a tiny seeded generator, enough for jitter and loss draws.
 * (The core's xoshiro generator can replace it once core exports one.)
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`expected seed to be an integer, got ${seed}`);
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validate(settings: LinkSettings): void {
  const nonNegative = (name: keyof LinkSettings): void => {
    const v = settings[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`expected opts.${name} to be a non-negative finite number, got ${String(v)}`);
    }
  };
  nonNegative('latencyMs');
  nonNegative('jitterMs');
  nonNegative('rtoMs');
  if (typeof settings.loss !== 'number' || !(settings.loss >= 0 && settings.loss < 1)) {
    throw new Error(`expected opts.loss to be a probability in [0, 1), got ${String(settings.loss)}`);
  }
  if (!Number.isInteger(settings.mssBytes) || settings.mssBytes <= 0) {
    throw new Error(`expected opts.mssBytes to be a positive integer, got ${String(settings.mssBytes)}`);
  }
  if (typeof settings.down !== 'boolean') throw new Error(`expected opts.down to be a boolean, got ${String(settings.down)}`);
  if (typeof settings.cut !== 'boolean') throw new Error(`expected opts.cut to be a boolean, got ${String(settings.cut)}`);
}

/** One direction-agnostic network link; share one between the clients that cross it. */
export class Link {
  private current: LinkSettings;
  private random: () => number;
  /** Segments lost so far (each cost at least one RTO). */
  lostSegments = 0;
  /** The last cut, in performance.now() ms (`to` undefined while it lasts). */
  private lastCut: { from: number; to: number | undefined } | undefined;
  /** Delay lines holding events while the link is cut, woken when it is back. */
  private readonly holding = new Set<() => void>();

  constructor(options: LinkOptions = {}) {
    const { seed, random, ...rest } = options;
    this.current = { ...DEFAULT_LINK_SETTINGS, ...stripUndefined(rest) };
    validate(this.current);
    if (random !== undefined && typeof random !== 'function') throw new Error('expected opts.random to be a function');
    this.random = random ?? seededRandom(seed ?? Date.now() & 0x7fffffff);
  }

  get settings(): Readonly<LinkSettings> {
    return this.current;
  }

  /** Change the link at run time; calls in flight see the change at their next event. */
  update(partial: Partial<LinkSettings>): void {
    const next = { ...this.current, ...stripUndefined(partial) };
    validate(next);
    const wasCut = this.current.cut;
    this.current = next;
    if (!wasCut && next.cut) this.lastCut = { from: performance.now(), to: undefined };
    if (wasCut && !next.cut) {
      if (this.lastCut) this.lastCut.to = performance.now();
      const wake = [...this.holding];
      this.holding.clear();
      for (const w of wake) w();
    }
  }

  /** Calls `wake` once when the link is no longer cut (at once if it is not). */
  whenRestored(wake: () => void): void {
    if (!this.current.cut) wake();
    else this.holding.add(wake);
  }

  /** How many delay lines wait for the link to come back (one per direction of a call with something held). */
  get holders(): number {
    return this.holding.size;
  }

  /** A holder that has nothing left to deliver (its call ended during the cut). */
  forget(wake: () => void): void {
    this.holding.delete(wake);
  }

  /**
   * When an event sent at `sentAt` and due at `due` may go: unchanged unless
   * its crossing overlapped the last cut (sent during it, or due after it
   * began), when it waits for the first retransmission at or after the end.
   */
  afterCut(sentAt: number, due: number): number {
    const cut = this.lastCut;
    if (!cut || cut.to === undefined || sentAt >= cut.to || due < cut.from) return due;
    return Math.max(due, cut.to + retransmissionAfter(sentAt, cut.to));
  }

  /** True when the link adds nothing: events pass straight through. */
  get idle(): boolean {
    const s = this.current;
    return s.latencyMs === 0 && s.jitterMs === 0 && s.loss === 0;
  }

  /** One-way delay in ms for one unit of `bytes` bytes crossing the link. */
  sampleDelayMs(bytes: number): number {
    const s = this.current;
    let delay = s.latencyMs;
    if (s.jitterMs > 0) delay += this.random() * s.jitterMs;
    if (s.loss > 0) {
      const segments = Math.max(1, Math.ceil(bytes / s.mssBytes));
      for (let i = 0; i < segments; i++) {
        for (let attempt = 0; attempt < MAX_RETRANSMITS && this.random() < s.loss; attempt++) {
          delay += s.rtoMs * 2 ** attempt;
          this.lostSegments++;
        }
      }
    }
    return delay;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Rough wire size of a decoded message, for the loss model only: bytes and strings dominate. */
export function estimateMessageBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined || depth > 8) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + estimateMessageBytes(v, depth + 1), 0);
  if (typeof value === 'object') {
    let n = 0;
    for (const v of Object.values(value)) n += 2 + estimateMessageBytes(v, depth + 1);
    return n;
  }
  return 0;
}

interface Pending {
  due: number;
  /** performance.now() when pushed: TCP's retransmissions after a cut are timed from it. */
  sentAt: number;
  isMessage: boolean;
  run: () => void;
}

/**
 * Events in one direction, released in order, each no earlier than its due
 * time and no earlier than the event before it (TCP delivers in order).
 */
class DelayLine {
  private queue: Pending[] = [];
  private lastDue = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  /** Set while waiting for the link to come back from a cut. */
  private held: (() => void) | undefined;

  constructor(
    private readonly link: Link,
    private readonly mayRunMessage: () => boolean,
  ) {}

  push(delayMs: number, isMessage: boolean, run: () => void): void {
    const now = performance.now();
    const due = Math.max(this.lastDue, now + delayMs);
    this.lastDue = due;
    this.queue.push({ due, sentAt: now, isMessage, run });
    this.drain();
  }

  drain(): void {
    // A released event may call back into drain (a caller reading the next
    // message from inside its message handler); the running loop picks that up.
    if (this.draining) return;
    this.draining = true;
    try {
      this.drainLoop();
    } finally {
      this.draining = false;
    }
  }

  private drainLoop(): void {
    if (this.held) return;
    while (this.queue.length > 0) {
      if (this.link.settings.cut) {
        this.hold();
        return;
      }
      const head = this.queue[0];
      const wait = head.due - performance.now();
      if (wait > 0) {
        // Re-checked when the timer fires, so an event never leaves early.
        if (!this.timer) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.drain();
          }, Math.ceil(wait));
        }
        return;
      }
      if (head.isMessage && !this.mayRunMessage()) return;
      this.queue.shift();
      head.run();
    }
  }

  /** Nothing goes while the link is cut; when it is back, each queued event waits for its retransmission. */
  private hold(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.held = () => {
      this.held = undefined;
      let last = 0;
      for (const e of this.queue) {
        e.due = Math.max(last, this.link.afterCut(e.sentAt, e.due));
        last = e.due;
      }
      this.lastDue = Math.max(this.lastDue, last);
      this.drain();
    };
    this.link.whenRestored(this.held);
  }

  clear(): void {
    this.queue = [];
    if (this.held) this.link.forget(this.held);
    this.held = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function deadlineMsOf(options: grpc.InterceptorOptions): number {
  let deadline = Infinity;
  const own = options.deadline;
  if (own !== undefined) deadline = own instanceof Date ? own.getTime() : own;
  const parent = options.parent;
  const flags = options.propagate_flags ?? grpc.propagate.DEFAULTS;
  if (parent && flags & grpc.propagate.DEADLINE) {
    const p = parent.getDeadline();
    deadline = Math.min(deadline, p instanceof Date ? p.getTime() : p);
  }
  return deadline;
}

type FullListener = grpc.InterceptingListener;

/** One call seen through a link. */
class LinkedCall implements DownstreamCall {
  private readonly outbound: DelayLine;
  private readonly inbound: DelayLine;
  private readonly streaming: boolean;
  private readonly deadlineMs: number;
  private listener: FullListener | undefined;
  private started = false;
  private finished = false;
  private cancelledLocally = false;
  private downstreamStatusSeen = false;
  /** The link was down when the call started: nothing goes through. */
  private refused = false;
  /** Streaming responses: reads the caller asked for and has not yet got. */
  private callerReads = 0;
  private downstreamReadPending = false;
  private bufferedMessages = 0;

  constructor(
    private readonly next: DownstreamCall,
    private readonly link: Link,
    private readonly options: grpc.InterceptorOptions,
  ) {
    this.streaming = options.method_definition.responseStream;
    this.deadlineMs = deadlineMsOf(options);
    this.outbound = new DelayLine(link, () => true);
    this.inbound = new DelayLine(link, () => !this.streaming || this.callerReads > 0);
  }

  start(metadata: grpc.Metadata, listener?: Partial<FullListener>): void {
    const full: FullListener = {
      onReceiveMetadata: (md) => listener?.onReceiveMetadata?.(md),
      onReceiveMessage: (msg) => listener?.onReceiveMessage?.(msg),
      onReceiveStatus: (st) => listener?.onReceiveStatus?.(st),
    };
    this.listener = full;
    if (this.link.settings.down) {
      this.refuse(metadata);
      return;
    }
    this.next.start(metadata, {
      onReceiveMetadata: (md) => {
        this.inbound.push(this.delay(0), false, () => full.onReceiveMetadata(md));
      },
      onReceiveMessage: (msg) => {
        this.downstreamReadPending = false;
        this.bufferedMessages++;
        const bytes = this.link.settings.loss > 0 ? estimateMessageBytes(msg) : 0;
        this.inbound.push(this.delay(bytes), true, () => {
          this.bufferedMessages--;
          if (this.streaming) this.callerReads--;
          full.onReceiveMessage(msg);
          this.pumpReads();
        });
        this.pumpReads();
      },
      onReceiveStatus: (status) => {
        this.downstreamStatusSeen = true;
        if (this.isLocalEnding(status)) {
          this.deliverStatusNow(status);
          return;
        }
        this.inbound.push(this.delay(0), false, () => this.finish(status));
      },
    });
    this.started = true;
    this.pumpReads();
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    if (this.finished || this.refused) return;
    let bytes = 0;
    if (this.link.settings.loss > 0) {
      try {
        bytes = this.options.method_definition.requestSerialize(message).length;
      } catch {
        // Serialization errors surface from the real call below; size is moot.
      }
    }
    this.outbound.push(this.delay(bytes), false, () => this.next.sendMessageWithContext(context, message));
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  halfClose(): void {
    if (this.refused) return;
    // The end-of-stream flag rides with the last data: no delay of its own,
    // but never before the messages queued ahead of it.
    this.outbound.push(0, false, () => this.next.halfClose());
  }

  startRead(): void {
    if (this.refused) return;
    if (!this.streaming) {
      this.next.startRead();
      return;
    }
    this.callerReads++;
    this.inbound.drain();
    this.pumpReads();
  }

  cancelWithStatus(status: grpc.status, details: string): void {
    if (this.refused) {
      this.finish({ code: status, details, metadata: new grpc.Metadata() });
      return;
    }
    this.cancelledLocally = true;
    this.outbound.clear();
    if (this.downstreamStatusSeen) {
      // The real call already ended; its status is still crossing the link.
      // The caller's cancel wins, as it would on a real client.
      this.deliverStatusNow({ code: status, details, metadata: new grpc.Metadata() });
      return;
    }
    this.next.cancelWithStatus(status, details);
  }

  getPeer(): string {
    return this.next.getPeer();
  }

  getAuthContext(): ReturnType<DownstreamCall['getAuthContext']> {
    return this.next.getAuthContext();
  }

  /**
   * The far side is unreachable. The real call is started and cancelled at
   * once so grpc-js releases it (its deadline timer included); the caller
   * sees UNAVAILABLE on the next turn, as after a failed connect.
   */
  private refuse(metadata: grpc.Metadata): void {
    this.refused = true;
    const ignore = (): void => undefined;
    this.next.start(metadata, { onReceiveMetadata: ignore, onReceiveMessage: ignore, onReceiveStatus: ignore });
    this.next.cancelWithStatus(grpc.status.CANCELLED, 'link down');
    setImmediate(() => this.finish({ code: grpc.status.UNAVAILABLE, details: `link down: ${this.options.method_definition.path} not sent`, metadata: new grpc.Metadata() }));
  }

  private delay(bytes: number): number {
    return this.link.idle ? 0 : this.link.sampleDelayMs(bytes);
  }

  /** Keep up to READ_AHEAD_MESSAGES response messages in flight across the link. */
  private pumpReads(): void {
    if (!this.streaming || !this.started || this.finished || this.downstreamReadPending) return;
    if (this.bufferedMessages >= READ_AHEAD_MESSAGES) return;
    this.downstreamReadPending = true;
    this.next.startRead();
  }

  private isLocalEnding(status: grpc.StatusObject): boolean {
    if (this.cancelledLocally && status.code === grpc.status.CANCELLED) return true;
    // A deadline expiring here is decided by the local timer.
    return status.code === grpc.status.DEADLINE_EXCEEDED && Date.now() >= this.deadlineMs - 1;
  }

  private deliverStatusNow(status: grpc.StatusObject): void {
    this.inbound.clear();
    this.finish(status);
  }

  private finish(status: grpc.StatusObject): void {
    if (this.finished) return;
    this.finished = true;
    this.outbound.clear();
    this.inbound.clear();
    this.listener?.onReceiveStatus(status);
  }
}

/**
 * The interceptor for every client whose calls cross `link`. Put it last in
 * a client's interceptor list, so the others see the call as the caller made it.
 */
export function createLinkInterceptor(link: Link): grpc.Interceptor {
  if (!(link instanceof Link)) throw new Error('expected link to be a Link (new Link({ latencyMs, jitterMs, loss }))');
  return (options, nextCall) => new grpc.InterceptingCall(new LinkedCall(nextCall(options), link, options));
}
