import * as net from 'node:net';

// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message is preceded by a
// two-byte length. A client may send several queries on one connection, also
// pipelined without waiting (§6.2.1.1); idle connections are closed (§6.2.3).

export type TcpMessageHandler = (message: Buffer, remoteAddress: string) => Buffer | undefined;

export interface DnsTcpServerOptions {
  idleTimeoutMs: number;
  handle: TcpMessageHandler;
}

export function createDnsTcpServer(opts: DnsTcpServerOptions): net.Server & { destroyConnections(): void } {
  if (!Number.isInteger(opts.idleTimeoutMs) || opts.idleTimeoutMs < 1) {
    throw new Error(`expected opts.idleTimeoutMs to be a positive integer, got ${opts.idleTimeoutMs}`);
  }
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
    const address = socket.remoteAddress ?? '';
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        // A zero-length message cannot be a DNS message; the stream is out of step.
        if (len === 0) {
          socket.destroy();
          return;
        }
        if (pending.length < 2 + len) break;
        const message = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        const response = opts.handle(message, address);
        // A message the two-byte length cannot frame (RFC 1035 §4.2.2) is not
        // sent: writing it would throw in this handler. The responder sets TC
        // rather than produce one; this keeps a handler that did from killing the process.
        if (!response || response.length > 0xffff) continue;
        const frame = Buffer.allocUnsafe(2 + response.length);
        frame.writeUInt16BE(response.length, 0);
        response.copy(frame, 2);
        // Backpressure: a client that pipelines but never reads must not
        // make us buffer without bound.
        // One drain listener at a time, however many writes of this chunk were refused.
        if (!socket.write(frame) && !socket.isPaused()) {
          socket.pause();
          socket.once('drain', () => socket.resume());
        }
      }
      // Keep only the unprocessed tail, not the whole chunk it came from.
      if (pending.length > 0) pending = Buffer.from(pending);
    });
  }) as net.Server & { destroyConnections(): void };
  server.destroyConnections = () => {
    for (const s of sockets) s.destroy();
  };
  return server;
}
