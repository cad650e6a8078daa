/**
 * Both ends of a Tier.Fetch reply stream: one ResponseHead, then the body in
 * chunks of at most 64 KiB, so no tier ever holds a large object whole just
 * to pass it on.
 */
import * as grpc from '@grpc/grpc-js';
import { CdnError, fromServiceError } from './errors';
import type { FetchReply, FetchReply__Output } from './generated/cdnlab/tier/v1/FetchReply';
import type { FetchRequest__Output } from './generated/cdnlab/tier/v1/FetchRequest';
import type { ResponseHead, ResponseHead__Output } from './generated/cdnlab/tier/v1/ResponseHead';

export const FETCH_CHUNK_BYTES = 64 * 1024;

export type FetchServerCall = grpc.ServerWritableStream<FetchRequest__Output, FetchReply>;

type Body = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

function isAsyncIterable(b: Body): b is AsyncIterable<Uint8Array> {
  return typeof (b as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

/** Split into views of at most FETCH_CHUNK_BYTES (no copy). */
export function* chunksOf(bytes: Uint8Array, size: number = FETCH_CHUNK_BYTES): Generator<Uint8Array> {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`expected size to be a positive integer, got ${size}`);
  for (let off = 0; off < bytes.byteLength; off += size) yield bytes.subarray(off, Math.min(off + size, bytes.byteLength));
}

/**
 * Send head and body on a Fetch call and end it. Honours back-pressure
 * (waits for 'drain'), and stops with CANCELLED when the caller goes away.
 */
export async function writeFetchReply(call: FetchServerCall, head: ResponseHead, body: Body): Promise<void> {
  let cancelled = call.cancelled;
  const onCancel = (): void => {
    cancelled = true;
  };
  call.on('cancelled', onCancel);
  const write = async (reply: FetchReply): Promise<void> => {
    if (cancelled) throw new CdnError('CANCELLED', 'the caller cancelled the fetch');
    if (call.write(reply)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        call.off('drain', done);
        call.off('cancelled', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
    });
  };
  try {
    await write({ head });
    const pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = body instanceof Uint8Array ? [body] : body;
    const sendPiece = async (piece: Uint8Array): Promise<void> => {
      for (const chunk of chunksOf(piece)) await write({ chunk });
    };
    if (isAsyncIterable(pieces)) {
      for await (const piece of pieces) await sendPiece(piece);
    } else {
      for (const piece of pieces) await sendPiece(piece);
    }
    if (cancelled) throw new CdnError('CANCELLED', 'the caller cancelled the fetch');
    call.end();
  } finally {
    call.off('cancelled', onCancel);
  }
}

export interface FetchResult {
  head: ResponseHead__Output;
  body: Buffer;
}

/**
 * Read a whole Fetch reply into memory (for tests, small objects and tools;
 * tiers should pass chunks on as they come). Fails on a protocol violation
 * (no head first, two heads) or when the body passes maxBodyBytes.
 */
export function readFetchReply(stream: grpc.ClientReadableStream<FetchReply__Output>, maxBodyBytes = 64 * 1024 * 1024): Promise<FetchResult> {
  return new Promise<FetchResult>((resolve, reject) => {
    let head: ResponseHead__Output | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (error: CdnError): void => {
      if (failed) return;
      failed = true;
      stream.cancel();
      reject(error);
    };
    stream.on('data', (reply: FetchReply__Output) => {
      if (failed) return;
      if (reply.part === 'head' && reply.head) {
        if (head) return fail(new CdnError('UPSTREAM_ERROR', 'Fetch reply carried a second head'));
        head = reply.head;
        return;
      }
      if (reply.part === 'chunk' && reply.chunk) {
        if (!head) return fail(new CdnError('UPSTREAM_ERROR', 'Fetch reply sent a body chunk before the head'));
        size += reply.chunk.length;
        if (size > maxBodyBytes) return fail(new CdnError('UPSTREAM_ERROR', `Fetch reply body passed maxBodyBytes (${maxBodyBytes})`));
        chunks.push(reply.chunk);
        return;
      }
      return fail(new CdnError('UPSTREAM_ERROR', 'Fetch reply message with neither head nor chunk'));
    });
    stream.on('error', (error) => {
      if (failed) return;
      failed = true;
      reject(fromServiceError(error));
    });
    stream.on('end', () => {
      if (failed) return;
      if (!head) {
        failed = true;
        reject(new CdnError('UPSTREAM_ERROR', 'Fetch reply ended without a head'));
        return;
      }
      resolve({ head, body: Buffer.concat(chunks, size) });
    });
  });
}
