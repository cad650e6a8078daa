/**
 * What other shells do to a run they know only from the state file:
 * stop it (`cdnlab down`) and start one of its nodes again (`cdnlab chaos start`).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { REPO_ROOT } from './paths';
import { isAlive, isOurs, terminate } from './processes';
import { dnsAnswers, grpcServing } from './readiness';
import { readState, updateState, StateError, type NodeState, type RunState } from './state-file';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface StopRunResult {
  /** Nodes that were running and got SIGTERM. */
  stopped: string[];
  /** Nodes that needed SIGKILL after the grace period. */
  killed: string[];
}

/**
 * Stops a run: its foreground `cdnlab up`, if any, first (it stops its nodes
 * in order and exits), then any node still alive, by pid. Removes the run
 * from the state file.
 */
export async function stopRun(stateFile: string, run: RunState, graceMs: number): Promise<StopRunResult> {
  const running = run.nodes.filter((n) => isOurs(n.pid, n.entry));
  if (run.supervisorPid !== undefined && run.supervisorPid !== process.pid && isAlive(run.supervisorPid)) {
    process.kill(run.supervisorPid, 'SIGTERM');
    const deadline = Date.now() + graceMs * 2 + 2000;
    while (running.some((n) => isOurs(n.pid, n.entry)) && Date.now() < deadline) await sleep(50);
  }
  const entryOf = new Map(run.nodes.map((n) => [n.pid, n.entry]));
  const killedPids = await terminate(
    run.nodes.map((n) => n.pid),
    graceMs,
    (pid) => isOurs(pid, entryOf.get(pid) ?? ''),
  );
  updateState(stateFile, (s) => {
    if (s.runs[run.key]?.startedAt === run.startedAt) delete s.runs[run.key];
  });
  return { stopped: running.map((n) => n.id), killed: run.nodes.filter((n) => killedPids.includes(n.pid)).map((n) => n.id) };
}

function split(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

/** Whether a node from the state file answers its readiness probe now. */
export function nodeReady(node: NodeState, zone: string, timeoutMs: number): Promise<boolean> {
  if (node.role === 'dns') return dnsAnswers(split(node.addresses.dns), zone, timeoutMs);
  return grpcServing(node.addresses.grpc, timeoutMs);
}

/**
 * Starts one node of a run again, detached, with the argv it was first
 * started with (same config file, log appended), waits until it is ready and
 * records the new pid. A foreground `cdnlab up` stops it with the rest.
 */
export async function spawnDetached(stateFile: string, key: string, nodeId: string, timeoutMs = 30_000): Promise<NodeState> {
  const run = readState(stateFile).runs[key];
  const node = run?.nodes.find((n) => n.id === nodeId);
  if (!run || !node) throw new StateError(`no node ${JSON.stringify(nodeId)} in the run on ${key}`);
  if (isOurs(node.pid, node.entry)) throw new StateError(`node ${nodeId} is already running (pid ${node.pid})`);
  const fd = openSync(node.logFile, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(process.execPath, node.argv, { cwd: REPO_ROOT, env: { ...process.env, ...node.env }, stdio: ['ignore', fd, fd], detached: true });
    child.on('error', () => undefined);
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) throw new StateError(`could not start node ${nodeId}`);
  const started: NodeState = { ...node, pid };
  updateState(stateFile, (s) => {
    const r = s.runs[key];
    if (r?.startedAt !== run.startedAt) return;
    r.nodes = r.nodes.map((n) => (n.id === nodeId ? started : n));
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isOurs(pid, node.entry)) throw new StateError(`node ${nodeId} exited before it was healthy; see ${node.logFile}`);
    if (await nodeReady(started, run.zone, 1000)) return started;
    await sleep(100);
  }
  throw new StateError(`node ${nodeId} was not healthy within ${timeoutMs} ms; see ${node.logFile}`);
}
