/**
 * Child processes for the edge benchmark, so the server under test has a
 * core of its own and the load generator the other: `bare` is a plain
 * node:http server returning 1 KiB; `edge` is an edge in front of an origin
 * whose object is already cached (the HIT path).
 */
import { createServer } from 'node:http';
import { startOrigin } from '@cdnlab/origin';
import { startEdge } from '../src/edge';
import { cacheDefaults } from '../test/mini-topology';

const BODY = Buffer.alloc(1024, 'x');

// The parent asks for our CPU time around a load run: CPU per request is the
// figure that stays comparable when other processes share the two cores.
process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const c = process.cpuUsage();
    process.send!({ cpuUs: c.user + c.system });
  }
});

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which === 'bare') {
    const s = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BODY.length) });
      res.end(BODY);
    });
    s.keepAliveTimeout = 30_000;
    s.listen(0, '127.0.0.1', () => process.send!({ port: (s.address() as { port: number }).port }));
    return;
  }
  const token = 'bench-token-0123456789';
  const origin = await startOrigin({ id: 'origin', region: 'na', grpc: { host: '127.0.0.1', port: 0 }, token,
    site: { paths: [{ match: '/**', sizeBytes: 1024, headers: { 'Cache-Control': 'max-age=86400' } }] } });
  const edge = await startEdge({
    id: 'edge', role: 'edge', region: 'na', grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 },
    cache: cacheDefaults, key: {}, parents: [{ id: 'origin', address: `127.0.0.1:${origin.grpcPort}` }], token, hostnames: ['cdn.test'],
  });
  edge.http.keepAliveTimeout = 30_000;
  process.send!({ port: edge.httpPort });
}

process.on('SIGTERM', () => process.exit(0));
void main();
