import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Clients, TOKEN, close, fetchRequest, fetchVia, httpRequest, listen, siteConfig } from './support';

// The entrypoint as a real child process (node --import tsx): config from a
// file or CDNLAB_CONFIG, one ready line with the ports, exit 0 on SIGTERM,
// exit 2 naming the field on a bad config.

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, '../src/main.ts');
const children: ChildProcess[] = [];
const clients = new Clients();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdnlab-origin-'));
afterAll(() => {
  clients.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; exit: Promise<number | null>; out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, CDNLAB_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, out: () => out, err: () => err };
}

interface Ready {
  msg: string;
  grpcPort: number;
  httpPort: number;
  mode: string;
}

async function ready(p: ReturnType<typeof run>): Promise<Ready> {
  const until = Date.now() + 30_000;
  let exited = false;
  void p.exit.then(() => (exited = true));
  while (Date.now() < until && !exited) {
    const line = p.out().split('\n').find((l) => l.includes('"origin ready"'));
    if (line) return JSON.parse(line) as Ready;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ready line; stdout: ${p.out()} stderr: ${p.err()}`);
}

describe('main.ts', () => {
  it('starts from --config, answers gRPC and HTTP, logs no token, exits 0 on SIGTERM', async () => {
    const file = path.join(tmp, 'origin.json');
    fs.writeFileSync(file, JSON.stringify(siteConfig({ id: 'origin-main' })));
    const p = run(['--config', file]);
    const r = await ready(p);
    expect(r.mode).toBe('site');
    const got = await httpRequest(r.httpPort, 'GET', '/hello');
    expect(got.status).toBe(200);
    expect(got.body.toString()).toMatch(/^cdnlab origin: \/hello version=1\n/);
    const { head } = await fetchVia(clients.tier(r.grpcPort), fetchRequest('/hello'));
    expect(head.servedBy).toBe('origin-main');
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.out() + p.err()).not.toContain(TOKEN);
  });

  it('takes CDNLAB_CONFIG and --upstream (proxy mode)', async () => {
    const app = http.createServer((req, res) => res.end(`app ${req.url}`));
    const appPort = await listen(app);
    try {
      const p = run(['--upstream', `http://127.0.0.1:${appPort}`], { CDNLAB_CONFIG: JSON.stringify(siteConfig({ id: 'origin-env' })) });
      const r = await ready(p);
      expect(r.mode).toBe('proxy');
      const got = await httpRequest(r.httpPort, 'GET', '/x?y=1');
      expect(got.body.toString()).toBe('app /x?y=1');
      p.child.kill('SIGINT');
      expect(await p.exit).toBe(0);
    } finally {
      await close(app);
    }
  });

  it('exits 2 naming the bad field, without echoing the token', async () => {
    const bad = { ...siteConfig(), grpc: { host: '127.0.0.1', port: 70_000 } };
    const p = run([], { CDNLAB_CONFIG: JSON.stringify(bad) });
    expect(await p.exit).toBe(2);
    expect(p.err()).toContain('expected config.grpc.port to be an integer in [0, 65535], got 70000');
    const q = run([], { CDNLAB_CONFIG: JSON.stringify({ ...siteConfig(), token: 'has space' }) });
    expect(await q.exit).toBe(2);
    expect(q.err()).toContain('config.token');
    expect(q.err()).not.toContain('has space');
    const none = run([]);
    expect(await none.exit).toBe(2);
    expect(none.err()).toContain('no config given');
  });
});
