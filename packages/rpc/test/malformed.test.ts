import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { callOptions, createTierClient, unaryCall, type StatsReply__Output } from '../src';
import { startTier, statsReply, type StartedTier } from './tier-fixture';

/** One raw HTTP/2 request with a hand-made gRPC body; resolves with the grpc-status the server sent. */
function rawGrpc(port: number, path: string, body: Buffer): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', () => undefined);
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      // A trailers-only answer puts grpc-status in the headers.
      const status = trailers['grpc-status'] ?? headers['grpc-status'];
      const message = trailers['grpc-message'] ?? headers['grpc-message'];
      resolve({ status: Number(status), message: decodeURIComponent(String(message ?? '')) });
    });
    req.end(body);
  });
}

function frame(payload: Buffer, flags = 0, declaredLength = payload.length): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, payload]);
}

describe('malformed input on the gRPC port', () => {
  let tier: StartedTier;
  let client: grpc.Client & ReturnType<typeof createTierClient>;
  beforeAll(async () => {
    tier = await startTier({ Stats: (_call, cb) => cb(null, statsReply('sturdy')), Purge: (call, cb) => cb(null, { nodeId: call.request.value }) });
    client = createTierClient(tier.address);
  });
  afterAll(async () => {
    client.close();
    await tier.close();
  });

  const stillServes = async (): Promise<void> => {
    await expect(unaryCall<StatsReply__Output>((cb) => client.Stats({}, callOptions(5000), cb))).resolves.toMatchObject({ nodeId: 'sturdy' });
  };

  it.each([
    ['bytes that are not a protobuf message', frame(Buffer.alloc(12, 0xff))],
    ['a protobuf field with an invalid wire type', frame(Buffer.from([0x0f, 0x01, 0x02]))],
    ['a compressed flag with no grpc-encoding', frame(Buffer.from([0x0a, 0x01, 0x41]), 1)],
    ['a declared length far above the message limit', frame(Buffer.alloc(16), 0, 0x7fffffff)],
    ['plain text instead of gRPC framing', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ])('answers %s with an error status and keeps serving', async (_name, body) => {
    const { status } = await rawGrpc(tier.port, '/cdnlab.tier.v1.Tier/Purge', body);
    expect(Number.isInteger(status)).toBe(true);
    expect(status).not.toBe(grpc.status.OK);
    await stillServes();
  });

  it('answers an unknown method with UNIMPLEMENTED', async () => {
    const { status } = await rawGrpc(tier.port, '/cdnlab.tier.v1.Tier/Nope', frame(Buffer.alloc(0)));
    expect(status).toBe(grpc.status.UNIMPLEMENTED);
    await stillServes();
  });

  it('survives a peer that sends garbage instead of the HTTP/2 preface', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const socket = net.connect(tier.port, '127.0.0.1', () => socket.end(Buffer.alloc(4096, 0x5a)));
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.resume();
    });
    await stillServes();
  });
});
