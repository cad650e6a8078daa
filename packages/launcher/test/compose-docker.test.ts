/**
 * Faults through the Docker Engine API on a real compose cluster, as
 * .ci/docker.sh starts it (the default topology with the ports overlay:
 * DNS on 127.0.0.1:5353). Needs a Docker engine and that cluster, so it runs
 * only when CDNLAB_COMPOSE_PROJECT names the compose project; otherwise it
 * is skipped (see the describe below) and .ci/docker.sh runs it.
 */
import dgram from 'node:dgram';
import Docker from 'dockerode';
import dnsPacket from 'dns-packet';
import { dockerChaos, findNodeContainers } from '../src/compose-chaos';

const PROJECT = process.env.CDNLAB_COMPOSE_PROJECT;
const DNS_PORT = Number(process.env.CDNLAB_COMPOSE_DNS_PORT ?? 5353);

/** A records for cdn.cdnlab.test as seen from an eu client (EDNS Client Subnet 127.20.0.1/32). */
function euAnswers(timeoutMs = 1500): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const id = Math.floor(Math.random() * 65535);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no DNS answer'));
    }, timeoutMs);
    socket.on('message', (msg) => {
      const r = dnsPacket.decode(msg);
      if (r.id !== id) return;
      clearTimeout(timer);
      socket.close();
      resolve((r.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : [])).sort());
    });
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'cdn.cdnlab.test', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [{ code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: 32, scopePrefixLength: 0, ip: '127.20.0.1' }] }],
    } as unknown as dnsPacket.Packet);
    socket.send(query, DNS_PORT, '127.0.0.1');
  });
}

/** Polls `check` every 250 ms until it holds or `ms` pass; returns whether it held. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

// Skipped without a compose cluster: it needs a Docker engine and the cluster .ci/docker.sh starts.
const describeWithCluster = PROJECT ? describe : describe.skip;

describeWithCluster('docker chaos on a compose cluster', () => {
  const docker = new Docker();
  const project = PROJECT as string;
  let euAddress: Record<string, string>;

  const inspect = async (node: string) => {
    const [c] = await findNodeContainers(docker, node, project);
    return docker.getContainer((c as Docker.ContainerInfo).Id).inspect();
  };

  beforeAll(async () => {
    euAddress = {};
    for (const id of ['edge-eu-1', 'edge-eu-2']) euAddress[id] = (await inspect(id)).Config.Labels['org.cdnlab.address'] as string;
  });

  afterAll(async () => {
    // Leave the cluster as it was found, whatever failed above.
    const s = await inspect('edge-eu-1');
    if (s.State.Paused) await docker.getContainer(s.Id).unpause();
    if (Object.keys(s.NetworkSettings.Networks).length === 0) await dockerChaos('reconnect', 'edge-eu-1', { docker, project });
    if (!s.State.Running) await docker.getContainer(s.Id).start();
  });

  it('pauses and resumes the node\'s container', async () => {
    await dockerChaos('pause', 'edge-eu-1', { docker, project });
    expect((await inspect('edge-eu-1')).State.Status).toBe('paused');
    await dockerChaos('unpause', 'edge-eu-1', { docker, project });
    expect((await inspect('edge-eu-1')).State.Status).toBe('running');
  });

  it('kills an edge: DNS stops handing it out, and hands it out again once it is started', async () => {
    // The DNS rotates over the region's healthy edges, so one answer without
    // edge-eu-1 proves nothing: ask for eight in a row.
    const onlyEu2 = async () => {
      for (let i = 0; i < 8; i++) if ((await euAnswers()).join() !== euAddress['edge-eu-2']) return false;
      return true;
    };
    expect(await eventually(async () => !(await onlyEu2()), 20_000)).toBe(true);
    await dockerChaos('kill', 'edge-eu-1', { docker, project });
    expect((await inspect('edge-eu-1')).State.Status).toBe('exited');
    // Health interval 1 s × fall 2, plus a probe timeout: a few seconds.
    expect(await eventually(onlyEu2, 15_000)).toBe(true);
    await dockerChaos('start', 'edge-eu-1', { docker, project });
    expect(await eventually(async () => (await euAnswers()).includes(euAddress['edge-eu-1'] as string), 30_000)).toBe(true);
  }, 90_000);

  it('disconnects a node from the network and reconnects it at its static address', async () => {
    await dockerChaos('disconnect', 'edge-eu-1', { docker, project });
    expect(Object.keys((await inspect('edge-eu-1')).NetworkSettings.Networks)).toEqual([]);
    await dockerChaos('reconnect', 'edge-eu-1', { docker, project });
    const nets = Object.values((await inspect('edge-eu-1')).NetworkSettings.Networks);
    expect(nets.map((n) => n.IPAddress)).toEqual([euAddress['edge-eu-1']]);
  }, 30_000);
});
