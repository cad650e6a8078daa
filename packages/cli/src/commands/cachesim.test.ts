import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeOracleGeneral } from '@cdnlab/scenario';
import { CliError } from '../cli-error';
import { cachesimThreads, formatCachesim, formatOf, parseCapacity, runCachesim, type CachesimFlags } from './cachesim';

const flags = (over: Partial<CachesimFlags>): CachesimFlags => ({ ...over });

describe('cdnlab cachesim', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cdnlab-cachesim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // a b c a d b, 10 bytes each. LRU of 30 bytes: a b c miss; a hits (b c a);
  // d misses and evicts b (c a d); b misses. 5 misses. FIFO of 30 bytes: a b c
  // miss; a hits; d evicts a (b c d); b hits. 4 misses.
  const trace = () => {
    const f = path.join(dir, 'abc.csv');
    writeFileSync(f, 'time,key,size\n' + ['a', 'b', 'c', 'a', 'd', 'b'].map((k, i) => `${i},${k},10`).join('\n') + '\n');
    return f;
  };

  it('runs each policy at each capacity over the trace, misses counted as libCacheSim counts them', () => {
    const r = runCachesim(trace(), flags({ policy: ['lru', 'fifo'], capacity: [parseCapacity('30'), parseCapacity('1KiB')] }));
    expect(r.format).toBe('csv');
    expect(r.rows.map((row) => [row.policy, row.capacity, row.result.requests, row.result.misses])).toEqual([
      ['lru', 30, 6, 5],
      ['fifo', 30, 6, 4],
      ['lru', 1024, 6, 4],
      ['fifo', 1024, 6, 4],
    ]);
    const text = formatCachesim(r);
    expect(text.split('\n')[1]).toMatch(/^policy\s+capacity\s+bytes\s+requests\s+misses\s+miss ratio\s+byte miss ratio$/);
    expect(text).toMatch(/^lru\s+30\s+30\s+6\s+5\s+83\.33%\s+83\.33%$/m);
  });

  it('takes a capacity as a fraction of the working set, in bytes or in objects', () => {
    const f = path.join(dir, 'ws.csv');
    // Four objects: 100, 100, 200 and 600 bytes (1,000 bytes in all).
    writeFileSync(f, '0,/a,100\n1,/b,100\n2,/c,200\n3,/d,600\n4,/a,100\n');
    const bytes = runCachesim(f, flags({ capacity: [parseCapacity('0.5')] }));
    expect(bytes.workingSet).toEqual({ objects: 4, bytes: 1000 });
    expect(bytes.rows[0].capacity).toBe(500);
    const objects = runCachesim(f, flags({ capacity: [parseCapacity('0.5')], ignoreObjSize: true }));
    expect(objects.rows[0].capacity).toBe(2);
    // Two objects' room: every request misses (a b, then c, d and a each evict the oldest); four: /a hits.
    expect(objects.rows[0].result.misses).toBe(5);
    expect(runCachesim(f, flags({ capacity: [parseCapacity('4')], ignoreObjSize: true })).rows[0].result.misses).toBe(4);
  });

  it('reads libCacheSim oracleGeneral traces, found by name', () => {
    const f = path.join(dir, 'small.oracleGeneral.bin');
    writeFileSync(
      f,
      encodeOracleGeneral([
        { timeSeconds: 0, id: 1, sizeBytes: 10 },
        { timeSeconds: 0, id: 2, sizeBytes: 10 },
        { timeSeconds: 1, id: 1, sizeBytes: 10 },
        { timeSeconds: 2, id: 3, sizeBytes: 10 },
        { timeSeconds: 2, id: 2, sizeBytes: 10 },
      ]),
    );
    const r = runCachesim(f, flags({ capacity: [parseCapacity('20')] }));
    expect(r.format).toBe('oracleGeneral');
    // LRU of two objects: 1 2 miss, 1 hits, 3 evicts 2, 2 misses.
    expect(r.rows[0].result).toMatchObject({ requests: 5, misses: 4 });
    expect(runCachesim(f, flags({ capacity: [parseCapacity('20')], maxRequests: 3 })).rows[0].result).toMatchObject({ requests: 3, misses: 2 });
  });

  it('says what is wrong: capacities, compressed traces, sizes the trace lacks, the bad record', () => {
    expect(() => parseCapacity('lots')).toThrow('bad size "lots"');
    expect(() => parseCapacity('0')).toThrow('expected a capacity above 0');
    expect(() => formatOf('x.oracleGeneral.zst', undefined)).toThrow('x.oracleGeneral.zst: a compressed trace; decompress it first');
    expect(() => runCachesim(trace(), flags({}))).toThrow('give --capacity');
    const unsized = path.join(dir, 'unsized.csv');
    writeFileSync(unsized, '0,/a\n1,/b\n');
    expect(() => runCachesim(unsized, flags({ capacity: [parseCapacity('1KiB')] }))).toThrow(new CliError(`${unsized}: line 1: no size: give each request a size (time,key,size), or run with --ignore-obj-size to count objects`));
    expect(runCachesim(unsized, flags({ capacity: [parseCapacity('1')], ignoreObjSize: true })).rows[0].result.misses).toBe(2);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, '0,/a,1\n1,/b,lots\n');
    expect(() => runCachesim(bad, flags({ capacity: [parseCapacity('1KiB')] }))).toThrow(`${bad}: line 2: expected size to be a whole number of bytes, got "lots"`);
    expect(() => runCachesim(path.join(dir, 'none.csv'), flags({ capacity: [parseCapacity('1KiB')] }))).toThrow('none.csv: cannot open trace: no such file');
  });
});

describe('cachesimThreads', () => {
  const MiB = 2 ** 20;
  it('uses threads by default only for many caches on a big trace, never more than there are caches', () => {
    expect(cachesimThreads({}, 200 * MiB, 9, 8)).toBe(8);
    expect(cachesimThreads({}, 200 * MiB, 9, 2)).toBe(2);
    expect(cachesimThreads({}, 200 * MiB, 3, 8)).toBe(1);
    expect(cachesimThreads({}, 10 * MiB, 9, 8)).toBe(1);
    expect(cachesimThreads({ jobs: 4 }, 1, 2, 8)).toBe(2);
    expect(cachesimThreads({ jobs: 3 }, 1, 9, 8)).toBe(3);
    expect(cachesimThreads({ jobs: 1 }, 200 * MiB, 9, 8)).toBe(1);
  });
});
