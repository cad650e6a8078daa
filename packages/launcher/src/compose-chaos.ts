/**
 * Faults for a compose (or swarm) cluster through the Docker Engine API:
 * the container-level twins of what `cdnlab chaos` does to processes.
 *
 *   kill        SIGKILL: no goodbye, like a crashed machine
 *   stop/start  SIGTERM and a grace period, then start again
 *   pause       freeze every process (cgroup freezer): sockets stay open, nothing answers
 *   unpause
 *   disconnect  take the container off its networks: peers see timeouts, not refusals
 *   reconnect   put it back on the cdnlab network at its static address
 *
 * A node's containers are found by the label compose puts on them
 * (com.docker.compose.service = node id), or by the file's own
 * org.cdnlab.node label (which `docker stack deploy` carries to task
 * containers).
 */
import Docker from 'dockerode';
import { ADDRESS_LABEL, COMPOSE_NETWORK, NETWORK_LABEL, NODE_LABEL } from './compose-file';

export const DOCKER_CHAOS_ACTIONS = ['kill', 'stop', 'start', 'pause', 'unpause', 'disconnect', 'reconnect'] as const;
export type DockerChaosAction = (typeof DOCKER_CHAOS_ACTIONS)[number];

export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
const COMPOSE_ONEOFF_LABEL = 'com.docker.compose.oneoff';
const COMPOSE_NETWORK_LABEL = 'com.docker.compose.network';

/** The part of dockerode this module calls, so tests can pass a fake engine. */
export interface DockerLike {
  listContainers(opts: { all: boolean; filters: string }): Promise<Docker.ContainerInfo[]>;
  getContainer(id: string): Pick<Docker.Container, 'kill' | 'stop' | 'start' | 'pause' | 'unpause'>;
  listNetworks(opts: { filters: string }): Promise<Docker.NetworkInspectInfo[]>;
  getNetwork(id: string): Pick<Docker.Network, 'connect' | 'disconnect'>;
}

export interface DockerChaosOptions {
  /** Default: a dockerode client for DOCKER_HOST or /var/run/docker.sock. */
  docker?: DockerLike;
  /** Compose project (`-p`); needed only when several projects have a node of that name. */
  project?: string;
  /** `stop`: seconds between SIGTERM and SIGKILL. Default 5. */
  stopTimeoutSec?: number;
}

export interface DockerChaosTarget {
  id: string;
  name: string;
  /** Container state before the action: running, paused, exited, … */
  state: string;
}

export interface DockerChaosResult {
  action: DockerChaosAction;
  node: string;
  containers: DockerChaosTarget[];
}

export class DockerChaosError extends Error {
  readonly code = 'ERR_CDNLAB_DOCKER_CHAOS';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DockerChaosError';
  }
}

export function isDockerChaosAction(v: unknown): v is DockerChaosAction {
  return typeof v === 'string' && (DOCKER_CHAOS_ACTIONS as readonly string[]).includes(v);
}

function name(c: Docker.ContainerInfo): string {
  return (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}

/** Docker's "nothing to do" answers (304 Not Modified) are not failures. */
function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' ? s : undefined;
}

async function list(docker: DockerLike, label: string, node: string, project: string | undefined): Promise<Docker.ContainerInfo[]> {
  const labels = [`${label}=${node}`, ...(project ? [`${COMPOSE_PROJECT_LABEL}=${project}`] : [])];
  const found = await docker.listContainers({ all: true, filters: JSON.stringify({ label: labels }) });
  // `docker compose run` containers carry the service label too; they are not the node.
  return found.filter((c) => c.Labels[COMPOSE_ONEOFF_LABEL] !== 'True');
}

/** The containers of node `node`: compose's service label first, then the file's node label (swarm tasks). */
export async function findNodeContainers(docker: DockerLike, node: string, project?: string): Promise<Docker.ContainerInfo[]> {
  if (node === '' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(node)) throw new DockerChaosError(`expected a node name such as edge-eu-1, got ${JSON.stringify(node)}`);
  let found = await list(docker, COMPOSE_SERVICE_LABEL, node, project);
  if (found.length === 0 && project === undefined) found = await list(docker, NODE_LABEL, node, undefined);
  if (found.length === 0) {
    throw new DockerChaosError(`no container of node ${JSON.stringify(node)}${project ? ` in compose project ${JSON.stringify(project)}` : ''}; is the cluster up (docker compose ps)?`);
  }
  const projects = [...new Set(found.map((c) => c.Labels[COMPOSE_PROJECT_LABEL]).filter((p): p is string => p !== undefined))];
  if (project === undefined && projects.length > 1) {
    throw new DockerChaosError(`node ${JSON.stringify(node)} exists in several compose projects (${projects.join(', ')}); name one with --project`);
  }
  return found;
}

/** The cdnlab network of a compose container's project, found by compose's own network labels. */
async function projectNetwork(docker: DockerLike, c: Docker.ContainerInfo): Promise<string> {
  const project = c.Labels[COMPOSE_PROJECT_LABEL];
  const network = c.Labels[NETWORK_LABEL] ?? COMPOSE_NETWORK;
  if (project === undefined) throw new DockerChaosError(`container ${name(c)} is not a compose container; reconnect it with docker network connect`);
  const nets = await docker.listNetworks({ filters: JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${project}`, `${COMPOSE_NETWORK_LABEL}=${network}`] }) });
  const net = nets[0];
  if (!net) throw new DockerChaosError(`the ${network} network of compose project ${project} is gone; bring the cluster up again`);
  return net.Id;
}

async function act(docker: DockerLike, action: DockerChaosAction, c: Docker.ContainerInfo, opts: DockerChaosOptions): Promise<void> {
  const container = docker.getContainer(c.Id);
  switch (action) {
    case 'kill':
      if (c.State !== 'running') throw new DockerChaosError(`${name(c)} is ${c.State}, not running: nothing to kill`);
      await container.kill({ signal: 'SIGKILL' });
      return;
    case 'stop':
      await container.stop({ t: opts.stopTimeoutSec ?? 5 });
      return;
    case 'start':
      await container.start();
      return;
    case 'pause':
      if (c.State !== 'running') throw new DockerChaosError(`${name(c)} is ${c.State}, not running: nothing to pause`);
      await container.pause();
      return;
    case 'unpause':
      if (c.State !== 'paused') throw new DockerChaosError(`${name(c)} is ${c.State}, not paused`);
      await container.unpause();
      return;
    case 'disconnect': {
      const nets = Object.entries(c.NetworkSettings.Networks ?? {});
      if (nets.length === 0) throw new DockerChaosError(`${name(c)} is on no network: already disconnected`);
      for (const [, info] of nets) await docker.getNetwork(info.NetworkID).disconnect({ Container: c.Id, Force: false });
      return;
    }
    case 'reconnect': {
      if (Object.keys(c.NetworkSettings.Networks ?? {}).length > 0) throw new DockerChaosError(`${name(c)} is still connected (${Object.keys(c.NetworkSettings.Networks).join(', ')})`);
      const networkId = await projectNetwork(docker, c);
      const address = c.Labels[ADDRESS_LABEL];
      const alias = c.Labels[COMPOSE_SERVICE_LABEL] ?? c.Labels[NODE_LABEL];
      await docker.getNetwork(networkId).connect({
        Container: c.Id,
        EndpointConfig: { ...(address ? { IPAMConfig: { IPv4Address: address } } : {}), ...(alias ? { Aliases: [alias] } : {}) },
      });
      return;
    }
  }
}

/** findNodeContainers, with an engine that cannot be reached said as such. */
async function containersOf(docker: DockerLike, node: string, project: string | undefined): Promise<Docker.ContainerInfo[]> {
  try {
    return await findNodeContainers(docker, node, project);
  } catch (err) {
    if (err instanceof DockerChaosError) throw err;
    throw new DockerChaosError(`cannot reach the Docker engine (${(err as Error).message}); is dockerd running and DOCKER_HOST right?`, { cause: err });
  }
}

export interface DockerNodeStatus extends DockerChaosTarget {
  /** On at least one network: false after a `disconnect` (running or not). */
  connected: boolean;
}

/**
 * What the engine says now of each container of `node`: its state and
 * whether it is on a network. A run on a running cluster reads this to undo
 * what earlier runs left behind (an edge-failover leaves its edge dead),
 * which the run's own bookkeeping cannot know.
 */
export async function dockerNodeStatus(node: string, opts: Pick<DockerChaosOptions, 'docker' | 'project'> = {}): Promise<DockerNodeStatus[]> {
  const docker = opts.docker ?? (new Docker() as unknown as DockerLike);
  const containers = await containersOf(docker, node, opts.project);
  return containers.map((c) => ({ id: c.Id, name: name(c), state: c.State, connected: Object.keys(c.NetworkSettings?.Networks ?? {}).length > 0 }));
}

/** Applies `action` to every container of `node`. Throws DockerChaosError naming the node and container. */
export async function dockerChaos(action: DockerChaosAction, node: string, opts: DockerChaosOptions = {}): Promise<DockerChaosResult> {
  if (!isDockerChaosAction(action)) throw new DockerChaosError(`expected an action (${DOCKER_CHAOS_ACTIONS.join(', ')}), got ${JSON.stringify(action)}`);
  if (opts.stopTimeoutSec !== undefined && (!Number.isInteger(opts.stopTimeoutSec) || opts.stopTimeoutSec < 0)) {
    throw new DockerChaosError(`expected opts.stopTimeoutSec to be a non-negative integer, got ${String(opts.stopTimeoutSec)}`);
  }
  const docker = opts.docker ?? (new Docker() as unknown as DockerLike);
  const containers = await containersOf(docker, node, opts.project);
  for (const c of containers) {
    try {
      await act(docker, action, c, opts);
    } catch (err) {
      if (err instanceof DockerChaosError) throw err;
      if (statusOf(err) === 304) continue;
      throw new DockerChaosError(`${action} ${name(c)} (node ${node}): ${(err as Error).message}`, { cause: err });
    }
  }
  return { action, node, containers: containers.map((c) => ({ id: c.Id, name: name(c), state: c.State })) };
}
