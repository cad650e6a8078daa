/**
 * `cdnlab chaos <kill|stop|start|pause|unpause|disconnect|reconnect> <node>`:
 * faults by signal, on the pid in the state file. kill = SIGKILL (a crash),
 * stop = SIGTERM (a clean shutdown), pause = SIGSTOP (the host hangs: sockets
 * stay open, nothing answers), unpause = SIGCONT, start = the same process
 * again, same config. disconnect / reconnect cut and restore every emulated
 * link to and from a regional, shield or origin (an address on lo cannot
 * leave its network; scenario timelines do the same).
 */
import type { Command } from 'commander';
import { isOurs, signal, spawnDetached, terminate } from '@cdnlab/launcher';
import { createClusterAdmin, describeEmulatedCut, loopbackCutRefusal, setEmulatedCut, type AdminTargets } from '@cdnlab/runner';
import { CliError } from '../cli-error';
import { currentRun, findNode, intOption } from '../run-context';
import { dockerChaosCommand } from './chaos-docker';

const ACTIONS = ['kill', 'stop', 'start', 'pause', 'unpause', 'disconnect', 'reconnect'] as const;

/** The cluster's admin services, from the state file's addresses. */
function adminTargets(token: string, nodes: ReadonlyArray<{ id: string; role: string; addresses: Record<string, string> }>): AdminTargets {
  return {
    token,
    nodes: nodes.flatMap((n) => {
      const g = n.addresses.grpc;
      if (!g) return [];
      const at = g.lastIndexOf(':');
      return [{ id: n.id, role: n.role, grpc: { host: g.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(g.slice(at + 1)) } }];
    }),
    dns: {},
  };
}

interface ChaosOptions {
  prefix?: string;
  grace: number;
  docker?: boolean;
  project?: string;
}

async function chaos(action: string, id: string, opts: ChaosOptions): Promise<void> {
  if (opts.docker) return dockerChaosCommand(action, id, { ...(opts.project !== undefined ? { project: opts.project } : {}), grace: opts.grace });
  if (opts.project !== undefined) throw new CliError('--project applies to --docker only', 2);
  if (!(ACTIONS as readonly string[]).includes(action)) throw new CliError(`expected the chaos action to be one of ${ACTIONS.join(', ')}, got ${JSON.stringify(action)}`, 2);
  const { run, stateFile } = currentRun(opts.prefix);
  const node = findNode(run, id);
  if (action === 'disconnect' || action === 'reconnect') {
    const refused = loopbackCutRefusal(action, id, node.role);
    if (refused) throw new CliError(refused, 2);
    const admin = createClusterAdmin(adminTargets(run.token, run.nodes));
    try {
      const done = describeEmulatedCut(action, id, await setEmulatedCut(admin, id, action === 'disconnect'));
      if (!done.ok) throw new CliError(done.detail);
      process.stdout.write(`chaos: ${done.detail}\n`);
    } finally {
      admin.close();
    }
    return;
  }
  const alive = isOurs(node.pid, node.entry);
  if (action === 'start') {
    const started = await spawnDetached(stateFile, run.key, id);
    process.stdout.write(`chaos: started ${id} again (pid ${started.pid}), healthy\n`);
    return;
  }
  if (!alive) throw new CliError(`node ${id} is not running (pid ${node.pid} is gone); start it with: cdnlab chaos start ${id}`);
  if (action === 'kill') signal(node.pid, 'SIGKILL');
  else if (action === 'pause') signal(node.pid, 'SIGSTOP');
  else if (action === 'unpause') signal(node.pid, 'SIGCONT');
  else {
    const killed = await terminate([node.pid], opts.grace, (pid) => isOurs(pid, node.entry));
    if (killed.length > 0) process.stdout.write(`chaos: ${id} did not stop within ${opts.grace} ms; killed\n`);
  }
  const said = { kill: 'killed (SIGKILL)', stop: 'stopped (SIGTERM)', pause: 'paused (SIGSTOP)', unpause: 'resumed (SIGCONT)' }[action as 'kill'];
  process.stdout.write(`chaos: ${id} (pid ${node.pid}) ${said}\n`);
}

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description('kill|stop|start|pause|unpause|disconnect|reconnect one node (on loopback, disconnect cuts the emulated links of a regional, shield or origin; --docker takes any container off its network)')
    .argument('<action>', ACTIONS.join('|'))
    .argument('<node>', 'node id, e.g. edge-na-1')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--grace <ms>', 'for stop: time before SIGKILL', intOption('--grace', 0), 5000)
    .option('--docker', "act on the node's containers (docker compose or swarm) through the Docker Engine API")
    .option('--project <name>', 'with --docker: the compose project, when several have the node')
    .action((action: string, id: string, opts: ChaosOptions) => chaos(action, id, opts));
}
