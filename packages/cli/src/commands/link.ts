/**
 * `cdnlab link <node> [--parent <id>] --latency 40ms --jitter 5ms --loss 0.01 --down|--up`:
 * change the links from a cache node to its parents while it runs (TierAdmin
 * SetLinks). Each hop's link delays the request and the answer.
 */
import type { Command } from 'commander';
import { callOptions, createTierAdminClient, unaryCall, type SetLinksRequest, type TierState__Output } from '@cdnlab/rpc';
import { cacheNodes, collect, durationOption, eachNode, fractionOption } from '../admin-options';
import { CliError } from '../cli-error';
import { formatTable } from '../format-table';
import { currentRun } from '../run-context';

const CALL_MS = 5000;

interface LinkOptions {
  prefix?: string;
  parent?: string[];
  latency?: number;
  jitter?: number;
  loss?: number;
  down?: boolean;
  cut?: boolean;
  up?: boolean;
  json?: boolean;
}

export function linkRows(states: TierState__Output[]): Array<Array<string | number>> {
  return states.flatMap((s) => s.links.map((l) => [s.nodeId, l.parentId, l.latencyMs, l.jitterMs, l.loss, l.cut ? 'cut' : l.down ? 'down' : 'up']));
}

export function registerLink(program: Command): void {
  program
    .command('link')
    .description('show or change the links from cache nodes to their parents: latency, jitter, loss, down, cut (node "all" for every cache node)')
    .argument('<node...>', 'cache node ids, or "all"')
    .option('--parent <id>', 'only the link to this parent (repeatable; default every parent)', collect)
    .option('--latency <duration>', 'one-way latency, e.g. 40ms', durationOption('--latency'))
    .option('--jitter <duration>', 'extra random delay up to this, e.g. 5ms', durationOption('--jitter'))
    .option('--loss <p>', 'TCP segment loss probability in [0, 1): each loss costs a retransmission timeout', fractionOption('--loss', 0, 1))
    .option('--down', 'cut the link: calls fail at once and the node fails over to its next parent')
    .option('--cut', 'partition the link: nothing crosses, calls wait until their deadlines, and what was sent goes through at TCP\'s next retransmission after --up')
    .option('--up', 'restore a link that is down or cut')
    .option('--prefix <a.b>', 'which cluster, when several run')
    .option('--json', 'print the applied state as JSON')
    .action(async (ids: string[], opts: LinkOptions) => {
      if (opts.up && (opts.down || opts.cut)) throw new CliError(`give --${opts.down ? 'down' : 'cut'} or --up, not both`, 2);
      const req: SetLinksRequest = { parentIds: opts.parent ?? [] };
      if (opts.latency !== undefined) req.latencyMs = opts.latency;
      if (opts.jitter !== undefined) req.jitterMs = opts.jitter;
      if (opts.loss !== undefined) req.loss = opts.loss;
      if (opts.down || opts.up) req.down = Boolean(opts.down);
      if (opts.cut || opts.up) req.cut = Boolean(opts.cut);
      const change = Object.keys(req).length > 1;
      if (!change && opts.parent) throw new CliError('--parent says which link; say what changes too: --latency, --jitter, --loss, --down, --cut or --up', 2);
      const { run } = currentRun(opts.prefix);
      const results = await eachNode(cacheNodes(run, ids), async (n) => {
        const client = createTierAdminClient(n.addresses.grpc, { token: run.token });
        try {
          return await unaryCall<TierState__Output>((cb) => (change ? client.SetLinks(req, callOptions(CALL_MS), cb) : client.GetState({}, callOptions(CALL_MS), cb)));
        } finally {
          client.close();
        }
      });
      const states = results.map(([, s]) => s);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(states.map((s) => ({ node: s.nodeId, links: s.links })), null, 2)}\n`);
        return;
      }
      process.stdout.write(`${formatTable(['NODE', 'PARENT', 'LATENCY MS', 'JITTER MS', 'LOSS', 'STATE'], linkRows(states))}\n`);
    });
}
