/**
 * How fast traces are read: `cdnlab cachesim` reads a trace once per pass
 * (twice when a capacity is a fraction of the working set), and a scenario
 * replaying a trace reads it as it runs. Public CDN traces run to hundreds
 * of millions of requests, so records per second is the figure.
 *
 * Writes a csv trace of CSV_LINES lines (`time,key,size`, path keys) and an
 * oracleGeneral trace of BIN_RECORDS records into a temporary directory,
 * reads each RUNS times and prints the median. Bounded: fixed sizes, fixed
 * runs; the files are removed at the end.
 *
 * Run: pnpm --filter @cdnlab/scenario bench
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeOracleGeneral, readTrace, type TraceFormat } from '../src/trace';

const CSV_LINES = Number(process.env.CDNLAB_BENCH_CSV_LINES ?? 1_000_000);
const BIN_RECORDS = Number(process.env.CDNLAB_BENCH_BIN_RECORDS ?? 2_000_000);
const RUNS = 3;

const dir = mkdtempSync(path.join(tmpdir(), 'cdnlab-trace-bench-'));
try {
  // Keys over 100,000 objects, sizes 1-50 kB: the shape of a CDN trace.
  const key = (i: number): number => (i * 2_654_435_761) % 100_000;
  const csv = path.join(dir, 'bench.csv');
  const lines = ['time,key,size'];
  for (let i = 0; i < CSV_LINES; i++) lines.push(`${i >> 4},/objects/${key(i)},${1000 + (key(i) % 49_000)}`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const bin = path.join(dir, 'bench.oracleGeneral.bin');
  const records = Array.from({ length: BIN_RECORDS }, (_, i) => ({ timeSeconds: i >> 10, id: key(i), sizeBytes: 1000 + (key(i) % 49_000), nextAccessVtime: -1 }));
  writeFileSync(bin, encodeOracleGeneral(records));

  const measure = (file: string, format: TraceFormat): number => {
    const times: number[] = [];
    let n = 0;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      n = 0;
      for (const r of readTrace(file, format)) if (r.sizeBytes !== undefined) n++;
      times.push(performance.now() - t0);
    }
    const ms = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    const perSecond = n / (ms / 1000);
    const mb = statSync(file).size / 2 ** 20;
    console.log(`${format.padEnd(14)} ${n.toLocaleString('en-US').padStart(10)} records  ${ms.toFixed(0).padStart(6)} ms  ${Math.round(perSecond).toLocaleString('en-US').padStart(11)} records/s  ${(mb / (ms / 1000)).toFixed(0).padStart(4)} MiB/s  (median of ${RUNS})`);
    return perSecond;
  };
  const csvRate = measure(csv, 'csv');
  const binRate = measure(bin, 'oracleGeneral');
  console.log(`ratio oracleGeneral/csv: ${(binRate / csvRate).toFixed(1)}x records per second (csv lines are parsed as text, binary records read in place)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
