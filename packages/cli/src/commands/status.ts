/**
 * `cdnlab status`: per node, is the process there, does it answer its health
 * check, and (through the control plane) requests, hit ratio and upstream
 * fetches; per origin, the requests it counted (the ground truth).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isOurs, nodeReady, type NodeState, type RunState } from '@cdnlab/launcher';
import { callOptions, createOriginAdminClient, unaryCall, type GetCountsReply__Output } from '@cdnlab/rpc';
import { formatRatio, formatTable } from '../format-table';
import { requestJson } from '../http-json';
import { currentRun } from '../run-context';

interface NodeCounts {
  /** Answers from the cache, fresh or stale (staleServed is the stale part of them). */
  hits: number;
  /** Every answer the node gave, errors included. */
  requests: number;
  upstreamFetches: number;
}

interface StatsEntry {
  nodeId: string;
  counters: NodeCounts | null;
  error: string;
}

/** A cache node's hit ratio as reports give it: hits, fresh or stale, over every answer. */
export function nodeHitRatio(c: NodeCounts): string {
  return formatRatio(c.hits, c.requests);
}

export type Health = 'serving' | 'not serving' | 'paused' | 'down';

/** SIGSTOPped processes show state T in /proc/<pid>/stat (Linux only; elsewhere we cannot tell). */
function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^\d+ \(.*\) [Tt] /.test(stat);
  } catch {
    return false;
  }
}

async function healthOf(node: NodeState, run: RunState): Promise<Health> {
  if (!isOurs(node.pid, node.entry)) return 'down';
  if (isStopped(node.pid)) return 'paused';
  return (await nodeReady(node, run.zone, 1500)) ? 'serving' : 'not serving';
}

async function originCounts(node: NodeState, token: string): Promise<GetCountsReply__Output | string> {
  const client = createOriginAdminClient(node.addresses.grpc, { token });
  try {
    return await unaryCall<GetCountsReply__Output>((cb) => client.GetCounts({}, callOptions(3000), cb));
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.close();
  }
}

/** gRPC errors carry a paragraph of transport detail; the table shows the code and the first clause. */
export function brief(error: string, max = 60): string {
  const first = error.split(/[,;]|\.(?:\s|$)/)[0];
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

interface StatusOptions {
  prefix?: string;
  json?: boolean;
}

async function status(opts: StatusOptions): Promise<boolean> {
  const { run } = currentRun(opts.prefix);
  const [health, stats, counts] = await Promise.all([
    Promise.all(run.nodes.map((n) => healthOf(n, run))),
    requestJson<{ nodes: StatsEntry[] }>(run.controlHttp, 'GET', '/stats', run.token).then(
      (r) => r.body.nodes,
      (err: Error) => err.message,
    ),
    Promise.all(run.nodes.filter((n) => n.role === 'origin').map(async (n) => [n.id, await originCounts(n, run.token)] as const)),
  ]);
  const statsOf = new Map(typeof stats === 'string' ? [] : stats.map((s) => [s.nodeId, s]));
  const countsOf = new Map(counts);

  if (opts.json) {
    const nodes = run.nodes.map((n, i) => ({ id: n.id, role: n.role, region: n.region, pid: n.pid, addresses: n.addresses, health: health[i], stats: statsOf.get(n.id) ?? null, originCounts: countsOf.get(n.id) ?? null }));
    process.stdout.write(`${JSON.stringify({ topology: run.topology, key: run.key, nodes }, null, 2)}\n`);
    return health.every((h) => h === 'serving');
  }

  const rows = run.nodes.map((n, i) => {
    const s = statsOf.get(n.id);
    const c = s?.counters;
    const origin = countsOf.get(n.id);
    const requests = typeof origin === 'object' ? origin.total : c ? c.requests : '-';
    return [
      n.id,
      n.role,
      n.region ?? '-',
      n.pid,
      health[i],
      requests,
      c && n.role !== 'origin' ? nodeHitRatio(c) : '-',
      c && n.role !== 'origin' ? c.upstreamFetches : '-',
      brief(s?.error || (typeof origin === 'string' ? origin : '')),
    ];
  });
  const out = [
    `${run.topology} on ${run.key}, started ${run.startedAt}${run.supervisorPid ? ` by cdnlab up (pid ${run.supervisorPid})` : ' (detached)'}`,
    '',
    formatTable(['NODE', 'ROLE', 'REGION', 'PID', 'HEALTH', 'REQUESTS', 'HIT RATIO', 'UPSTREAM', 'ERROR'], rows),
  ];
  for (const [id, c] of countsOf) {
    if (typeof c === 'string') continue;
    const top = [...c.paths].sort((a, b) => b.total - a.total).slice(0, 5);
    out.push('', `origin ${id}: ${c.total} requests received${top.length ? '; busiest paths:' : ''}`);
    for (const p of top) out.push(`  ${String(p.total).padStart(8)}  ${p.path}`);
  }
  if (typeof stats === 'string') out.push('', `stats unavailable: ${stats}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return health.every((h) => h === 'serving');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('health, requests, hit ratio and origin load per node (exit 1 when a node is not serving)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'machine-readable output')
    .action(async (opts: StatusOptions) => {
      if (!(await status(opts))) process.exitCode = 1;
    });
}
