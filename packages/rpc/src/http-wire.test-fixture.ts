/**
 * What the HTTP fuzz tests of the edge, the control plane and the origin
 * share: bytes on a real loopback socket, a strict reader of the HTTP/1.1
 * responses that come back, and seeded byte mutations. Test code only (the
 * `.test-fixture` suffix keeps it out of the build and of jest's test list).
 *
 * Every wait is bounded: a case that the server neither answers nor closes
 * is half-closed after an idle spell and cut after `maxMs`.
 */
import { connect } from 'node:net';
import type { Rng } from '@cdnlab/core';

export interface RawExchange {
  /** Everything the server wrote. */
  bytes: Buffer;
  /** The server ended or reset the connection (rather than our timers cutting it). */
  closedByServer: boolean;
}

export interface RawOptions {
  /** Gaps between the parts, in ms (slow writers). Default 0. */
  gapMs?: number;
  /** Half-close after this long without a byte from the server. Default 400. */
  idleMs?: number;
  /** Stop reading once this many complete responses have arrived. Default: read until close. */
  responses?: number;
  /** Which of those responses may answer a HEAD (see readResponses). */
  mayBeHead?: (index: number) => boolean;
  /** Give up (and cut the connection) after this long. Default 4000. */
  maxMs?: number;
  /** Cut the connection ourselves this long after the first response byte (a client that leaves mid-answer). */
  cutAfterFirstByteMs?: number;
}

/** Writes `parts` to a fresh connection and collects the answer, within the bounds of `opts`. */
export function sendRaw(port: number, parts: Buffer | string | Array<Buffer | string>, opts: RawOptions = {}): Promise<RawExchange> {
  const list = (Array.isArray(parts) ? parts : [parts]).map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p));
  const idleMs = opts.idleMs ?? 400;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let halfClosed = false;
    let settled = false;
    let cut = false;
    const s = connect(port, '127.0.0.1');
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      clearTimeout(overall);
      s.destroy();
      resolve({ bytes: Buffer.concat(chunks), closedByServer });
    };
    const onIdle = (): void => {
      if (halfClosed) return finish();
      halfClosed = true;
      s.end();
      idle = setTimeout(onIdle, idleMs);
    };
    let idle = setTimeout(onIdle, idleMs + (opts.gapMs ?? 0) * list.length);
    const overall = setTimeout(finish, opts.maxMs ?? 4000);
    s.on('connect', () => {
      void (async () => {
        for (let i = 0; i < list.length && !s.destroyed; i++) {
          if (i > 0 && opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
          if (!s.destroyed) s.write(list[i]);
        }
      })();
    });
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      clearTimeout(idle);
      idle = setTimeout(onIdle, idleMs);
      if (opts.cutAfterFirstByteMs !== undefined && !cut) {
        cut = true;
        setTimeout(finish, opts.cutAfterFirstByteMs);
      }
      if (opts.responses !== undefined) {
        const read = readResponses(Buffer.concat(chunks), opts.mayBeHead);
        if (read.problem === undefined && read.rest.length === 0 && read.responses.length >= opts.responses) finish();
      }
    });
    s.on('end', () => {
      closedByServer = true;
    });
    s.on('close', () => finish());
    s.on('error', () => {
      // A reset from the server also ends the exchange on its side.
      closedByServer = true;
      finish();
    });
  });
}

export interface WireResponse {
  status: number;
  reason: string;
  /** Field lines as sent (names as written). */
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface ReadResult {
  responses: WireResponse[];
  /** Bytes after the last complete response (a response cut short, or garbage). */
  rest: Buffer;
  /** What is malformed, when something is: the reader stops there. */
  problem?: string;
}

const STATUS_LINE = /^HTTP\/1\.1 ([1-9]\d\d) ([\t\x20-\x7e\x80-\xff]*)$/;
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t\x20-\x7e\x80-\xff]*)$/;

/** The first value of `name` (any case), or undefined. */
export function field(r: WireResponse, name: string): string | undefined {
  const n = name.toLowerCase();
  return r.headers.find(([k]) => k.toLowerCase() === n)?.[1].trim();
}

/**
 * Reads consecutive HTTP/1.1 responses, strictly: a status line, field
 * lines that are tokens and visible text, and a body framed by exactly one
 * of Content-Length or chunked coding (or, with neither, the rest of the
 * connection). `mayBeHead(i)` says which responses may answer a HEAD: one
 * of those has no body when what follows its head is another response or
 * nothing (a refusal of bytes that only looked like a HEAD does have one).
 */
export function readResponses(bytes: Buffer, mayBeHead: (index: number) => boolean = () => false): ReadResult {
  const responses: WireResponse[] = [];
  let off = 0;
  const stop = (problem?: string): ReadResult => ({ responses, rest: bytes.subarray(off), problem });
  while (off < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0) {
      // A head cut short is not a problem in itself; bytes that cannot start one are.
      const start = bytes.subarray(off, off + 9).toString('latin1');
      return stop('HTTP/1.1 '.startsWith(start) || start.startsWith('HTTP/1.1 ') ? undefined : `not a status line: ${JSON.stringify(start)}`);
    }
    const lines = bytes.subarray(off, end).toString('latin1').split('\r\n');
    const status = STATUS_LINE.exec(lines[0]);
    if (!status) return stop(`not a status line: ${JSON.stringify(lines[0].slice(0, 80))}`);
    const headers: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const m = FIELD_LINE.exec(line);
      if (!m) return stop(`not a field line: ${JSON.stringify(line.slice(0, 80))}`);
      headers.push([m[1], m[2].replace(/[ \t]+$/, '')]);
    }
    const code = Number(status[1]);
    const r: WireResponse = { status: code, reason: status[2], headers, body: Buffer.alloc(0) };
    const lengths = headers.filter(([n]) => n.toLowerCase() === 'content-length').map(([, v]) => v);
    const chunked = headers.some(([n, v]) => n.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v));
    if (lengths.length > 0 && chunked) return stop(`status ${code}: both Content-Length and chunked`);
    if (new Set(lengths).size > 1) return stop(`status ${code}: Content-Length values disagree: ${lengths.join(', ')}`);
    if (lengths.length > 0 && !/^\d+$/.test(lengths[0])) return stop(`status ${code}: Content-Length ${JSON.stringify(lengths[0])}`);
    let at = end + 4;
    const next = bytes.subarray(end + 4, end + 13).toString('latin1');
    const headLike = mayBeHead(responses.length) && (next === '' || next.startsWith('HTTP/1.1 '));
    if (code < 200 || code === 204 || code === 304 || headLike) {
      // No body whatever the framing fields say.
    } else if (chunked) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = bytes.indexOf('\r\n', at, 'latin1');
        if (eol < 0) return stop();
        const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(bytes.subarray(at, eol).toString('latin1'));
        if (!size) return stop(`status ${code}: bad chunk size line`);
        const n = parseInt(size[1], 16);
        if (n === 0) {
          const trailerEnd = bytes.indexOf('\r\n', eol + 2, 'latin1');
          if (trailerEnd !== eol + 2) return stop(trailerEnd < 0 ? undefined : `status ${code}: trailer fields`);
          at = trailerEnd + 2;
          break;
        }
        if (bytes.length < eol + 2 + n + 2) return stop();
        parts.push(bytes.subarray(eol + 2, eol + 2 + n));
        if (bytes.toString('latin1', eol + 2 + n, eol + 4 + n) !== '\r\n') return stop(`status ${code}: chunk not followed by CRLF`);
        at = eol + 4 + n;
      }
      r.body = Buffer.concat(parts);
    } else if (lengths.length > 0) {
      const n = Number(lengths[0]);
      if (bytes.length < at + n) return stop();
      r.body = bytes.subarray(at, at + n);
      at += n;
    } else {
      // Framed by the end of the connection.
      r.body = bytes.subarray(at);
      at = bytes.length;
    }
    responses.push(r);
    off = at;
  }
  return stop();
}

// ---------------------------------------------------------------- seeded generation

/** How checkCase judges one server's answers. */
export interface CaseRules {
  /** The server's port. */
  port: number;
  /** A normal request sent after the case on the same connection (Connection: close), or none. */
  follow?: string;
  /** What is wrong with one response (`head`: it may answer a HEAD); undefined when it is fine. */
  problemOf(r: WireResponse, head: boolean): string | undefined;
  /** Throws when the server no longer serves a normal request (on a new connection). */
  expectAlive(label: string): Promise<void>;
}

/**
 * Sends one case (then `rules.follow`), reads every response strictly, and
 * throws with what was sent and received when one is malformed, judged
 * wrong, or cut short by the server; then checks the server still serves.
 * `head`: the case is a HEAD, so its first answer may have no body.
 */
export async function checkCase(rules: CaseRules, label: string, bytes: Buffer | string, head = false): Promise<WireResponse[]> {
  const ex = await sendRaw(rules.port, rules.follow === undefined ? [bytes] : [bytes, rules.follow], { idleMs: 400, maxMs: 4000 });
  const read = readResponses(ex.bytes, (i) => i === 0 && head);
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}\n  sent: ${JSON.stringify(Buffer.from(bytes).toString('latin1').slice(0, 300))}\n  got: ${JSON.stringify(ex.bytes.toString('latin1').slice(0, 400))}`);
  };
  if (read.problem) fail(read.problem);
  // What the server ended on its own side must have ended whole.
  if (ex.closedByServer && read.rest.length > 0) fail('the connection closed in the middle of a response');
  read.responses.forEach((r, i) => {
    const p = rules.problemOf(r, i === 0 && head);
    if (p) fail(p);
  });
  await rules.expectAlive(label);
  return read.responses;
}

/**
 * A seed for one test from the file's seed and the test's name, so a test
 * run alone (jest -t) sends what it sends in a full run.
 */
export function seedFor(seed: number, testName: string): number {
  let h = seed >>> 0;
  for (let i = 0; i < testName.length; i++) h = Math.imul(h ^ testName.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** One element of `list`, drawn from `rng`. */
export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.nextInt(list.length)];
}

/** `length` random bytes. */
export function randomBytes(rng: Rng, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = rng.nextInt(256);
  return out;
}

/**
 * A valid request changed byte-wise, one to four times: a byte flipped,
 * inserted or deleted, or a whole line deleted or repeated.
 */
export function mutate(rng: Rng, request: Buffer): Buffer {
  let b = Buffer.from(request);
  const edits = 1 + rng.nextInt(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.nextInt(Math.max(1, b.length));
    switch (rng.nextInt(5)) {
      case 0:
        b[at] ^= 1 << rng.nextInt(8);
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([pick(rng, [0, 9, 10, 13, 32, 34, 44, 58, 59, 61, 127, 255, rng.nextInt(256)])]), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        break;
      default: {
        // Whole lines: delete one, or say it twice.
        const lines = b.toString('latin1').split('\r\n');
        const i = rng.nextInt(lines.length);
        if (rng.nextInt(2) === 0) lines.splice(i, 1);
        else lines.splice(i, 0, lines[i]);
        b = Buffer.from(lines.join('\r\n'), 'latin1');
      }
    }
  }
  return b;
}
