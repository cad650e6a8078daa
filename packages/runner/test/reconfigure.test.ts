/**
 * applyReconfigure on a real cluster (the default topology as processes on
 * loopback): switch request collapsing off at every tier while it runs, see a
 * herd reach the origin, switch it back, see one fetch again. Every switch
 * also clears every cache, so each phase starts cold. Then change the
 * origin's site at run time and see the new headers through an edge.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TOPOLOGY, startTopology, type PlannedTier, type RunningTopology } from '@cdnlab/launcher';
import { Fault } from '@cdnlab/rpc';
import { isCacheNode, loadTopologyFile, type OriginNode, type Topology } from '@cdnlab/scenario';
import { applyReconfigure, createClusterAdmin, pickPrefix, ReconfigureError, type ClusterAdmin } from '../src';
import { createClusterApi, type ClusterApi } from '../src/cluster-api';

jest.setTimeout(180_000);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-reconfigure-'));
const topology: Topology = loadTopologyFile(DEFAULT_TOPOLOGY);
let running: RunningTopology;
let admin: ClusterAdmin;
let api: ClusterApi;

beforeAll(async () => {
  running = await startTopology(topology, { prefix: await pickPrefix(topology), stateFile: null, runDir: tmp, healthTimeoutMs: 60_000 });
  admin = createClusterAdmin(running.plan);
  api = createClusterApi({
    controlHttp: running.controlHttp,
    token: running.token,
    origins: running.plan.nodes.filter((n) => n.role === 'origin').map((n) => ({ id: n.id, grpc: `${n.grpc!.host}:${n.grpc!.port}` })),
  });
});

afterAll(async () => {
  admin?.close();
  api?.close();
  await running?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function request(edge: PlannedTier, target: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: edge.http!.host, port: edge.http!.port, path: target, headers: { host: topology.zone }, agent: false, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${target} at ${edge.id}: no answer in 15 s`)));
    req.on('error', reject);
    req.end();
  });
}

const get = (edge: PlannedTier, target: string): Promise<number> => request(edge, target).then((r) => r.status);

/** `n` simultaneous requests for one new URL, spread over every edge; returns the origin's count for it. */
async function herd(target: string, n: number): Promise<number> {
  const edges = running.plan.nodes.filter((x): x is PlannedTier => x.role === 'edge');
  await api.resetOriginCounts();
  const statuses = await Promise.all(Array.from({ length: n }, (_, i) => get(edges[i % edges.length], target)));
  expect(statuses.every((s) => s === 200)).toBe(true);
  return (await api.originCounts()).total;
}

const collapsing = (t: Topology, mode: 'off' | 'wait'): Topology => {
  const out = structuredClone(t);
  for (const node of out.nodes) if (isCacheNode(node)) node.cache.collapsing = mode;
  return out;
};

it('switches collapsing off at every tier at run time: the herd reaches the origin; back on: one fetch', async () => {
  const on = collapsing(topology, 'wait');
  const off = collapsing(topology, 'off');
  await applyReconfigure(admin, topology, on);
  const withCollapsing = await herd('/hot?phase=1', 24);
  expect(withCollapsing).toBe(1);

  const report = await applyReconfigure(admin, on, off);
  expect(report.changes.length).toBe(topology.nodes.filter(isCacheNode).length);
  expect(report.cleared.map((c) => c.node).sort()).toEqual(topology.nodes.filter(isCacheNode).map((n) => n.id).sort());
  for (const id of admin.tierIds()) expect((await admin.tierState(id)).cache?.collapsing).toBe('off');
  const withoutCollapsing = await herd('/hot?phase=2', 24);
  // Every request misses at every tier: the origin builds /hot (300 ms) for each.
  expect(withoutCollapsing).toBeGreaterThanOrEqual(20);

  await applyReconfigure(admin, off, on);
  expect(await herd('/hot?phase=3', 24)).toBe(1);
  // The switch cleared every cache: phase 1's object is fetched again, once.
  expect(await herd('/hot?phase=1', 24)).toBe(1);
});

it('refuses a structural change before touching the cluster', async () => {
  const wanted = collapsing(topology, 'off');
  const edge = wanted.nodes.find((n) => n.role === 'edge');
  if (!edge || !isCacheNode(edge)) throw new Error('no edge');
  edge.parents = ['shield'];
  const before = await admin.tierState(edge.id);
  const err = await applyReconfigure(admin, topology, wanted).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ReconfigureError);
  expect((err as ReconfigureError).differences.map((d) => d.path)).toEqual([`nodes.${edge.id}.parents`]);
  expect((await admin.tierState(edge.id)).cache).toEqual(before.cache);
});

it("changes the origin's site at run time, and resets its faults and versions: an edge sees the new headers", async () => {
  const ids = running.plan.nodes.filter((n) => n.role === 'origin').map((n) => n.id);
  const edge = running.plan.nodes.find((x): x is PlannedTier => x.role === 'edge')!;
  // What an earlier run may leave behind: a fault and a content update.
  await api.setFault(ids, { fault: Fault.FAULT_ERROR, statusCode: 503, pathPattern: '/static/**' });
  await api.setVersion(ids, '/static/**', 9);
  expect((await request(edge, '/static/before.css')).status).toBe(503);

  const wanted = structuredClone(topology);
  const site = (wanted.nodes.find((n) => n.role === 'origin') as OriginNode).site!;
  const rule = site.paths.find((p) => p.match === '/static/**')!;
  rule.headers = { ...rule.headers, 'Cache-Control': 'public, max-age=5', 'X-Variant': 'b' };
  rule.latencyMs = 0;
  const report = await applyReconfigure(admin, topology, wanted);
  expect(report.changes).toEqual([{ kind: 'origin-site', node: ids[0], site }]);
  expect(report.originsReset).toEqual([{ node: ids[0], faultsCleared: 1 }]);

  const after = await request(edge, '/static/app.css');
  expect(after.status).toBe(200);
  expect(after.headers['cache-control']).toBe('public, max-age=5');
  expect(after.headers['x-variant']).toBe('b');
  expect(after.headers['x-origin-version']).toBe('1');

  // And back: the running cluster plays the base topology again.
  await applyReconfigure(admin, wanted, topology);
  const back = await request(edge, '/static/app.css');
  expect(back.headers['cache-control']).toBe('public, max-age=86400');
  expect(back.headers['x-variant']).toBeUndefined();
});
