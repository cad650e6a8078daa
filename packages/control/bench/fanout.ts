/**
 * Direct vs tree fan-out on loopback: 1 shield, 4 regionals, 32 edges (fake
 * tier nodes over real gRPC, each taking APPLY_MS to apply a purge). Prints,
 * per strategy, the median over ROUNDS of the whole purge's duration and of
 * the slowest node's delay, and the tree/direct ratio.
 *
 *   pnpm --filter @cdnlab/control bench
 */
import pino from 'pino';
import { startControl, type PurgeReportEntry } from '../src';
import { startFakeTier, type FakeTier } from '../test/fake-tier';

const REGIONALS = 4;
const EDGES_PER_REGIONAL = 8;
const APPLY_MS = 2;
const ROUNDS = 30;
const BUDGET_MS = 60_000; // the whole bench stops after this, whatever ROUNDS says

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const spec: Array<{ id: string; role: string; parents: string[] }> = [{ id: 's1', role: 'shield', parents: [] }];
  for (let r = 0; r < REGIONALS; r++) {
    spec.push({ id: `r${r}`, role: 'regional', parents: ['s1'] });
    for (let e = 0; e < EDGES_PER_REGIONAL; e++) spec.push({ id: `e${r}-${e}`, role: 'edge', parents: [`r${r}`] });
  }
  const fakes: FakeTier[] = [];
  for (const s of spec) fakes.push(await startFakeTier(s.id, { delayMs: APPLY_MS }));
  const control = await startControl(
    {
      grpc: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      defaultFanout: 'direct',
      nodes: spec.map((s, i) => ({ ...s, region: 'lab', grpcAddress: fakes[i].address })),
      shutdownGraceMs: 100,
    },
    { logger: pino({ level: 'silent' }) },
  );
  const started = Date.now();
  const results: Record<string, { duration: number[]; maxDelay: number[] }> = {};
  try {
    for (const fanout of ['direct', 'tree']) {
      results[fanout] = { duration: [], maxDelay: [] };
      for (let i = 0; i < ROUNDS + 3 && Date.now() - started < BUDGET_MS; i++) {
        const res = await fetch(`http://127.0.0.1:${control.httpPort}/purge`, {
          method: 'POST',
          headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'tag', value: `t${i}`, fanout }),
        });
        const report = (await res.json()) as PurgeReportEntry;
        if (report.failed > 0) throw new Error(`${report.failed} nodes failed in a ${fanout} purge`);
        if (i < 3) continue; // warm-up: channels connect on first use
        results[fanout].duration.push(report.durationMs);
        results[fanout].maxDelay.push(Math.max(...report.acks.map((a) => a.delayMs)));
      }
    }
  } finally {
    await control.stop();
    await Promise.all(fakes.map((f) => f.close()));
  }
  console.log(`${spec.length} nodes (1 shield, ${REGIONALS} regionals, ${REGIONALS * EDGES_PER_REGIONAL} edges), apply ${APPLY_MS} ms/node, ${ROUNDS} rounds`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(6)} median purge duration ${median(r.duration)} ms, median slowest-node delay ${median(r.maxDelay)} ms (n=${r.duration.length})`);
  }
  const ratio = median(results.tree.maxDelay) / Math.max(1, median(results.direct.maxDelay));
  console.log(`tree/direct slowest-node delay ratio: ${ratio.toFixed(2)} (tree pays one apply + one hop per level)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
