import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
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

/**
 * The csv rules read plainly, line by line, as the module's comment states
 * them: what the reader (with its fast path for the common line) must
 * agree with. An error is compared by its line.
 */
function readCsvByTheRules(content: string): Array<{ timeMs: number; key: string; sizeBytes: number | undefined; record: number }> | { errorAt: number } {
  const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  const out: Array<{ timeMs: number; key: string; sizeBytes: number | undefined; record: number }> = [];
  let sawData = false;
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [i, raw] of lines.entries()) {
    const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (s.trim() === '' || s.startsWith('#')) continue;
    const f = s.split(',');
    if (!sawData && f.length >= 2 && !NUMBER.test(f[0].trim())) {
      sawData = true;
      continue;
    }
    sawData = true;
    if (f.length < 2 || f.length > 3 || !NUMBER.test(f[0].trim()) || f[1].trim() === '') return { errorAt: i + 1 };
    let sizeBytes: number | undefined;
    if (f.length === 3 && f[2].trim() !== '') {
      if (!/^\d+$/.test(f[2].trim()) || !Number.isSafeInteger(Number(f[2].trim()))) return { errorAt: i + 1 };
      sizeBytes = Number(f[2].trim());
    }
    out.push({ timeMs: Number(f[0].trim()), key: f[1].trim(), sizeBytes, record: i + 1 });
  }
  return out;
}

describe('csv traces', () => {
  it('agrees with the rules read plainly, on lines of every shape (property)', () => {
    // Short numbers mostly, and the lengths around where a number stops being exact.
    const digits = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^\d{1,6}$/) }, { weight: 1, arbitrary: fc.stringMatching(/^\d{14,19}$/) }, { weight: 1, arbitrary: fc.constantFrom('9007199254740991', '9007199254740993', '000000000000000000012') });
    const field = fc.oneof(digits, fc.constantFrom('', ' ', ' 7', '7 ', '-3', '+4', '1.5', '.5', '1e3', '0x10', 'time', 'key', '/a', ' /b ', '/c d', '\r', 'é'));
    const line = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(digits, fc.constantFrom('/a', '/b/c', 'k9', '/x y'), digits).map(([t, k, z]) => `${t},${k},${z}`) },
      { weight: 2, arbitrary: fc.tuple(digits, fc.constantFrom('/a', 'k9')).map(([t, k]) => `${t},${k}`) },
      { weight: 3, arbitrary: fc.array(field, { minLength: 1, maxLength: 4 }).map((f) => f.join(',')) },
      { weight: 1, arbitrary: fc.constantFrom('', '# note', 'time,key,size', '  ') },
    );
    const body = fc.tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }), fc.boolean());
    let n = 0;
    fc.assert(
      fc.property(body, ([ls, trailing]) => {
        let content = ls.map(([l, eol]) => l + eol).join('');
        if (!trailing && content.endsWith('\n')) content = content.slice(0, content.endsWith('\r\n') ? -2 : -1);
        const expected = readCsvByTheRules(content);
        const f = file(`prop-${n++}.csv`, content);
        let got: unknown;
        try {
          got = [...readCsvTrace(f, { chunkBytes: 32 })];
        } catch (err) {
          if (!(err instanceof TraceError)) throw err;
          got = { errorAt: err.record };
        }
        expect(got).toEqual(expected);
      }),
      { numRuns: 400, seed: 20261206 },
    );
  });

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
    expect(() => [...readCsvTrace(f)]).toThrow(`${f}: line 2: expected size to be a whole number of bytes, got "big"`);
    const g = file('bad2.csv', '0,/a\nnope,/b\n');
    expect(() => [...readCsvTrace(g)]).toThrow(`${g}: line 2: expected time to be a number (ms), got "nope"`);
    const h = file('bad3.csv', '0,/a,1,extra\n');
    expect(() => [...readCsvTrace(h)]).toThrow(`${h}: line 1: expected "time,key[,size]", got 4 field(s)`);
  });

  it('says when a file is missing, a directory or binary', () => {
    expect(() => [...readCsvTrace(path.join(dir, 'nope.csv'))]).toThrow('nope.csv: cannot open trace: no such file');
    expect(() => [...readCsvTrace(dir)]).toThrow(`${dir}: cannot open trace: it is a directory, not a file`);
    expect(() => [...readOracleGeneralTrace(dir)]).toThrow(`${dir}: cannot open trace: it is a directory, not a file`);
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
      // A next access beyond 32 bits, and a negative one other than -1: both int64 halves count.
      { timeSeconds: 4, id: 8, sizeBytes: 1, nextAccessVtime: 2 ** 40 + 5 },
      { timeSeconds: 5, id: 9, sizeBytes: 1, nextAccessVtime: -(2 ** 33) - 7 },
    ];
    const buf = encodeOracleGeneral(records);
    expect(buf.length).toBe(5 * ORACLE_GENERAL_RECORD_BYTES);
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
      { timeMs: 4000, key: 8, sizeBytes: 1, nextAccessVtime: 2 ** 40 + 5, record: 4 },
      { timeMs: 5000, key: 9, sizeBytes: 1, nextAccessVtime: -(2 ** 33) - 7, record: 5 },
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
