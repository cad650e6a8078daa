/**
 * `cdnlab dns policy [<name>] [--weight edge=3] [--ttl 5s] [--answers 2]` and
 * `cdnlab dns route <region> <edge> <cost>`: the GSLB DNS node's steering
 * while it runs (DnsAdmin). Clients move as their cached answers expire.
 */
import type { Command } from 'commander';
import { callOptions, createDnsAdminClient, unaryCall, type DnsAdminClient, type DnsState__Output, type SetPolicyRequest, type SetRouteCostsReply__Output } from '@cdnlab/rpc';
import { collect, durationOption } from '../admin-options';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { currentRun, intOption } from '../run-context';

const CALL_MS = 5000;

interface Common {
  prefix?: string;
  json?: boolean;
}
interface PolicyOptions extends Common {
  weight?: string[];
  ttl?: number;
  answers?: number;
}

async function withDns<T>(prefix: string | undefined, call: (c: DnsAdminClient) => Promise<T>): Promise<T> {
  const { run } = currentRun(prefix);
  const dns = run.nodes.find((n) => n.role === 'dns');
  if (!dns?.addresses.grpc) throw new CliError(`the DNS node of ${run.topology} has no admin (gRPC) address: restart the cluster with this cdnlab (cdnlab down && cdnlab up)`);
  const client = createDnsAdminClient(dns.addresses.grpc, { token: run.token });
  try {
    return await call(client);
  } catch (err) {
    throw new CliError(`dns at ${dns.addresses.grpc}: ${(err as Error).message}`);
  } finally {
    client.close();
  }
}

/** "edge-na-1=3" → { edgeId, weight }. */
export function parseWeight(text: string): { edgeId: string; weight: number } {
  const at = text.lastIndexOf('=');
  const weight = Number(text.slice(at + 1));
  if (at <= 0 || text.slice(at + 1).trim() === '' || !Number.isFinite(weight) || weight < 0) throw new CliError(`expected --weight as <edge>=<number >= 0>, e.g. edge-na-1=3, got ${JSON.stringify(text)}`, 2);
  return { edgeId: text.slice(0, at), weight };
}

function printState(s: DnsState__Output, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const lines = [`policy ${s.policy} (of ${s.policies.join(', ')}), ${s.answers} answer(s), TTL ${s.ttlSeconds} s, anycast ${s.anycast ? 'on' : 'off'}`];
  lines.push(formatTable(['EDGE', 'WEIGHT'], s.weights.map((w) => [w.edgeId, w.weight])));
  if (s.routeCosts.length > 0) lines.push('', formatTable(['REGION', 'EDGE', 'ROUTE COST'], s.routeCosts.map((c) => [c.region, c.edgeId, c.value])));
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerDns(program: Command): void {
  const dns = program.command('dns').description("the DNS node's steering while it runs: policy and its parameters, anycast route costs");
  dns
    .command('policy')
    .description('show the policy, or switch to <name> and/or change its parameters')
    .argument('[name]', 'geo, weighted, least-loaded, latency or round-robin')
    .option('--weight <edge=n>', 'edge weight for weighted (repeatable)', collect)
    .option('--ttl <duration>', 'TTL of every answer (whole seconds)', durationOption('--ttl'))
    .option('--answers <n>', 'A records per answer', intOption('--answers', 1, 1000))
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the applied state as JSON')
    .action(async (name: string | undefined, opts: PolicyOptions) => {
      const req: SetPolicyRequest = {};
      if (name !== undefined) req.policy = name;
      if (opts.weight) req.weights = opts.weight.map(parseWeight);
      if (opts.ttl !== undefined) {
        if (opts.ttl % 1000 !== 0) throw new CliError(`--ttl: DNS TTLs are whole seconds (RFC 1035 §3.2.1), got ${opts.ttl} ms`, 2);
        req.ttlSeconds = opts.ttl / 1000;
      }
      if (opts.answers !== undefined) req.answers = opts.answers;
      const change = Object.keys(req).length > 0;
      const state = await withDns(opts.prefix, (c) => unaryCall<DnsState__Output>((cb) => (change ? c.SetPolicy(req, callOptions(CALL_MS), cb) : c.GetState({}, callOptions(CALL_MS), cb))));
      printState(state, opts.json);
    });
  dns
    .command('route')
    .description('anycast route change: clients of <region> reach <edge> at path <cost> (lowest cost wins; open connections that move are broken)')
    .argument('<region>', 'client region')
    .argument('<edge>', 'edge id')
    .argument('<cost>', 'path cost >= 0', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliError(`expected <cost> to be a number >= 0, got ${JSON.stringify(v)}`, 2);
      return n;
    })
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the reply as JSON')
    .action(async (region: string, edge: string, cost: number, opts: Common) => {
      const r = await withDns(opts.prefix, (c) => unaryCall<SetRouteCostsReply__Output>((cb) => c.SetRouteCosts({ costs: [{ region, edgeId: edge, value: cost }] }, callOptions(CALL_MS), cb)));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      process.stdout.write(`route ${region} -> ${edge} cost ${cost}: ${r.broken} connection(s) broken\n${formatTable(['REGION', 'REACHES'], Object.entries(r.routes).map(([k, v]) => [k, v || '-']))}\n`);
    });
}
