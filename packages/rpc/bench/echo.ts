/**
 * Unary echo of a 1 KiB payload over loopback, sequential calls:
 *  1. bare grpc-js (identity serializers, no interceptors): the floor;
 *  2. with the link interceptor on an idle link (0 ms): its cost when off;
 *  3. with our full client chain (deadline check + idle link);
 *  4. with a 1 ms link, as a sanity check that the delay shows up (>= 2 ms).
 * Bounded: at most CALLS calls and MAX_MS per variant.
 */
import * as grpc from '@grpc/grpc-js';
import { Link, clientInterceptors, createLinkInterceptor, deadlineIn } from '../src';

const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const WARMUP = 500;
const MAX_MS = 20_000;
const PAYLOAD = Buffer.alloc(1024, 0x61);

const echoService: grpc.ServiceDefinition = {
  Echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};
const EchoClient = grpc.makeGenericClientConstructor(echoService, 'Echo');

interface Result {
  name: string;
  calls: number;
  p50: number;
  p99: number;
  perSecond: number;
}

function echoOnce(client: InstanceType<typeof EchoClient>): Promise<void> {
  return new Promise((resolve, reject) => {
    (client.Echo as (req: Buffer, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Buffer>) => void)(
      PAYLOAD,
      new grpc.Metadata(),
      { deadline: deadlineIn(5000) },
      (err, res) => {
        if (err) return reject(err);
        if (!res || res.length !== PAYLOAD.length) return reject(new Error('echo returned a different payload'));
        resolve();
      },
    );
  });
}

async function run(name: string, address: string, interceptors: grpc.Interceptor[]): Promise<Result> {
  const client = new EchoClient(address, grpc.credentials.createInsecure(), { interceptors });
  try {
    for (let i = 0; i < WARMUP; i++) await echoOnce(client);
    const samples: number[] = [];
    const start = performance.now();
    while (samples.length < CALLS && performance.now() - start < MAX_MS) {
      const t0 = performance.now();
      await echoOnce(client);
      samples.push(performance.now() - t0);
    }
    const total = performance.now() - start;
    samples.sort((a, b) => a - b);
    const q = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
    return { name, calls: samples.length, p50: q(0.5), p99: q(0.99), perSecond: (samples.length / total) * 1000 };
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const server = new grpc.Server();
  server.addService(echoService, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const address = `127.0.0.1:${port}`;
  try {
    // One unreported pass first, so JIT warm-up does not count against whichever variant runs first.
    await run('warm-up', address, []);
    const results: Result[] = [];
    results.push(await run('bare grpc-js', address, []));
    results.push(await run('link interceptor, idle (0 ms)', address, [createLinkInterceptor(new Link())]));
    results.push(await run('cdnlab chain (deadline check + idle link)', address, clientInterceptors({ link: new Link() })));
    results.push(await run('link interceptor, 1 ms one-way', address, [createLinkInterceptor(new Link({ latencyMs: 1 }))]));
    const base = results[0];
    console.log(`unary echo, 1 KiB payload, loopback, sequential; ${CALLS} calls per variant (cap ${MAX_MS} ms), node ${process.version}`);
    console.log('variant'.padEnd(44) + 'calls'.padStart(7) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9) + 'calls/s'.padStart(10) + '  vs bare');
    for (const r of results) {
      console.log(
        r.name.padEnd(44) +
          String(r.calls).padStart(7) +
          r.p50.toFixed(3).padStart(9) +
          r.p99.toFixed(3).padStart(9) +
          r.perSecond.toFixed(0).padStart(10) +
          `  p50 x${(r.p50 / base.p50).toFixed(2)}, throughput x${(r.perSecond / base.perSecond).toFixed(2)}`,
      );
    }
  } finally {
    server.forceShutdown();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
