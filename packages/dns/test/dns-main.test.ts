import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { decodeResult, encodeQuery, udpExchange } from './support';

// The entrypoint as a real process: config from CDNLAB_DNS_CONFIG, a ready
// line with the ports, graceful exit on SIGTERM, and a clear error for a bad config.

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, '../src/main.ts');
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

function run(config: unknown): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, CDNLAB_DNS_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const config = {
  regions: [{ name: 'r', cidrs: ['127.0.0.0/8'] }],
  edges: [{ id: 'e1', region: 'r', address: '127.0.7.1', grpcAddress: '127.0.0.1:9' }],
};

describe('main.ts', () => {
  it('starts from CDNLAB_DNS_CONFIG, answers, and stops cleanly on SIGTERM', async () => {
    const child = run(config);
    const exited = exitOf(child);
    const ready = await new Promise<{ udpPort: number }>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c) => {
        out += c;
        const line = out.split('\n').find((l) => l.startsWith('{"ready":true'));
        if (line) resolve(JSON.parse(line));
      });
      const t = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 20_000);
      void exited.then(() => {
        clearTimeout(t);
        reject(new Error(`exited early: ${out}`));
      });
    });
    const r = decodeResult(await udpExchange('127.0.0.1', ready.udpPort, encodeQuery({ name: 'cdn.cdnlab.test' }, 5)));
    expect(r.answers.map((a) => a.data)).toEqual(['127.0.7.1']);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 1 naming the bad field', async () => {
    const child = run({ ...config, answers: -1 });
    let err = '';
    child.stderr?.on('data', (c) => (err += c));
    expect(await exitOf(child)).toBe(1);
    expect(err).toContain('expected config.answers to be an integer from 1 to 1000, got -1');
  });
});
