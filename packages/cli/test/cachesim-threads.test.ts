import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simThreadBundle } from '@cdnlab/launcher';
import { encodeOracleGeneral } from '@cdnlab/scenario';
import { CliError } from '../src/cli-error';
import { parseCapacity, runCachesim, runCachesimInThreads, type CachesimFlags } from '../src/commands/cachesim';

// cachesim's caches dealt out to worker threads, each reading the trace
// itself, from the bundle the CLI builds: the report one pass in this
// process gives, and a bad record named the same way.

jest.setTimeout(60_000);

const dir = mkdtempSync(path.join(tmpdir(), 'cdnlab-cachesim-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let workerFile: string;
beforeAll(async () => {
  workerFile = await simThreadBundle(path.join(dir, 'bundles'));
});

/** 20,000 requests over 3,000 objects, skewed, sizes 100 B - 20 kB. */
function records(): Array<{ timeSeconds: number; id: number; sizeBytes: number }> {
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: 20_000 }, (_, i) => {
    const id = Math.floor(3000 * next() ** 3);
    return { timeSeconds: i >> 8, id, sizeBytes: 100 + ((id * 7919) % 20_000) };
  });
}

describe('cachesim in threads', () => {
  const flags: CachesimFlags = { policy: ['lru', 'fifo', 's3fifo', 'sieve'], capacity: [parseCapacity('0.01'), parseCapacity('0.1'), parseCapacity('256KiB')] };

  it('gives the report of one pass in this process, on both formats', async () => {
    const bin = path.join(dir, 't.oracleGeneral.bin');
    writeFileSync(bin, encodeOracleGeneral(records()));
    const csv = path.join(dir, 't.csv');
    writeFileSync(csv, `time,key,size\n${records().map((r) => `${r.timeSeconds * 1000},/o/${r.id},${r.sizeBytes}`).join('\n')}\n`);
    for (const file of [bin, csv]) {
      const one = runCachesim(file, flags);
      const threads = await runCachesimInThreads(file, flags, { threads: 3, workerFile });
      expect(threads).toEqual(one);
      expect(one.rows).toHaveLength(12);
      // Not a trivial trace: the caches disagree.
      expect(new Set(one.rows.map((r) => r.result.misses)).size).toBeGreaterThan(6);
    }
    // --max-requests reaches every thread.
    expect(await runCachesimInThreads(bin, { ...flags, maxRequests: 500 }, { threads: 2, workerFile })).toEqual(runCachesim(bin, { ...flags, maxRequests: 500 }));
  });

  it('names a bad record as one pass does', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, '0,/a,10\n1,/b,10\n2,/c,lots\n');
    const sized: CachesimFlags = { policy: ['lru', 'fifo'], capacity: [parseCapacity('1KiB')] };
    const message = `${bad}: line 3: expected size to be a whole number of bytes, got "lots"`;
    expect(() => runCachesim(bad, sized)).toThrow(new CliError(message));
    await expect(runCachesimInThreads(bad, sized, { threads: 2, workerFile })).rejects.toThrow(new CliError(message));
    await expect(runCachesimInThreads(bad, sized, { threads: 2, workerFile })).rejects.toBeInstanceOf(CliError);
  });
});
