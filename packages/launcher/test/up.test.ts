import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { loadTopologyFile } from '@cdnlab/scenario';
import { DEFAULT_TOPOLOGY, ENTRYPOINTS, grpcServing, isAlive, isOurs, readState, startTopology, StartError, type RunningTopology } from '../src';

// The default topology as real processes on loopback, under test prefixes so
// it can run beside a developer's own `cdnlab up` (127.0) and other tests.

jest.setTimeout(180_000);

const topology = loadTopologyFile(DEFAULT_TOPOLOGY);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-launcher-'));
const stateFile = path.join(tmp, 'state.json');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** One A query from `source` (a client address of a region), answers' addresses. */
function resolveA(server: string, port: number, source: string, name: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no DNS answer'));
    }, 3000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      const answers = dnsPacket.decode(msg).answers ?? [];
      resolve(answers.filter((a) => a.type === 'A').map((a) => String((a as { data: unknown }).data)));
    });
    socket.bind(0, source, () => socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, server));
  });
}

describe('startTopology with the default topology', () => {
  let running: RunningTopology;
  let pids: number[] = [];

  beforeAll(async () => {
    running = await startTopology(topology, { prefix: '127.83', token: 'integration-token-1', stateFile, runDir: path.join(tmp, 'run'), healthTimeoutMs: 90_000 });
    pids = [...running.nodes.values()].map((n) => n.pid);
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('starts every node as its own process, each healthy on its own address', async () => {
    expect([...running.nodes.keys()]).toHaveLength(13);
    expect(new Set(pids).size).toBe(13);
    expect(pids.every(isAlive)).toBe(true);
    expect([...running.nodes.values()].every((n) => n.state === 'running')).toBe(true);
    for (const n of running.nodes.values()) {
      if (n.addresses.grpc) expect(await grpcServing(n.addresses.grpc, 2000)).toBe(true);
    }
    expect(running.nodes.get('edge-eu-1')?.addresses).toEqual({ http: '127.83.1.3:8080', grpc: '127.83.1.3:7070', metrics: '127.83.1.3:9090' });
  });

  it('serves a request through the tiers, and control sees every node', async () => {
    const res = await get('http://127.83.1.1:8080/static/app.js', { Host: 'cdn.cdnlab.test' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(10 * 1024);
    const stats = await get(`http://${running.controlHttp}/stats`, { Authorization: `Bearer ${running.token}` });
    expect(stats.status).toBe(200);
    const nodes = (JSON.parse(stats.body) as { nodes: Array<{ nodeId: string; error: string; counters: { requests: number } | null }> }).nodes;
    expect(nodes.map((n) => n.nodeId).sort()).toEqual([...running.nodes.keys()].filter((id) => id !== 'control' && id !== 'dns').sort());
    expect(nodes.filter((n) => n.error !== '')).toEqual([]);
    expect(nodes.find((n) => n.nodeId === 'edge-na-1')?.counters?.requests).toBeGreaterThanOrEqual(1);
  });

  it('answers DNS for the zone with an edge of the client region', async () => {
    const [host, port] = running.dnsAddress.split(':');
    const euEdges = ['127.83.1.3', '127.83.1.4'];
    const answer = await until('an eu edge in the DNS answer', 10_000, async () => {
      const a = await resolveA(host, Number(port), '127.20.0.9', 'cdn.cdnlab.test');
      return a.length > 0 && a.every((x) => euEdges.includes(x)) ? a : undefined;
    });
    expect(answer).toHaveLength(1);
  });

  it('records the run in the state file and refuses a second up on the same prefix', async () => {
    const run = readState(stateFile).runs['127.83'];
    expect(run.token).toBe('integration-token-1');
    expect(run.nodes.map((n) => n.pid).sort()).toEqual([...pids].sort());
    expect(run.supervisorPid).toBe(process.pid);
    await expect(startTopology(topology, { prefix: '127.83', stateFile, runDir: path.join(tmp, 'run2') })).rejects.toThrow(/already running on 127\.83/);
  });

  it('kills, restarts, pauses and resumes one node', async () => {
    const before = running.nodes.get('edge-apac-2');
    const oldPid = before?.pid as number;
    await running.kill('edge-apac-2');
    expect(isAlive(oldPid)).toBe(false);
    expect(running.nodes.get('edge-apac-2')?.exit?.signal).toBe('SIGKILL');
    expect(await grpcServing('127.83.1.6:7070', 500)).toBe(false);
    await running.startNode('edge-apac-2');
    const again = running.nodes.get('edge-apac-2');
    expect(again?.state).toBe('running');
    expect(again?.pid).not.toBe(oldPid);
    expect(await grpcServing('127.83.1.6:7070', 2000)).toBe(true);
    pids.push(again?.pid as number);

    running.pause('regional-eu');
    expect(await grpcServing('127.83.2.2:7070', 500)).toBe(false);
    running.unpause('regional-eu');
    expect(await grpcServing('127.83.2.2:7070', 5000)).toBe(true);

    await running.stopNode('edge-na-2');
    expect(running.nodes.get('edge-na-2')?.exit).toEqual({ code: 0, signal: null });
  });

  it('stops every node, leaving no process and no state behind', async () => {
    await running.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect([...running.nodes.values()].map((n) => n.state).every((s) => s === 'stopped')).toBe(true);
    expect(readState(stateFile).runs['127.83']).toBeUndefined();
  });
});

describe('start-up failures', () => {
  it('names the node that cannot start, quotes its log, and stops what it had started', async () => {
    // Another process holds the shield's gRPC address: the shield cannot bind.
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => squatter.listen(7070, '127.84.3.1', r));
    const spawned: number[] = [];
    try {
      const err = await startTopology(topology, {
        prefix: '127.84',
        stateFile,
        runDir: path.join(tmp, 'fail'),
        onProgress: (p) => p.event === 'spawned' && spawned.push(p.pid),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartError);
      expect((err as StartError).nodeId).toBe('shield');
      expect((err as StartError).message).toMatch(/^node shield \(shield\) exited with code 1 before it was healthy; last lines of .*shield\.log:\n/);
      expect((err as StartError).message).toContain('EADDRINUSE');
      expect(spawned).toHaveLength(2); // origin, then the shield
      expect(spawned.filter(isAlive)).toEqual([]);
      expect(readState(stateFile).runs['127.84']).toBeUndefined();
    } finally {
      squatter.close();
    }
  });

  it('names a node that never gets healthy within the timeout', async () => {
    const spawned: number[] = [];
    const err = await startTopology(topology, {
      prefix: '127.85',
      stateFile: null,
      runDir: path.join(tmp, 'slow'),
      roles: ['origin'],
      // An entrypoint that lives but never serves health.
      entrypoints: { origin: path.join(__dirname, 'fixtures/never-ready.ts') },
      healthTimeoutMs: 1500,
      onProgress: (p) => p.event === 'spawned' && spawned.push(p.pid),
    }).then(
      () => undefined,
      (e: unknown) => e as StartError,
    );
    expect(err?.message).toMatch(/^node origin \(origin\) was not healthy within 1500 ms at 127\.85\.4\.1:8080; last lines of/);
    // The tail itself is checked above; here the child may not have printed yet on a busy machine.
    expect(spawned.filter(isAlive)).toEqual([]);
  });
});

describe('no orphans', () => {
  it('a node exits when its foreground launcher is SIGKILLed', async () => {
    const launcher = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/launch-foreground.ts'), '127.86', path.join(tmp, 'orphan')], {
      cwd: path.resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    launcher.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    const pid = await until('the origin pid', 60_000, () => {
      const line = out.split('\n').find((l) => l.startsWith('{"pid"'));
      return line ? (JSON.parse(line) as { pid: number }).pid : undefined;
    });
    expect(isAlive(pid)).toBe(true);
    launcher.kill('SIGKILL');
    // isOurs, not isAlive: the orphan's new parent may be slow to reap it, and a zombie is dead.
    await until('the origin to exit', 10_000, () => (isOurs(pid, ENTRYPOINTS.origin) ? undefined : true));
    // It stopped gracefully (SIGTERM handler), not by force.
    expect(readFileSync(path.join(tmp, 'orphan', 'origin.log'), 'utf8')).toContain('origin stopping');
  });
});
