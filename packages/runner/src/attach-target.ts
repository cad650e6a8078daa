/**
 * `cdnlab run --target <prefix>`: run a scenario against a cluster that
 * `cdnlab up` started, known only from the state file. Its plan is rebuilt
 * from the same topology, prefix and token (planning is deterministic), and
 * timeline actions on nodes go through their pids, as `cdnlab chaos` does.
 * The engine never stops a cluster it did not start.
 */
import {
  DEFAULT_TOPOLOGY,
  defaultStateFile,
  isOurs,
  planTopology,
  readState,
  signal,
  spawnDetached,
  terminate,
  type RunningNode,
  type RunningTopology,
} from '@cdnlab/launcher';
import { readFileSync } from 'node:fs';
import { loadTopologyFile } from '@cdnlab/scenario';

/** Linux: the process is stopped by a signal (SIGSTOP from this run or from `cdnlab chaos pause` in another shell). */
function stoppedBySignal(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
  } catch {
    return false;
  }
}

export function attachToRun(key: string | undefined, stateFile = defaultStateFile()): RunningTopology {
  const runs = readState(stateFile).runs;
  const keys = Object.keys(runs);
  if (keys.length === 0) throw new Error(`--target: no cluster is running (state file ${stateFile} lists none); start one with \`cdnlab up\``);
  const chosen = key ?? (keys.length === 1 ? keys[0] : undefined);
  if (chosen === undefined) throw new Error(`--target: several clusters are running (${keys.join(', ')}); name one`);
  const run = runs[chosen];
  if (!run) throw new Error(`--target: no cluster on ${JSON.stringify(chosen)}; running: ${keys.join(', ')}`);
  if (chosen.startsWith('ports:')) throw new Error(`--target: cluster ${chosen} uses ports addressing; the embedded engine needs loopback addressing`);
  const topology = loadTopologyFile(run.topologyPath ?? DEFAULT_TOPOLOGY);
  const plan = planTopology(topology, { prefix: chosen, token: run.token, addressing: 'loopback' });

  const nodes = new Map<string, RunningNode>(
    run.nodes.map((n) => [n.id, { id: n.id, role: n.role, region: n.region, pid: n.pid, addresses: n.addresses, state: isOurs(n.pid, n.entry) ? 'running' : 'exited', logFile: n.logFile, configFile: n.configFile }]),
  );
  const entry = (id: string) => {
    const n = readState(stateFile).runs[chosen]?.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`unknown node ${JSON.stringify(id)} in the cluster on ${chosen}`);
    return n;
  };
  const setState = (id: string, state: RunningNode['state'], pid?: number) => {
    const n = nodes.get(id);
    if (n) {
      n.state = state;
      if (pid !== undefined) n.pid = pid;
    }
  };

  return {
    plan,
    token: run.token,
    key: chosen,
    runDir: run.runDir,
    nodes,
    controlHttp: run.controlHttp,
    dnsAddress: run.dns,
    // Not ours to stop.
    stop: async () => undefined,
    async kill(id) {
      const n = entry(id);
      if (isOurs(n.pid, n.entry)) signal(n.pid, 'SIGKILL');
      setState(id, 'exited');
    },
    async stopNode(id, graceMs = 5000) {
      const n = entry(id);
      await terminate([n.pid], graceMs, (pid) => isOurs(pid, n.entry));
      setState(id, 'stopped');
    },
    async startNode(id) {
      const started = await spawnDetached(stateFile, chosen, id);
      setState(id, 'running', started.pid);
    },
    pause(id) {
      const n = entry(id);
      if (!isOurs(n.pid, n.entry)) throw new Error(`node ${id} is not running`);
      signal(n.pid, 'SIGSTOP');
      setState(id, 'paused');
    },
    unpause(id) {
      const n = entry(id);
      if (!isOurs(n.pid, n.entry)) throw new Error(`node ${id} is not running`);
      signal(n.pid, 'SIGCONT');
      setState(id, 'running');
    },
    async allExited() {
      throw new Error('allExited is not available on an attached cluster');
    },
    topology,
    async restoreAll() {
      const did: string[] = [];
      for (const n of readState(stateFile).runs[chosen]?.nodes ?? []) {
        if (!isOurs(n.pid, n.entry)) {
          const started = await spawnDetached(stateFile, chosen, n.id);
          setState(n.id, 'running', started.pid);
          did.push(`started ${n.id}`);
        } else if (nodes.get(n.id)?.state === 'paused' || stoppedBySignal(n.pid)) {
          signal(n.pid, 'SIGCONT');
          setState(n.id, 'running');
          did.push(`unpaused ${n.id}`);
        }
      }
      return did;
    },
  };
}
