/**
 * A purge command as either API receives it (HTTP JSON or the gRPC
 * PurgeCommand), checked and brought to one shape. Both APIs share these
 * rules, so the same bad input gets the same message on either.
 */
import { CdnError, PurgeKind, PurgeMode, type PurgeCommand__Output } from '@cdnlab/rpc';
import { fanoutNames } from './fanout-registry';

/** JSON name → wire enum name. */
export const PURGE_KINDS = {
  url: PurgeKind.PURGE_KIND_URL,
  tag: PurgeKind.PURGE_KIND_TAG,
  prefix: PurgeKind.PURGE_KIND_PREFIX,
  all: PurgeKind.PURGE_KIND_ALL,
} as const;
export const PURGE_MODES = { hard: PurgeMode.PURGE_MODE_HARD, soft: PurgeMode.PURGE_MODE_SOFT } as const;

export type PurgeKindName = keyof typeof PURGE_KINDS;
export type PurgeModeName = keyof typeof PURGE_MODES;

export interface PurgeCommandInput {
  kind: PurgeKindName;
  /** The URL (cache key), tag or prefix; "" for kind "all". */
  value: string;
  mode: PurgeModeName;
  /** A registered fan-out name. */
  fanout: string;
  /**
   * Call a node that did not take the purge again, on the core's schedule,
   * until it does or the purge is too old (purge-redelivery.ts). False: one
   * call per node, as before redelivery existed.
   */
  redeliver: boolean;
}

/** Longest value accepted: a cache key or a surrogate key, not a document. */
export const MAX_PURGE_VALUE_LENGTH = 8192;
const BODY_FIELDS = ['kind', 'value', 'mode', 'fanout', 'redeliver'];

function bad(message: string): CdnError {
  return new CdnError('BAD_REQUEST', message);
}

/**
 * A value for a message, cut short. Arrays and objects are named, not
 * printed: stringifying a body nested 10,000 deep overflows the stack (a 500
 * where a 400 is due), and their contents would not help the reader anyway.
 */
function show(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * What a URL purge names: a path starting with "/" (on the caches' default
 * origin) or an absolute http(s) URL, as the tiers' caches read it (core
 * HttpCache.purge). Checked here so a value no node can take is a 400 now,
 * not a 200 whose every ack failed and which is redelivered for ten minutes.
 */
function urlProblem(value: string): string | undefined {
  if (value.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'a path starting with "/" or an absolute http(s) URL';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `an http(s) URL, not ${url.protocol}`;
}

function oneOf<T extends string>(value: unknown, names: readonly T[], field: string): T {
  if (typeof value !== 'string' || !names.includes(value as T)) throw bad(`expected ${field} to be one of ${names.join(', ')}, got ${show(value)}`);
  return value as T;
}

function checkValue(kind: PurgeKindName, value: unknown, field: string): string {
  // RFC 9111 says nothing about purging; "all" simply has no subject.
  if (kind === 'all') return '';
  if (typeof value !== 'string' || value === '') throw bad(`expected ${field} to be a non-empty string for kind "${kind}", got ${show(value)}`);
  if (value.length > MAX_PURGE_VALUE_LENGTH) throw bad(`expected ${field} to be at most ${MAX_PURGE_VALUE_LENGTH} characters, got ${value.length}`);
  if (/[\x00-\x1f\x7f]/.test(value)) throw bad(`expected ${field} without control characters`);
  const url = kind === 'url' ? urlProblem(value) : undefined;
  if (url !== undefined) throw bad(`expected ${field} to be ${url} for kind "url", got ${show(value)}`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw bad(`expected ${field} to be true or false, got ${show(value)}`);
  return value;
}

/** From the HTTP body `{kind, value, mode?, fanout?, redeliver?}`. Throws CdnError BAD_REQUEST naming the field. */
export function purgeCommandFromJson(body: unknown, defaultFanout: string): PurgeCommandInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad(`expected the body to be a JSON object, got ${show(body)}`);
  const obj = body as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!BODY_FIELDS.includes(key)) throw bad(`unknown field body.${key} (known: ${BODY_FIELDS.join(', ')})`);
  }
  const kind = oneOf(obj.kind, Object.keys(PURGE_KINDS) as PurgeKindName[], 'body.kind');
  return {
    kind,
    value: checkValue(kind, obj.value, 'body.value'),
    mode: obj.mode === undefined ? 'hard' : oneOf(obj.mode, Object.keys(PURGE_MODES) as PurgeModeName[], 'body.mode'),
    fanout: obj.fanout === undefined ? defaultFanout : oneOf(obj.fanout, fanoutNames(), 'body.fanout'),
    redeliver: obj.redeliver === undefined ? true : flag(obj.redeliver, 'body.redeliver'),
  };
}

function nameOf<T extends string>(table: Record<T, string>, wire: string): T | undefined {
  return (Object.keys(table) as T[]).find((k) => table[k] === wire);
}

/**
 * From a gRPC PurgeCommand. UNSPECIFIED mode means hard, UNSPECIFIED fan-out
 * the configured default; no_redeliver unset (proto3's false) means redeliver.
 */
export function purgeCommandFromProto(cmd: PurgeCommand__Output, defaultFanout: string): PurgeCommandInput {
  const kind = nameOf(PURGE_KINDS, cmd.kind);
  if (!kind) throw bad(`expected kind to be one of ${Object.values(PURGE_KINDS).join(', ')}, got ${show(cmd.kind)}`);
  const mode = cmd.mode === PurgeMode.PURGE_MODE_UNSPECIFIED ? 'hard' : nameOf(PURGE_MODES, cmd.mode);
  if (!mode) throw bad(`expected mode to be one of ${Object.values(PURGE_MODES).join(', ')}, got ${show(cmd.mode)}`);
  // FANOUT_TREE -> "tree": the enum names the registered strategies.
  const fanout = cmd.fanout === 'FANOUT_UNSPECIFIED' ? defaultFanout : String(cmd.fanout).replace(/^FANOUT_/, '').toLowerCase().replace(/_/g, '-');
  if (!fanoutNames().includes(fanout)) throw bad(`expected fanout to be one of ${fanoutNames().join(', ')}, got ${show(cmd.fanout)}`);
  return { kind, value: checkValue(kind, cmd.value, 'value'), mode, fanout, redeliver: !cmd.noRedeliver };
}
