/**
 * Simulator throughput, end to end and at scale:
 *
 *  (a) one chain client → edge → regional → shield → origin, every request
 *      through HttpCache.lookup/store at each tier it reaches, on a seeded
 *      Zipf(0.8) workload of 10 M requests over 1 M objects; then the same
 *      chain on a warm trace (1 M requests over 1,000 objects, all but the
 *      first of each an edge hit): what a request costs when it ends at the
 *      edge and its memory is in the CPU's caches, against which the cold
 *      trace's misses through the tiers are measured;
 *  (b) a generated 1,000-edge topology (25 regions × 40 edges) with the same
 *      workload spread over the regions: wall time and peak RSS;
 *  (c) the same trace through a bare chain of 4 core Store.access LRUs: the
 *      ceiling the HTTP semantics are measured against; then the same chain
 *      keyed by URL strings, as the HttpCaches key (what string keys alone
 *      cost: 3.9x at 10 M requests, 2026-12-05);
 *  (d) the same trace through (a)'s three HttpCaches and origin site, called
 *      in a plain loop: lookup at each tier until a hit, the site's answer on
 *      a miss everywhere, then store at each tier on the way back, each
 *      tier handing the next its stored head with the Age value apart
 *      (HttpCache.answerAge), as the simulator's tiers do. No network,
 *      scheduler, collapsing or engine: what the core's
 *      HTTP semantics cost alone, so (c) -> (d) -> (a) says where the time
 *      goes between bare stores, the caching core and the whole simulator;
 *  (e) validation: topologies/default.yaml (3 regions, 6 edges, 3
 *      regionals, a shield) and its catch-all rule, fresh for 60 s and
 *      then revalidated with its ETag, under 50 req/s of virtual time over
 *      100 k Zipf objects (1 M requests; CDNLAB_BENCH_E_REQUESTS): most
 *      objects come back after their minute, so about half the answers are
 *      304-refreshes through the tiers (conditional requests, 304s, merged
 *      heads), a path (a)-(d) never take (2026-12-06: revalidated 0.51,
 *      miss 0.37, hit 0.11; 17.9 k per CPU-second).
 *
 * Each part runs in its own process, so each peak RSS is that part's alone
 * (one process for all three reported (a)'s peak under (b)). (b) runs with
 * V8's old space capped at CDNLAB_BENCH_HEAP_MIB (default 3072): its live
 * heap is about 1 GiB, and without a cap V8 lets garbage grow the heap far
 * past that before collecting (4.3 GiB peak at 10 M requests, at about the
 * same speed as with the cap). (a) and (b) run with V8's young generation
 * at CDNLAB_BENCH_SEMI_MIB per semi-space (default 64, as `pnpm cdnlab`
 * runs): a simulation allocates a few short-lived objects per hop, and
 * with Node's default 16 MiB they are scavenged so often that those still
 * in flight get promoted and die in the old generation (1 M requests:
 * (a) 30.7 k -> 38.3 k, (b) 9.6 k -> 11.6 k per CPU-second).
 *
 *  (p) (a)'s chain again, then (b)'s 1,000 edges, then (d)'s core loop,
 *      CDNLAB_BENCH_PROFILE_REQUESTS requests each (default 300 k) under
 *      V8's sampling CPU profiler: self time per area of our code, GC, the
 *      hottest functions and source lines, mapped through the bundle's
 *      source map (src/profile-summary.ts). CDNLAB_BENCH_PROFILE_OF=a|b|d|e
 *      profiles one of them (default a when the part runs alone; e, the
 *      validation workload, only when asked);
 *      CDNLAB_BENCH_PROFILE_TOP=n lists the n hottest functions, lines and
 *      allocators instead of 10;
 *      CDNLAB_BENCH_PROFILE_OUT saves the .cpuprofile too (open it in Chrome
 *      DevTools; in the full run, as <name>-a<ext>, <name>-b<ext> and
 *      <name>-d<ext>). Then the same workload once more under V8's
 *      sampling heap profiler, collected objects included: bytes allocated
 *      per request by area and by allocating function (what the young
 *      generation's collections are paid for).
 *
 * CDNLAB_BENCH_QUICK=1 runs 1 M requests instead of 10 M;
 * CDNLAB_BENCH_REQUESTS=n and CDNLAB_BENCH_OBJECTS=n set the sizes;
 * CDNLAB_BENCH_ONLY=a|b|c|d|e|p runs one part in this process.
 * The parts run from a bundle, as `pnpm cdnlab run --engine sim` runs the
 * simulator (scripts/run-bundled.cjs): under tsx the same code ran 12-15%
 * fewer requests per CPU-second (1 M requests, 2026-12-04).
 *
 * Run: pnpm --filter @cdnlab/sim bench
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { createHttpCache, createKeyIds, createStore, httpCacheOptionsFromSettings, zipfTrace, type CacheEntry, type HttpCache, type LookupOptions, type RequestHead, type ResponseHead } from '@cdnlab/core';
import { createSite } from '@cdnlab/origin/src/site';
import { loadTopologyFile, type CacheNode, type ClientGroup, type OriginNode, type Scenario, type Topology, type Workload } from '@cdnlab/scenario';
import { generateTopology, Simulation } from '../src/index';
import { formatAllocationSummary, formatProfileSummary, summariseCpuProfile, summariseHeapProfile, type CpuProfile, type HeapProfile, type SourcePosition } from '../src/profile-summary';

const QUICK = process.env.CDNLAB_BENCH_QUICK === '1';
const REQUESTS = Number(process.env.CDNLAB_BENCH_REQUESTS ?? (QUICK ? 1_000_000 : 10_000_000));
const OBJECTS = Number(process.env.CDNLAB_BENCH_OBJECTS ?? 1_000_000);
const ALPHA = 0.8;
/** (a)'s warm trace: few enough objects that every tier holds them all. */
const WARM_OBJECTS = 1_000;
const RATE = 100_000; // requests per virtual second, whole workload
const ONLY = process.env.CDNLAB_BENCH_ONLY; // a, b, c, d, e or p
/** (e)'s size: its own, smaller (a day of the default topology's traffic is 4.3 M requests). */
const E_REQUESTS = Number(process.env.CDNLAB_BENCH_E_REQUESTS ?? 1_000_000);
if (!Number.isInteger(E_REQUESTS) || E_REQUESTS <= 0) {
  console.error(`cdnlab sim bench: CDNLAB_BENCH_E_REQUESTS: expected a positive integer, got ${JSON.stringify(process.env.CDNLAB_BENCH_E_REQUESTS)}`);
  process.exit(2);
}
const PROFILE_REQUESTS = Number(process.env.CDNLAB_BENCH_PROFILE_REQUESTS ?? 300_000);
const PROFILE_OF = process.env.CDNLAB_BENCH_PROFILE_OF ?? 'a';
const PROFILE_TOP = Number(process.env.CDNLAB_BENCH_PROFILE_TOP ?? 10);
if (!Number.isInteger(PROFILE_TOP) || PROFILE_TOP <= 0) {
  console.error(`cdnlab sim bench: CDNLAB_BENCH_PROFILE_TOP: expected a positive integer, got ${JSON.stringify(process.env.CDNLAB_BENCH_PROFILE_TOP)}`);
  process.exit(2);
}
if (PROFILE_OF !== 'a' && PROFILE_OF !== 'b' && PROFILE_OF !== 'd' && PROFILE_OF !== 'e') {
  console.error(`cdnlab sim bench: CDNLAB_BENCH_PROFILE_OF: expected a, b, d or e, got ${JSON.stringify(PROFILE_OF)}`);
  process.exit(2);
}
const HEAP_MIB = Number(process.env.CDNLAB_BENCH_HEAP_MIB ?? 3072);
const SEMI_MIB = Number(process.env.CDNLAB_BENCH_SEMI_MIB ?? 64);
/** Where a part run as a child writes its figures for the parent's ratios. */
const FIGURES_FILE = process.env.CDNLAB_BENCH_FIGURES;

const REPO_ROOT = resolve(__dirname, '../../..');
const RUN_BUNDLED = join(REPO_ROOT, 'scripts/run-bundled.cjs');

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function scenarioFor(topology: Topology, clients: ClientGroup[], requests = REQUESTS, objects = OBJECTS): Scenario {
  const workload: Workload = {
    seed: 1,
    requests,
    clients,
    objects: { popularity: 'zipf', alpha: ALPHA, count: objects, path: '/objects/{n}' },
    methods: { GET: 1, HEAD: 0, conditional: 0, POST: 0 },
    headers: {},
  };
  return { file: '<bench>', name: 'bench', title: 'bench', description: 'bench', variants: [{ name: 'baseline', topology }], workload, timeline: [], expectations: [], quick: QUICK, engines: ['sim'] };
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

interface Figures {
  /** Requests per wall-clock second. */
  reqPerSec: number;
  /** Requests per CPU-second of this process (the fairer figure on a shared machine). */
  reqPerCpuSec: number;
  seconds: number;
  /** (a) only: per CPU-second on the warm trace. */
  warmPerCpuSec?: number;
}

const AIM = 1_000_000;

/** (a)'s clients: 1,000 in the chain's one region, Poisson arrivals at RATE. */
function chainClients(chain: Topology): ClientGroup[] {
  return [{ region: chain.regions[0].name, count: 1000, rate: RATE, arrival: 'poisson', startMs: 0 }];
}

/**
 * (b)'s topology and clients. About 0.9 KB of live heap per cached object
 * (entry, head, times, keys, store slots), so the caches are sized like a
 * real tiered CDN rather than to hold everything: 1,000 × 512 KiB edges,
 * 25 × 16 MiB regionals, a 256 MiB shield (≈ 0.9 M objects in all).
 */
function thousandEdges(): { topology: Topology; clients: ClientGroup[] } {
  const topology = generateTopology({ name: 'bench-1000', regions: 25, edgesPerRegion: 40, edge: { capacity: '512KiB' }, regional: { capacity: '16MiB' }, shield: { capacity: '256MiB' } });
  const clients: ClientGroup[] = topology.regions.map((reg) => ({ region: reg.name, count: 400, rate: RATE / topology.regions.length, arrival: 'poisson', startMs: 0 }));
  return { topology, clients };
}

function runSim(label: string, topology: Topology, clients: ClientGroup[], requests = REQUESTS, objects = OBJECTS): Figures {
  const scenario = scenarioFor(topology, clients, requests, objects);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const sim = new Simulation({ scenario, variant: scenario.variants[0], seed: 1 });
  const setup = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = sim.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(c0);
  const reqPerSec = r.requests.sent / seconds;
  const tiers = ['edge', 'regional', 'shield'].map((role) => {
    const ns = r.nodes.filter((n) => n.role === role);
    const req = ns.reduce((a, n) => a + n.requests, 0);
    const hits = ns.reduce((a, n) => a + n.hits, 0);
    return `${role} ${fmt(req)} req, hit ratio ${(hits / req).toFixed(3)}`;
  });
  console.log(`(${label}) ${fmt(r.requests.sent)} requests (${fmt(r.requests.answered)} answered, ${r.requests.errors} errors, ${r.requests.unfinished} unfinished) in ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (setup ${setup.toFixed(2)} s): ${fmt(reqPerSec)} simulated req/s (${fmt(r.requests.sent / cpu)} per CPU-second)`);
  console.log(`    ${tiers.join('; ')}; origin ${fmt(r.origin.requests)} req; ${topology.nodes.length} nodes`);
  const answers = Object.entries(r.requests.byResult).sort((x, y) => y[1] - x[1]);
  console.log(`    answers at the edge: ${answers.map(([k, n]) => `${k} ${(n / r.requests.answered).toFixed(3)}`).join(', ')}`);
  return { reqPerSec, reqPerCpuSec: r.requests.sent / cpu, seconds };
}

/** The heap flags this process runs with, for the figures' lines. */
function v8Flags(): string {
  const flags = process.execArgv.filter((f) => f.startsWith('--max-old-space-size') || f.startsWith('--max-semi-space-size'));
  return flags.length ? flags.join(' ') : 'default heap sizes';
}

function maxRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Runs one part in a child process (its own heap and peak RSS); returns its figures. */
function runPart(part: 'a' | 'b' | 'c' | 'd' | 'e' | 'p', nodeFlags: string[] = [], env: Record<string, string> = {}): Figures | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'cdnlab-sim-bench-'));
  const file = join(dir, 'figures.json');
  try {
    // From a bundle, like `pnpm cdnlab` runs the simulator (scripts/run-bundled.cjs).
    const r = spawnSync(process.execPath, [...nodeFlags, ...process.execArgv, RUN_BUNDLED, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, ...env, CDNLAB_BENCH_ONLY: part, CDNLAB_BENCH_FIGURES: file, CDNLAB_BENCH_CHILD: '1' },
    });
    if (r.status !== 0) {
      console.error(`part (${part}) failed: exit ${r.status ?? r.signal}`);
      process.exitCode = 1;
      return undefined;
    }
    return JSON.parse(readFileSync(file, 'utf8')) as Figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!process.env.CDNLAB_BENCH_CHILD) {
  console.log(`cdnlab sim bench: ${fmt(REQUESTS)} requests, Zipf(${ALPHA}) over ${fmt(OBJECTS)} objects, ${fmt(RATE)} req/s of virtual time${QUICK ? ' (quick)' : ''}, node ${process.version}`);
}

let a: Figures | undefined;
let c: Figures | undefined;
let d: Figures | undefined;
let e: Figures | undefined;

if (ONLY === 'a') {
  const chain = generateTopology({ name: 'bench-chain', regions: 1, edgesPerRegion: 1 });
  a = runSim('a: one chain, HTTP semantics at every tier', chain, chainClients(chain));
  console.log(`    peak RSS ${fmt(maxRssMiB())} MiB (${v8Flags()})`);
  const warm = runSim(`a, warm: the same chain, ${fmt(WARM_OBJECTS)} objects`, chain, chainClients(chain), Math.min(REQUESTS, 1_000_000), WARM_OBJECTS);
  a.warmPerCpuSec = warm.reqPerCpuSec;
}

if (ONLY === 'b') {
  const { topology, clients } = thousandEdges();
  const b = runSim('b: 1,000 edges, 25 regions', topology, clients);
  console.log(`    wall ${b.seconds.toFixed(1)} s (aim < 60 s), peak RSS ${fmt(maxRssMiB())} MiB (aim < 4096 MiB; ${v8Flags()})`);
}

/** (e)'s topology and clients: the default topology at 50 req/s. */
function defaultTopologyAt50(): { topology: Topology; clients: ClientGroup[] } {
  const topology = loadTopologyFile(join(REPO_ROOT, 'topologies/default.yaml'));
  const rates: Record<string, number> = { na: 20, eu: 20, apac: 10 };
  const clients: ClientGroup[] = topology.regions.map((reg) => ({ region: reg.name, count: 1000, rate: rates[reg.name] ?? 10, arrival: 'poisson', startMs: 0 }));
  return { topology, clients };
}
/** (e)'s catalog. */
const E_OBJECTS = 100_000;

if (ONLY === 'e') {
  const { topology, clients } = defaultTopologyAt50();
  e = runSim('e: validation, the default topology at 50 req/s', topology, clients, E_REQUESTS, E_OBJECTS);
  console.log(`    peak RSS ${fmt(maxRssMiB())} MiB (${v8Flags()})`);
}

if (ONLY === 'c') {
  // The same Zipf ids, sizes as the simulated tiers charge them (1 KiB body + headers + key ≈ 1.4 KB).
  const trace = zipfTrace({ alpha: ALPHA, n: OBJECTS, length: REQUESTS, seed: 1 });
  const size = 1400;
  const chainOf = <K extends number | string>() => [64 << 20, 256 << 20, 1 << 30].map((capacityBytes) => createStore<K, undefined>({ capacityBytes, policy: 'lru' }));
  /** Runs `loop` (which returns its origin count) on the clock. */
  const timed = (loop: () => number): { seconds: number; cpu: number; origin: number } => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const origin = loop();
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSeconds(c0), origin };
  };
  const tiers = chainOf<number>();
  const byInt = timed(() => {
    let origin = 0;
    for (let i = 0; i < trace.length; i++) {
      const id = trace[i];
      if (!tiers[0].access(id, size) && !tiers[1].access(id, size) && !tiers[2].access(id, size)) origin++;
    }
    return origin;
  });
  c = { reqPerSec: trace.length / byInt.seconds, reqPerCpuSec: trace.length / byInt.cpu, seconds: byInt.seconds };
  console.log(`(c: bare chain of Store.access LRUs) ${fmt(trace.length)} requests in ${byInt.seconds.toFixed(2)} s wall, ${byInt.cpu.toFixed(2)} s CPU: ${fmt(c.reqPerSec)} req/s (${fmt(c.reqPerCpuSec)} per CPU-second); origin ${fmt(byInt.origin)}`);
  // The same chain keyed as the HttpCaches key: one URL string per object
  // (made before the clock starts, as the simulator makes each once). The
  // stores then index by a Map<string, slot> instead of the int32 table:
  // what string keys alone cost the simulator's tiers.
  const keys = Array.from({ length: OBJECTS }, (_, id) => `http://cdn.cdnlab.test/objects/${id}`);
  const byString = chainOf<string>();
  const byStr = timed(() => {
    let origin = 0;
    for (let i = 0; i < trace.length; i++) {
      const k = keys[trace[i]];
      if (!byString[0].access(k, size) && !byString[1].access(k, size) && !byString[2].access(k, size)) origin++;
    }
    return origin;
  });
  console.log(`    the same chain keyed by URL strings: ${byStr.seconds.toFixed(2)} s wall, ${byStr.cpu.toFixed(2)} s CPU: ${fmt(trace.length / byStr.cpu)} per CPU-second (${(byStr.cpu / byInt.cpu).toFixed(1)}x slower than int keys); origin ${fmt(byStr.origin)}`);
}

/**
 * (d)'s loop: (a)'s three HttpCaches and origin site, called in a plain loop
 * over `requests` requests of the Zipf trace. Returns the origin's count.
 */
function coreLoop(requests: number): { origin: number; seconds: number; cpu: number } {
  // (a)'s chain, its tiers' cache settings and its origin site, without the simulation around them.
  const chain = generateTopology({ name: 'bench-chain', regions: 1, edgesPerRegion: 1 });
  const host = chain.zone;
  // One table of key ids for the three caches, as the simulator shares one among its nodes.
  const keyIds = createKeyIds();
  const caches = ['edge', 'regional', 'shield'].map((role) => {
    const n = chain.nodes.find((x) => x.role === role) as CacheNode;
    return createHttpCache({ ...httpCacheOptionsFromSettings(n.id, n.cache, n.key, `http://${host}`), keyIds });
  });
  const originNode = chain.nodes.find((x): x is OriginNode => x.role === 'origin');
  if (!originNode?.site) throw new Error('the generated chain has no synthetic origin site');
  const site = createSite({ paths: originNode.site.paths, versionEveryMs: originNode.site.versionEveryMs }, 0);
  const trace = zipfTrace({ alpha: ALPHA, n: OBJECTS, length: requests, seed: 1 });
  const heads: RequestHead[] = [];
  const keys: string[] = [];
  const ids: number[] = [];
  const lo: LookupOptions = { notBefore: undefined, key: undefined, keyId: undefined };
  const noBody = new Uint8Array(0);
  /** The Age of the answer going down when it is a tier's stored head. */
  let age: string | undefined;
  /** A tier's answer: its stored head with the Age value apart, or a 304's whole head (as sim-cache-node.ts fromEntry). */
  const answer = (cache: HttpCache, entry: CacheEntry, req: RequestHead, now: number): ResponseHead => {
    age = cache.answerAge(entry, req, now);
    return age === undefined ? cache.responseHead(entry, req, now) : entry.head;
  };
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let origin = 0;
  for (let i = 0; i < trace.length; i++) {
    const now = (i * 1000) / RATE;
    const id = trace[i];
    // One head and one key string per object, as the simulator's engine keeps them.
    const req = (heads[id] ??= { method: 'GET', scheme: 'http', host, target: `/objects/${id}`, headers: [] });
    const key = (keys[id] ??= caches[0].key(req));
    const keyId = (ids[id] ??= keyIds.idOf(key) ?? -1);
    lo.key = key;
    lo.keyId = keyId === -1 ? undefined : keyId;
    let depth = 0;
    let head: ResponseHead | undefined;
    age = undefined;
    for (; depth < caches.length; depth++) {
      const look = caches[depth].lookup(req, now, lo);
      if (look.kind === 'hit') {
        head = answer(caches[depth], look.entry, req, now);
        break;
      }
    }
    if (head === undefined) {
      origin++;
      head = site.answer(req, undefined, now, { renderBody: false }).head;
    }
    for (let t = depth - 1; t >= 0; t--) {
      const o = caches[t].store(req, head, noBody, { requestTime: now, responseTime: now, age }, key, lo.keyId);
      if (o.stored) head = answer(caches[t], o.entry, req, now);
    }
  }
  return { origin, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSeconds(c0) };
}

if (ONLY === 'd') {
  const { origin, seconds, cpu } = coreLoop(REQUESTS);
  d = { reqPerSec: REQUESTS / seconds, reqPerCpuSec: REQUESTS / cpu, seconds };
  console.log(`(d: (a)'s HttpCaches and origin site in a plain loop, no network or scheduler) ${fmt(REQUESTS)} requests in ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU: ${fmt(d.reqPerSec)} req/s (${fmt(d.reqPerCpuSec)} per CPU-second); origin ${fmt(origin)}`);
  console.log(`    peak RSS ${fmt(maxRssMiB())} MiB (${v8Flags()})`);
}

/**
 * Where a position in the bundle comes from, through its source map
 * (`<bundle>.map`, written beside it): a repository-relative file and line.
 */
function sourceLocator(): (url: string, line: number, column: number) => SourcePosition | undefined {
  const maps = new Map<string, TraceMap | undefined>();
  return (url, line, column) => {
    if (!url.startsWith('file://') && !url.startsWith('/')) return undefined;
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (!file.endsWith('.cjs')) return { file: relative(REPO_ROOT, file), line: line + 1 };
    if (!maps.has(file)) {
      let map: TraceMap | undefined;
      try {
        map = new TraceMap(readFileSync(`${file}.map`, 'utf8'));
      } catch {
        map = undefined; // no map: positions stay in the bundle
      }
      maps.set(file, map);
    }
    const map = maps.get(file);
    if (!map) return { file: relative(REPO_ROOT, file), line: line + 1 };
    let o = originalPositionFor(map, { line: line + 1, column, bias: GREATEST_LOWER_BOUND });
    if (o.source === null) o = originalPositionFor(map, { line: line + 1, column, bias: LEAST_UPPER_BOUND });
    if (o.source === null || o.line === null) return undefined;
    return { file: relative(REPO_ROOT, resolve(dirname(file), o.source)), line: o.line };
  };
}

if (ONLY === 'p') {
  const session = new Session();
  session.connect();
  // Same-thread inspector sessions answer synchronously: each callback has run when post returns.
  const post = <T>(method: string, params?: object): T => {
    let out: { err: Error | null; res?: object } | undefined;
    session.post(method, params, (err: Error | null, res?: object) => {
      out = { err, res };
    });
    if (!out) throw new Error(`the inspector did not answer ${method} synchronously`);
    if (out.err) throw out.err;
    return out.res as T;
  };
  /** The profiled part's workload, `under` saying which profiler watches it. */
  const profiledRun = (under: string): void => {
    if (PROFILE_OF === 'd') {
      const { origin, seconds } = coreLoop(PROFILE_REQUESTS);
      console.log(`(p: (d)'s core loop under the ${under}) ${fmt(PROFILE_REQUESTS)} requests in ${seconds.toFixed(2)} s wall; origin ${fmt(origin)}`);
    } else if (PROFILE_OF === 'a') {
      const chain = generateTopology({ name: 'bench-chain', regions: 1, edgesPerRegion: 1 });
      runSim(`p: (a)'s chain under the ${under}`, chain, chainClients(chain), PROFILE_REQUESTS);
    } else if (PROFILE_OF === 'e') {
      const { topology, clients } = defaultTopologyAt50();
      runSim(`p: (e)'s validations under the ${under}`, topology, clients, PROFILE_REQUESTS, E_OBJECTS);
    } else {
      const { topology, clients } = thousandEdges();
      runSim(`p: (b)'s 1,000 edges under the ${under}`, topology, clients, PROFILE_REQUESTS);
    }
  };
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: 500 });
  post('Profiler.start');
  profiledRun('CPU profiler');
  const { profile } = post<{ profile: CpuProfile }>('Profiler.stop');
  post('Profiler.disable');
  const out = process.env.CDNLAB_BENCH_PROFILE_OUT;
  if (out) writeFileSync(out, JSON.stringify(profile));
  const texts = new Map<string, string[]>();
  const lineText = (file: string, line: number): string | undefined => {
    if (!texts.has(file)) {
      try {
        texts.set(file, readFileSync(join(REPO_ROOT, file), 'utf8').split('\n'));
      } catch {
        texts.set(file, []);
      }
    }
    return texts.get(file)![line - 1];
  };
  const locate = sourceLocator();
  const summary = summariseCpuProfile(profile, { locate, lineText, top: PROFILE_TOP });
  for (const l of formatProfileSummary(summary)) console.log(`    ${l}`);
  if (out) console.log(`    profile saved: ${out}`);
  // The same workload again, for what it allocates (sampling slows it: not timed with the CPU profile).
  post('HeapProfiler.enable');
  post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  profiledRun('allocation sampler');
  const heap = post<{ profile: HeapProfile }>('HeapProfiler.stopSampling').profile;
  post('HeapProfiler.disable');
  session.disconnect();
  for (const l of formatAllocationSummary(summariseHeapProfile(heap, { locate, top: PROFILE_TOP }), PROFILE_REQUESTS)) console.log(`    ${l}`);
}

if (FIGURES_FILE) {
  writeFileSync(FIGURES_FILE, JSON.stringify(a ?? c ?? d ?? e ?? {}));
} else {
  if (!ONLY) {
    const young = `--max-semi-space-size=${SEMI_MIB}`;
    a = runPart('a', [young]);
    runPart('b', [`--max-old-space-size=${HEAP_MIB}`, young]);
    c = runPart('c');
    d = runPart('d', [young]);
    e = runPart('e', [young]);
    // The three profiles; a saved profile goes to <name>-a<ext>, <name>-b<ext> and <name>-d<ext>.
    const out = process.env.CDNLAB_BENCH_PROFILE_OUT;
    const outOf = (of: string): Record<string, string> => (out ? { CDNLAB_BENCH_PROFILE_OUT: out.replace(/(\.[^./]*)?$/, `-${of}$1`) } : {});
    runPart('p', [young], { CDNLAB_BENCH_PROFILE_OF: 'a', ...outOf('a') });
    runPart('p', [`--max-old-space-size=${HEAP_MIB}`, young], { CDNLAB_BENCH_PROFILE_OF: 'b', ...outOf('b') });
    runPart('p', [young], { CDNLAB_BENCH_PROFILE_OF: 'd', ...outOf('d') });
  }
  if (a) {
    console.log(`(a) against the aim of ${fmt(AIM)} req/s on one core: ${(a.reqPerSec / AIM).toFixed(4)} of it by wall time, ${(a.reqPerCpuSec / AIM).toFixed(4)} per CPU-second: ${a.reqPerSec >= AIM ? 'met' : 'NOT met'}`);
  }
  if (a?.warmPerCpuSec) {
    console.log(`(a) cold against warm: ${fmt(a.reqPerCpuSec)} against ${fmt(a.warmPerCpuSec)} per CPU-second (${(a.warmPerCpuSec / a.reqPerCpuSec).toFixed(1)}x): the warm trace ends almost every request at the edge with its memory in the CPU's caches; the cold one sends most requests on through the tiers to the origin, each store a new entry at every tier, over state far larger than the caches`);
  }
  if (a && c) {
    console.log(`ratio (a)/(c): ${(a.reqPerSec / c.reqPerSec).toFixed(4)} by wall time, ${(a.reqPerCpuSec / c.reqPerCpuSec).toFixed(4)} per CPU-second (full HTTP semantics and virtual-time network vs bare stores)`);
  }
  if (a && c && d) {
    console.log(`where the time goes, per CPU-second: bare stores (c) ${fmt(c.reqPerCpuSec)} -> HTTP semantics of the core (d) ${fmt(d.reqPerCpuSec)} (${(c.reqPerCpuSec / d.reqPerCpuSec).toFixed(1)}x slower) -> the whole simulator (a) ${fmt(a.reqPerCpuSec)} (${(d.reqPerCpuSec / a.reqPerCpuSec).toFixed(1)}x slower again)`);
  }
  if (a && e) {
    console.log(`(e) against (a): ${fmt(e.reqPerCpuSec)} against ${fmt(a.reqPerCpuSec)} per CPU-second: what revalidation through the tiers costs beside hits and plain misses`);
  }
  console.log('ratios use wall time (the machine may be shared: see the CPU-second figures)');
}
