/**
 * The container healthcheck against real servers on 127.0.0.1: a grpc-js
 * server with the standard health service, a UDP DNS responder, and ports
 * where nothing listens.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { createRpcServer, type RpcServer } from '@cdnlab/rpc';
import { dnsServing, grpcHealthServing, runHealthcheck } from '../src/compose-healthcheck';

/** A port that was free a moment ago: bind, read, close. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('grpcHealthServing', () => {
  let server: RpcServer;
  let port: number;

  beforeAll(async () => {
    server = createRpcServer();
    port = await server.listen('127.0.0.1', 0);
  });
  afterAll(() => server.shutdown(0));

  it('is false while the server says NOT_SERVING and true once it says SERVING', async () => {
    server.setServing(false);
    expect(await grpcHealthServing('127.0.0.1', port, 2000)).toBe(false);
    server.setServing(true);
    expect(await grpcHealthServing('127.0.0.1', port, 2000)).toBe(true);
  });

  it('is false where nothing listens', async () => {
    expect(await grpcHealthServing('127.0.0.1', await freePort(), 2000)).toBe(false);
  });

  it('runs as the HEALTHCHECK does, from CDNLAB_CONFIG, with exit codes 0 and 1', async () => {
    server.setServing(true);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runHealthcheck({ CDNLAB_CONFIG: JSON.stringify({ grpc: { host: '0.0.0.0', port } }) })).toBe(0);
      server.setServing(false);
      expect(await runHealthcheck({ CDNLAB_CONFIG: JSON.stringify({ grpc: { host: '0.0.0.0', port } }) })).toBe(1);
      expect(await runHealthcheck({})).toBe(1);
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
    }
  });
});

describe('dnsServing', () => {
  let socket: dgram.Socket;
  let port: number;
  let answered = 0;

  beforeAll(async () => {
    socket = dgram.createSocket('udp4');
    socket.on('message', (msg, from) => {
      const q = dnsPacket.decode(msg);
      answered++;
      // An authoritative NXDOMAIN-style answer is still an answer: the server is up.
      socket.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions ?? [] }), from.port, from.address);
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    port = (socket.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => socket.close(() => r())));

  it('is true when the server answers our query for the zone', async () => {
    expect(await dnsServing('127.0.0.1', port, 'cdn.cdnlab.test', 2000)).toBe(true);
    expect(answered).toBe(1);
  });

  it('is false after the timeout when nothing answers', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      expect(await dnsServing('127.0.0.1', (silent.address() as net.AddressInfo).port, 'cdn.cdnlab.test', 300)).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
