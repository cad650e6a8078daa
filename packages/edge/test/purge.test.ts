import { parseCacheStatus } from '@cdnlab/core';
import { startControl } from '@cdnlab/control';
import type { SiteConfig } from '@cdnlab/origin';
import { agent, get, startMini, TOKEN, type Mini } from './mini-topology';

const site: SiteConfig = {
  paths: [
    { match: '/news/**', sizeBytes: 200, headers: { 'Cache-Control': 'max-age=600, stale-while-revalidate=600', 'Surrogate-Key': 'news' } },
    { match: '/static/**', sizeBytes: 200, headers: { 'Cache-Control': 'max-age=600' } },
  ],
};

interface PurgeJson {
  acks: Array<{ nodeId: string; appliedAtMs: number; error: string | null }>;
}

async function purge(port: number, body: object, token = TOKEN): Promise<{ status: number; json: PurgeJson }> {
  const res = await fetch(`http://127.0.0.1:${port}/purge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as PurgeJson };
}

describe('purge through the control plane on a real topology', () => {
  let m: Mini;
  let control: Awaited<ReturnType<typeof startControl>>;
  const warm = async (path: string) => {
    for (const e of m.edges) await get(e.httpPort, path);
  };
  const body = async (path: string) => (await get(m.edges[0].httpPort, path)).body;

  beforeAll(async () => {
    m = await startMini(site, { regionals: 2, edgesPerRegional: 2 });
    const nodes = [
      { id: 'origin', role: 'origin', region: 'na', grpcAddress: `127.0.0.1:${m.origin.grpcPort}`, parents: [] },
      { id: 'shield', role: 'shield', region: 'na', grpcAddress: `127.0.0.1:${m.shield.grpcPort}`, parents: ['origin'] },
      ...m.regionals.map((r) => ({ id: r.config.id, role: 'regional', region: 'na', grpcAddress: `127.0.0.1:${r.grpcPort}`, parents: ['shield'] })),
      ...m.edges.map((e) => ({ id: e.config.id, role: 'edge', region: 'na', grpcAddress: `127.0.0.1:${e.grpcPort}`, parents: [e.config.parents[0].id] })),
    ];
    control = await startControl({ grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, token: TOKEN, nodeToken: TOKEN, defaultFanout: 'direct', nodes }, { logger: undefined });
  });
  afterAll(async () => {
    await control.stop();
    await m.stop();
    agent.destroy();
  });

  it.each(['direct', 'tree'])('hard-purges a URL everywhere with %s fan-out; no edge serves the old version', async (fanout) => {
    const path = `/static/${fanout}.css`;
    await warm(path);
    const before = await body(path);
    m.origin.site!.bumpVersion(Date.now(), path);
    expect(await body(path)).toBe(before); // still cached
    const r = await purge(control.httpPort, { kind: 'url', value: path, mode: 'hard', fanout });
    expect(r.status).toBe(200);
    expect(r.json.acks).toHaveLength(7);
    expect(r.json.acks.every((a) => !a.error)).toBe(true);
    for (const e of m.edges) expect((await get(e.httpPort, path)).body).toContain('version=2');
    if (fanout === 'tree') {
      const at = (id: string) => r.json.acks.find((a) => a.nodeId === id)!.appliedAtMs;
      expect(at('shield')).toBeLessThanOrEqual(at('regional-1'));
      expect(at('regional-1')).toBeLessThanOrEqual(at('edge-1-1'));
    }
  });

  it('soft-purges a tag: stale served at once while one refresh fetches the new version', async () => {
    await warm('/news/a');
    await warm('/news/b');
    m.origin.site!.bumpVersion(Date.now(), '/news/**');
    const originBefore = m.origin.counters.total;
    const r = await purge(control.httpPort, { kind: 'tag', value: 'news', mode: 'soft' });
    expect(r.status).toBe(200);
    const first = await get(m.edges[0].httpPort, '/news/a');
    expect(first.body).toContain('version=1');
    expect(parseCacheStatus(first.headers['cache-status'] as string).at(-1)).toMatchObject({ hit: true });
    await new Promise((res) => setTimeout(res, 300));
    expect((await get(m.edges[0].httpPort, '/news/a')).body).toContain('version=2');
    expect(m.origin.counters.total - originBefore).toBeGreaterThanOrEqual(1);
  });

  it('does not bring old content back when edges are purged before their parents (purge-time rule)', async () => {
    const path = '/static/race.css';
    await warm(path);
    m.origin.site!.bumpVersion(Date.now(), path);
    // Purge only the edges, directly on each edge, as if the parents' purge were still on its way.
    const { createTierClient, callOptions, unaryCall } = await import('@cdnlab/rpc');
    const at = Date.now();
    for (const e of m.edges) {
      const c = createTierClient(`127.0.0.1:${e.grpcPort}`, { token: TOKEN });
      await unaryCall((cb) => c.purge({ kind: 'PURGE_KIND_URL', value: path, mode: 'PURGE_MODE_HARD', purgeAtMs: at, purgeId: `race-${e.config.id}` }, callOptions(2000), cb));
      c.close();
    }
    // The regionals and the shield still hold version 1; the edges must not take it back.
    for (const e of m.edges) expect((await get(e.httpPort, path)).body).toContain('version=2');
  });

  it('requires the token', async () => {
    expect((await purge(control.httpPort, { kind: 'all' }, '')).status).toBe(401);
    expect((await purge(control.httpPort, { kind: 'all' }, 'wrong')).status).toBe(401);
  });
});
