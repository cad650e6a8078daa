/**
 * The control plane's configuration: JSON written by the launcher (or by
 * hand). Every check names the field it is about, so `cdnlab up` can tell
 * the user exactly which line of which topology is wrong.
 */
import { fanoutNames } from './fanout-registry';
import { NODE_ROLES, type ControlNode, type NodeRole } from './topology';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface ControlConfig {
  /** This node's id in topology answers and events. Default "control". */
  id: string;
  grpc: ListenAddress;
  http: ListenAddress;
  /** Admin bearer token. Absent: one is generated at start-up. */
  token?: string;
  /** Bearer token the control plane sends to the tier nodes, if they require one. */
  nodeToken?: string;
  /** Fan-out used when a purge does not name one. */
  defaultFanout: string;
  nodes: ControlNode[];
  /** Deadline of a whole purge or stats round, ms. Default 5000. */
  rpcTimeoutMs: number;
  /** Also send purges to origin nodes (they usually cache nothing). Default false. */
  purgeOrigin: boolean;
  /** Largest HTTP request body accepted, bytes. Default 65536. */
  maxBodyBytes: number;
  /** On stop, how long calls in flight may finish before they are cut, ms. Default 5000. */
  shutdownGraceMs: number;
}

export const DEFAULT_RPC_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** A configuration error; `field` is the JSON path of the offending value (e.g. "nodes[2].parents[0]"). */
export class ConfigError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

type Json = Record<string, unknown>;

const TOP_FIELDS = ['id', 'grpc', 'http', 'token', 'nodeToken', 'defaultFanout', 'nodes', 'rpcTimeoutMs', 'purgeOrigin', 'maxBodyBytes', 'shutdownGraceMs'];
const NODE_FIELDS = ['id', 'role', 'region', 'grpcAddress', 'httpAddress', 'parents'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Visible ASCII only: the token travels in an HTTP header and gRPC metadata.
const TOKEN = /^[\x21-\x7e]+$/;
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(field, `expected an object, got ${show(value)}`);
  return value as Json;
}

function noUnknownFields(obj: Json, known: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new ConfigError(field === '' ? key : `${field}.${key}`, `unknown field (known: ${known.join(', ')})`);
  }
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(field, `expected a non-empty string, got ${show(value)}`);
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `expected an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}

function address(value: unknown, field: string): string {
  const text = string(value, field);
  const match = ADDRESS.exec(text);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) throw new ConfigError(field, `expected "host:port" with a port in [1, 65535], got ${show(text)}`);
  return text;
}

function listen(value: unknown, field: string): ListenAddress {
  const obj = object(value, field);
  noUnknownFields(obj, ['host', 'port'], field);
  return { host: string(obj.host, `${field}.host`), port: integer(obj.port, `${field}.port`, 0, 65535) };
}

// The message never repeats the value: it is a secret.
function token(value: unknown, field: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) throw new ConfigError(field, 'expected a non-empty string of visible ASCII characters (no spaces)');
  return value;
}

function node(value: unknown, field: string): ControlNode {
  const obj = object(value, field);
  noUnknownFields(obj, NODE_FIELDS, field);
  const id = string(obj.id, `${field}.id`);
  if (!ID.test(id)) throw new ConfigError(`${field}.id`, `expected letters, digits, ".", "_" or "-" (at most 64), got ${show(id)}`);
  if (!NODE_ROLES.includes(obj.role as NodeRole)) throw new ConfigError(`${field}.role`, `expected one of ${NODE_ROLES.join(', ')}, got ${show(obj.role)}`);
  const parents = obj.parents ?? [];
  if (!Array.isArray(parents)) throw new ConfigError(`${field}.parents`, `expected an array of node ids, got ${show(parents)}`);
  const result: ControlNode = {
    id,
    role: obj.role as NodeRole,
    region: string(obj.region, `${field}.region`),
    grpcAddress: address(obj.grpcAddress, `${field}.grpcAddress`),
    parents: parents.map((p, i) => string(p, `${field}.parents[${i}]`)),
  };
  if (obj.httpAddress !== undefined) result.httpAddress = address(obj.httpAddress, `${field}.httpAddress`);
  return result;
}

/** Parents must exist, must not be edges or the node itself, and must not form a cycle. */
function checkParents(nodes: ControlNode[]): void {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  nodes.forEach((n, i) => {
    if (n.role === 'origin' && n.parents.length > 0) throw new ConfigError(`nodes[${i}].parents`, 'an origin has no parents');
    const seen = new Set<string>();
    n.parents.forEach((p, j) => {
      const field = `nodes[${i}].parents[${j}]`;
      const at = index.get(p);
      if (at === undefined) throw new ConfigError(field, `unknown node id ${show(p)}`);
      if (p === n.id) throw new ConfigError(field, 'a node cannot be its own parent');
      if (seen.has(p)) throw new ConfigError(field, `${show(p)} is listed twice`);
      seen.add(p);
      if (nodes[at].role === 'edge') throw new ConfigError(field, `${show(p)} is an edge; edges serve clients and are nobody's parent`);
    });
  });
  // Depth-first search with colours: grey = on the current path.
  const colour = new Map<string, 'grey' | 'black'>();
  const visit = (id: string, path: string[]): void => {
    const c = colour.get(id);
    if (c === 'black') return;
    if (c === 'grey') {
      const cycle = [...path.slice(path.indexOf(id)), id].join(' -> ');
      throw new ConfigError(`nodes[${index.get(id)}].parents`, `parent cycle ${cycle}`);
    }
    colour.set(id, 'grey');
    for (const p of nodes[index.get(id) as number].parents) visit(p, [...path, id]);
    colour.set(id, 'black');
  };
  for (const n of nodes) visit(n.id, []);
}

/**
 * Check and complete a configuration: `input` is the JSON text or the value
 * it parses to. Throws ConfigError naming the first wrong field.
 */
export function parseControlConfig(input: unknown): ControlConfig {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw new ConfigError('(config)', `not valid JSON: ${(err as Error).message}`);
    }
  }
  const obj = object(raw, '(config)');
  noUnknownFields(obj, TOP_FIELDS, '');

  if (!Array.isArray(obj.nodes)) throw new ConfigError('nodes', `expected an array of nodes, got ${show(obj.nodes)}`);
  const nodes = obj.nodes.map((n, i) => node(n, `nodes[${i}]`));
  const ids = new Map<string, number>();
  nodes.forEach((n, i) => {
    const first = ids.get(n.id);
    if (first !== undefined) throw new ConfigError(`nodes[${i}].id`, `duplicate id ${show(n.id)} (also nodes[${first}])`);
    ids.set(n.id, i);
  });
  checkParents(nodes);

  const id = obj.id === undefined ? 'control' : string(obj.id, 'id');
  if (!ID.test(id)) throw new ConfigError('id', `expected letters, digits, ".", "_" or "-" (at most 64), got ${show(id)}`);
  if (ids.has(id)) throw new ConfigError('id', `${show(id)} is also the id of nodes[${ids.get(id)}]`);

  const names = fanoutNames();
  const defaultFanout = obj.defaultFanout === undefined ? 'direct' : string(obj.defaultFanout, 'defaultFanout');
  if (!names.includes(defaultFanout)) throw new ConfigError('defaultFanout', `expected one of ${names.join(', ')}, got ${show(defaultFanout)}`);

  if (obj.purgeOrigin !== undefined && typeof obj.purgeOrigin !== 'boolean') throw new ConfigError('purgeOrigin', `expected true or false, got ${show(obj.purgeOrigin)}`);

  const config: ControlConfig = {
    id,
    grpc: listen(obj.grpc, 'grpc'),
    http: listen(obj.http, 'http'),
    defaultFanout,
    nodes,
    rpcTimeoutMs: obj.rpcTimeoutMs === undefined ? DEFAULT_RPC_TIMEOUT_MS : integer(obj.rpcTimeoutMs, 'rpcTimeoutMs', 10, 600_000),
    purgeOrigin: obj.purgeOrigin === true,
    maxBodyBytes: obj.maxBodyBytes === undefined ? DEFAULT_MAX_BODY_BYTES : integer(obj.maxBodyBytes, 'maxBodyBytes', 64, 16 * 1024 * 1024),
    shutdownGraceMs: obj.shutdownGraceMs === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : integer(obj.shutdownGraceMs, 'shutdownGraceMs', 0, 600_000),
  };
  if (obj.token !== undefined) config.token = token(obj.token, 'token');
  if (obj.nodeToken !== undefined) config.nodeToken = token(obj.nodeToken, 'nodeToken');
  return config;
}
