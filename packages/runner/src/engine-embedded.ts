/**
 * The embedded engine (run mode 1): a scenario against the topology running
 * as real processes on loopback. It starts the variant's topology with the
 * launcher (on an address prefix of its own, so runs and a developer's
 * `cdnlab up` never collide) unless it is given a running one, plays the
 * workload open-loop in real time, runs the timeline, and returns a RunResult
 * like every other engine.
 *
 * Open loop: each request leaves at its planned time whether or not earlier
 * ones have been answered, and its latency is measured from that planned
 * time, so a slow CDN cannot slow the load down and hide its own slowness
 * (coordinated omission).
 *
 * Accounting: every planned request that is sent ends as exactly one of
 * answered, error or unfinished, so sent = answered + errors + unfinished.
 * Everything is bounded: the plan (by the workload and opts.maxRequests),
 * requests in flight (opts.maxInFlight), each request (opts.requestTimeoutMs)
 * and the drain after the last request (opts.drainMs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LOOPBACK_PORTS, startTopology, type PlannedTier, type RunningTopology, type StartOptions } from '@cdnlab/launcher';
import { briefError } from '@cdnlab/rpc';
import type { Engine, EngineRunOptions, NodeResult, PurgeResult, RunResult, TimelineRecord, Topology } from '@cdnlab/scenario';
import { byGroupRecord, byTierRecord, cacheTiersOf, CLIENT_TIMEOUT_MS, clientGroupNames, hitRatioPerBucket, hitRatioRecord, hostSaturated, latencyBucketsOf, latencyByRegionRecord, LOAD_LAG_LIMIT_MS, snapshotMetrics, watchedRecord, type LatencySummary, type RunResultWithSnapshots, type RunSnapshot } from '@cdnlab/scenario';
import { planWorkload, type PlannedRequest } from '@cdnlab/scenario';
import { clientAddresses, createClientPool, type ClientPool, type Outcome } from './client-pool';
import { describeHostCpu, hostCpuBetween, readHostCpu } from './host-cpu';
import { createClusterApi, type ClusterApi, type NodeCounters, type OriginCounts, type StatsEntry } from './cluster-api';
import { CounterTally, countersFrom, readingOf } from './counter-tally';
import { LatencyRecorder } from './latency-recorder';
import { createClusterAdmin } from './cluster-admin';
import { applyReconfigure } from './reconfigure';
import { purgeAckOf, runTimelineEvent, VersionClock } from './timeline-embedded';

export interface EmbeddedEngineOptions {
  /** A running topology to use instead of starting one per variant (its topology should be the variant's). */
  target?: RunningTopology;
  /** Passed to the launcher when the engine starts the topology. Default: a free prefix, no state file, a temporary run directory. */
  start?: StartOptions;
  /** Per request, from its planned time. Default CLIENT_TIMEOUT_MS (30 000: above the edges' own upstream timeouts, so a slow CDN is measured by its answer, not by our give-up). */
  requestTimeoutMs?: number;
  /** How long answers may still arrive after the last request was sent. Default requestTimeoutMs. */
  drainMs?: number;
  /** Requests in flight at once; beyond it a request fails with error "client-limit". Default 20 000. */
  maxInFlight?: number;
  /** Connections per client (kept alive). Default 16. */
  maxSocketsPerClient?: number;
  /** Width of the time series buckets. Default 500 ms for runs up to 60 s, else 1 s. */
  bucketMs?: number;
  /** Hard cap on the requests of one run. Default 1 000 000. */
  maxRequests?: number;
  /** Live counters this often. Default 250 ms. */
  progressEveryMs?: number;
  /** Keep the launcher's run directory (node logs) of each run. Default false (kept only when the run fails). */
  keepLogs?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x <= 0) throw new TypeError(`expected opts.${name} to be a positive integer, got ${String(v)}`);
  return x;
}

function inc(r: Record<string, number>, k: string, by = 1): void {
  r[k] = (r[k] ?? 0) + by;
}

function bump(arr: number[], i: number, by = 1): void {
  while (arr.length <= i) arr.push(0);
  arr[i] += by;
}

let prefixCounter = 0;

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function overlaps(prefix: number, cidr: string): boolean {
  const [ip, bitsText] = cidr.split('/');
  const o = ip.split('.').map(Number);
  const bits = Number(bitsText);
  if (o[0] !== 127) return false;
  // The /16 of the prefix against the CIDR: overlapping when either contains the other's start.
  if (bits <= 16) return bits <= 8 || o[1] === prefix;
  return o[1] === prefix;
}

/**
 * A loopback prefix (127.N) for a new cluster: outside every region's client
 * CIDR (a client address must never be a server's) and with the control and
 * first edge ports free (another run or a developer's cluster is not there).
 */
export async function pickPrefix(topology: Topology): Promise<string> {
  const cidrs = topology.regions.flatMap((r) => r.cidrs);
  for (let i = 0; i < 150; i++) {
    const n = 100 + ((process.pid + prefixCounter++ * 7 + i) % 150);
    if (cidrs.some((c) => overlaps(n, c))) continue;
    if ((await portFree(`127.${n}.5.1`, LOOPBACK_PORTS.controlHttp)) && (await portFree(`127.${n}.1.1`, LOOPBACK_PORTS.http))) return `127.${n}`;
  }
  throw new Error('no free loopback prefix in 127.100-127.249 for a new cluster');
}

function nodeResults(t: Topology, countersOf: (id: string) => NodeCounters | undefined, counts: Map<string, OriginCounts>): NodeResult[] {
  return t.nodes.map((n): NodeResult => {
    const zero = { hits: 0, misses: 0, staleServed: 0, revalidations: 0, collapsedWaiters: 0, evictions: 0, upstreamFetches: 0, objects: 0, bytes: 0 };
    if (n.role === 'origin') return { id: n.id, role: 'origin', region: n.region, requests: counts.get(n.id)?.total ?? 0, ...zero, hitRatio: NaN };
    const c = countersOf(n.id);
    if (!c) return { id: n.id, role: n.role, region: n.region, requests: 0, ...zero, hitRatio: NaN };
    return {
      id: n.id,
      role: n.role,
      region: n.region,
      requests: c.requests,
      hits: c.hits,
      misses: c.misses,
      staleServed: c.staleServed,
      revalidations: c.revalidations,
      collapsedWaiters: c.collapsedWaiters,
      evictions: c.evictions,
      upstreamFetches: c.upstreamFetches,
      objects: c.objectsStored,
      bytes: c.bytesStored,
      hitRatio: c.requests > 0 ? c.hits / c.requests : NaN,
    };
  });
}

/**
 * A variant on a cluster that was already running: undo what earlier runs'
 * timelines did to its nodes, then turn its topology into the variant's at
 * run time (cache settings, links, DNS, origin) and clear every cache, so the
 * variant starts cold as it would on a fresh cluster. A variant that differs
 * in shape (nodes, parents, ...) cannot run there: ReconfigureError, naming
 * every difference.
 */
async function prepareTarget(running: RunningTopology, variant: string, topology: Topology, note: (detail: string, ok?: boolean) => void): Promise<void> {
  if (running.restoreAll) {
    const did = await running.restoreAll();
    if (did.length > 0) note(`restored the cluster after earlier faults: ${did.join(', ')}`);
  }
  if (!running.topology) {
    note(`the running cluster's topology is unknown: variant ${variant} could not be applied, and the results describe the cluster as it runs`, false);
    return;
  }
  const admin = createClusterAdmin(running.plan);
  try {
    // A node started again is only handed out by DNS once its health checks
    // pass `rise` times in a row: wait for that, or the variant would begin
    // with an edge missing (and a kill in its timeline would hit nobody).
    const h = running.topology.dns.health;
    // A container's restart can take its peers' connections a while to notice: 30 s at least.
    const patienceMs = Math.max(30_000, h.intervalMs * (h.rise + 2) + 10_000);
    const began = Date.now();
    for (;;) {
      const health = (await admin.dnsState()).health;
      const notUp = health.filter((e) => e.state !== 'up').map((e) => `${e.edgeId} (${e.state})`);
      if (notUp.length === 0) {
        if (Date.now() - began > 1000) note(`waited ${Date.now() - began} ms for DNS to see every edge up again`);
        break;
      }
      if (Date.now() - began > patienceMs) {
        note(`after ${patienceMs} ms DNS still does not see every edge up: ${notUp.join(', ')}; the variant starts anyway`, false);
        break;
      }
      await sleep(250);
    }
    const r = await applyReconfigure(admin, running.topology, topology);
    const what = r.changes.length === 0 ? 'nothing differs from the running topology' : `${r.changes.length} change${r.changes.length === 1 ? '' : 's'} (${[...new Set(r.changes.map((c) => c.kind))].join(', ')})`;
    note(`variant ${variant} applied at run time: ${what}; ${r.calls} admin calls; every cache cleared (${r.cleared.reduce((a, c) => a + c.objectsRemoved, 0)} objects)`);
  } finally {
    admin.close();
  }
}

export function createEmbeddedEngine(engineOpts: EmbeddedEngineOptions = {}): Engine {
  const requestTimeoutMs = positiveInt('requestTimeoutMs', engineOpts.requestTimeoutMs, CLIENT_TIMEOUT_MS);
  const drainMs = positiveInt('drainMs', engineOpts.drainMs, requestTimeoutMs);
  const maxInFlight = positiveInt('maxInFlight', engineOpts.maxInFlight, 20_000);
  const maxSockets = positiveInt('maxSocketsPerClient', engineOpts.maxSocketsPerClient, 16);
  const maxRequests = positiveInt('maxRequests', engineOpts.maxRequests, 1_000_000);
  const progressEveryMs = positiveInt('progressEveryMs', engineOpts.progressEveryMs, 250);
  if (engineOpts.bucketMs !== undefined) positiveInt('bucketMs', engineOpts.bucketMs, 1);

  // Inside a compose network the same engine drives containers: reports say so.
  const engineName = engineOpts.target?.plan.addressing === 'compose' ? 'compose' : 'embedded';
  return {
    name: engineName,
    async run(opts: EngineRunOptions): Promise<RunResultWithSnapshots> {
      const { scenario, variant, seed } = opts;
      const topology = variant.topology;
      const workload = scenario.workload;
      const timeline: TimelineRecord[] = [];
      const note = (detail: string, ok = true, atMs = 0): void => void timeline.push({ atMs: Math.round(atMs), action: 'engine', detail, ok });

      // Clients that cannot exist fail here, before any process starts.
      const groups = workload.clients.map((c) => ({ region: c.region, count: c.count }));
      const groupNames = clientGroupNames(workload.clients);
      const watch = workload.watch ?? [];
      const placement = engineOpts.target?.plan.addressing === 'compose' ? 'ecs' : 'bind';
      clientAddresses(topology, groups, { loopbackOnly: placement === 'bind' });

      let running = engineOpts.target;
      let ownRunDir: string | undefined;
      let failed = true;
      if (!running) {
        const prefix = engineOpts.start?.prefix ?? (await pickPrefix(topology));
        ownRunDir = engineOpts.start?.runDir ?? mkdtempSync(path.join(os.tmpdir(), `cdnlab-run-${scenario.name}-`));
        const began = Date.now();
        running = await startTopology(topology, { stateFile: null, healthTimeoutMs: 60_000, ...engineOpts.start, prefix, runDir: ownRunDir, ...(opts.signal ? { signal: opts.signal } : {}) });
        note(`started topology ${topology.name} on ${prefix} (${running.nodes.size} processes) in ${Date.now() - began} ms`);
      } else {
        note(`ran against a running topology ${running.plan.name} on ${running.key}`);
        await prepareTarget(running, variant.name, topology, note);
      }
      const started = running;
      let api: ClusterApi | undefined;
      let pool: ClientPool | undefined;
      const latency = new LatencyRecorder();
      const groupLatency = new LatencyRecorder();
      const timers = new Set<NodeJS.Timeout>();
      // Set when the run is over, however it ends: the loops that wait for
      // their next instant (origin polls, snapshots, timeline) stop waiting
      // and do nothing more, so a run that fails midway (a bad trace record)
      // leaves no timer behind to keep the process alive.
      let ended = false;
      try {
        const plan = started.plan;
        if (plan.addressing === 'ports') throw new Error('the embedded engine needs loopback addressing (Linux): clients send from their region\'s addresses so geo DNS can place them');
        if (placement === 'ecs') {
          note('clients announce their region to DNS by EDNS Client Subnet (RFC 7871): inside a compose network one container cannot send from every region\'s addresses');
          if (plan.anycast) note('anycast routes by the source address, and every client here sends from the cli container\'s: all of them take one route', false);
        }

        const edges = plan.nodes.filter((n): n is PlannedTier => n.role === 'edge');
        const edgeByHost = new Map(edges.map((e) => [e.http?.host ?? '', e]));
        const [dnsHost, dnsPort] = [plan.dns.dns.host, plan.dns.dns.port];
        const cluster = createClusterApi({
          controlHttp: started.controlHttp,
          token: started.token,
          origins: plan.nodes.filter((n) => n.role === 'origin').map((n) => ({ id: n.id, grpc: `${n.grpc!.host}:${n.grpc!.port}` })),
        });
        api = cluster;
        const clients = createClientPool(
          {
            topology,
            zone: plan.zone,
            dns: { host: dnsHost, port: dnsPort },
            edgePort: (a) => edgeByHost.get(a)?.http?.port ?? (plan.anycast && plan.anycast.host === a ? plan.anycast.port : LOOPBACK_PORTS.http),
            edgeAt: (a) => edgeByHost.get(a)?.id,
            requestTimeoutMs,
            maxSocketsPerClient: maxSockets,
            placement,
            watch,
          },
          groups,
        );
        pool = clients;

        // Baselines: the origin counts from zero, node counters are taken as differences.
        const baseStats = await cluster.stats();
        const base = new Map(baseStats.map((s) => [s.nodeId, readingOf(s)]));
        await cluster.resetOriginCounts();

        const plannedMs = workload.durationMs ?? 0;
        const plannedRequests = workload.requests ?? 0;
        const bucketMs = engineOpts.bucketMs ?? (plannedMs > 60_000 ? 1000 : 500);
        const requests = { sent: 0, answered: 0, errors: 0, unfinished: 0, byResult: {} as Record<string, number>, byStatus: {} as Record<string, number>, byError: {} as Record<string, number> };
        const series = { originRequests: [] as number[], hits: [] as number[], answers: [] as number[], requests: [] as number[], errors: [] as number[], serverErrors: [] as number[], byEdge: Object.fromEntries(edges.map((e) => [e.id, [] as number[]])) as Record<string, number[]> };
        // Per client group (index in workload.clients), and per watch rule then group.
        const groupSent = groupNames.map(() => 0);
        const groupAnswered = groupNames.map(() => 0);
        const groupResults = groupNames.map(() => ({}) as Record<string, number>);
        const groupStatuses = groupNames.map(() => ({}) as Record<string, number>);
        const groupLatencyOf = (): LatencySummary[] => {
          const byName = groupLatency.summary(groupNames);
          return groupNames.map((g) => byName[g]);
        };
        const watched = watch.map(() => groupNames.map(() => 0));
        const watchedSeries = watch.map(() => [] as number[]);
        const groupHitSeries = groupNames.map(() => [] as number[]);
        const groupAnswerSeries = groupNames.map(() => [] as number[]);
        const latencySeries = latencyBucketsOf(workload.clients);
        const purges: PurgeResult[] = [];
        /** The control plane's id of each purge in `purges`. */
        const purgeIds: string[] = [];
        const snapshots: RunSnapshot[] = [];
        let originTotal = 0;
        let hits = 0;

        const t0 = performance.now();
        const elapsed = (): number => performance.now() - t0;
        // Timers may fire a little early against performance.now(): wait until the time has really come.
        const until = async (atMs: number): Promise<void> => {
          while (!ended && elapsed() < atMs) await sleep(Math.max(1, Math.min(1000, atMs - elapsed())));
        };
        const bucketOf = (ms: number): number => Math.max(0, Math.floor(ms / bucketMs));

        // In-flight requests: at the end, what is left is unfinished.
        interface Flight {
          controller: AbortController;
          closed: boolean;
        }
        const inFlight = new Set<Flight>();
        const settle = (p: PlannedRequest, f: Flight, o: Outcome, plannedAt: number): void => {
          if (f.closed) return;
          f.closed = true;
          inFlight.delete(f);
          const now = elapsed();
          if (o.kind === 'answered') {
            requests.answered++;
            groupAnswered[p.group]++;
            inc(requests.byStatus, String(o.status));
            inc(requests.byResult, o.result);
            inc(groupResults[p.group], o.result);
            inc(groupStatuses[p.group], String(o.status));
            const ms = performance.now() - plannedAt;
            latency.record(p.region, ms);
            groupLatency.record(groupNames[p.group], ms);
            const b = bucketOf(now);
            // By when it was planned to be sent: the interval whose requests waited, not the one their answers came in.
            latencySeries.ofGroup[p.group].add(bucketOf(p.atMs), ms);
            bump(series.answers, b);
            if (o.status >= 500) bump(series.serverErrors, b);
            bump(groupAnswerSeries[p.group], b);
            for (const i of o.watched) {
              watched[i][p.group]++;
              bump(watchedSeries[i], b);
            }
            if (o.result === 'hit' || o.result === 'stale') {
              hits++;
              bump(series.hits, b);
              bump(groupHitSeries[p.group], b);
            }
            const edge = o.edge ?? 'unknown';
            series.byEdge[edge] ??= [];
            bump(series.byEdge[edge], b);
          } else {
            requests.errors++;
            inc(requests.byError, o.error);
            bump(series.errors, bucketOf(now));
          }
        };
        // How far behind plan the load generator fell: if it is late, the latency figures include its lag.
        let maxLateMs = 0;
        const loopDelay = monitorEventLoopDelay({ resolution: 10 });
        loopDelay.enable();
        const cpuAtStart = readHostCpu();
        const dispatch = (p: PlannedRequest): void => {
          maxLateMs = Math.max(maxLateMs, elapsed() - p.atMs);
          requests.sent++;
          groupSent[p.group]++;
          bump(series.requests, bucketOf(p.atMs));
          if (inFlight.size >= maxInFlight) {
            requests.errors++;
            inc(requests.byError, 'client-limit');
            bump(series.errors, bucketOf(p.atMs));
            return;
          }
          const f: Flight = { controller: new AbortController(), closed: false };
          inFlight.add(f);
          const plannedAt = t0 + p.atMs;
          clients.send(p, f.controller.signal).then(
            (o) => settle(p, f, o, plannedAt),
            (err: unknown) => settle(p, f, { kind: 'error', error: `other:${(err as Error).message}` }, plannedAt),
          );
        };

        // The load: open loop, in real time.
        const load = (async () => {
          let last = 0;
          for (const p of planWorkload(workload, { seed, maxRequests })) {
            if (opts.signal?.aborted) break;
            if (p.atMs - elapsed() > 1) await until(p.atMs);
            if (opts.signal?.aborted || ended) break;
            dispatch(p);
            last = p.atMs;
          }
          return last;
        })();

        // Origin requests per bucket, from the origin's own counts.
        // The poll at the end of bucket k credits bucket k with what arrived since the last poll,
        // even when the timer fires late.
        const pollOrigin = async (bucket: number): Promise<void> => {
          const c = await cluster.originCounts();
          bump(series.originRequests, bucket, c.total - originTotal);
          originTotal = c.total;
        };
        const poller = (async () => {
          for (let k = 1; !ended; k++) {
            await until(k * bucketMs);
            if (ended) break;
            await pollOrigin(k - 1).catch(() => undefined);
          }
        })();

        // Each cache tier's answers and hits per bucket, from the differences
        // of its nodes' counters between polls (a restarted node counts from 0).
        // A poll of its own: a frozen node holds /stats up to its deadline, and
        // the origin's counts should not wait for it.
        const tiers = cacheTiersOf(topology);
        const tierHits = tiers.map(() => [] as number[]);
        const tierAnswers = tiers.map(() => [] as number[]);
        const tally = new CounterTally(base);
        const creditTiers = (bucket: number, stats: readonly StatsEntry[]): void => {
          tally.add(stats, elapsed(), (s, c) => {
            const i = tiers.indexOf(s.role as (typeof tiers)[number]);
            if (i < 0) return;
            bump(tierHits[i], bucket, c.hits);
            bump(tierAnswers[i], bucket, c.requests);
          });
        };
        const tierPoller = (async () => {
          for (let k = 1; !ended; ) {
            await until(k * bucketMs);
            if (ended) break;
            const stats = await cluster.stats().catch(() => undefined);
            if (stats && !ended) creditTiers(k - 1, stats);
            // A poll that took longer than a bucket credited all it saw to the bucket it started at.
            k = Math.max(k + 1, Math.floor(elapsed() / bucketMs) + 1);
          }
        })();

        // What the clients know is copied at the instant itself; the cluster's counts arrive a little later.
        const clientView = (atMs: number) => ({
          atMs,
          requests: {
            ...requests,
            unfinished: inFlight.size,
            byResult: { ...requests.byResult },
            byStatus: { ...requests.byStatus },
            byError: { ...requests.byError },
            byGroup: byGroupRecord(groupNames, groupSent, groupAnswered, groupResults, groupStatuses, groupLatencyOf()),
            watched: watchedRecord(watch, groupNames, watched),
          },
          latency: latency.summary(topology.regions.map((r) => r.name)),
          purges: [...purges],
        });
        const partialResult = (view: ReturnType<typeof clientView>, stats: StatsEntry[], counts: Map<string, OriginCounts>): RunResult => {
          const o = sumCounts(counts);
          return {
            scenario: scenario.name,
            variant: variant.name,
            engine: engineName,
            seed,
            durationMs: Math.round(view.atMs),
            requests: view.requests,
            origin: { requests: o.total, byPath: o.byPath, byKind: o.byKind },
            nodes: nodeResults(topology, countersFrom(stats, base), counts),
            latency: view.latency,
            series: { bucketMs, originRequests: [], edgeHitRatio: [], byGroupHitRatio: Object.fromEntries(groupNames.map((g) => [g, []])), byTier: Object.fromEntries(cacheTiersOf(topology).map((t) => [t, { answers: [], hitRatio: [] }])), requests: [], errors: [], serverErrors: [], latencyByRegion: {}, byEdge: {}, watched: Object.fromEntries(watch.map((rule) => [rule.name, []])) },
            purges: view.purges,
            timeline: [],
          };
        };

        // Snapshots for expectations with `at:`.
        const snapAt = [...new Set(scenario.expectations.filter((x) => x.atMs !== undefined && (x.variant === undefined || x.variant === variant.name)).map((x) => x.atMs!))].sort((a, b) => a - b);
        const snapper = (async () => {
          for (const at of snapAt) {
            await until(at);
            if (ended) break;
            const took = elapsed();
            const view = clientView(took);
            try {
              // Origin counts first: they are what `at:` expectations are mostly about.
              const counts = await cluster.originCountsById();
              const stats = await cluster.stats();
              const exps = scenario.expectations.filter((x) => x.atMs === at).map((x) => x.expect);
              snapshots.push({ atMs: Math.round(took), metrics: snapshotMetrics(partialResult(view, stats, counts), exps) });
            } catch (err) {
              timeline.push({ atMs: Math.round(took), action: 'snapshot', detail: `snapshot at ${at} ms failed: ${(err as Error).message}`, ok: false });
            }
          }
        })();

        // The timeline, in order; an event that fails is recorded and the run goes on.
        const versions = new VersionClock(topology.nodes.map((n) => (n.role === 'origin' ? n.site?.versionEveryMs : undefined)).find((x) => x !== undefined));
        const ctx = {
          topology,
          running: started,
          api: cluster,
          elapsedMs: elapsed,
          later(atMs: number, what: string, fn: () => Promise<string>) {
            const timer = setTimeout(
              () => {
                timers.delete(timer);
                if (ended) return;
                fn().then(
                  (detail) => timeline.push({ atMs: Math.round(elapsed()), action: what, detail, ok: true }),
                  (err: unknown) => timeline.push({ atMs: Math.round(elapsed()), action: what, detail: (err as Error).message, ok: false }),
                );
              },
              Math.max(0, atMs - elapsed()),
            );
            timers.add(timer);
          },
        };
        // Each event starts at its own time, whatever the events before it
        // are still doing: a purge that waits on a paused node must not hold
        // back the unpause scheduled after it. Events at the same instant run
        // one after the other in file order, which is how a file says
        // "update the origin, then purge".
        const runOne = async (ev: (typeof scenario.timeline)[number]): Promise<void> => {
          if (opts.signal?.aborted) {
            timeline.push({ atMs: ev.atMs, action: ev.action, detail: 'not run: the run was aborted', ok: false });
            return;
          }
          const at = Math.round(elapsed());
          try {
            const out = await runTimelineEvent(ev, ctx, versions);
            if (out.purge) {
              purges.push(out.purge);
              purgeIds.push(out.purgeId ?? '');
            }
            timeline.push({ atMs: at, action: ev.action, detail: `${out.detail}${ev.note ? ` (${ev.note})` : ''}`, ok: out.ok });
          } catch (err) {
            timeline.push({ atMs: at, action: ev.action, detail: `failed: ${(err as Error).message}`, ok: false });
          }
        };
        const events = (async () => {
          const started: Promise<void>[] = [];
          const list = scenario.timeline;
          for (let i = 0; i < list.length; ) {
            let j = i;
            while (j < list.length && list[j].atMs === list[i].atMs) j++;
            const group = list.slice(i, j);
            i = j;
            await until(group[0].atMs);
            if (ended) break;
            started.push(
              (async () => {
                for (const ev of group) if (!ended) await runOne(ev);
              })(),
            );
          }
          await Promise.all(started);
        })();

        const progress = setInterval(() => {
          opts.onProgress?.({ elapsedMs: Math.round(elapsed()), plannedMs, plannedRequests, sent: requests.sent, answered: requests.answered, errors: requests.errors, hits, originRequests: originTotal });
        }, progressEveryMs);
        timers.add(progress as unknown as NodeJS.Timeout);

        const lastPlanned = await load;
        await Promise.all([events, snapper]);
        const endOfWork = Math.max(workload.durationMs ?? lastPlanned, lastPlanned);
        if (!opts.signal?.aborted) await until(endOfWork);
        const hostCpu = hostCpuBetween(cpuAtStart, readHostCpu());

        // Drain: answers may still come, up to drainMs (nothing when aborted).
        const drainUntil = performance.now() + (opts.signal?.aborted ? 0 : drainMs);
        while (inFlight.size > 0 && performance.now() < drainUntil) await sleep(20);
        for (const f of inFlight) {
          f.closed = true;
          requests.unfinished++;
          f.controller.abort();
        }
        inFlight.clear();
        ended = true;
        clearInterval(progress);
        await Promise.all([poller, tierPoller]);
        const endMs = elapsed();
        loopDelay.disable();
        const lagP99 = loopDelay.percentile(99) / 1e6;
        note(`load generator: requests left at most ${Math.round(maxLateMs)} ms after their planned time; event-loop delay p99 ${lagP99.toFixed(1)} ms; ${clients.dnsQueries()} DNS queries`, maxLateMs < LOAD_LAG_LIMIT_MS, endMs);
        if (hostCpu) note(describeHostCpu(hostCpu), !hostSaturated(hostCpu), endMs);

        const [counts, stats] = await Promise.all([cluster.originCountsById(), cluster.stats()]);
        creditTiers(bucketOf(endMs), stats);
        // A node a purge's fan-out missed may have taken it since, from the
        // control plane's redelivery: the report has where each purge stands
        // now, as the simulator's does at its end.
        for (let i = 0; i < purges.length; i++) {
          const p = purges[i];
          if (!p.acks.some((a) => a.error) || purgeIds[i] === '') continue;
          try {
            const now = await cluster.purgeReport(purgeIds[i]);
            purges[i] = { ...p, acks: now.acks.map(purgeAckOf) };
            const late = purges[i].acks.filter((a) => !a.error && (a.attempts ?? 1) > 1);
            if (late.length) note(`purge at ${(p.atMs / 1000).toFixed(1)} s redelivered: ${late.map((a) => `${a.nodeId} took it on call ${a.attempts}, ${(a.delayMs / 1000).toFixed(1)} s after it was issued`).join('; ')}`, true, endMs);
          } catch (err) {
            note(`purge at ${(p.atMs / 1000).toFixed(1)} s: could not read where it stands now (${briefError((err as Error).message)}); its acks are those of its fan-out`, false, endMs);
          }
        }
        const nodes = nodeResults(topology, (id) => tally.of(id)?.counters, counts);
        // A node without final stats (killed, frozen, cut off) keeps what it counted up to its last reading.
        const missing = stats.filter((s) => !s.counters && topology.nodes.some((n) => n.id === s.nodeId && n.role !== 'origin'));
        for (const s of missing) {
          const last = tally.of(s.nodeId);
          const why = s.error ? ` (${briefError(s.error)})` : '';
          note(last ? `no final stats from ${s.nodeId}${why}: its counts are those of its last reading, at ${(last.atMs / 1000).toFixed(1)} s` : `no stats from ${s.nodeId}${why} during the run: its counts are 0`, false, endMs);
        }
        const o = sumCounts(counts);
        // The last bucket takes the rest, so the series adds up to the origin's total exactly
        // (fetches of aborted requests may still reach the origin while we stop).
        bump(series.originRequests, bucketOf(endMs), o.total - originTotal);
        const nBuckets = Math.max(1, Math.ceil(endMs / bucketMs), series.originRequests.length, series.requests.length, series.answers.length, series.errors.length, ...tierAnswers.map((a) => a.length));
        const pad = (a: number[]): number[] => Array.from({ length: nBuckets }, (_, i) => a[i] ?? 0);
        const answers = pad(series.answers);
        const hitSeries = pad(series.hits);
        opts.onProgress?.({ elapsedMs: Math.round(endMs), plannedMs, plannedRequests, sent: requests.sent, answered: requests.answered, errors: requests.errors, hits, originRequests: o.total });

        const result: RunResultWithSnapshots = {
          scenario: scenario.name,
          variant: variant.name,
          engine: engineName,
          seed,
          durationMs: Math.round(workload.durationMs ?? endOfWork),
          requests: { ...requests, byGroup: byGroupRecord(groupNames, groupSent, groupAnswered, groupResults, groupStatuses, groupLatencyOf()), watched: watchedRecord(watch, groupNames, watched) },
          origin: { requests: o.total, byPath: o.byPath, byKind: o.byKind },
          nodes,
          latency: latency.summary(topology.regions.map((r) => r.name)),
          loadLagMs: Math.round(maxLateMs),
          ...(hostCpu ? { hostCpu } : {}),
          series: {
            bucketMs,
            originRequests: pad(series.originRequests),
            edgeHitRatio: hitRatioPerBucket(hitSeries, answers),
            byGroupHitRatio: hitRatioRecord(groupNames, groupHitSeries.map(pad), groupAnswerSeries.map(pad)),
            byTier: byTierRecord(tiers, tierHits.map(pad), tierAnswers.map(pad)),
            requests: pad(series.requests),
            errors: pad(series.errors),
            serverErrors: pad(series.serverErrors),
            latencyByRegion: latencyByRegionRecord(latencySeries.byRegion, nBuckets),
            byEdge: Object.fromEntries(Object.entries(series.byEdge).map(([k, v]) => [k, pad(v)])),
            watched: Object.fromEntries(watch.map((rule, i) => [rule.name, pad(watchedSeries[i])])),
          },
          purges,
          timeline: [...timeline].sort((a, b) => a.atMs - b.atMs),
          snapshots,
        };
        failed = false;
        return result;
      } catch (err) {
        if (ownRunDir) (err as Error).message += ` (node logs kept in ${ownRunDir})`;
        throw err;
      } finally {
        ended = true;
        for (const t of timers) clearTimeout(t);
        pool?.close();
        api?.close();
        latency.close();
        groupLatency.close();
        if (!engineOpts.target) await started.stop();
        if (ownRunDir && !engineOpts.start?.runDir && !engineOpts.keepLogs && !failed) rmSync(ownRunDir, { recursive: true, force: true });
      }
    },
  };
}

function sumCounts(counts: Map<string, OriginCounts>): OriginCounts {
  const sum: OriginCounts = { total: 0, byPath: {}, byKind: {} };
  for (const c of counts.values()) {
    sum.total += c.total;
    for (const [k, v] of Object.entries(c.byPath)) inc(sum.byPath, k, v);
    for (const [k, v] of Object.entries(c.byKind)) inc(sum.byKind, k, v);
  }
  return sum;
}
