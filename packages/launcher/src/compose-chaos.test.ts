import type Docker from 'dockerode';
import { DockerChaosError, dockerChaos, findNodeContainers, type DockerLike } from './compose-chaos';

interface Call {
  op: string;
  id: string;
  arg?: unknown;
}

function container(id: string, labels: Record<string, string>, state = 'running', networks: Record<string, string> = { cdnlab_cdnlab: 'net-1' }): Docker.ContainerInfo {
  return {
    Id: id,
    Names: [`/${id}`],
    Labels: labels,
    State: state,
    NetworkSettings: { Networks: Object.fromEntries(Object.entries(networks).map(([name, netId]) => [name, { NetworkID: netId }])) },
  } as unknown as Docker.ContainerInfo;
}

/** An engine that filters by labels as dockerd does and records every call. */
function fakeDocker(containers: Docker.ContainerInfo[], opts: { failWith?: { statusCode: number; message: string }; networks?: Docker.NetworkInspectInfo[] } = {}) {
  const calls: Call[] = [];
  const op = (name: string, id: string) => async (arg?: unknown) => {
    calls.push({ op: name, id, ...(arg === undefined ? {} : { arg }) });
    if (opts.failWith) throw Object.assign(new Error(opts.failWith.message), { statusCode: opts.failWith.statusCode });
  };
  const docker: DockerLike = {
    async listContainers({ filters }) {
      const labels = (JSON.parse(filters) as { label: string[] }).label;
      return containers.filter((c) => labels.every((l) => {
        const [k, v] = l.split('=') as [string, string];
        return c.Labels[k] === v;
      }));
    },
    getContainer: (id) => ({ kill: op('kill', id), stop: op('stop', id), start: op('start', id), pause: op('pause', id), unpause: op('unpause', id) }) as unknown as ReturnType<DockerLike['getContainer']>,
    async listNetworks({ filters }) {
      calls.push({ op: 'listNetworks', id: '', arg: JSON.parse(filters) });
      return opts.networks ?? [];
    },
    getNetwork: (id) => ({ connect: op('connect', id), disconnect: op('disconnect', id) }) as unknown as ReturnType<DockerLike['getNetwork']>,
  };
  return { docker, calls };
}

const svc = (service: string, project = 'cdnlab', extra: Record<string, string> = {}) => ({
  'com.docker.compose.service': service,
  'com.docker.compose.project': project,
  'org.cdnlab.node': service,
  ...extra,
});

describe('dockerChaos', () => {
  it('kills the node\'s container with SIGKILL and reports what it was', async () => {
    const { docker, calls } = fakeDocker([container('a', svc('edge-eu-1')), container('b', svc('edge-eu-2'))]);
    const r = await dockerChaos('kill', 'edge-eu-1', { docker });
    expect(calls).toEqual([{ op: 'kill', id: 'a', arg: { signal: 'SIGKILL' } }]);
    expect(r).toEqual({ action: 'kill', node: 'edge-eu-1', containers: [{ id: 'a', name: 'a', state: 'running' }] });
  });

  it('maps stop, start, pause and unpause to the engine calls', async () => {
    const { docker, calls } = fakeDocker([container('a', svc('shield'), 'running'), container('p', svc('origin'), 'paused')]);
    await dockerChaos('stop', 'shield', { docker, stopTimeoutSec: 7 });
    await dockerChaos('start', 'shield', { docker });
    await dockerChaos('pause', 'shield', { docker });
    await dockerChaos('unpause', 'origin', { docker });
    expect(calls.map((c) => [c.op, c.id, c.arg])).toEqual([
      ['stop', 'a', { t: 7 }],
      ['start', 'a', undefined],
      ['pause', 'a', undefined],
      ['unpause', 'p', undefined],
    ]);
  });

  it('ignores compose run containers and finds swarm tasks by the node label', async () => {
    const oneoff = container('run1', { ...svc('cli'), 'com.docker.compose.oneoff': 'True' });
    const task = container('task1', { 'org.cdnlab.node': 'edge-na-1', 'com.docker.swarm.service.name': 'cdnlab_edge-na-1' });
    const { docker } = fakeDocker([oneoff, task]);
    await expect(findNodeContainers(docker, 'cli')).rejects.toThrow(/no container of node "cli"/);
    expect((await findNodeContainers(docker, 'edge-na-1')).map((c) => c.Id)).toEqual(['task1']);
  });

  it('asks for a project when the node exists in several, and uses the one given', async () => {
    const { docker, calls } = fakeDocker([container('x', svc('shield', 'one')), container('y', svc('shield', 'two'))]);
    await expect(dockerChaos('kill', 'shield', { docker })).rejects.toThrow(/several compose projects \(one, two\); name one with --project/);
    await dockerChaos('kill', 'shield', { docker, project: 'two' });
    expect(calls.map((c) => c.id)).toEqual(['y']);
  });

  it('refuses what cannot apply, naming the container and its state', async () => {
    const { docker, calls } = fakeDocker([container('a', svc('edge-na-1'), 'exited', {})]);
    await expect(dockerChaos('kill', 'edge-na-1', { docker })).rejects.toThrow(/a is exited, not running: nothing to kill/);
    await expect(dockerChaos('pause', 'edge-na-1', { docker })).rejects.toThrow(/nothing to pause/);
    await expect(dockerChaos('unpause', 'edge-na-1', { docker })).rejects.toThrow(/a is exited, not paused/);
    await expect(dockerChaos('disconnect', 'edge-na-1', { docker })).rejects.toThrow(/on no network: already disconnected/);
    await expect(dockerChaos('explode' as never, 'edge-na-1', { docker })).rejects.toThrow(/expected an action \(kill, stop, start, pause, unpause, disconnect, reconnect\), got "explode"/);
    await expect(dockerChaos('kill', 'bad name!', { docker })).rejects.toThrow(/expected a node name/);
    await expect(dockerChaos('stop', 'edge-na-1', { docker, stopTimeoutSec: -1 })).rejects.toThrow(/opts.stopTimeoutSec/);
    expect(calls).toEqual([]);
  });

  it('treats the engine\'s 304 (already in that state) as done, and wraps other engine errors', async () => {
    const ok = fakeDocker([container('a', svc('origin'), 'running')], { failWith: { statusCode: 304, message: 'container already started' } });
    await expect(dockerChaos('start', 'origin', { docker: ok.docker })).resolves.toMatchObject({ action: 'start' });
    const bad = fakeDocker([container('a', svc('origin'), 'running')], { failWith: { statusCode: 500, message: 'boom' } });
    const err = await dockerChaos('stop', 'origin', { docker: bad.docker }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerChaosError);
    expect((err as Error).message).toBe('stop a (node origin): boom');
  });

  it('disconnects from every network and reconnects to the project network at the static address', async () => {
    const nets = { cdnlab_cdnlab: 'net-1', other: 'net-2' };
    const labels = svc('edge-eu-1', 'cdnlab', { 'org.cdnlab.address': '10.89.53.17', 'org.cdnlab.network': 'cdnlab' });
    const on = fakeDocker([container('a', labels, 'running', nets)]);
    await dockerChaos('disconnect', 'edge-eu-1', { docker: on.docker });
    expect(on.calls).toEqual([
      { op: 'disconnect', id: 'net-1', arg: { Container: 'a', Force: false } },
      { op: 'disconnect', id: 'net-2', arg: { Container: 'a', Force: false } },
    ]);
    await expect(dockerChaos('reconnect', 'edge-eu-1', { docker: on.docker })).rejects.toThrow(/still connected \(cdnlab_cdnlab, other\)/);

    const off = fakeDocker([container('a', labels, 'running', {})], { networks: [{ Id: 'net-9' } as Docker.NetworkInspectInfo] });
    await dockerChaos('reconnect', 'edge-eu-1', { docker: off.docker });
    expect(off.calls).toEqual([
      { op: 'listNetworks', id: '', arg: { label: ['com.docker.compose.project=cdnlab', 'com.docker.compose.network=cdnlab'] } },
      { op: 'connect', id: 'net-9', arg: { Container: 'a', EndpointConfig: { IPAMConfig: { IPv4Address: '10.89.53.17' }, Aliases: ['edge-eu-1'] } } },
    ]);
    const gone = fakeDocker([container('a', labels, 'running', {})], { networks: [] });
    await expect(dockerChaos('reconnect', 'edge-eu-1', { docker: gone.docker })).rejects.toThrow(/the cdnlab network of compose project cdnlab is gone/);
  });

  it('says so when the engine cannot be reached', async () => {
    const docker = { listContainers: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')) } as unknown as DockerLike;
    await expect(dockerChaos('kill', 'edge-na-1', { docker })).rejects.toThrow(/cannot reach the Docker engine \(connect ENOENT \/var\/run\/docker.sock\)/);
  });
});
