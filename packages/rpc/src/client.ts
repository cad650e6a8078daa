/**
 * Typed clients for the cdnlab services, with the channel settings a CDN
 * wants, and the deadline discipline of STYLE 9: every call carries a
 * deadline (its own or its parent call's), and a call without one is refused
 * before anything goes on the wire.
 */
import * as grpc from '@grpc/grpc-js';
import { service as healthService, type ServingStatus } from 'grpc-health-check';
import { CdnError, fromServiceError } from './errors';
import type { ControlClient } from './generated/cdnlab/control/v1/Control';
import type { DnsAdminClient } from './generated/cdnlab/dns/v1/DnsAdmin';
import type { OriginAdminClient } from './generated/cdnlab/origin/v1/OriginAdmin';
import type { TierClient } from './generated/cdnlab/tier/v1/Tier';
import type { TierAdminClient } from './generated/cdnlab/tier/v1/TierAdmin';
import { createBearerAuthInterceptor } from './interceptors-auth';
import { createLinkInterceptor, type Link } from './interceptors-link';
import { loadProtos } from './loader';
import { MAX_MESSAGE_BYTES } from './server';

/**
 * Tier links are long-lived and mostly busy. Keepalive pings find a parent
 * that vanished (killed container, cut link) within ~40 s even when idle, so
 * the next request fails over instead of hanging; reconnect backoff is short
 * because a parent that comes back should get traffic soon, and so is the
 * wait between two resolutions of its name (grpc-js waits 30 s by default),
 * because a container that restarts may come back at a new address.
 */
export const DEFAULT_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.dns_min_time_between_resolutions_ms': 5_000,
};

/** The server call an upstream call is made on behalf of. */
export type ParentCall = NonNullable<grpc.CallOptions['parent']>;

export interface RpcClientOptions {
  /** Bearer token added to every call. */
  token?: string;
  /** Network link the calls cross (latency, jitter, loss). */
  link?: Link;
  /** Extra interceptors, run after the deadline check and auth, before the link. */
  interceptors?: grpc.Interceptor[];
  /** Merged over DEFAULT_CHANNEL_OPTIONS. */
  channelOptions?: grpc.ChannelOptions;
}

/** An absolute deadline `ms` from now, as grpc-js takes it. */
export function deadlineIn(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new Error(`expected a deadline in ms to be a positive finite number, got ${String(ms)}`);
  }
  return Date.now() + ms;
}

/**
 * Options for a call made while serving `parent` (or a top-level call when
 * parent is omitted): its own deadline, capped by the parent's, and
 * cancellation when the parent is cancelled (STYLE 9).
 */
export function callOptions(timeoutMs: number, parent?: ParentCall): grpc.CallOptions {
  const options: grpc.CallOptions = { deadline: deadlineIn(timeoutMs) };
  if (parent) {
    options.parent = parent;
    options.propagate_flags = grpc.propagate.DEADLINE | grpc.propagate.CANCELLATION;
  }
  return options;
}

function finite(deadline: grpc.Deadline | undefined): boolean {
  if (deadline === undefined) return false;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms);
}

/** True when the call will have a finite deadline: its own, or one propagated from its parent. */
export function hasDeadline(options: grpc.CallOptions): boolean {
  if (finite(options.deadline)) return true;
  const flags = options.propagate_flags ?? grpc.propagate.DEFAULTS;
  return options.parent !== undefined && (flags & grpc.propagate.DEADLINE) !== 0 && finite(options.parent.getDeadline());
}

/**
 * Refuses (throws, synchronously, at the call site) any call without a
 * deadline: a call without one can hang a tier forever and is a bug.
 */
export const requireDeadlineInterceptor: grpc.Interceptor = (options, nextCall) => {
  if (!hasDeadline(options)) {
    throw new CdnError(
      'INTERNAL',
      `refusing call to ${options.method_definition.path} without a deadline: pass callOptions(ms) or { deadline: deadlineIn(ms) }, or a parent call that has one`,
    );
  }
  return new grpc.InterceptingCall(nextCall(options));
};

/** The interceptor chain our clients use, outermost first. */
export function clientInterceptors(opts: RpcClientOptions = {}): grpc.Interceptor[] {
  const chain: grpc.Interceptor[] = [requireDeadlineInterceptor];
  if (opts.token !== undefined) chain.push(createBearerAuthInterceptor(opts.token));
  if (opts.interceptors) chain.push(...opts.interceptors);
  if (opts.link) chain.push(createLinkInterceptor(opts.link));
  return chain;
}

function validateAddress(address: unknown): asserts address is string {
  if (typeof address !== 'string' || !/^.+:\d{1,5}$/.test(address)) {
    throw new Error(`expected address to be "host:port", got ${JSON.stringify(address)}`);
  }
}

function clientArgs(address: string, opts: RpcClientOptions): [string, grpc.ChannelCredentials, grpc.ClientOptions] {
  validateAddress(address);
  return [
    address,
    grpc.credentials.createInsecure(),
    { ...DEFAULT_CHANNEL_OPTIONS, ...opts.channelOptions, interceptors: clientInterceptors(opts) },
  ];
}

export function createTierClient(address: string, opts: RpcClientOptions = {}): TierClient {
  return new (loadProtos().tier.Tier)(...clientArgs(address, opts));
}

export function createOriginAdminClient(address: string, opts: RpcClientOptions = {}): OriginAdminClient {
  return new (loadProtos().origin.OriginAdmin)(...clientArgs(address, opts));
}

/** Run-time reconfiguration of one cache tier node (links, cache settings, clear). */
export function createTierAdminClient(address: string, opts: RpcClientOptions = {}): TierAdminClient {
  return new (loadProtos().tier.TierAdmin)(...clientArgs(address, opts));
}

/** Run-time control of the DNS node (policy, anycast route costs). */
export function createDnsAdminClient(address: string, opts: RpcClientOptions = {}): DnsAdminClient {
  return new (loadProtos().dns.DnsAdmin)(...clientArgs(address, opts));
}

export function createControlClient(address: string, opts: RpcClientOptions = {}): ControlClient {
  return new (loadProtos().control.Control)(...clientArgs(address, opts));
}

export interface HealthCheckResponse {
  status: ServingStatus | 'SERVICE_UNKNOWN';
}

/** Client of the standard grpc.health.v1.Health service; call it through checkHealth / watchHealth. */
export type HealthClient = InstanceType<grpc.ServiceClientConstructor>;

type HealthCheckFn = (request: { service: string }, options: grpc.CallOptions, callback: grpc.requestCallback<HealthCheckResponse>) => grpc.ClientUnaryCall;
type HealthWatchFn = (request: { service: string }, options: grpc.CallOptions) => grpc.ClientReadableStream<HealthCheckResponse>;

const HealthClientConstructor = grpc.makeClientConstructor(healthService, 'grpc.health.v1.Health');

export function createHealthClient(address: string, opts: RpcClientOptions = {}): HealthClient {
  return new HealthClientConstructor(...clientArgs(address, opts));
}

/** Run a unary call as a promise; failures arrive as CdnError (fromServiceError). */
export function unaryCall<Res>(start: (callback: grpc.requestCallback<Res>) => unknown): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    start((error, value) => {
      if (error) {
        reject(fromServiceError(error));
        return;
      }
      if (value === undefined) {
        reject(new CdnError('INTERNAL', 'unary call completed without a response'));
        return;
      }
      resolve(value);
    });
  });
}

/** One health check; "" asks about the whole server. */
export function checkHealth(client: HealthClient, service: string, timeoutMs: number): Promise<HealthCheckResponse['status']> {
  const check = client.Check as HealthCheckFn;
  return unaryCall<HealthCheckResponse>((cb) => check.call(client, { service }, callOptions(timeoutMs), cb)).then((r) => r.status);
}

/**
 * Stream of status changes of `service` (the current one first). The watch
 * has no natural end, so it still needs a deadline: renew it when it expires.
 */
export function watchHealth(client: HealthClient, service: string, options: grpc.CallOptions): grpc.ClientReadableStream<HealthCheckResponse> {
  const watch = client.Watch as HealthWatchFn;
  return watch.call(client, { service }, options);
}
