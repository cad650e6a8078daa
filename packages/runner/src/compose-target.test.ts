import path from 'node:path';
import { composeFor, composePlan, type DockerLike } from '@cdnlab/launcher';
import { loadTopologyFile } from '@cdnlab/scenario';
import YAML from 'yaml';
import { attachToCompose } from './compose-target';

const topology = loadTopologyFile(path.join(__dirname, '../../../topologies/default.yaml'));

/** An engine with one container per node, recording what is asked of it. */
function engine(calls: string[], state = 'running'): DockerLike {
  const ids = topology.nodes.map((n) => n.id);
  return {
    listContainers: async (o: { filters: string }) => {
      const wanted = (JSON.parse(o.filters) as { label?: string[] }).label ?? [];
      return ids
        .map((id) => ({ Id: `c-${id}`, Names: [`/cdnlab_${id}_1`], State: state, Labels: { 'com.docker.compose.service': id, 'com.docker.compose.project': 'cdnlab', 'org.cdnlab.node': id }, NetworkSettings: { Networks: {} } }))
        .filter((c) => wanted.every((w) => { const [k, v] = w.split('='); return v === undefined ? k in c.Labels : (c.Labels as Record<string, string>)[k] === v; }));
    },
    getContainer: (id: string) => ({
      kill: async () => void calls.push(`kill ${id}`),
      stop: async () => void calls.push(`stop ${id}`),
      start: async () => void calls.push(`start ${id}`),
      pause: async () => void calls.push(`pause ${id}`),
      unpause: async () => void calls.push(`unpause ${id}`),
    }),
    listNetworks: async () => [],
    getNetwork: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
  } as unknown as DockerLike;
}

describe('composePlan: the compose cluster seen from inside its network', () => {
  const plan = composePlan(topology, { token: 't0ken-t0ken' });
  const file = YAML.parse(composeFor(topology)) as { services: Record<string, { networks: Record<string, { ipv4_address: string }> }> };

  it('puts every node at the static address the compose file gives it, with the same ports', () => {
    for (const n of plan.nodes) {
      const address = file.services[n.id].networks.cdnlab.ipv4_address;
      for (const e of [n.grpc, n.http, n.metrics, n.dns]) if (e) expect(e.host).toBe(address);
    }
    expect(plan.addressing).toBe('compose');
    expect(plan.dns.dns.port).toBe(53);
    expect(plan.token).toBe('t0ken-t0ken');
  });

  it('rejects a subnet the compose file could not have', () => {
    expect(() => composePlan(topology, { token: 'tokentoken', subnet: '10.0.0.0/8' })).toThrow(/prefix from \/16 to \/26/);
  });
});

describe('attachToCompose', () => {
  it('acts on the node containers through the engine and tracks their state', async () => {
    const calls: string[] = [];
    const running = attachToCompose({ topology, token: 'tokentoken', docker: engine(calls) });
    await running.kill('edge-eu-1');
    await running.pause('edge-na-1');
    await running.stopNode('regional-na', 1500);
    expect(calls).toEqual(['kill c-edge-eu-1', 'pause c-edge-na-1', 'stop c-regional-na']);
    expect(running.nodes.get('edge-eu-1')?.state).toBe('exited');
    expect(running.nodes.get('edge-na-1')?.state).toBe('paused');
    expect(running.faults).toBe('docker');
    expect(running.controlHttp).toMatch(/^10\.89\.53\.\d+:8800$/);
  });

  it('names an unknown node and never stops the cluster', async () => {
    const running = attachToCompose({ topology, token: 'tokentoken', docker: engine([]) });
    await expect(running.kill('edge-mars-1')).rejects.toThrow(/unknown node "edge-mars-1" in the compose cluster; nodes: origin/);
    await expect(running.stop()).resolves.toBeUndefined();
  });

  it('says which container refused an action', async () => {
    const running = attachToCompose({ topology, token: 'tokentoken', docker: engine([], 'exited') });
    await expect(running.pause('edge-eu-1')).rejects.toThrow(/pause edge-eu-1 through the Docker Engine API: .*exited/);
  });

  it('needs the token', () => {
    expect(() => attachToCompose({ topology, token: '' })).toThrow(/expected the cluster token/);
  });
});
