import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callOptions, createTierClient, readFetchReply, type TierClient } from '@cdnlab/rpc';
import { startOrigin, type RunningOrigin } from '../src/origin-service';

// How fast the origin answers over gRPC Fetch: synthetic site (small and
// large bodies) and proxy mode in front of a trivial node:http app, so the
// proxy's cost shows as a ratio. Bounded: a fixed request count per case and
// a wall-clock cap. Run: pnpm --filter @cdnlab/origin bench

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3_000);
const CONCURRENCY = 32;
const CAP_MS = 20_000;

interface Result {
  name: string;
  n: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

async function run(name: string, client: TierClient, target: string): Promise<Result> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < REQUESTS && performance.now() - t0 < CAP_MS) {
      next++;
      const s = performance.now();
      await readFetchReply(client.Fetch({ method: 'GET', scheme: 'http', authority: 'b', target, headers: [] }, callOptions(10_000)));
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { name, n: lat.length, seconds, rps: lat.length / seconds, p50: q(0.5), p99: q(0.99) };
}

async function main(): Promise<void> {
  let connections = 0;
  const app = http.createServer((_req, res) => {
    const body = Buffer.alloc(1024, 0x61);
    res.writeHead(200, { 'content-length': body.length, 'cache-control': 'max-age=60' });
    res.end(body);
  });
  app.on('connection', () => connections++);
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
  const appPort = (app.address() as AddressInfo).port;
  const base = { region: 'bench', grpc: { host: '127.0.0.1', port: 0 }, token: 'bench-token' };
  const origins: RunningOrigin[] = [
    await startOrigin({ ...base, id: 'site', site: { paths: [{ match: '/small', sizeBytes: 1024 }, { match: '/large', sizeBytes: 256 * 1024 }] } }),
    await startOrigin({ ...base, id: 'proxy', upstream: `http://127.0.0.1:${appPort}` }),
  ];
  const [site, proxy] = origins.map((o) => createTierClient(`127.0.0.1:${o.grpcPort}`));
  try {
    await run('warm-up', site, '/small');
    const results = [
      await run('site 1 KiB', site, '/small'),
      await run('site 256 KiB', site, '/large'),
      await run('proxy 1 KiB', proxy, '/small'),
    ];
    for (const r of results) {
      console.log(`${r.name.padEnd(14)} n=${r.n} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`);
    }
    console.log(`proxy/site throughput ratio (1 KiB): ${(results[2].rps / results[0].rps).toFixed(2)}`);
    console.log(`upstream connections opened: ${connections}`);
    console.log(`256 KiB throughput: ${((results[1].rps * 256) / 1024).toFixed(0)} MiB/s`);
  } finally {
    site.close();
    proxy.close();
    await Promise.all(origins.map((o) => o.stop(500)));
    app.close();
  }
}

void main();
