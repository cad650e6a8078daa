/**
 * `cdnlab up [topology]`: every node as its own process on loopback, healthy,
 * then a table of where everything is. In the foreground, Ctrl-C stops all
 * nodes (in reverse start order) and exits 0; `--detach` leaves them running
 * and the state file tells `down`, `status` and friends where they are.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_TOPOLOGY, listeners, PlanError, startTopology, type Addressing, type RunningNode, type RunningTopology, type TopologyPlan } from '@cdnlab/launcher';
import { loadTopologyFile } from '@cdnlab/scenario';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { intOption } from '../run-context';

/** A second signal sooner than this after the first is the same Ctrl-C, relayed. */
const REPEAT_WINDOW_MS = 1000;

const FLAG_OF: Record<string, string> = { prefix: '--prefix', basePort: '--base-port', token: '--token', addressing: '--addressing' };

interface UpOptions {
  prefix?: string;
  addressing?: Addressing;
  basePort?: number;
  token?: string;
  detach?: boolean;
  timeout: number;
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

export function nodeTable(plan: TopologyPlan, nodes: ReadonlyMap<string, RunningNode>): string {
  const rows = plan.nodes.map((n) => [
    n.id,
    n.role,
    n.region ?? '-',
    String(nodes.get(n.id)?.pid ?? '-'),
    listeners(n)
      .map(([k, v]) => `${k} ${v}${k === 'dns' ? ' (udp+tcp)' : ''}`)
      .join('  '),
  ]);
  return formatTable(['NODE', 'ROLE', 'REGION', 'PID', 'LISTENS ON'], rows);
}

export function summary(r: RunningTopology, detached: boolean): string {
  const plan = r.plan;
  const edge = plan.nodes.find((n) => n.role === 'edge');
  const [dnsHost, dnsPort] = [plan.dns.dns.host, plan.dns.dns.port];
  const prefixFlag = r.key === '127.0' ? '' : ` --prefix ${r.key}`;
  const lines = [
    nodeTable(plan, r.nodes),
    '',
    `Admin token: ${r.token}`,
    `Logs:        ${rel(r.runDir)}/<node>.log`,
    '',
    'Try:',
  ];
  if (edge?.http) lines.push(`  curl -i http://${edge.http.host}:${edge.http.port}/static/app.js -H 'Host: ${plan.zone}'`);
  lines.push(`  dig @${dnsHost} -p ${dnsPort} ${plan.zone}`);
  if (plan.anycast) lines.push(`  curl -i http://${plan.anycast.host}:${plan.anycast.port}/static/app.js -H 'Host: ${plan.zone}'   (anycast VIP)`);
  lines.push(`  curl -s -H 'Authorization: Bearer ${r.token}' http://${r.controlHttp}/stats`);
  lines.push(`  cdnlab status --watch${prefixFlag}    cdnlab purge tag static${prefixFlag}    cdnlab chaos kill ${edge?.id ?? 'edge'}${prefixFlag}`);
  lines.push('');
  lines.push(detached ? `Running in the background. Stop with: cdnlab down${prefixFlag}` : 'Press Ctrl-C to stop every node.');
  return lines.join('\n');
}

async function up(topologyArg: string | undefined, opts: UpOptions): Promise<void> {
  const file = topologyArg ?? DEFAULT_TOPOLOGY;
  const topology = loadTopologyFile(file);
  const out = process.stdout;
  const abort = new AbortController();
  let running: RunningTopology | undefined;
  let signals = 0;
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    // `tsx` (and some process managers) relay the terminal's SIGINT that this
    // process also got from its process group: one Ctrl-C can arrive twice.
    if (signals > 0 && Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    signals += 1;
    firstSignalAt ||= Date.now();
    if (signals > 1) {
      // A second Ctrl-C: stop waiting. The exit hook still SIGTERMs every child.
      process.stderr.write(`\ncdnlab: ${sig} again, exiting without waiting\n`);
      process.exit(1);
    }
    if (!running) {
      process.stderr.write(`\ncdnlab: ${sig}, abandoning start-up\n`);
      abort.abort();
      return;
    }
    process.stderr.write(`\ncdnlab: stopping ${running.nodes.size} nodes…\n`);
    running.stop().then(
      () => {
        process.stderr.write('cdnlab: stopped\n');
        process.exit(0);
      },
      (err: Error) => {
        process.stderr.write(`cdnlab: stop failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  out.write(`cdnlab: starting ${topology.name} (${topology.nodes.length + 2} nodes) from ${rel(path.resolve(file))}\n`);
  try {
    running = await startTopology(topology, {
    topologyPath: file,
    prefix: opts.prefix,
    addressing: opts.addressing,
    basePort: opts.basePort,
    token: opts.token,
    detach: opts.detach,
    healthTimeoutMs: opts.timeout,
    signal: abort.signal,
    onProgress: (p) => {
      if (p.event === 'healthy') out.write(`  ok  ${p.node.padEnd(16)} ${p.role.padEnd(9)} pid ${String(p.pid).padEnd(7)} healthy in ${(p.ms / 1000).toFixed(1)} s\n`);
    },
    onNodeExit: (n) => {
      const how = n.exit?.signal ? `killed by ${n.exit.signal}` : `exited with code ${n.exit?.code}`;
      process.stderr.write(`cdnlab: node ${n.id} ${how}; log: ${rel(n.logFile)}\n`);
    },
    });
  } catch (err) {
    // Ctrl-C during start-up: what had started is stopped; that is what the user asked for.
    if (abort.signal.aborted) return;
    // The plan names its options; the user typed flags.
    if (err instanceof PlanError) throw new CliError(err.message.replace(/opts\.(\w+)/g, (_m, name: string) => FLAG_OF[name] ?? name), 2);
    throw err;
  }
  out.write(`\n${summary(running, opts.detach === true)}\n`);

  if (opts.detach) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    return;
  }
  // Every node gone without Ctrl-C (`cdnlab down` from another shell): clean up and leave.
  await running.allExited();
  if (signals === 0) {
    await running.stop();
    process.stderr.write('cdnlab: every node has exited; stopping\n');
  }
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start every node of a topology as its own process on loopback (default: topologies/default.yaml)')
    .argument('[topology]', 'topology file')
    .option('--prefix <a.b>', 'first two octets of every node address, e.g. 127.81 (Linux loopback addressing)')
    .option('--addressing <mode>', 'loopback (one address per node, Linux) or ports (127.0.0.1, one port each)', (v: string): Addressing => {
      if (v !== 'loopback' && v !== 'ports') throw new CliError(`expected --addressing to be loopback or ports, got ${JSON.stringify(v)}`, 2);
      return v;
    })
    .option('--base-port <n>', 'first port in ports addressing', intOption('--base-port', 1024, 65000))
    .option('--token <token>', 'admin token (default: a random one)')
    .option('--detach', 'start, print, and return; stop later with cdnlab down')
    .option('--timeout <ms>', 'how long each node has to become healthy', intOption('--timeout', 100), 30_000)
    .action((topology: string | undefined, opts: UpOptions) => up(topology, opts));
}
