/**
 * `cdnlab status`: per node, is the process there, does it answer its health
 * check, and (through the control plane) requests, hit ratio and upstream
 * fetches; per origin, the requests it counted (the ground truth).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { isOurs, nodeReady, type NodeState, type RunState } from '@cdnlab/launcher';
import { briefError as brief, callOptions, countedAfresh, createOriginAdminClient, unaryCall, type CounterReading, type GetCountsReply__Output } from '@cdnlab/rpc';
import { parseDuration } from '@cdnlab/scenario';
import { CliError } from '../cli-error';
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
  /** How long the node had been up (0 when it did not answer). */
  uptimeMs?: number;
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

interface StatusOptions {
  prefix?: string;
  json?: boolean;
  watch?: number;
  count?: number;
}

/** What status reads of a cluster at one instant. */
interface Snapshot {
  /** performance.now() when the reading was complete. */
  atMs: number;
  health: Health[];
  stats: Map<string, StatsEntry>;
  /** Why the control plane gave no stats, when it did not. */
  statsError: string | undefined;
  counts: Map<string, GetCountsReply__Output | string>;
}

async function snapshot(run: RunState): Promise<Snapshot> {
  const [health, stats, counts] = await Promise.all([
    Promise.all(run.nodes.map((n) => healthOf(n, run))),
    requestJson<{ nodes: StatsEntry[] }>(run.controlHttp, 'GET', '/stats', run.token).then(
      (r) => r.body.nodes,
      (err: Error) => err.message,
    ),
    Promise.all(run.nodes.filter((n) => n.role === 'origin').map(async (n) => [n.id, await originCounts(n, run.token)] as const)),
  ]);
  return {
    atMs: performance.now(),
    health,
    stats: new Map(typeof stats === 'string' ? [] : stats.map((s) => [s.nodeId, s])),
    statsError: typeof stats === 'string' ? stats : undefined,
    counts: new Map(counts),
  };
}

/** A node's counts as read: requests, hits and (when known) its uptime. */
type Totals = CounterReading & { hits: number };

/** A node's requests and hits (hits 0 for an origin: its requests are the ones it received), or undefined when it gave none. */
function totalsOf(snap: Snapshot, id: string): Totals | undefined {
  const origin = snap.counts.get(id);
  if (typeof origin === 'object') return { requests: Number(origin.total), hits: 0 };
  const s = snap.stats.get(id);
  const c = s?.counters;
  return c ? { requests: Number(c.requests), hits: Number(c.hits), ...(s?.uptimeMs !== undefined ? { uptimeMs: Number(s.uptimeMs) } : {}) } : undefined;
}

/**
 * A node's figures between two readings: requests per second and the share
 * of them that were hits. A node that restarted meanwhile (countedAfresh)
 * counted from 0 since.
 */
export function intervalFigures(prev: Totals, cur: Totals, seconds: number): { perSecond: number; requests: number; hits: number } {
  const restarted = countedAfresh(prev, cur);
  const requests = restarted ? cur.requests : cur.requests - prev.requests;
  const hits = restarted ? cur.hits : cur.hits - prev.hits;
  return { perSecond: seconds > 0 ? requests / seconds : NaN, requests, hits };
}

function interval(snap: Snapshot, prev: Snapshot | undefined, id: string): { perSecond: number; requests: number; hits: number } | undefined {
  if (!prev) return undefined;
  const a = totalsOf(prev, id);
  const b = totalsOf(snap, id);
  return a && b ? intervalFigures(a, b, (snap.atMs - prev.atMs) / 1000) : undefined;
}

function jsonOf(run: RunState, snap: Snapshot, prev: Snapshot | undefined): object {
  const nodes = run.nodes.map((n, i) => {
    const iv = interval(snap, prev, n.id);
    return {
      id: n.id,
      role: n.role,
      region: n.region,
      pid: n.pid,
      addresses: n.addresses,
      health: snap.health[i],
      stats: snap.stats.get(n.id) ?? null,
      originCounts: snap.counts.get(n.id) ?? null,
      ...(prev ? { interval: iv ? { seconds: (snap.atMs - prev.atMs) / 1000, requests: iv.requests, hits: iv.hits } : null } : {}),
    };
  });
  return { topology: run.topology, key: run.key, nodes };
}

function textOf(run: RunState, snap: Snapshot, prev: Snapshot | undefined, watching: boolean): string {
  const rows = run.nodes.map((n, i) => {
    const s = snap.stats.get(n.id);
    const c = s?.counters;
    const origin = snap.counts.get(n.id);
    const requests = typeof origin === 'object' ? origin.total : c ? c.requests : '-';
    // Only cache nodes and the origin have counters; the origin has no cache to hit.
    const cache = c && n.role !== 'origin';
    const iv = interval(snap, prev, n.id);
    return [
      n.id,
      n.role,
      n.region ?? '-',
      n.pid,
      snap.health[i],
      requests,
      // A number, so the column is right-aligned.
      ...(watching ? [iv ? Math.round(iv.perSecond * 10) / 10 : '-'] : []),
      cache ? nodeHitRatio(c) : '-',
      ...(watching ? [cache && iv ? formatRatio(iv.hits, iv.requests) : '-'] : []),
      cache ? c.upstreamFetches : '-',
      brief(s?.error || (typeof origin === 'string' ? origin : '')),
    ];
  });
  const headers = watching
    ? ['NODE', 'ROLE', 'REGION', 'PID', 'HEALTH', 'REQUESTS', 'REQ/S', 'HIT RATIO', 'HIT RATIO NOW', 'UPSTREAM', 'ERROR']
    : ['NODE', 'ROLE', 'REGION', 'PID', 'HEALTH', 'REQUESTS', 'HIT RATIO', 'UPSTREAM', 'ERROR'];
  const out = [`${run.topology} on ${run.key}, started ${run.startedAt}${run.supervisorPid ? ` by cdnlab up (pid ${run.supervisorPid})` : ' (detached)'}`];
  if (watching) out.push(prev ? `REQ/S and HIT RATIO NOW: over the last ${((snap.atMs - prev.atMs) / 1000).toFixed(1)} s; Ctrl-C stops` : 'REQ/S and HIT RATIO NOW: from the next reading on; Ctrl-C stops');
  out.push('', formatTable(headers, rows));
  for (const [id, c] of snap.counts) {
    if (typeof c === 'string') continue;
    const top = [...c.paths].sort((a, b) => Number(b.total) - Number(a.total)).slice(0, 5);
    out.push('', `origin ${id}: ${c.total} requests received${top.length ? '; busiest paths:' : ''}`);
    for (const p of top) out.push(`  ${String(p.total).padStart(8)}  ${p.path}`);
  }
  if (snap.statsError !== undefined) out.push('', `stats unavailable: ${snap.statsError}`);
  return `${out.join('\n')}\n`;
}

async function status(opts: StatusOptions): Promise<boolean> {
  const { run } = currentRun(opts.prefix);
  const watching = opts.watch !== undefined;
  const readings = opts.count ?? (watching ? Infinity : 1);
  let prev: Snapshot | undefined;
  let serving = true;
  for (let i = 0; i < readings; i++) {
    if (i > 0) await sleep(opts.watch!);
    const snap = await snapshot(run);
    serving = snap.health.every((h) => h === 'serving');
    if (opts.json) {
      // Watching, one object per line (NDJSON), so a script can read each as it comes.
      process.stdout.write(watching ? `${JSON.stringify(jsonOf(run, snap, prev))}\n` : `${JSON.stringify(jsonOf(run, snap, prev), null, 2)}\n`);
    } else {
      // On a terminal each reading replaces the last; piped, they follow one another.
      const clear = watching && process.stdout.isTTY ? '\x1b[H\x1b[2J' : i > 0 ? '\n' : '';
      process.stdout.write(clear + textOf(run, snap, prev, watching));
    }
    prev = snap;
  }
  return serving;
}

const MIN_WATCH_MS = 100;
const DEFAULT_WATCH_MS = 2000;

/** `--watch [every]`: seconds as a plain number ("2", "0.5"), or a duration ("500ms", "2s"). */
function watchOption(value: string): number {
  let ms: number;
  try {
    ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : parseDuration(value);
  } catch (err) {
    throw new CliError(`--watch: ${(err as Error).message}`, 2);
  }
  if (!(ms >= MIN_WATCH_MS)) throw new CliError(`expected --watch to be at least ${MIN_WATCH_MS} ms, got ${JSON.stringify(value)}`, 2);
  return ms;
}

function countOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new CliError(`expected --count to be a whole number of readings, 1 or more, got ${JSON.stringify(value)}`, 2);
  return n;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('health, requests, hit ratio and origin load per node (exit 1 when a node is not serving)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'machine-readable output (with --watch, one object per line)')
    .option('--watch [every]', 'read again every interval (seconds, or a duration such as 500ms; default 2), adding each node\'s requests per second and hit ratio over the last interval', watchOption)
    .option('--count <n>', 'stop after this many readings (default: 1, or until Ctrl-C with --watch)', countOption)
    .action(async (opts: Omit<StatusOptions, 'watch'> & { watch?: number | true }) => {
      const watch = opts.watch === true ? DEFAULT_WATCH_MS : opts.watch;
      if (opts.count !== undefined && watch === undefined) throw new CliError('--count counts the readings of --watch: add --watch', 2);
      if (!(await status({ ...opts, watch }))) process.exitCode = 1;
    });
}
