import { fork } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { createDnsServer } from '../src/server';
import type { LoadJob, LoadResult } from './load-generator';

// Queries per second of the GSLB `geo` policy with 50 edges, next to a
// minimal dns-packet responder that returns one fixed A record, both measured
// the same way in the same run by a load generator in a child process.
// Bounded: each measurement stops at COUNT answers or DURATION_MS.

const COUNT = Number(process.env.BENCH_COUNT ?? 300_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ZONE = 'cdn.cdnlab.test';
const REGIONS = ['eu', 'us', 'ap', 'sa', 'af'];

function baseline(): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  socket.on('message', (msg, rinfo) => {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const out = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: q.questions,
      answers: [{ name: ZONE, type: 'A', ttl: 30, data: '127.0.1.1' }],
    });
    socket.send(out, rinfo.port, rinfo.address);
  });
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => resolve({ port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) })),
  );
}

async function main(): Promise<void> {
  const edges = Array.from({ length: 50 }, (_, i) => ({
    id: `edge-${i}`,
    region: REGIONS[i % REGIONS.length],
    address: `127.0.${10 + (i % REGIONS.length)}.${i + 1}`,
    grpcAddress: `127.0.0.1:${20000 + i}`,
  }));
  const distances: Record<string, Record<string, number>> = {};
  REGIONS.forEach((a, i) => {
    distances[a] = {};
    REGIONS.forEach((b, j) => (distances[a][b] = Math.abs(i - j) * 10));
  });
  const gslb = createDnsServer(
    {
      zone: ZONE,
      answers: 2,
      policy: 'geo',
      edges,
      regions: REGIONS.map((name, i) => ({ name, cidrs: [`10.${i + 1}.0.0/16`] })),
      distances,
      health: { intervalMs: 60_000 },
    },
    // No gRPC edges here: the probe says SERVING so every edge is a candidate
    // and the measurement is about the query path.
    { probe: () => Promise.resolve(true), logger: pino({ level: 'silent' }) },
  );
  const { udpPort } = await gslb.start();
  const base = await baseline();

  const child = fork(path.join(__dirname, 'load-generator.ts'), [], { execArgv: ['--import', 'tsx'] });
  // Server CPU per answer: this process runs only the server being measured
  // (the other one is idle), so its CPU time over a run is that server's cost.
  const cpuPerAnswer = new Map<LoadResult, number>();
  const load = (port: number, count = COUNT): Promise<LoadResult> =>
    new Promise((resolve) => {
      const cpu = process.cpuUsage();
      child.once('message', (r) => {
        const used = process.cpuUsage(cpu);
        const result = r as LoadResult;
        cpuPerAnswer.set(result, (used.user + used.system) / Math.max(1, result.received));
        resolve(result);
      });
      const job: LoadJob = { port, count, durationMs: DURATION_MS, window: WINDOW, name: ZONE, subnets: REGIONS.map((_, i) => `10.${i + 1}.${i}.0/24`) };
      child.send(job);
    });

  // Warm-up (JIT) for both, then alternate so drift hits both alike.
  await load(base.port, 20_000);
  await load(udpPort, 20_000);
  const baseRuns: LoadResult[] = [];
  const gslbRuns: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    baseRuns.push(await load(base.port));
    gslbRuns.push(await load(udpPort));
  }
  child.kill();
  await gslb.stop();
  await base.close();

  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.qps - b.qps)[Math.floor(rs.length / 2)];
  const b = median(baseRuns);
  const g = median(gslbRuns);
  const fmt = (r: LoadResult) =>
    `${Math.round(r.qps).toLocaleString('en')} q/s (${r.received} answers, ${r.lost} lost, ${Math.round(r.elapsedMs)} ms; server CPU ${(cpuPerAnswer.get(r) ?? 0).toFixed(1)} us/answer)`;
  process.stdout.write(`dns qps bench: ${ROUNDS} rounds, window ${WINDOW}, up to ${COUNT} queries or ${DURATION_MS} ms each, median shown\n`);
  process.stdout.write(`  minimal dns-packet responder (fixed A):  ${fmt(b)}\n`);
  process.stdout.write(`  GSLB geo, 50 edges, 2 answers, ECS:      ${fmt(g)}\n`);
  process.stdout.write(`  ratio GSLB / minimal: ${(g.qps / b.qps).toFixed(2)} (aim >= 0.70)\n`);
  // q/s on a shared loopback swings with whatever else the machine runs; CPU
  // spent per answer by the server is the steadier figure of the same ratio.
  const medianCpu = (rs: LoadResult[]) => [...rs.map((r) => cpuPerAnswer.get(r) ?? 0)].sort((x, y) => x - y)[Math.floor(rs.length / 2)];
  const cb = medianCpu(baseRuns);
  const cg = medianCpu(gslbRuns);
  process.stdout.write(`  server CPU per answer (median): minimal ${cb.toFixed(1)} us, GSLB ${cg.toFixed(1)} us -> capacity ratio ${(cb / cg).toFixed(2)}\n`);
  process.stdout.write(`  all rounds: minimal ${baseRuns.map((r) => Math.round(r.qps)).join(', ')}; GSLB ${gslbRuns.map((r) => Math.round(r.qps)).join(', ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
