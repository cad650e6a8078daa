/** `cdnlab origin set-version|fault|counts`: the origin's admin API (OriginAdmin over gRPC, with the token). */
import type { Command } from 'commander';
import type { NodeState } from '@cdnlab/launcher';
import { callOptions, createOriginAdminClient, Fault, unaryCall, type GetCountsReply__Output, type OriginAdminClient, type SetFaultReply__Output, type SetVersionReply__Output } from '@cdnlab/rpc';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { currentRun, findNode, intOption } from '../run-context';

const FAULTS = { none: Fault.FAULT_NONE, error: Fault.FAULT_ERROR, slow: Fault.FAULT_SLOW, hang: Fault.FAULT_HANG, down: Fault.FAULT_DOWN } as const;
const CALL_MS = 5000;

interface Common {
  prefix?: string;
  origin?: string;
}

/** Every origin of the run, or the one named with --origin. */
function origins(opts: Common): { nodes: NodeState[]; token: string } {
  const { run } = currentRun(opts.prefix);
  const nodes = opts.origin ? [findNode(run, opts.origin)] : run.nodes.filter((n) => n.role === 'origin');
  if (nodes.some((n) => n.role !== 'origin')) throw new CliError(`${opts.origin} is not an origin`, 2);
  if (nodes.length === 0) throw new CliError(`${run.topology} has no origin node`);
  return { nodes, token: run.token };
}

async function eachOrigin<T>(opts: Common, call: (client: OriginAdminClient) => Promise<T>): Promise<Array<[NodeState, T]>> {
  const { nodes, token } = origins(opts);
  return Promise.all(
    nodes.map(async (n): Promise<[NodeState, T]> => {
      const client = createOriginAdminClient(n.addresses.grpc, { token });
      try {
        return [n, await call(client)];
      } catch (err) {
        throw new CliError(`origin ${n.id} at ${n.addresses.grpc}: ${(err as Error).message}`);
      } finally {
        client.close();
      }
    }),
  );
}

interface SetVersionOptions extends Common {
  path?: string;
}
interface FaultOptions extends Common {
  path?: string;
  status?: number;
  delay?: number;
}

export function registerOrigin(program: Command): void {
  const origin = program.command('origin').description("change the synthetic origin: content version, faults; read its counts");
  origin
    .command('set-version')
    .description('publish content version <n> (bodies and ETags change) for every path or those matching --path')
    .argument('<n>', 'version number', intOption('<n>', 0))
    .option('--path <glob>', 'only paths matching this glob, e.g. "/static/**"')
    .option('--origin <id>', 'one origin (default: every origin)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .action(async (version: number, opts: SetVersionOptions) => {
      const results = await eachOrigin(opts, (c) =>
        unaryCall<SetVersionReply__Output>((cb) => c.SetVersion(opts.path ? { pathPattern: opts.path, version } : { all: true, version }, callOptions(CALL_MS), cb)),
      );
      for (const [n, r] of results) process.stdout.write(`origin ${n.id}: version ${version} for ${opts.path ?? 'every path'} at ${new Date(r.appliedAtMs).toISOString()}\n`);
    });
  origin
    .command('fault')
    .description('make the origin misbehave: none|error|slow|hang|down')
    .argument('<kind>', Object.keys(FAULTS).join('|'))
    .option('--status <code>', 'status for "error" (default 500)', intOption('--status', 100, 599))
    .option('--delay <ms>', 'delay for "slow"', intOption('--delay', 0))
    .option('--path <glob>', 'only paths matching this glob (default: every path)')
    .option('--origin <id>', 'one origin (default: every origin)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .action(async (kind: string, opts: FaultOptions) => {
      if (!Object.prototype.hasOwnProperty.call(FAULTS, kind)) throw new CliError(`expected the fault to be one of ${Object.keys(FAULTS).join(', ')}, got ${JSON.stringify(kind)}`, 2);
      if (kind === 'slow' && opts.delay === undefined) throw new CliError('fault slow needs --delay <ms>', 2);
      const fault = FAULTS[kind as keyof typeof FAULTS];
      const results = await eachOrigin(opts, (c) =>
        unaryCall<SetFaultReply__Output>((cb) => c.SetFault({ fault, statusCode: opts.status ?? 0, delayMs: opts.delay ?? 0, pathPattern: opts.path ?? '' }, callOptions(CALL_MS), cb)),
      );
      for (const [n] of results) process.stdout.write(`origin ${n.id}: fault ${kind} for ${opts.path ?? 'every path'}\n`);
    });
  origin
    .command('counts')
    .description('the requests each origin received, by path')
    .option('--origin <id>', 'one origin (default: every origin)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .action(async (opts: Common) => {
      const results = await eachOrigin(opts, (c) => unaryCall<GetCountsReply__Output>((cb) => c.GetCounts({}, callOptions(CALL_MS), cb)));
      for (const [n, r] of results) {
        const rows = [...r.paths].sort((a, b) => b.total - a.total).map((p) => [p.path, p.total, Object.entries(p.byKind).map(([k, v]) => `${k}=${v}`).join(' ')]);
        process.stdout.write(`origin ${n.id}: ${r.total} requests\n${rows.length ? `${formatTable(['PATH', 'TOTAL', 'BY KIND'], rows)}\n` : ''}`);
      }
    });
}
