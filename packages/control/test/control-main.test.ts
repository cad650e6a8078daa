import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { TOKEN_LINE_PREFIX } from '../src/main-token-line';
import { startFakeTier, type FakeTier } from './fake-tier';

// The entrypoint as a real process: config from --config or CDNLAB_CONFIG,
// the generated token printed once on stdout and nowhere else, graceful exit
// on SIGTERM, exit 2 naming the field for a bad config.

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, '../src/main.ts');
const children: ChildProcess[] = [];
let edge: FakeTier;

beforeAll(async () => {
  edge = await startFakeTier('e1');
});
afterAll(async () => {
  children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  await edge.close();
});

function run(args: string[], config?: unknown): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CDNLAB_CONFIG;
  if (config !== undefined) env.CDNLAB_CONFIG = JSON.stringify(config);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.on('data', (c) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function waitFor(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const config = () => ({
  grpc: { host: '127.0.0.1', port: 0 },
  http: { host: '127.0.0.1', port: 0 },
  defaultFanout: 'tree',
  nodes: [{ id: 'e1', role: 'edge', region: 'eu', grpcAddress: edge.address, parents: [] as string[] }],
});

describe('main.ts', () => {
  it('prints the ready line and the generated token once, serves, and stops on SIGTERM', async () => {
    const p = run([], config());
    await waitFor(() => p.out().includes(TOKEN_LINE_PREFIX), 'the token line');
    const lines = p.out().trim().split('\n');
    const ready = JSON.parse(lines[0]) as { ready: boolean; httpPort: number; tokenGenerated: boolean };
    expect(ready).toMatchObject({ ready: true, tokenGenerated: true });
    const token = lines[1].slice(TOKEN_LINE_PREFIX.length);
    expect(token).toMatch(/^[A-Za-z0-9_-]{21}$/);

    const res = await fetch(`http://127.0.0.1:${ready.httpPort}/purge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"kind":"all"}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { applied: number }).applied).toBe(1);

    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    // Once on stdout, never in the logs.
    expect(p.out().split(token).length - 1).toBe(1);
    expect(p.err()).toContain('control plane ready');
    expect(p.err()).not.toContain(token);
  });

  it('reads --config and prints no token line when the token is configured', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cdnlab-control-'));
    const file = path.join(dir, 'control.json');
    await fs.writeFile(file, JSON.stringify({ ...config(), token: 'configured-secret-123' }));
    const p = run(['--config', file]);
    await waitFor(() => p.out().includes('"ready":true'), 'the ready line');
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.out()).not.toContain(TOKEN_LINE_PREFIX);
    expect(p.out() + p.err()).not.toContain('configured-secret-123');
    await fs.rm(dir, { recursive: true });
  });

  it('exits 2 naming the field of a bad config', async () => {
    const bad = config();
    bad.nodes[0].parents = ['r9'];
    const p = run([], bad);
    expect(await p.exit).toBe(2);
    expect(p.err()).toContain('nodes[0].parents[0]: unknown node id "r9"');
  });

  it('exits 2 with usage when no config is given', async () => {
    const p = run([]);
    expect(await p.exit).toBe(2);
    expect(p.err()).toMatch(/no config given[\s\S]*usage: cdnlab-control --config/);
  });
});
