import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ENTRYPOINTS, isOurs } from '@cdnlab/launcher';

// `cdnlab up --detach` and the commands that act on the running cluster from
// other shells, as a user would type them, on a test prefix and a private
// CDNLAB_HOME so that it never touches a developer's own cluster.

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'packages/cli/src/main.ts');
const PREFIX = '127.89';
const home = mkdtempSync(path.join(os.tmpdir(), 'cdnlab-cli-cluster-'));

function cdnlab(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...process.env, CDNLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: 'cdn.cdnlab.test' }, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

interface StatusJson {
  nodes: Array<{ id: string; role: string; pid: number; health: string; stats: { counters: { requests: number } | null } | null; originCounts: { total: number } | null }>;
}

async function status(): Promise<{ code: number | null; json: StatusJson }> {
  const r = await cdnlab('status', '--prefix', PREFIX, '--json');
  return { code: r.code, json: JSON.parse(r.stdout) as StatusJson };
}

const pids = new Map<number, string>();

afterAll(async () => {
  // Whatever happened above, leave nothing running.
  await cdnlab('down', '--all');
  rmSync(home, { recursive: true, force: true });
});

describe('a detached cluster driven by the CLI', () => {
  it('up --detach starts every node and prints where they are and the token', async () => {
    const r = await cdnlab('up', '--prefix', PREFIX, '--detach', '--timeout', '120000');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/edge-na-1 +edge +na +\d+ +http 127\.89\.1\.1:8080 +grpc 127\.89\.1\.1:7070/);
    expect(r.stdout).toMatch(/dns +dns +- +\d+ +dns 127\.89\.5\.2:5353 \(udp\+tcp\)/);
    expect(r.stdout).toMatch(/Admin token: [A-Za-z0-9_-]{24}\n/);
    expect(r.stdout).toContain("curl -i http://127.89.1.1:8080/static/app.js -H 'Host: cdn.cdnlab.test'");
    expect(r.stdout).toContain('dig @127.89.5.2 -p 5353 cdn.cdnlab.test');
  });

  it('status shows every node serving, with requests and the origin count', async () => {
    expect(await get('http://127.89.1.1:8080/static/a.js')).toBe(200);
    expect(await get('http://127.89.1.1:8080/static/a.js')).toBe(200);
    const { code, json } = await status();
    expect(code).toBe(0);
    expect(json.nodes).toHaveLength(13);
    expect(json.nodes.filter((n) => n.health !== 'serving')).toEqual([]);
    for (const n of json.nodes) pids.set(n.pid, ENTRYPOINTS[n.role as keyof typeof ENTRYPOINTS]);
    expect(json.nodes.find((n) => n.id === 'edge-na-1')?.stats?.counters?.requests).toBe(2);
    // The second request was an edge hit: the origin saw one.
    expect(json.nodes.find((n) => n.id === 'origin')?.originCounts?.total).toBe(1);
    // The table: edge-na-1 answered 2, one from its cache.
    const table = await cdnlab('status', '--prefix', PREFIX);
    expect(table.stdout).toMatch(/edge-na-1 +edge +na +\d+ +serving +2 +50\.0% +1\s/);
    expect(table.stdout).toMatch(/\norigin +origin +na +\d+ +serving +1 +- +-\s/);
  });

  it('status --watch reads again and gives each node\'s requests per second and hit ratio over the interval', async () => {
    // Requests to edge-na-1 (/static/a.js, cached by now: every one a hit) while the watch runs; at most 300.
    const watching = cdnlab('status', '--prefix', PREFIX, '--watch', '1', '--count', '2', '--json');
    let done = false;
    void watching.then(() => (done = true));
    for (let i = 0; i < 300 && !done; i++) {
      expect(await get('http://127.89.1.1:8080/static/a.js')).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await watching;
    expect(r.code).toBe(0);
    const readings = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { nodes: Array<{ id: string; interval?: { seconds: number; requests: number; hits: number } | null }> });
    expect(readings).toHaveLength(2);
    expect(readings[0].nodes.every((n) => n.interval === undefined)).toBe(true);
    const e1 = readings[1].nodes.find((n) => n.id === 'edge-na-1')!.interval!;
    expect(e1.seconds).toBeGreaterThanOrEqual(1);
    expect(e1.requests).toBeGreaterThan(0);
    expect(e1.hits).toBe(e1.requests);
    // The origin saw none of them.
    expect(readings[1].nodes.find((n) => n.id === 'origin')!.interval).toMatchObject({ requests: 0 });

    // As text, piped: the readings one after another, the second with the interval's columns filled.
    const text = await cdnlab('status', '--prefix', PREFIX, '--watch', '200ms', '--count', '2');
    expect(text.code).toBe(0);
    expect(text.stdout.match(/NODE +ROLE +REGION +PID +HEALTH +REQUESTS +REQ\/S +HIT RATIO +HIT RATIO NOW +UPSTREAM +ERROR/g)).toHaveLength(2);
    expect(text.stdout).toMatch(/REQ\/S and HIT RATIO NOW: over the last 0\.\d s/);
    expect(text.stdout).toMatch(/\nedge-na-1 +edge +na +\d+ +serving +\d+ +\d+(\.\d)? +\d+\.\d% +(-|\d+\.\d%) +1\s/);

    // Bad intervals and counts are named.
    const fast = await cdnlab('status', '--prefix', PREFIX, '--watch', '10ms');
    expect(fast.code).toBe(2);
    expect(fast.stderr).toContain('expected --watch to be at least 100 ms, got "10ms"');
    const lone = await cdnlab('status', '--prefix', PREFIX, '--count', '2');
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain('--count counts the readings of --watch: add --watch');
  });

  it('purges a tag on every cache node and prints the delays', async () => {
    const r = await cdnlab('purge', 'tag', 'static', '--prefix', PREFIX);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tag "static", hard, direct fan-out: 10 applied, 0 failed in \d+ ms/);
    expect(r.stdout).toMatch(/edge-na-1 +edge +\d+ +1 +control +1\n/);
    expect(r.stdout).not.toContain('called again');

    // The control plane keeps it: in the list, and by id.
    // A nanoid: letters, digits, - and _, nothing a RegExp reads specially.
    const id = (/^purge (\S+):/.exec(r.stdout) as RegExpExecArray)[1];
    const list = await cdnlab('purges', '--prefix', PREFIX);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID +AGE +PURGE +MODE +FANOUT +APPLIED +FAILED +REDELIVERING\n/);
    expect(list.stdout).toMatch(new RegExp(`\n${id} +\\d+(ms|s) +tag "static" +hard +direct +10 +0 +0\n`));
    const one = await cdnlab('purges', id, '--prefix', PREFIX);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/: 10 applied, 0 failed, 0 to be called again\n\nNODE +ROLE +DELAY MS +OBJECTS +VIA +ATTEMPTS +ERROR\n/);
    const unknown = await cdnlab('purges', 'no-such-purge', '--prefix', PREFIX);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe('cdnlab: no purge "no-such-purge" among the control plane\'s recent purges; cdnlab purges lists them');
  });

  it('changes the origin: version and faults, visible in its counts', async () => {
    const v = await cdnlab('origin', 'set-version', '2', '--path', '/static/**', '--prefix', PREFIX);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^origin origin: version 2 for \/static\/\*\* at /);
    const f = await cdnlab('origin', 'fault', 'error', '--status', '503', '--path', '/api/**', '--prefix', PREFIX);
    expect(f.code).toBe(0);
    await get('http://127.89.1.2:8080/api/broken');
    const c = await cdnlab('origin', 'counts', '--prefix', PREFIX);
    expect(c.stdout).toMatch(/\/api\/broken +1 +.*fault:error=1/);
    expect((await cdnlab('origin', 'fault', 'none', '--prefix', PREFIX)).code).toBe(0);
  });

  it('changes links, cache settings and the DNS policy of the running cluster', async () => {
    const link = await cdnlab('link', 'edge-na-1', '--latency', '40ms', '--jitter', '5ms', '--prefix', PREFIX);
    expect(link.stderr).toBe('');
    expect(link.stdout).toMatch(/edge-na-1 +regional-na +40 +5 +0 +up/);
    const bad = await cdnlab('link', 'edge-na-1', '--parent', 'shield', '--latency', '1ms', '--prefix', PREFIX);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/parent_ids\[0\]: "shield" is not a parent of edge-na-1/);
    const cache = await cdnlab('cache', 'settings', 'all', '--collapsing', 'off', '--ttl-override', '/static/**=90s', '--prefix', PREFIX);
    expect(cache.code).toBe(0);
    expect(cache.stdout).toMatch(/shield +shield +.* off +on\/on +.*\/static\/\*\*=90s/);
    expect((await cdnlab('cache', 'show', 'edge-eu-1', '--json', '--prefix', PREFIX)).stdout).toMatch(/"collapsing": "off"/);
    expect(await get('http://127.89.1.1:8080/static/cleared.js')).toBe(200);
    const clear = await cdnlab('cache', 'clear', 'edge-na-1', '--prefix', PREFIX);
    expect(clear.stdout).toMatch(/^edge-na-1: cleared [1-9]\d* objects/);
    const dns = await cdnlab('dns', 'policy', 'round-robin', '--ttl', '5s', '--prefix', PREFIX);
    expect(dns.code).toBe(0);
    expect(dns.stdout).toMatch(/^policy round-robin \(of .*\), \d+ answer\(s\), TTL 5 s, anycast off/);
    const route = await cdnlab('dns', 'route', 'na', 'edge-eu-1', '0', '--prefix', PREFIX);
    expect(route.code).toBe(1);
    expect(route.stderr).toMatch(/anycast is not enabled/);
    expect((await cdnlab('cache', 'settings', 'origin', '--collapsing', 'off', '--prefix', PREFIX)).stderr).toMatch(/origin is an origin, not a cache node/);
  });

  it('cuts a regional off the network (its emulated links) and puts it back; an edge cannot be', async () => {
    const cut = await cdnlab('chaos', 'disconnect', 'regional-na', '--prefix', PREFIX);
    expect(cut.stderr).toBe('');
    expect(cut.stdout).toMatch(/^chaos: regional-na cut off: \d+ emulated links cut \(.*regional-na->shield.*\)/);
    expect(cut.stdout).toMatch(/edge-na-1->regional-na/);
    expect((await cdnlab('link', 'edge-na-1', '--prefix', PREFIX)).stdout).toMatch(/edge-na-1 +regional-na +\d+ +\d+ +0 +cut/);
    // A miss at edge-na-1 (127.89.1.1) waits for the regional (no refusal, no failover) and is answered once it is back.
    const t0 = Date.now();
    const miss = get('http://127.89.1.1:8080/static/partition.js').then((code) => ({ code, ms: Date.now() - t0 }));
    await new Promise((r) => setTimeout(r, 1000));
    const back = await cdnlab('chaos', 'reconnect', 'regional-na', '--prefix', PREFIX);
    expect(back.stdout).toMatch(/^chaos: regional-na reconnected: \d+ emulated links back/);
    const answered = await miss;
    expect(answered.code).toBe(200);
    expect(answered.ms).toBeGreaterThanOrEqual(1000);
    const edge = await cdnlab('chaos', 'disconnect', 'edge-eu-1', '--prefix', PREFIX);
    expect(edge.code).toBe(2);
    expect(edge.stderr).toMatch(/an edge on loopback cannot be cut off .*chaos --docker/);
  });

  it('kills a node, shows it down, and starts it again', async () => {
    expect((await cdnlab('chaos', 'kill', 'edge-eu-2', '--prefix', PREFIX)).stdout).toMatch(/edge-eu-2 \(pid \d+\) killed \(SIGKILL\)/);
    const after = await status();
    expect(after.code).toBe(1);
    expect(after.json.nodes.find((n) => n.id === 'edge-eu-2')?.health).toBe('down');

    // A purge while it is down: it misses it, and the control plane will call it again; with --no-redeliver it will not.
    const missed = await cdnlab('purge', 'url', '/static/a.js', '--prefix', PREFIX);
    expect(missed.code).toBe(1);
    expect(missed.stdout).toMatch(/\nedge-eu-2 +edge +- +- +control +1 +\S/);
    expect(missed.stdout).toContain('1 node did not acknowledge the purge yet: the control plane calls it again until it takes it or the purge is 10 minutes old. See how it goes: cdnlab purges ');
    const once = await cdnlab('purge', 'url', '/static/a.js', '--no-redeliver', '--prefix', PREFIX);
    expect(once.code).toBe(1);
    expect(once.stdout).toContain('1 node did not acknowledge the purge and will not be called again');

    const start = await cdnlab('chaos', 'start', 'edge-eu-2', '--prefix', PREFIX);
    expect(start.stdout).toMatch(/started edge-eu-2 again \(pid \d+\), healthy/);

    // Back up, it takes the purge it missed on a redelivery (the schedule's calls 1, 2, 4, 8 s apart: well within 30 s).
    type Report = { failed: number; redelivering: number; acks: Array<{ nodeId: string; error: string; attempts: number; delayMs: number }> };
    const show = async (out: string): Promise<Report> => {
      const r = await cdnlab('purges', (/^purge (\S+):/.exec(out) as RegExpExecArray)[1], '--json', '--prefix', PREFIX);
      return JSON.parse(r.stdout) as Report;
    };
    let late = await show(missed.stdout);
    for (let i = 0; i < 30 && late.failed > 0; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      late = await show(missed.stdout);
    }
    expect(late).toMatchObject({ failed: 0, redelivering: 0 });
    const eu2 = late.acks.find((a) => a.nodeId === 'edge-eu-2');
    expect(eu2?.error).toBe('');
    expect(eu2?.attempts).toBeGreaterThanOrEqual(2);
    expect(eu2?.delayMs).toBeGreaterThanOrEqual(1000);
    expect((await show(once.stdout)).acks.find((a) => a.nodeId === 'edge-eu-2')).toMatchObject({ attempts: 1, error: expect.stringMatching(/\S/) });
    const again = await status();
    expect(again.code).toBe(0);
    const node = again.json.nodes.find((n) => n.id === 'edge-eu-2');
    pids.set(node?.pid as number, ENTRYPOINTS.edge);
  });

  it('down stops every process, including the restarted one', async () => {
    const r = await cdnlab('down', '--prefix', PREFIX);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stopped default on 127\.89: 13 nodes were running/);
    expect([...pids].filter(([pid, entry]) => isOurs(pid, entry))).toEqual([]);
    expect((await cdnlab('status', '--prefix', PREFIX)).stderr).toContain('no cluster is running');
  });
});
