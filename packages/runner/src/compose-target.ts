/**
 * `cdnlab run --target compose`: run a scenario from inside a compose
 * network (the `cli` service) against the cluster `docker compose up`
 * started. The cluster is the one composeFor(topology) wrote: its plan is
 * rebuilt with composePlan (same topology, same subnet, same token), so every
 * node is reached at its static address. Timeline actions on nodes (kill,
 * stop, start, pause, unpause) go through the Docker Engine API to the
 * node's containers, found by their compose labels, exactly as
 * `cdnlab chaos --docker` does. The engine never stops the cluster.
 *
 * Which topology: the compose file gives the cli service the topology it was
 * generated from in CDNLAB_COMPOSE_TOPOLOGY (a file path inside the image);
 * `--topology` overrides it.
 */
import { composePlan, dockerChaos, DockerChaosError, dockerNodeStatus, probeFor, type DockerChaosAction, type DockerLike, type DockerNodeStatus, type RunningNode, type RunningTopology } from '@cdnlab/launcher';
import type { Topology } from '@cdnlab/scenario';

export interface ComposeTargetOptions {
  topology: Topology;
  token: string;
  /** The compose network's subnet; default the compose file's default. */
  subnet?: string;
  /** Compose project of the cluster; needed only when several projects have the nodes. */
  project?: string;
  /** How long a started node has to become healthy again. Default 60 s. */
  healthTimeoutMs?: number;
  /** Tests pass a fake engine; default dockerode on DOCKER_HOST or /var/run/docker.sock. */
  docker?: DockerLike;
  /** Whether a node answers its health check now; tests pass one. Default: probeFor its planned address. */
  probe?: (id: string, timeoutMs: number) => Promise<boolean>;
}

export function attachToCompose(opts: ComposeTargetOptions): RunningTopology {
  if (!opts.token) throw new TypeError('--target compose: expected the cluster token (CDNLAB_TOKEN or --token), got none');
  const plan = composePlan(opts.topology, { token: opts.token, ...(opts.subnet !== undefined ? { subnet: opts.subnet } : {}) });
  const healthTimeoutMs = opts.healthTimeoutMs ?? 60_000;
  const nodes = new Map<string, RunningNode>(
    plan.nodes.map((n) => {
      const addresses: Record<string, string> = {};
      for (const k of ['http', 'grpc', 'metrics', 'dns'] as const) {
        const e = n[k];
        if (e) addresses[k] = `${e.host}:${e.port}`;
      }
      // No pid or files here: the node is a container; pid 0 says "not ours to signal".
      return [n.id, { id: n.id, role: n.role, ...(n.region !== undefined ? { region: n.region } : {}), pid: 0, addresses, state: 'running', logFile: '', configFile: '' }];
    }),
  );
  const planned = (id: string) => {
    const n = plan.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`unknown node ${JSON.stringify(id)} in the compose cluster; nodes: ${plan.nodes.map((x) => x.id).join(', ')}`);
    return n;
  };
  const act = async (action: DockerChaosAction, id: string, state: RunningNode['state'], stopTimeoutSec?: number): Promise<void> => {
    planned(id);
    try {
      await dockerChaos(action, id, {
        ...(opts.docker ? { docker: opts.docker } : {}),
        ...(opts.project !== undefined ? { project: opts.project } : {}),
        ...(stopTimeoutSec !== undefined ? { stopTimeoutSec } : {}),
      });
    } catch (err) {
      if (err instanceof DockerChaosError) throw new Error(`${action} ${id} through the Docker Engine API: ${err.message}`);
      throw err;
    }
    const n = nodes.get(id);
    if (n) n.state = state;
  };
  async function startNode(id: string): Promise<void> {
    await act('start', id, 'running');
    const probe = opts.probe ? (ms: number) => opts.probe!(id, ms) : probeFor(planned(id), plan.zone);
    const until = Date.now() + healthTimeoutMs;
    for (;;) {
      if (await probe(1000)) return;
      if (Date.now() > until) throw new Error(`${id}: its container started but it did not become healthy within ${healthTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const controlHttp = `${plan.control.http.host}:${plan.control.http.port}`;
  const dnsAddress = `${plan.dns.dns.host}:${plan.dns.dns.port}`;

  return {
    plan,
    token: opts.token,
    key: `compose:${opts.project ?? plan.prefix}`,
    runDir: '',
    nodes,
    controlHttp,
    dnsAddress,
    // Not ours to stop: `docker compose down` is.
    stop: async () => undefined,
    kill: (id) => act('kill', id, 'exited'),
    stopNode: (id, graceMs = 5000) => act('stop', id, 'stopped', Math.ceil(graceMs / 1000)),
    startNode,
    // The cgroup freezer: like SIGSTOP, sockets stay open and nothing answers.
    pause: (id) => act('pause', id, 'paused'),
    unpause: (id) => act('unpause', id, 'running'),
    disconnect: (id) => act('disconnect', id, 'running'),
    reconnect: (id) => act('reconnect', id, 'running'),
    faults: 'docker',
    topology: opts.topology,
    /**
     * Reads every node's containers from the engine rather than this run's
     * bookkeeping: a cluster outlives runs, and an earlier one may have left
     * a node dead (edge-failover kills an edge for good), frozen or off its
     * network. Puts it on its network, then wakes or starts it and waits
     * until it is healthy.
     */
    async restoreAll() {
      const did: string[] = [];
      for (const id of nodes.keys()) {
        let status: DockerNodeStatus[];
        try {
          status = await dockerNodeStatus(id, { ...(opts.docker ? { docker: opts.docker } : {}), ...(opts.project !== undefined ? { project: opts.project } : {}) });
        } catch (err) {
          if (err instanceof DockerChaosError) throw new Error(`reading ${id}'s containers through the Docker Engine API: ${err.message}`);
          throw err;
        }
        if (status.some((c) => !c.connected)) {
          await act('reconnect', id, nodes.get(id)?.state ?? 'running');
          did.push(`reconnected ${id}`);
        }
        if (status.some((c) => c.state === 'paused')) {
          await act('unpause', id, 'running');
          did.push(`unpaused ${id}`);
        }
        const down = status.find((c) => c.state === 'exited' || c.state === 'created' || c.state === 'dead');
        if (down) {
          await startNode(id);
          did.push(`started ${id} (it was ${down.state})`);
        }
      }
      return did;
    },
    async allExited() {
      throw new Error('allExited is not available on a compose cluster');
    },
  };
}
