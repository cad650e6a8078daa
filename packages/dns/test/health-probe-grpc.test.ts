import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import net from 'node:net';
import { createGrpcHealthProbe } from '../src/health-probe-grpc';

/**
 * A probe stuck behind a peer that accepts TCP and never speaks HTTP/2 (what
 * a killed container's address, or a frozen process, looks like to grpc-js,
 * which has no connect timeout) must not stay stuck: after a timed-out probe
 * the next one dials afresh and sees the server that now answers there.
 */
describe('gRPC health probe', () => {
  const sockets: net.Socket[] = [];
  let tarpit: net.Server | undefined;
  let server: grpc.Server | undefined;

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    tarpit?.close();
    await new Promise<void>((r) => (server ? server.tryShutdown(() => r()) : r()));
    tarpit = undefined;
    server = undefined;
  });

  it('drops a channel whose probe timed out, so a server that comes back is seen at once', async () => {
    tarpit = net.createServer((s) => sockets.push(s)); // accepts, keeps the socket open, never answers
    await new Promise<void>((r) => tarpit!.listen(0, '127.0.0.1', () => r()));
    const port = (tarpit.address() as net.AddressInfo).port;
    const target = { id: 'edge-x', grpcAddress: `127.0.0.1:${port}` };
    const probe = createGrpcHealthProbe({ maxReconnectBackoffMs: 100 });
    try {
      await expect(probe(target, 300)).rejects.toThrow(/health check of edge-x at 127\.0\.0\.1:\d+: .*[Dd]eadline/);
      expect(sockets.length).toBeGreaterThan(0); // the probe really connected to the tarpit

      // Stop listening (the stuck connection stays open, as it would: close's
      // callback would wait for it) and serve real health checks on the same port.
      tarpit.close();
      await new Promise((r) => setTimeout(r, 50));
      server = new grpc.Server();
      const health = new HealthImplementation({ '': 'SERVING' });
      health.addToServer(server);
      await new Promise<void>((resolve, reject) =>
        server!.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
      );
      // A channel kept from the first probe would still wait on the tarpit's socket.
      await expect(probe(target, 2000)).resolves.toBe(true);
    } finally {
      probe.close();
    }
  });

  it('drops a channel whose probe was refused, so the very next probe sees a server that came back', async () => {
    // A free port: nothing listens there yet.
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const target = { id: 'edge-y', grpcAddress: `127.0.0.1:${port}` };
    // A long reconnect backoff: a kept channel would fail fast for seconds.
    const probe = createGrpcHealthProbe({ maxReconnectBackoffMs: 10_000 });
    try {
      await expect(probe(target, 1000)).rejects.toThrow(/health check of edge-y at 127\.0\.0\.1:\d+: .*(No connection established|ECONNREFUSED)/);
      server = new grpc.Server();
      new HealthImplementation({ '': 'SERVING' }).addToServer(server);
      await new Promise<void>((resolve, reject) =>
        server!.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
      );
      await expect(probe(target, 1000)).resolves.toBe(true);
    } finally {
      probe.close();
    }
  });
});
