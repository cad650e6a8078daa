/**
 * Request traces, read as streams: a trace of a billion requests must not
 * need a billion objects in memory. Both readers pull fixed-size chunks with
 * synchronous reads and yield one record at a time, so memory stays bounded
 * by the chunk size and a reader can be abandoned at any point (its file is
 * closed by the generator's `finally`).
 *
 * Formats:
 * - `csv`: one request per line, `time,key[,size]`. `time` is milliseconds
 *   from any origin (only differences matter), `key` is a path (`/a/b`) or
 *   any other token (an object id), `size` is bytes. A first line whose time
 *   field is not a number (`time,key,size`) is taken as a header. Blank lines
 *   and lines starting with `#` are skipped.
 * - `oracleGeneral`: libCacheSim's binary trace. Each record is 24 bytes,
 *   little-endian: uint32 timestamp (seconds), uint64 object id, uint32
 *   object size, int64 next access (logical time, -1 = never). Checked
 *   against libCacheSim's reader (traceReader/customizedReader/
 *   oracleGeneralBin.h), which also skips records of size 0: so do we.
 *
 * Every error names the file and the record (1-based line for csv, 1-based
 * record for binary), so a bad line in a 10 GB trace can be found.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type TraceFormat = 'csv' | 'oracleGeneral';

export interface TraceRecord {
  /** Milliseconds: csv as written, oracleGeneral's seconds × 1000. */
  timeMs: number;
  /** A path or object id as written (csv), or the numeric object id (oracleGeneral). */
  key: string | number;
  /** Bytes; undefined when a csv line has no size. */
  sizeBytes: number | undefined;
  /** oracleGeneral only: logical time of the next request for this object (-1: never). */
  nextAccessVtime?: number;
  /** Where it is in the file, for errors: the 1-based line (csv) or record (oracleGeneral). */
  record?: number;
}

export class TraceError extends Error {
  readonly code = 'TRACE_FORMAT';
  constructor(
    readonly file: string,
    /** 1-based line (csv) or record (oracleGeneral); 0 for whole-file problems. */
    readonly record: number,
    /** What is wrong, without the file and record. */
    readonly detail: string,
    /** The trace's format: a csv place is called a line (it counts headers, comments and blank lines too), a binary one a record. */
    readonly format?: TraceFormat,
  ) {
    super(record > 0 ? `${file}: ${format === 'csv' ? 'line' : 'record'} ${record}: ${detail}` : `${file}: ${detail}`);
  }
}

export interface TraceReadOptions {
  /** Bytes read per system call. Default 1 MiB. */
  chunkBytes?: number;
  /** Stop after this many records. Default: the whole file. */
  maxRecords?: number;
}

/** Size of one oracleGeneral record. */
export const ORACLE_GENERAL_RECORD_BYTES = 24;

function chunkOf(opts: TraceReadOptions): number {
  const n = opts.chunkBytes ?? 1 << 20;
  if (!Number.isInteger(n) || n < ORACLE_GENERAL_RECORD_BYTES) {
    throw new TypeError(`expected opts.chunkBytes to be an integer >= ${ORACLE_GENERAL_RECORD_BYTES}, got ${String(opts.chunkBytes)}`);
  }
  return n;
}

function limitOf(opts: TraceReadOptions): number {
  const n = opts.maxRecords ?? Infinity;
  if (n !== Infinity && (!Number.isInteger(n) || n < 0)) throw new TypeError(`expected opts.maxRecords to be a non-negative integer, got ${String(n)}`);
  return n;
}

function openOrThrow(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TraceError(file, 0, `cannot open trace: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  // A directory opens, and fails only at the first read.
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new TraceError(file, 0, 'cannot open trace: it is a directory, not a file');
  }
  return fd;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Reads a `time,key[,size]` trace line by line. */
export function* readCsvTrace(file: string, opts: TraceReadOptions = {}): Generator<TraceRecord> {
  const chunk = chunkOf(opts);
  const limit = limitOf(opts);
  if (limit === 0) return;
  const fd = openOrThrow(file);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const buf = Buffer.allocUnsafe(chunk);
  /** A csv's places are lines: headers, comments and blank lines count. */
  const csvError = (at: number, detail: string): TraceError => new TraceError(file, at, detail, 'csv');
  let carry = '';
  let line = 0;
  let yielded = 0;
  let sawData = false;
  const parse = (text: string): TraceRecord | undefined => {
    line++;
    const s = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (s.trim() === '' || s.startsWith('#')) return undefined;
    const fields = s.split(',');
    if (!sawData && fields.length >= 2 && !NUMBER.test(fields[0].trim())) {
      // A header line such as `time,key,size`.
      sawData = true;
      return undefined;
    }
    sawData = true;
    if (fields.length < 2 || fields.length > 3) throw csvError(line, `expected "time,key[,size]", got ${fields.length} field(s): ${JSON.stringify(s.slice(0, 80))}`);
    const t = fields[0].trim();
    if (!NUMBER.test(t)) throw csvError(line, `expected time to be a number (ms), got ${JSON.stringify(t)}`);
    const key = fields[1].trim();
    if (key === '') throw csvError(line, 'expected a key, got an empty field');
    let sizeBytes: number | undefined;
    if (fields.length === 3 && fields[2].trim() !== '') {
      const z = fields[2].trim();
      if (!/^\d+$/.test(z) || !Number.isSafeInteger(Number(z))) throw csvError(line, `expected size to be a whole number of bytes, got ${JSON.stringify(z)}`);
      sizeBytes = Number(z);
    }
    return { timeMs: Number(t), key, sizeBytes, record: line };
  };
  /**
   * The common line, `digits,key[,digits]` with nothing to trim, read in
   * place from the chunk: no line string, no split, no regular expression
   * (2 M lines: 4.1 s of parsing before). Anything else (a header, a
   * comment, spaces, a sign or a fraction, a carriage return, 16 digits or
   * more, an error) is left to `parse`, which reads it as it always did:
   * undefined means "not this shape", never "skip".
   */
  const fast = (text: string, start: number, end: number): TraceRecord | undefined => {
    let i = start;
    let t = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      t = t * 10 + (c - 48);
    }
    if (i === start || i - start > 15 || i >= end || text.charCodeAt(i) !== 44) return undefined;
    const k0 = i + 1;
    const comma = text.indexOf(',', k0);
    const keyEnd = comma === -1 || comma > end ? end : comma;
    if (keyEnd === k0 || text.charCodeAt(k0) <= 32 || text.charCodeAt(keyEnd - 1) <= 32) return undefined;
    let sizeBytes: number | undefined;
    if (keyEnd < end) {
      let z = 0;
      let j = keyEnd + 1;
      for (; j < end; j++) {
        const c = text.charCodeAt(j);
        if (c < 48 || c > 57) return undefined;
        z = z * 10 + (c - 48);
      }
      if (j === keyEnd + 1 || j - keyEnd - 1 > 15) return undefined;
      sizeBytes = z;
    }
    line++;
    sawData = true;
    return { timeMs: t, key: text.slice(k0, keyEnd), sizeBytes, record: line };
  };
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, chunk, null);
      } catch (err) {
        throw csvError(line, `read failed: ${(err as Error).message}`);
      }
      let text: string;
      try {
        text = carry + decoder.decode(buf.subarray(0, n), { stream: n > 0 });
      } catch {
        throw csvError(line + 1, 'not valid UTF-8 text: is this a binary trace? (use format: oracleGeneral)');
      }
      if (n === 0) {
        if (text !== '') {
          const r = parse(text);
          if (r) yield r;
        }
        return;
      }
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl === -1) break;
        const r = fast(text, start, nl) ?? parse(text.slice(start, nl));
        start = nl + 1;
        if (r) {
          yield r;
          if (++yielded >= limit) return;
        }
      }
      carry = text.slice(start);
      if (carry.length > 1 << 20) throw csvError(line + 1, 'line longer than 1 MiB: not a csv trace?');
    }
  } finally {
    closeSync(fd);
  }
}

const TWO_POW_32 = 4294967296;

/** Reads a libCacheSim oracleGeneral binary trace record by record. */
export function* readOracleGeneralTrace(file: string, opts: TraceReadOptions = {}): Generator<TraceRecord> {
  const limit = limitOf(opts);
  // Whole records per read, so a record never straddles two chunks.
  const chunk = Math.floor(chunkOf(opts) / ORACLE_GENERAL_RECORD_BYTES) * ORACLE_GENERAL_RECORD_BYTES;
  if (limit === 0) return;
  const fd = openOrThrow(file);
  try {
    const size = fstatSync(fd).size;
    if (size % ORACLE_GENERAL_RECORD_BYTES !== 0) {
      const whole = Math.floor(size / ORACLE_GENERAL_RECORD_BYTES);
      throw new TraceError(
        file,
        whole + 1,
        `truncated: the file is ${size} bytes, not a multiple of ${ORACLE_GENERAL_RECORD_BYTES} (oracleGeneral records are 24 bytes); the last ${size - whole * ORACLE_GENERAL_RECORD_BYTES} byte(s) are a partial record`,
      );
    }
    const buf = Buffer.allocUnsafe(chunk);
    let record = 0;
    let yielded = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, chunk, null);
      if (n === 0) return;
      if (n % ORACLE_GENERAL_RECORD_BYTES !== 0) throw new TraceError(file, record + 1, 'short read: the file changed while being read');
      for (let off = 0; off < n; off += ORACLE_GENERAL_RECORD_BYTES) {
        record++;
        const seconds = buf.readUInt32LE(off);
        const idLo = buf.readUInt32LE(off + 4);
        const idHi = buf.readUInt32LE(off + 8);
        const sizeBytes = buf.readUInt32LE(off + 12);
        // int64 as two halves: exact up to 2^53 (a next-access time is a request count), no BigInt per record.
        const next = buf.readInt32LE(off + 20) * TWO_POW_32 + buf.readUInt32LE(off + 16);
        if (idHi >= 0x200000) {
          throw new TraceError(file, record, `object id ${(BigInt(idHi) << 32n) | BigInt(idLo)} is above 2^53 and cannot be kept exactly; remap the ids (libCacheSim's traceConv does)`);
        }
        // libCacheSim skips zero-size records: they are not requests.
        if (sizeBytes === 0) continue;
        yield { timeMs: seconds * 1000, key: idHi * TWO_POW_32 + idLo, sizeBytes, nextAccessVtime: next, record };
        if (++yielded >= limit) return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The reader for a format. */
export function readTrace(file: string, format: TraceFormat, opts: TraceReadOptions = {}): Generator<TraceRecord> {
  switch (format) {
    case 'csv':
      return readCsvTrace(file, opts);
    case 'oracleGeneral':
      return readOracleGeneralTrace(file, opts);
    default:
      throw new TypeError(`expected trace format to be csv or oracleGeneral, got ${JSON.stringify(format)}`);
  }
}

/** Encodes records in the oracleGeneral layout (for tests, converters and benchmarks). */
export function encodeOracleGeneral(records: ReadonlyArray<{ timeSeconds: number; id: number; sizeBytes: number; nextAccessVtime?: number }>): Buffer {
  const out = Buffer.alloc(records.length * ORACLE_GENERAL_RECORD_BYTES);
  records.forEach((r, i) => {
    const off = i * ORACLE_GENERAL_RECORD_BYTES;
    if (!Number.isSafeInteger(r.id) || r.id < 0) throw new TypeError(`expected records[${i}].id to be a non-negative safe integer, got ${r.id}`);
    out.writeUInt32LE(r.timeSeconds >>> 0, off);
    out.writeUInt32LE(r.id % TWO_POW_32, off + 4);
    out.writeUInt32LE(Math.floor(r.id / TWO_POW_32), off + 8);
    out.writeUInt32LE(r.sizeBytes >>> 0, off + 12);
    out.writeBigInt64LE(BigInt(r.nextAccessVtime ?? -1), off + 16);
  });
  return out;
}
