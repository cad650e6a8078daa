/**
 * pnpm --filter @cdnlab/edge bench
 *
 * (a) Edge HIT throughput and latency for a 1 KiB object over keep-alive,
 *     beside a bare node:http server returning the same 1 KiB, measured the
 *     same way in the same run (aim: ratio >= 0.8).
 * (b) Latency one tier hop adds on a MISS with no injected link latency,
 *     beside a bare grpc-js unary echo of the same payload (aim: <= 1.5x).
 * Everything is on loopback and bounded in time.
 *
 * The load average is printed because the figures move with it. Server CPU
 * time per request (asked of the server process around the run) is printed
 * beside requests/s: on a shared machine it is the steadier measure of what
 * a request costs, and bare/edge of it is the ratio a saturated edge would see.
 *
 * `pnpm --filter @cdnlab/edge bench -- a` (or `b`) runs one part only.
 */
import { execFile, fork, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import * as grpc from '@grpc/grpc-js';
import { startOrigin } from '@cdnlab/origin';
import { startTierNode } from '@cdnlab/tier';
import { callOptions, createTierClient, readFetchReply } from '@cdnlab/rpc';
import { cacheDefaults } from '../test/mini-topology';

const QUICK = process.env.CDNLAB_BENCH_QUICK === '1';
const DURATION_S = QUICK ? 3 : 8;

function startChild(which: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'servers.ts'), [which], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${which} server exited with ${code}`)));
  });
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Requests completed in the measured run. */
  requests: number;
}

function cpuUsOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not report its CPU time within 5 s')), 5000);
    child.once('message', (m: { cpuUs: number }) => {
      clearTimeout(t);
      resolve(m.cpuUs);
    });
    child.send('cpu');
  });
}

/** A load run with the server's CPU time per request (µs) beside it, counted from the end of the warm-up. */
async function loadWithCpu(server: { child: ChildProcess; port: number }, path: string): Promise<LoadResult & { cpuUsPerRequest: number }> {
  let start = 0;
  const r = await load(server.port, path, async () => {
    start = await cpuUsOf(server.child);
  });
  const end = await cpuUsOf(server.child);
  return { ...r, cpuUsPerRequest: (end - start) / r.requests };
}

const HAVE_WRK = spawnSync('wrk', ['--version']).error === undefined;

/**
 * wrk (C, one thread) when installed: autocannon parses responses in
 * JavaScript and, on two cores, becomes the bottleneck long before a Node
 * server does, and more so the more response headers there are, which would
 * make the edge (13 headers) look slower than it is next to the bare server (3).
 */
async function load(port: number, path: string, afterWarmUp: () => Promise<void>): Promise<LoadResult> {
  const url = `http://127.0.0.1:${port}${path}`;
  if (HAVE_WRK) {
    spawnSync('wrk', ['-t1', '-c32', '-d1s', '-H', 'Host: cdn.test', url]);
    await afterWarmUp();
    const out = await new Promise<string>((resolve, reject) => {
      execFile('wrk', ['-t1', '-c64', `-d${DURATION_S}s`, '--latency', '-H', 'Host: cdn.test', url], { encoding: 'utf8', timeout: (DURATION_S + 30) * 1000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
    const ms = (re: RegExp): number => {
      const m = re.exec(out);
      if (!m) return NaN;
      const v = Number(m[1]);
      return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
    };
    const errors = num(/Non-2xx or 3xx responses: (\d+)/) || 0;
    return { rps: num(/Requests\/sec:\s+([\d.]+)/), p50: ms(/50%\s+([\d.]+)(us|ms|s)/), p99: ms(/99%\s+([\d.]+)(us|ms|s)/), errors, requests: num(/(\d+) requests in/) };
  }
  await autocannon({ url, connections: 32, duration: 1, headers: { host: 'cdn.test' } });
  await afterWarmUp();
  const r = await autocannon({ url, connections: 64, duration: DURATION_S, headers: { host: 'cdn.test' } });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, requests: r.requests.total };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function hitThroughput(): Promise<void> {
  const bare = await startChild('bare');
  const edge = await startChild('edge');
  try {
    const b = await loadWithCpu(bare, '/obj');
    const e = await loadWithCpu(edge, '/static/obj-1k');
    const row = (name: string, r: LoadResult & { cpuUsPerRequest: number }) =>
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   errors ${r.errors}   server CPU ${r.cpuUsPerRequest.toFixed(1)} µs/req`;
    console.log(`\n(a) 1 KiB over keep-alive, 64 connections, ${HAVE_WRK ? 'wrk -t1' : 'autocannon (install wrk for a load generator that is not the bottleneck)'}, server in its own process`);
    console.log(row('bare node:http', b));
    console.log(row('edge HIT', e));
    console.log(`ratio edge/bare: ${(e.rps / b.rps).toFixed(2)} (aim >= 0.80); by server CPU per request: ${(b.cpuUsPerRequest / e.cpuUsPerRequest).toFixed(2)}`);
  } finally {
    bare.child.kill();
    edge.child.kill();
  }
}

async function tierHop(): Promise<void> {
  const N = QUICK ? 500 : 3000;
  const token = 'bench-token-0123456789';
  const origin = await startOrigin({ id: 'origin', region: 'na', grpc: { host: '127.0.0.1', port: 0 }, token,
    site: { paths: [{ match: '/**', sizeBytes: 1024, headers: { 'Cache-Control': 'max-age=60' } }] } });
  const tier = await startTierNode({ id: 'regional', role: 'regional', region: 'na', grpc: { host: '127.0.0.1', port: 0 }, cache: cacheDefaults, key: {},
    parents: [{ id: 'origin', address: `127.0.0.1:${origin.grpcPort}` }], token, hostnames: ['cdn.test'] });
  tier.rpc.setServing(true);

  // A bare echo: a generic unary service with identity (de)serialisers.
  const echoDef = { Echo: { path: '/bench.Echo/Echo', requestStream: false, responseStream: false,
    requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } };
  const echoServer = new grpc.Server();
  echoServer.addService(echoDef, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const echoPort = await new Promise<number>((r, j) => echoServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  const EchoClient = grpc.makeGenericClientConstructor(echoDef, 'Echo');
  const echo = new EchoClient(`127.0.0.1:${echoPort}`, grpc.credentials.createInsecure()) as unknown as { Echo(b: Buffer, o: grpc.CallOptions, cb: (e: Error | null, r: Buffer) => void): void; close(): void };
  const payload = Buffer.alloc(1024, 'y');

  const toOrigin = createTierClient(`127.0.0.1:${origin.grpcPort}`);
  const toTier = createTierClient(`127.0.0.1:${tier.grpcPort}`);
  const fetchOnce = async (client: typeof toOrigin, i: number, tag: string): Promise<number> => {
    const t0 = performance.now();
    await readFetchReply(client.fetch({ method: 'GET', scheme: 'http', authority: 'cdn.test', target: `/miss/${tag}/${i}`, headers: [] }, callOptions(5000)));
    return performance.now() - t0;
  };
  // CPU time per call beside the latencies: everything runs in this process,
  // so the difference between two series is what the extra hop costs in CPU,
  // a figure other processes on the machine move much less than latency.
  const cpuPerCall = new Map<number[], number>();
  const series = async (f: (i: number) => Promise<number>): Promise<number[]> => {
    for (let i = 0; i < 200; i++) await f(-1 - i); // warm-up
    const out: number[] = [];
    const deadline = Date.now() + 30_000;
    const c0 = process.cpuUsage();
    for (let i = 0; i < N && Date.now() < deadline; i++) out.push(await f(i));
    const c = process.cpuUsage(c0);
    out.sort((a, b) => a - b);
    cpuPerCall.set(out, (c.user + c.system) / out.length);
    return out;
  };
  const echoTimes = await series(() => new Promise((resolve, reject) => {
    const t0 = performance.now();
    echo.Echo(payload, { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve(performance.now() - t0)));
  }));
  const direct = await series((i) => fetchOnce(toOrigin, i, 'direct'));
  const viaTier = await series((i) => fetchOnce(toTier, i, 'tier'));
  const added = pct(viaTier, 0.5) - pct(direct, 0.5);
  console.log(`\n(b) one tier hop on a MISS, 1 KiB, sequential, ${echoTimes.length} calls each, no link latency`);
  console.log(`bare grpc-js echo         p50 ${pct(echoTimes, 0.5).toFixed(3)} ms  p99 ${pct(echoTimes, 0.99).toFixed(3)} ms`);
  console.log(`client -> origin          p50 ${pct(direct, 0.5).toFixed(3)} ms  p99 ${pct(direct, 0.99).toFixed(3)} ms`);
  console.log(`client -> tier -> origin  p50 ${pct(viaTier, 0.5).toFixed(3)} ms  p99 ${pct(viaTier, 0.99).toFixed(3)} ms`);
  console.log(`added by the tier hop: ${added.toFixed(3)} ms = ${(added / pct(echoTimes, 0.5)).toFixed(2)}x a bare echo (aim <= 1.5)`);
  const cpu = (s: number[]): number => cpuPerCall.get(s) ?? NaN;
  const addedCpu = cpu(viaTier) - cpu(direct);
  console.log(`CPU per call: echo ${cpu(echoTimes).toFixed(0)} µs, direct ${cpu(direct).toFixed(0)} µs, via tier ${cpu(viaTier).toFixed(0)} µs; the hop adds ${addedCpu.toFixed(0)} µs = ${(addedCpu / cpu(echoTimes)).toFixed(2)}x an echo`);
  echo.close();
  toOrigin.close();
  toTier.close();
  echoServer.forceShutdown();
  await tier.stop(100);
  await origin.stop(100);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).find((a) => a !== '--');
  if (only !== undefined && only !== 'a' && only !== 'b') throw new Error(`expected the part to run to be "a" or "b", got ${JSON.stringify(only)}`);
  console.log(`edge bench${QUICK ? ' (quick)' : ''}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (only !== 'b') await hitThroughput();
  if (only !== 'a') await tierHop();
  console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
