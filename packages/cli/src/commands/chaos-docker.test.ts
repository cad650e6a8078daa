import type { DockerLike } from '@cdnlab/launcher';
import { CliError } from '../cli-error';
import { dockerChaosCommand } from './chaos-docker';

function engine(state: string, calls: string[]): DockerLike {
  return {
    listContainers: async () => [{ Id: 'abc', Names: ['/cdnlab_edge-eu-1_1'], State: state, Labels: { 'com.docker.compose.service': 'edge-eu-1', 'com.docker.compose.project': 'cdnlab' }, NetworkSettings: { Networks: {} } }],
    getContainer: () => ({
      kill: async () => void calls.push('kill'),
      stop: async (o: unknown) => void calls.push(`stop ${JSON.stringify(o)}`),
      start: async () => void calls.push('start'),
      pause: async () => void calls.push('pause'),
      unpause: async () => void calls.push('unpause'),
    }),
    listNetworks: async () => [],
    getNetwork: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
  } as unknown as DockerLike;
}

describe('cdnlab chaos --docker', () => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  afterAll(() => out.mockRestore());

  it('acts on the node and says what it did', async () => {
    const calls: string[] = [];
    await dockerChaosCommand('stop', 'edge-eu-1', { docker: engine('running', calls), grace: 2500 });
    expect(calls).toEqual(['stop {"t":3}']);
    expect(out).toHaveBeenLastCalledWith('chaos: edge-eu-1 (container cdnlab_edge-eu-1_1, was running) stopped (SIGTERM, then SIGKILL after the grace period)\n');
  });

  it('reports a bad action as a usage error and a failed one as exit 1', async () => {
    const bad = await dockerChaosCommand('explode', 'edge-eu-1', { docker: engine('running', []) }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CliError);
    expect((bad as CliError).exitCode).toBe(2);
    const failed = await dockerChaosCommand('kill', 'edge-eu-1', { docker: engine('exited', []) }).catch((e: unknown) => e);
    expect((failed as CliError).exitCode).toBe(1);
    expect((failed as Error).message).toMatch(/cdnlab_edge-eu-1_1 is exited, not running/);
  });
});
