/** `cdnlab origin set-version|fault|site|reset|counts`: the origin's admin API (OriginAdmin over gRPC, with the token). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { NodeState } from '@cdnlab/launcher';
import { FileError, FileErrors, parseTopology, type Site } from '@cdnlab/scenario';
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

/*
 * A site file is a topology's `site:` block on its own (paths with size,
 * latency, headers …; versionEvery), so a user can copy one out of a
 * topology or scenario. The scenario package validates and normalises a site
 * only as part of a topology, so the file is set into a one-origin topology
 * and the error positions are mapped back into the file.
 */
const SITE_HEAD = ['nodes:', '  - site:'];
const SITE_INDENT = '      ';
const SITE_TAIL = ['    id: origin', '    role: origin', '    region: r', 'name: site-file', 'regions:', '  - { name: r, cidrs: [127.0.0.0/8] }', 'edges: { perRegion: 1, parents: [origin] }', ''];
const SITE_PATH = 'nodes[0].site';

/** Parse a site file's text (YAML, or JSON, which YAML reads too); FileErrors point into the file itself. */
export function parseSiteText(text: string, fileName: string): Site {
  const lines = text.split(/\r?\n/);
  const doc = [...SITE_HEAD, ...lines.map((l) => (l === '' ? l : SITE_INDENT + l)), ...SITE_TAIL].join('\n');
  try {
    const topology = parseTopology(doc, fileName);
    const node = topology.nodes.find((n) => n.id === 'origin');
    if (!node || node.role !== 'origin' || !node.site) throw new Error('site file: no site after parsing');
    return node.site;
  } catch (err) {
    if (!(err instanceof FileErrors)) throw err;
    const inFile = err.errors
      .filter((e) => e.line > SITE_HEAD.length && e.line <= SITE_HEAD.length + lines.length)
      .map((e) => {
        const path = e.path === SITE_PATH ? '' : e.path.startsWith(`${SITE_PATH}.`) ? e.path.slice(SITE_PATH.length + 1) : e.path;
        return new FileError(e.file, e.line - SITE_HEAD.length, Math.max(1, e.col - SITE_INDENT.length), path, e.detail);
      });
    // A syntax error can surface after the file's last line; say so at its end.
    throw new FileErrors(inFile.length > 0 ? inFile : [new FileError(fileName, lines.length, 1, '', `not a site (paths: [...], versionEvery?): ${err.errors[0]?.detail ?? 'unreadable'}`)]);
  }
}

/** The site as OriginAdmin.SetSite takes it: the origin config's shape (sizeBytes, latencyMs, versionEveryMs). */
export function siteJson(site: Site): string {
  return JSON.stringify({ paths: site.paths, versionEveryMs: site.versionEveryMs });
}

export function registerOrigin(program: Command): void {
  const origin = program.command('origin').description("change the synthetic origin: content version, faults, the site itself; read its counts");
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
    .command('site')
    .description("replace the synthetic site at run time with a YAML or JSON file shaped like a topology's `site:` (paths, versionEvery); requests in flight finish with the old site, counts, faults and versions carry over")
    .argument('<file>', 'site file, e.g. { paths: [{ match: /static/**, size: 10KiB, headers: { Cache-Control: max-age=60 } }] }')
    .option('--origin <id>', 'one origin (default: every origin)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .action(async (file: string, opts: Common) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read site file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 2);
      }
      let json: string;
      try {
        json = siteJson(parseSiteText(text, file));
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      const results = await eachOrigin(opts, (c) => unaryCall<{ appliedAtMs: number; paths: number }>((cb) => c.SetSite({ siteJson: json }, callOptions(CALL_MS), cb)));
      for (const [n, r] of results) process.stdout.write(`origin ${n.id}: site of ${r.paths} path rule${r.paths === 1 ? '' : 's'} from ${file} at ${new Date(r.appliedAtMs).toISOString()}\n`);
    });
  origin
    .command('reset')
    .description('a clean origin: every path back at version 1, every fault cleared (counts stay: see `status`)')
    .option('--origin <id>', 'one origin (default: every origin)')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .action(async (opts: Common) => {
      const results = await eachOrigin(opts, (c) => unaryCall<{ appliedAtMs: number; faultsCleared: number }>((cb) => c.Reset({}, callOptions(CALL_MS), cb)));
      for (const [n, r] of results) process.stdout.write(`origin ${n.id}: reset, ${r.faultsCleared} fault${r.faultsCleared === 1 ? '' : 's'} cleared\n`);
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
