import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeOracleGeneral, ORACLE_GENERAL_RECORD_BYTES, readCsvTrace, readOracleGeneralTrace, readTrace, TraceError } from './trace';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cdnlab-trace-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

describe('csv traces', () => {
  it('reads time,key,size lines, skipping a header, comments and blank lines', () => {
    const f = file('a.csv', 'time,key,size\n# a comment\n0,/a,100\n\n5,/b,2000\r\n7.5,42\n');
    expect([...readCsvTrace(f)]).toEqual([
      { timeMs: 0, key: '/a', sizeBytes: 100, record: 3 },
      { timeMs: 5, key: '/b', sizeBytes: 2000, record: 5 },
      { timeMs: 7.5, key: '42', sizeBytes: undefined, record: 6 },
    ]);
  });

  it('reads a last line without a newline and lines split across chunks', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `${i},/objects/${i},${i + 1}`);
    const f = file('b.csv', lines.join('\n'));
    const got = [...readCsvTrace(f, { chunkBytes: 64 })];
    expect(got).toHaveLength(500);
    expect(got[499]).toEqual({ timeMs: 499, key: '/objects/499', sizeBytes: 500, record: 500 });
    expect(got.map((r) => r.key)).toEqual(lines.map((_, i) => `/objects/${i}`));
  });

  it('stops after maxRecords', () => {
    const f = file('c.csv', '0,a,1\n1,b,1\n2,c,1\n');
    expect([...readCsvTrace(f, { maxRecords: 2 })].map((r) => r.key)).toEqual(['a', 'b']);
  });

  it('names the file and line of a malformed record', () => {
    const f = file('bad.csv', '0,/a,1\n1,/b,big\n');
    expect(() => [...readCsvTrace(f)]).toThrow(TraceError);
    expect(() => [...readCsvTrace(f)]).toThrow(`${f}: record 2: expected size to be a whole number of bytes, got "big"`);
    const g = file('bad2.csv', '0,/a\nnope,/b\n');
    expect(() => [...readCsvTrace(g)]).toThrow(`${g}: record 2: expected time to be a number (ms), got "nope"`);
    const h = file('bad3.csv', '0,/a,1,extra\n');
    expect(() => [...readCsvTrace(h)]).toThrow(`${h}: record 1: expected "time,key[,size]", got 4 field(s)`);
  });

  it('says when a file is missing or binary', () => {
    expect(() => [...readCsvTrace(path.join(dir, 'nope.csv'))]).toThrow('nope.csv: cannot open trace: no such file');
    const bin = file('bin.csv', Buffer.from([0x30, 0x2c, 0xff, 0xfe, 0x0a]));
    expect(() => [...readCsvTrace(bin)]).toThrow('not valid UTF-8 text');
  });
});

describe('oracleGeneral traces', () => {
  it('round-trips the 24-byte little-endian layout', () => {
    const records = [
      { timeSeconds: 1, id: 7, sizeBytes: 100, nextAccessVtime: 2 },
      { timeSeconds: 2, id: 2 ** 40 + 3, sizeBytes: 4096, nextAccessVtime: -1 },
      { timeSeconds: 3, id: 7, sizeBytes: 100 },
    ];
    const buf = encodeOracleGeneral(records);
    expect(buf.length).toBe(3 * ORACLE_GENERAL_RECORD_BYTES);
    // The layout, byte by byte: uint32 time, uint64 id, uint32 size, int64 next.
    expect(buf.readUInt32LE(24)).toBe(2);
    expect(buf.readBigUInt64LE(28)).toBe(2n ** 40n + 3n);
    expect(buf.readUInt32LE(36)).toBe(4096);
    expect(buf.readBigInt64LE(40)).toBe(-1n);
    const f = file('a.oracleGeneral', buf);
    expect([...readOracleGeneralTrace(f, { chunkBytes: 24 })]).toEqual([
      { timeMs: 1000, key: 7, sizeBytes: 100, nextAccessVtime: 2, record: 1 },
      { timeMs: 2000, key: 2 ** 40 + 3, sizeBytes: 4096, nextAccessVtime: -1, record: 2 },
      { timeMs: 3000, key: 7, sizeBytes: 100, nextAccessVtime: -1, record: 3 },
    ]);
    expect([...readTrace(f, 'oracleGeneral', { maxRecords: 1 })]).toHaveLength(1);
  });

  it('skips zero-size records as libCacheSim does', () => {
    const f = file('z.oracleGeneral', encodeOracleGeneral([{ timeSeconds: 0, id: 1, sizeBytes: 0 }, { timeSeconds: 0, id: 2, sizeBytes: 5 }]));
    expect([...readOracleGeneralTrace(f)].map((r) => [r.key, r.record])).toEqual([[2, 2]]);
  });

  it('reports a truncated file with the partial record number', () => {
    const whole = encodeOracleGeneral([{ timeSeconds: 0, id: 1, sizeBytes: 1 }, { timeSeconds: 0, id: 2, sizeBytes: 1 }]);
    const f = file('t.oracleGeneral', whole.subarray(0, 40));
    expect(() => [...readOracleGeneralTrace(f)]).toThrow(`${f}: record 2: truncated: the file is 40 bytes, not a multiple of 24`);
  });

  it('refuses object ids it cannot keep exactly', () => {
    const buf = Buffer.alloc(24);
    buf.writeBigUInt64LE(2n ** 60n, 4);
    buf.writeUInt32LE(1, 12);
    const f = file('big.oracleGeneral', buf);
    expect(() => [...readOracleGeneralTrace(f)]).toThrow(`${f}: record 1: object id ${2n ** 60n} is above 2^53`);
  });

  it('streams: a reader abandoned early leaves nothing open and reads only what was asked', () => {
    const n = 10_000;
    const f = file('big.oracleGeneral', encodeOracleGeneral(Array.from({ length: n }, (_, i) => ({ timeSeconds: i, id: i, sizeBytes: 1 }))));
    const it = readOracleGeneralTrace(f, { chunkBytes: 240 });
    const first = it.next();
    expect(first.value).toMatchObject({ key: 0 });
    expect(it.return(undefined).done).toBe(true);
    let count = 0;
    for (const r of readOracleGeneralTrace(f, { chunkBytes: 240 })) count += r.sizeBytes!;
    expect(count).toBe(n);
  });

  it('rejects an unknown format', () => {
    expect(() => readTrace('x', 'parquet' as 'csv')).toThrow('expected trace format to be csv or oracleGeneral, got "parquet"');
  });
});
