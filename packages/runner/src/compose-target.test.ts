import path from 'node:path';
import { composeFor, composePlan, type DockerLike } from '@cdnlab/launcher';
import { loadTopologyFile } from '@cdnlab/scenario';
import YAML from 'yaml';
import { attachToCompose } from './compose-target';

const topology = loadTopologyFile(path.join(__dirname, '../../../topologies/default.yaml'));

/**
 * An engine with one container per node, recording what is asked of it.
 * `states` gives a node's container state (default `state`); a node in
 * `offNetwork` has none of its networks.
 */
function engine(calls: string[], state = 'running', states: Record<string, string> = {}, offNetwork: string[] = []): DockerLike {
  const ids = composePlan(topology, { token: 'tokentoken' }).nodes.map((n) => n.id); // the nodes, control and dns
  return {
    listContainers: async (o: { filters: string }) => {
      const wanted = (JSON.parse(o.filters) as { label?: string[] }).label ?? [];
      return ids
        .map((id) => ({
          Id: `c-${id}`,
          Names: [`/cdnlab_${id}_1`],
          State: states[id] ?? state,
          Labels: { 'com.docker.compose.service': id, 'com.docker.compose.project': 'cdnlab', 'org.cdnlab.node': id },
          NetworkSettings: { Networks: offNetwork.includes(id) ? {} : { cdnlab_cdnlab: { NetworkID: 'net-1' } } },
        }))
        .filter((c) => wanted.every((w) => { const [k, v] = w.split('='); return v === undefined ? k in c.Labels : (c.Labels as Record<string, string>)[k] === v; }));
    },
    getContainer: (id: string) => ({
      kill: async () => void calls.push(`kill ${id}`),
      stop: async () => void calls.push(`stop ${id}`),
      start: async () => void calls.push(`start ${id}`),
      pause: async () => void calls.push(`pause ${id}`),
      unpause: async () => void calls.push(`unpause ${id}`),
    }),
    listNetworks: async () => [{ Id: 'net-1' }],
    getNetwork: (net: string) => ({
      connect: async (o: { Container: string }) => void calls.push(`connect ${o.Container} to ${net}`),
      disconnect: async (o: { Container: string }) => void calls.push(`disconnect ${o.Container} from ${net}`),
    }),
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

  it('restores what earlier runs left, read from the engine: dead, frozen or cut-off nodes', async () => {
    // A fresh run knows nothing of edge-failover's earlier kill; only the engine does.
    const calls: string[] = [];
    const probed: string[] = [];
    const running = attachToCompose({
      topology,
      token: 'tokentoken',
      docker: engine(calls, 'running', { 'edge-eu-1': 'exited', 'edge-na-1': 'paused', 'regional-eu': 'exited' }, ['regional-na', 'regional-eu']),
      probe: async (id) => {
        probed.push(id);
        return probed.filter((p) => p === id).length >= 2; // healthy at the second look
      },
    });
    expect(running.nodes.get('edge-eu-1')?.state).toBe('running'); // what the run assumes until it looks
    const did = await running.restoreAll!();
    expect(did.sort()).toEqual(['reconnected regional-eu', 'reconnected regional-na', 'started edge-eu-1 (it was exited)', 'started regional-eu (it was exited)', 'unpaused edge-na-1'].sort());
    // Back on its network before it is started, so its health check can reach it.
    expect(calls.indexOf('connect c-regional-eu to net-1')).toBeLessThan(calls.indexOf('start c-regional-eu'));
    expect(calls).toContain('unpause c-edge-na-1');
    expect(calls).toContain('start c-edge-eu-1');
    expect(calls.filter((c) => !/regional-eu|regional-na|edge-eu-1|edge-na-1/.test(c))).toEqual([]);
    expect(probed.sort()).toEqual(['edge-eu-1', 'edge-eu-1', 'regional-eu', 'regional-eu']);
    expect(running.nodes.get('edge-eu-1')?.state).toBe('running');
  });

  it('says when a restored node does not come back, and when the engine cannot be read', async () => {
    const down = attachToCompose({ topology, token: 'tokentoken', healthTimeoutMs: 1, docker: engine([], 'running', { 'edge-eu-1': 'exited' }), probe: async () => false });
    await expect(down.restoreAll!()).rejects.toThrow(/edge-eu-1: its container started but it did not become healthy within 1 ms/);
    const unreachable = { ...engine([]), listContainers: async () => { throw new Error('connect ENOENT /var/run/docker.sock'); } } as DockerLike;
    const blind = attachToCompose({ topology, token: 'tokentoken', docker: unreachable });
    await expect(blind.restoreAll!()).rejects.toThrow(/reading origin's containers through the Docker Engine API: cannot reach the Docker engine \(connect ENOENT/);
  });

  it('needs the token', () => {
    expect(() => attachToCompose({ topology, token: '' })).toThrow(/expected the cluster token/);
  });
});
