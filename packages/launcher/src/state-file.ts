/**
 * `.cdnlab/state.json`: what `cdnlab down`, `status`, `purge`, `chaos` … need
 * to find a running cluster from another shell. One entry per run key (the
 * address prefix, or `ports:<base>`), so clusters on different prefixes can
 * run side by side. It holds the admin token: written 0600.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeRole } from './plan';

export interface NodeState {
  id: string;
  role: NodeRole;
  region?: string;
  pid: number;
  /** host:port per listener: http, grpc, metrics, dns. */
  addresses: Record<string, string>;
  logFile: string;
  configFile: string;
  /** The entrypoint script: how a pid is recognised as this node's (see isOurs). */
  entry: string;
  /** The full argv after `node` to start this node again. */
  argv: string[];
  /** Variables the node was started with on top of the launcher's environment (a bundled node's map: bundle.ts). */
  env?: Record<string, string>;
}

export interface RunState {
  key: string;
  topology: string;
  topologyPath?: string;
  token: string;
  zone: string;
  /** The `cdnlab up` process watching the run in the foreground; absent when detached. */
  supervisorPid?: number;
  startedAt: string;
  runDir: string;
  controlHttp: string;
  controlGrpc: string;
  dns: string;
  nodes: NodeState[];
}

export interface StateFile {
  version: 1;
  runs: Record<string, RunState>;
}

export class StateError extends Error {
  readonly code = 'ERR_CDNLAB_STATE';
}

export function readState(file: string): StateFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, runs: {} };
    throw new StateError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as StateFile;
    if (parsed.version !== 1 || typeof parsed.runs !== 'object' || parsed.runs === null) throw new Error('expected {version: 1, runs: {...}}');
    return parsed;
  } catch (err) {
    throw new StateError(`${file} is not a cdnlab state file (${(err as Error).message}); delete it if no cluster is running`);
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeState(file: string, state: StateFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Read, change, write. */
export function updateState(file: string, change: (state: StateFile) => void): StateFile {
  const state = readState(file);
  change(state);
  writeState(file, state);
  return state;
}

/**
 * The run a command means: the one named by `key`; else the only run; else
 * an error listing the runs to choose from.
 */
export function selectRun(state: StateFile, key?: string): RunState {
  const keys = Object.keys(state.runs);
  if (key !== undefined) {
    const run = state.runs[key];
    if (!run) throw new StateError(keys.length === 0 ? 'no cluster is running (start one with `cdnlab up`)' : `no cluster on prefix ${key}; running: ${keys.join(', ')}`);
    return run;
  }
  if (keys.length === 0) throw new StateError('no cluster is running (start one with `cdnlab up`)');
  if (keys.length > 1) throw new StateError(`several clusters are running (${keys.join(', ')}); choose one with --prefix`);
  return state.runs[keys[0]];
}
