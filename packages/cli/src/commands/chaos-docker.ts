/**
 * `cdnlab chaos --docker <action> <node>`: the same faults as `cdnlab chaos`
 * for a cluster started with docker compose (or docker stack deploy), through
 * the Docker Engine API, plus disconnect/reconnect from the network.
 * chaos.ts delegates here when --docker is given.
 */
import { DOCKER_CHAOS_ACTIONS, DockerChaosError, dockerChaos, isDockerChaosAction, type DockerLike } from '@cdnlab/launcher';
import { CliError } from '../cli-error';

export interface DockerChaosFlags {
  project?: string;
  /** stop: ms before SIGKILL; Docker takes whole seconds, rounded up. */
  grace?: number;
  /** Tests pass a fake engine. */
  docker?: DockerLike;
}

const SAID: Record<(typeof DOCKER_CHAOS_ACTIONS)[number], string> = {
  kill: 'killed (SIGKILL)',
  stop: 'stopped (SIGTERM, then SIGKILL after the grace period)',
  start: 'started',
  pause: 'paused (cgroup freezer)',
  unpause: 'resumed',
  disconnect: 'disconnected from its networks',
  reconnect: 'reconnected at its static address',
};

export async function dockerChaosCommand(action: string, node: string, flags: DockerChaosFlags = {}): Promise<void> {
  if (!isDockerChaosAction(action)) throw new CliError(`expected the chaos action to be one of ${DOCKER_CHAOS_ACTIONS.join(', ')} with --docker, got ${JSON.stringify(action)}`, 2);
  try {
    const r = await dockerChaos(action, node, {
      ...(flags.project !== undefined ? { project: flags.project } : {}),
      ...(flags.grace !== undefined ? { stopTimeoutSec: Math.ceil(flags.grace / 1000) } : {}),
      ...(flags.docker ? { docker: flags.docker } : {}),
    });
    for (const c of r.containers) process.stdout.write(`chaos: ${node} (container ${c.name}, was ${c.state}) ${SAID[action]}\n`);
  } catch (err) {
    if (err instanceof DockerChaosError) throw new CliError(err.message);
    throw err;
  }
}
