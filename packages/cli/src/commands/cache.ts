/**
 * `cdnlab cache show|settings|clear <node...|all>`: a cache node's settings
 * while it runs (TierAdmin). `settings` changes only the options given;
 * changes other than collapsing rebuild the node's store (it starts empty),
 * TTL overrides apply to objects stored from now on. `clear` empties a
 * node's store without a purge rule, so the tiers above keep their copies.
 */
import type { Command } from 'commander';
import { callOptions, createTierAdminClient, unaryCall, type ClearCacheReply__Output, type SetCacheSettingsRequest, type TierAdminClient, type TierState__Output } from '@cdnlab/rpc';
import { formatDuration, formatSize } from '@cdnlab/scenario';
import type { NodeState } from '@cdnlab/launcher';
import { cacheNodes, collect, durationOption, eachNode, fractionOption, sizeOption, switchOption } from '../admin-options';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { currentRun, intOption } from '../run-context';

const CALL_MS = 5000;
const COLLAPSING = ['off', 'wait', 'lock-timeout'];

interface Common {
  prefix?: string;
  json?: boolean;
}

interface SettingsOptions extends Common {
  collapsing?: string;
  lockTimeout?: number;
  maxWaiters?: number;
  swr?: boolean;
  sie?: boolean;
  grace?: number;
  defaultTtl?: number;
  minTtl?: number;
  maxTtl?: number;
  heuristic?: number;
  capacity?: number;
  maxObject?: number;
  eviction?: string;
  ttlOverride?: string[];
  clearTtlOverrides?: boolean;
}

/** "/static/**=60s" → { match, ttlMs }. */
export function parseTtlOverride(text: string): { match: string; ttlMs: number } {
  const at = text.lastIndexOf('=');
  if (at <= 0) throw new CliError(`expected --ttl-override as <glob>=<duration>, e.g. "/static/**=60s", got ${JSON.stringify(text)}`, 2);
  return { match: text.slice(0, at), ttlMs: durationOption('--ttl-override')(text.slice(at + 1)) };
}

/** The request for the options given; only those fields are set. */
export function settingsRequest(opts: SettingsOptions): SetCacheSettingsRequest {
  const req: SetCacheSettingsRequest = {};
  if (opts.collapsing !== undefined) {
    if (!COLLAPSING.includes(opts.collapsing)) throw new CliError(`expected --collapsing to be one of ${COLLAPSING.join(', ')}, got ${JSON.stringify(opts.collapsing)}`, 2);
    req.collapsing = opts.collapsing;
  }
  const map: Array<[keyof SettingsOptions, keyof SetCacheSettingsRequest]> = [
    ['lockTimeout', 'lockTimeoutMs'],
    ['maxWaiters', 'maxWaiters'],
    ['swr', 'staleWhileRevalidate'],
    ['sie', 'staleIfError'],
    ['grace', 'graceMs'],
    ['defaultTtl', 'defaultTtlMs'],
    ['minTtl', 'minTtlMs'],
    ['maxTtl', 'maxTtlMs'],
    ['heuristic', 'heuristicFraction'],
    ['capacity', 'capacityBytes'],
    ['maxObject', 'maxObjectBytes'],
    ['eviction', 'eviction'],
  ];
  for (const [from, to] of map) if (opts[from] !== undefined) (req as Record<string, unknown>)[to] = opts[from];
  if (opts.clearTtlOverrides) req.clearTtlOverrides = true;
  if (opts.ttlOverride) req.ttlOverrides = opts.ttlOverride.map(parseTtlOverride);
  return req;
}

function stateRows(states: TierState__Output[]): Array<Array<string | number>> {
  return states.map((s) => {
    const c = s.cache;
    if (!c) return [s.nodeId, s.role, '-', '-', '-', '-', '-', '-'];
    const ttl = `${formatDuration(c.defaultTtlMs)}/${formatDuration(c.minTtlMs)}/${c.maxTtlMs > 0 ? formatDuration(c.maxTtlMs) : '-'}`;
    const overrides = s.ttlOverrides.map((o) => `${o.match}=${formatDuration(o.ttlMs)}`).join(' ') || '-';
    return [s.nodeId, s.role, `${formatSize(c.capacityBytes)} ${c.eviction}`, c.collapsing, `${c.staleWhileRevalidate ? 'on' : 'off'}/${c.staleIfError ? 'on' : 'off'}`, ttl, overrides, s.storeRebuilt ? 'rebuilt (empty)' : ''];
  });
}

async function onEach<T>(prefix: string | undefined, ids: string[], call: (client: TierAdminClient, n: NodeState) => Promise<T>): Promise<T[]> {
  const { run } = currentRun(prefix);
  const results = await eachNode(cacheNodes(run, ids), async (n) => {
    const client = createTierAdminClient(n.addresses.grpc, { token: run.token });
    try {
      return await call(client, n);
    } finally {
      client.close();
    }
  });
  return results.map(([, r]) => r);
}

function print(states: TierState__Output[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatTable(['NODE', 'ROLE', 'STORE', 'COLLAPSING', 'SWR/SIE', 'TTL DEFAULT/MIN/MAX', 'TTL OVERRIDES', ''], stateRows(states))}\n`);
}

export function registerCache(program: Command): void {
  const cache = program.command('cache').description("a running cache node's settings: show, change, clear (node \"all\" for every cache node)");
  cache
    .command('show')
    .description('the settings in force')
    .argument('<node...>', 'cache node ids, or "all"')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print as JSON')
    .action(async (ids: string[], opts: Common) => {
      print(await onEach(opts.prefix, ids, (c) => unaryCall<TierState__Output>((cb) => c.GetState({}, callOptions(CALL_MS), cb))), opts.json);
    });
  cache
    .command('settings')
    .description('change settings; any change but collapsing rebuilds the store (empty), TTL overrides apply to objects stored from now on')
    .argument('<node...>', 'cache node ids, or "all"')
    .option('--collapsing <mode>', COLLAPSING.join('|'))
    .option('--lock-timeout <duration>', 'longest wait for a collapsed fetch (lock-timeout mode)', durationOption('--lock-timeout'))
    .option('--max-waiters <n>', 'waiters per key (0: no limit)', intOption('--max-waiters', 0))
    .option('--swr <on|off>', 'honour stale-while-revalidate', switchOption('--swr'))
    .option('--sie <on|off>', 'honour stale-if-error', switchOption('--sie'))
    .option('--grace <duration>', 'serve stale this long when the origin said nothing', durationOption('--grace'))
    .option('--default-ttl <duration>', 'lifetime when the answer gives none', durationOption('--default-ttl'))
    .option('--min-ttl <duration>', 'lower bound of every lifetime', durationOption('--min-ttl'))
    .option('--max-ttl <duration>', 'upper bound of every lifetime (0: none)', durationOption('--max-ttl'))
    .option('--heuristic <fraction>', 'heuristic freshness fraction of the Last-Modified age', fractionOption('--heuristic', 0, 1, true))
    .option('--capacity <size>', 'store size, e.g. 64MiB', sizeOption('--capacity'))
    .option('--max-object <size>', 'largest object stored', sizeOption('--max-object'))
    .option('--eviction <policy>', 'lru, lfu, fifo, s3fifo, sieve')
    .option('--ttl-override <glob=duration>', 'force the lifetime of matching paths, e.g. "/static/**=60s" (repeatable)', collect)
    .option('--clear-ttl-overrides', 'drop every TTL override first')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the applied state as JSON')
    .action(async (ids: string[], opts: SettingsOptions) => {
      const req = settingsRequest(opts);
      if (Object.keys(req).length === 0) throw new CliError('say what changes, e.g. --collapsing off or --ttl-override "/static/**=60s" (see cdnlab cache settings --help)', 2);
      print(await onEach(opts.prefix, ids, (c) => unaryCall<TierState__Output>((cb) => c.SetCacheSettings(req, callOptions(CALL_MS), cb))), opts.json);
    });
  cache
    .command('clear')
    .description("empty the nodes' stores (no purge rule: the tiers above keep their copies)")
    .argument('<node...>', 'cache node ids, or "all"')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print as JSON')
    .action(async (ids: string[], opts: Common) => {
      const replies = await onEach(opts.prefix, ids, (c) => unaryCall<ClearCacheReply__Output>((cb) => c.ClearCache({}, callOptions(CALL_MS), cb)));
      if (opts.json) process.stdout.write(`${JSON.stringify(replies, null, 2)}\n`);
      else for (const r of replies) process.stdout.write(`${r.nodeId}: cleared ${r.objectsRemoved} objects\n`);
    });
}
