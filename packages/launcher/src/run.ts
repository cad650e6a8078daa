/**
 * Starts a planned topology as one OS process per node, in dependency order,
 * waiting for each stage to be healthy before the next; stops it in reverse.
 *
 * No orphans. Every child runs in its own process group (so a Ctrl-C in the
 * terminal reaches only `cdnlab up`, which then stops the nodes in order) and,
 * in the foreground, holds an IPC channel to the launcher: child-guard.cjs,
 * preloaded into each child, turns the channel closing (the launcher died,
 * however) into a SIGTERM of the child. The launcher also SIGTERMs every
 * child still alive from process.on('exit'). A detached run (`up --detach`)
 * has no channel: its children outlive the launcher on purpose, and
 * `cdnlab down` stops them by the pids in the state file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Topology } from '@cdnlab/scenario';
import { DEFAULT_PREFIX, formatEndpoint, listeners, planTopology, runKey, START_ORDER, startStages, type NodeRole, type PlannedNode, type PlanOptions, type TopologyPlan } from './plan';
import { bundleEntrypoints } from './bundle';
import { CHILD_BUNDLE, CHILD_GUARD, cdnlabHome, configArgs, ENTRYPOINTS, REPO_ROOT, tsxLoaderUrl } from './paths';
import { isOurs, signal, terminate } from './processes';
import { probeFor, type Probe } from './readiness';
import { readState, updateState, type NodeState, type RunState } from './state-file';

export type RunningState = 'starting' | 'running' | 'paused' | 'stopped' | 'exited';

export interface RunningNode {
  id: string;
  role: NodeRole;
  region?: string;
  pid: number;
  /** host:port per listener: http, grpc, metrics, dns. */
  addresses: Record<string, string>;
  state: RunningState;
  /** Exit code or signal of the last exit, once it has exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  logFile: string;
  configFile: string;
}

export interface StartProgress {
  node: string;
  role: NodeRole;
  event: 'spawned' | 'healthy';
  pid: number;
  /** Since the node was spawned. */
  ms: number;
}

export interface StartOptions extends PlanOptions {
  /** Recorded in the state file, for `status`. */
  topologyPath?: string;
  /** Logs and per-node configs. Default `<home>/runs/<topology>` (suffixed with the prefix when it is not the default). */
  runDir?: string;
  /** The state file; null: record nothing. Default `<home>/state.json`. */
  stateFile?: string | null;
  /** Leave the nodes running when this process exits (no IPC guard). */
  detach?: boolean;
  /** How long each node has to become healthy. Default 30 000. */
  healthTimeoutMs?: number;
  /** Replace a role's entrypoint (tests, development); a replaced one runs under tsx, not from a bundle. */
  entrypoints?: Partial<Record<NodeRole, string>>;
  /**
   * Start the services from bundles built when the topology starts (bundle.ts:
   * half the CPU of compiling TypeScript in every node). Default true;
   * false runs every node under the tsx loader, as a developer tracing a
   * start-up problem may want ($CDNLAB_BUNDLE=0 does the same).
   */
  bundle?: boolean;
  /** Start only these roles (development: a partial topology). Default: every role. */
  roles?: readonly NodeRole[];
  onProgress?(p: StartProgress): void;
  /** A node exited without being asked to. */
  onNodeExit?(node: RunningNode): void;
  /** Abort start-up: what was started is stopped and startTopology rejects. */
  signal?: AbortSignal;
}

export interface RunningTopology {
  plan: TopologyPlan;
  token: string;
  /** The state file key: the prefix, or `ports:<base>`. */
  key: string;
  runDir: string;
  nodes: Map<string, RunningNode>;
  /** host:port of the control plane's HTTP API. */
  controlHttp: string;
  /** host:port of the DNS server (UDP and TCP). */
  dnsAddress: string;
  /** SIGTERM every node in reverse start order; SIGKILL what is left after graceMs. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL one node (a crash). */
  kill(id: string): Promise<void>;
  /** SIGTERM one node and wait for it to go. */
  stopNode(id: string, graceMs?: number): Promise<void>;
  /** Start a stopped or dead node again with the same config, and wait for it to be healthy. */
  startNode(id: string): Promise<void>;
  /** SIGSTOP: the node keeps its sockets but answers nothing (a hung host). A container cluster returns a promise (an engine call). */
  pause(id: string): void | Promise<void>;
  /** SIGCONT. */
  unpause(id: string): void | Promise<void>;
  /** Cut the node from the network, its state kept (containers only: a process on loopback cannot be cut off). */
  disconnect?(id: string): Promise<void>;
  /** Put a disconnected node back at its address. */
  reconnect?(id: string): Promise<void>;
  /** How node faults are applied, for the report: "signals" (processes) or "docker" (the Docker Engine API). Default signals. */
  faults?: 'signals' | 'docker';
  /**
   * A cluster this process attached to (not started): the topology it runs,
   * so each scenario variant can be applied to it at run time.
   */
  topology?: Topology;
  /**
   * Attached clusters: bring every node back after an earlier run's faults
   * (start what is stopped or dead, unpause, reconnect). Says what it did.
   */
  restoreAll?(): Promise<string[]>;
  /** Resolves when no node is left running (e.g. `cdnlab down` from another shell). */
  allExited(): Promise<void>;
}

export class StartError extends Error {
  readonly code = 'ERR_CDNLAB_START';

  constructor(
    message: string,
    readonly nodeId?: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 12;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The last lines of a log, for an error message. */
export function logTail(file: string, lines = TAIL_LINES): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '  (no log)';
  }
  const last = text.split('\n').filter((l) => l.trim() !== '').slice(-lines);
  if (last.length === 0) return '  (log is empty)';
  return last.map((l) => `  ${l.length > 400 ? `${l.slice(0, 400)}…` : l}`).join('\n');
}

function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function addresses(n: PlannedNode): Record<string, string> {
  return Object.fromEntries(listeners(n));
}

/** The environment of a child: ours, without config variables meant for someone else. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.CDNLAB_CONFIG;
  delete env.CDNLAB_DNS_CONFIG;
  delete env.NODE_CHANNEL_FD;
  return env;
}

interface Child {
  node: RunningNode;
  planned: PlannedNode;
  argv: string[];
  entry: string;
  probe: Probe;
  proc?: ChildProcess;
  /** Resolves on the current process's exit. */
  exited?: Promise<void>;
  /** The exit was asked for (stop, kill); not reported as unexpected. */
  expectExit: boolean;
}

export function defaultRunDir(plan: TopologyPlan): string {
  const key = runKey(plan);
  const name = key === DEFAULT_PREFIX ? plan.name : `${plan.name}-${key.replace(/[^A-Za-z0-9.-]/g, '-')}`;
  return path.join(cdnlabHome(), 'runs', name);
}

export function defaultStateFile(): string {
  return path.join(cdnlabHome(), 'state.json');
}

/** Plans `topology` and starts it. Rejects with StartError (naming the node and quoting its log) after stopping whatever it had started. */
export async function startTopology(topology: Topology, opts: StartOptions = {}): Promise<RunningTopology> {
  const plan = planTopology(topology, opts);
  const key = runKey(plan);
  const runDir = path.resolve(opts.runDir ?? defaultRunDir(plan));
  const stateFile = opts.stateFile === null ? null : path.resolve(opts.stateFile ?? defaultStateFile());
  const timeoutMs = opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new StartError(`expected opts.healthTimeoutMs to be a positive integer, got ${String(timeoutMs)}`);
  const roles = new Set(opts.roles ?? START_ORDER);
  const detach = opts.detach === true;
  const entries = { ...ENTRYPOINTS, ...opts.entrypoints };

  if (stateFile) {
    const previous = readState(stateFile).runs[key];
    const alive = previous?.nodes.filter((n) => isOurs(n.pid, n.entry)) ?? [];
    if (previous && alive.length > 0) {
      throw new StartError(`a cluster is already running on ${key} (topology ${previous.topology}, pids ${alive.map((n) => n.pid).join(', ')}); stop it first with \`cdnlab down --prefix ${key}\``);
    }
  }

  mkdirSync(runDir, { recursive: true });
  const loader = tsxLoaderUrl();
  // The roles this start needs that run the shipped entrypoints: those are bundled.
  const wanted = opts.bundle ?? process.env.CDNLAB_BUNDLE !== '0' ? [...new Set(plan.nodes.filter((n) => roles.has(n.role) && entries[n.role] === ENTRYPOINTS[n.role]).map((n) => n.role))] : [];
  const bundled = new Map<string, string>();
  if (wanted.length > 0) {
    let files: Record<string, string>;
    try {
      files = await bundleEntrypoints(Object.fromEntries(wanted.map((r) => [r, ENTRYPOINTS[r]])), path.join(cdnlabHome(), 'bundles'), REPO_ROOT);
    } catch (err) {
      throw new StartError(`${(err as Error).message}\n(CDNLAB_BUNDLE=0 starts the nodes under tsx instead)`);
    }
    for (const r of wanted) bundled.set(ENTRYPOINTS[r], files[r]);
  }
  // A bundled module keeps its source's __dirname (bundle.ts), so the proto files are found as under tsx.
  const bundleEnv: NodeJS.ProcessEnv = bundled.size ? { CDNLAB_BUNDLES: JSON.stringify(Object.fromEntries(bundled)) } : {};
  const children = new Map<string, Child>();
  for (const planned of plan.nodes) {
    if (!roles.has(planned.role)) continue;
    const entry = entries[planned.role];
    const configFile = path.join(runDir, `${planned.id}.json`);
    // No --enable-source-maps: it makes every stack a failed gRPC call formats
    // pass through the map, work on the request path of an outage scenario.
    // The bundle keeps names and lines, and its map sits next to it.
    const runtime = bundled.has(entry) ? ['--require', CHILD_BUNDLE] : ['--import', loader];
    children.set(planned.id, {
      planned,
      entry,
      argv: [...runtime, '--require', CHILD_GUARD, entry, ...configArgs(planned.role, configFile)],
      probe: probeFor(planned, plan.zone),
      expectExit: false,
      node: { id: planned.id, role: planned.role, region: planned.region, pid: 0, addresses: addresses(planned), state: 'stopped', logFile: path.join(runDir, `${planned.id}.log`), configFile },
    });
  }

  let stopping: Promise<void> | undefined;
  const startedAt = new Date().toISOString();
  const liveChildren = (): Child[] => [...children.values()].filter((c) => c.proc && c.node.state !== 'stopped' && c.node.state !== 'exited');

  // Last resort on any exit of this process: no node outlives a foreground launcher.
  const onProcessExit = (): void => {
    for (const c of liveChildren()) {
      signal(c.node.pid, 'SIGCONT');
      signal(c.node.pid, 'SIGTERM');
    }
  };
  process.on('exit', onProcessExit);

  const recordState = (): void => {
    if (!stateFile) return;
    const run: RunState = {
      key,
      topology: plan.name,
      topologyPath: opts.topologyPath === undefined ? undefined : path.resolve(opts.topologyPath),
      token: plan.token,
      zone: plan.zone,
      supervisorPid: detach ? undefined : process.pid,
      startedAt,
      runDir,
      controlHttp: formatEndpoint(plan.control.http),
      controlGrpc: formatEndpoint(plan.control.grpc),
      dns: formatEndpoint(plan.dns.dns),
      nodes: [...children.values()]
        .filter((c) => c.node.pid > 0)
        .map((c): NodeState => ({ id: c.node.id, role: c.node.role, region: c.node.region, pid: c.node.pid, addresses: c.node.addresses, logFile: c.node.logFile, configFile: c.node.configFile, entry: c.entry, argv: c.argv, ...(bundled.has(c.entry) ? { env: bundleEnv as Record<string, string> } : {}) })),
    };
    updateState(stateFile, (s) => {
      s.runs[key] = run;
    });
  };
  const forgetState = (): void => {
    if (!stateFile) return;
    updateState(stateFile, (s) => {
      // Only our own entry: another launcher may have replaced it.
      if (s.runs[key]?.startedAt === startedAt) delete s.runs[key];
    });
  };

  const spawnChild = (c: Child, truncateLog: boolean): void => {
    if (!existsSync(c.entry)) throw new StartError(`node ${c.node.id} (${c.node.role}): entrypoint ${display(c.entry)} does not exist`, c.node.id);
    const fd = openSync(c.node.logFile, truncateLog ? 'w' : 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, c.argv, {
        cwd: REPO_ROOT,
        env: childEnv(bundleEnv),
        stdio: detach ? ['ignore', fd, fd] : ['ignore', fd, fd, 'ipc'],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    if (proc.pid === undefined) throw new StartError(`node ${c.node.id} (${c.node.role}): could not start ${process.execPath}`, c.node.id);
    // The channel must not keep the launcher alive; the child handle decides that.
    proc.channel?.unref();
    c.proc = proc;
    c.expectExit = false;
    c.node.pid = proc.pid;
    c.node.state = 'starting';
    c.node.exit = undefined;
    c.exited = new Promise<void>((resolve) => {
      proc.on('error', () => undefined);
      proc.on('exit', (code, sig) => {
        c.node.exit = { code, signal: sig };
        c.node.state = c.expectExit ? 'stopped' : 'exited';
        if (!c.expectExit && !stopping) opts.onNodeExit?.({ ...c.node });
        resolve();
      });
    });
  };

  const waitHealthy = async (c: Child, since: number): Promise<void> => {
    const deadline = since + timeoutMs;
    for (;;) {
      if (opts.signal?.aborted) throw new StartError('start-up aborted');
      if (c.node.exit) {
        const how = c.node.exit.signal ? `was killed by ${c.node.exit.signal}` : `exited with code ${c.node.exit.code}`;
        throw new StartError(`node ${c.node.id} (${c.node.role}) ${how} before it was healthy; last lines of ${display(c.node.logFile)}:\n${logTail(c.node.logFile)}`, c.node.id, c.node.logFile);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StartError(
          `node ${c.node.id} (${c.node.role}) was not healthy within ${timeoutMs} ms at ${Object.values(c.node.addresses)[0] ?? '?'}; last lines of ${display(c.node.logFile)}:\n${logTail(c.node.logFile)}`,
          c.node.id,
          c.node.logFile,
        );
      }
      if (await c.probe(Math.max(50, Math.min(1000, left)))) break;
      await Promise.race([sleep(100), c.exited]);
    }
    c.node.state = 'running';
    opts.onProgress?.({ node: c.node.id, role: c.node.role, event: 'healthy', pid: c.node.pid, ms: Date.now() - since });
  };

  const startOne = async (c: Child, truncateLog: boolean): Promise<void> => {
    writeFileSync(c.node.configFile, `${JSON.stringify(c.planned.config, null, 2)}\n`, { mode: 0o600 });
    const since = Date.now();
    spawnChild(c, truncateLog);
    opts.onProgress?.({ node: c.node.id, role: c.node.role, event: 'spawned', pid: c.node.pid, ms: 0 });
    await waitHealthy(c, since);
  };

  /** Stops these children: SIGCONT + SIGTERM, SIGKILL after graceMs. */
  const stopChildren = async (list: Child[], graceMs: number): Promise<void> => {
    const live = list.filter((c) => c.proc && !c.node.exit);
    for (const c of live) c.expectExit = true;
    const alive = (pid: number): boolean => live.some((c) => c.node.pid === pid && !c.node.exit);
    await terminate(
      live.map((c) => c.node.pid),
      graceMs,
      alive,
    );
    await Promise.all(live.map((c) => c.exited));
  };

  const stopAll = (graceMs: number): Promise<void> => {
    stopping ??= (async () => {
      const byStage = [...START_ORDER].reverse();
      for (const role of byStage) await stopChildren([...children.values()].filter((c) => c.node.role === role), graceMs);
      // Nodes restarted from another shell (`cdnlab chaos start`) are not our children: stop them by pid.
      if (stateFile) {
        const run = readState(stateFile).runs[key];
        const foreign = (run?.startedAt === startedAt ? run.nodes : []).filter((n) => !children.get(n.id)?.proc || children.get(n.id)?.node.pid !== n.pid);
        const entryOf = new Map(foreign.map((n) => [n.pid, n.entry]));
        await terminate(
          foreign.map((n) => n.pid),
          graceMs,
          (pid) => isOurs(pid, entryOf.get(pid) ?? ''),
        );
      }
      forgetState();
      process.off('exit', onProcessExit);
    })();
    return stopping;
  };

  const onAbort = (): void => void stopAll(1000);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.signal?.aborted) throw new StartError('start-up aborted');
    for (const stage of startStages(plan)) {
      const list = stage.map((p) => children.get(p.id)).filter((c): c is Child => c !== undefined);
      if (list.length === 0) continue;
      // Spawned together; the first failure wins, and the others are stopped with everything else.
      const results = await Promise.allSettled(list.map((c) => startOne(c, true)));
      recordState();
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (err) {
    await stopAll(2000);
    if (err instanceof StartError) throw err;
    throw new StartError((err as Error).message);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }

  if (detach) {
    for (const c of children.values()) c.proc?.unref();
    process.off('exit', onProcessExit);
  }

  const get = (id: string): Child => {
    const c = children.get(id);
    if (!c) throw new StartError(`unknown node ${JSON.stringify(id)}; nodes: ${[...children.keys()].join(', ')}`);
    return c;
  };

  return {
    plan,
    token: plan.token,
    key,
    runDir,
    nodes: new Map([...children.values()].map((c) => [c.node.id, c.node])),
    controlHttp: formatEndpoint(plan.control.http),
    dnsAddress: formatEndpoint(plan.dns.dns),
    stop: (graceMs = STOP_GRACE_MS) => stopAll(graceMs),
    async kill(id) {
      const c = get(id);
      if (!c.proc || c.node.exit) return;
      c.expectExit = true;
      signal(c.node.pid, 'SIGKILL');
      await c.exited;
    },
    async stopNode(id, graceMs = STOP_GRACE_MS) {
      await stopChildren([get(id)], graceMs);
    },
    async startNode(id) {
      const c = get(id);
      if (c.proc && !c.node.exit) throw new StartError(`node ${id} is already running (pid ${c.node.pid})`, id);
      if (stopping) throw new StartError(`the cluster is stopping; cannot start ${id}`, id);
      await startOne(c, false);
      recordState();
    },
    pause(id) {
      const c = get(id);
      if (c.node.state !== 'running') throw new StartError(`node ${id} is ${c.node.state}, not running`, id);
      signal(c.node.pid, 'SIGSTOP');
      c.node.state = 'paused';
    },
    unpause(id) {
      const c = get(id);
      if (c.node.state !== 'paused') throw new StartError(`node ${id} is ${c.node.state}, not paused`, id);
      signal(c.node.pid, 'SIGCONT');
      c.node.state = 'running';
    },
    async allExited() {
      // A node restarted meanwhile has a new `exited` promise: loop until none is running.
      while (liveChildren().length > 0) await Promise.race(liveChildren().map((c) => c.exited));
    },
    async restoreAll() {
      const did: string[] = [];
      for (const c of children.values()) {
        if (!c.proc || c.node.exit) {
          await startOne(c, false);
          did.push(`started ${c.node.id}`);
        } else if (c.node.state === 'paused') {
          signal(c.node.pid, 'SIGCONT');
          c.node.state = 'running';
          did.push(`unpaused ${c.node.id}`);
        }
      }
      if (did.length > 0) recordState();
      return did;
    },
  };
}
