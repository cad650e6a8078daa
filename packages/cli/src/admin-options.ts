/** Option parsers and node lookup shared by the run-time admin commands (link, cache, dns). */
import type { NodeState, RunState } from '@cdnlab/launcher';
import { parseDuration, parseSize } from '@cdnlab/scenario';
import { CliError } from './cli-error';
import { findNode } from './run-context';

/** Commander parser for a duration ("40ms", "2s", or plain ms), the option named in the message. */
export function durationOption(name: string) {
  return (value: string): number => {
    try {
      return parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
    } catch (err) {
      throw new CliError(`${name}: ${(err as Error).message}`, 2);
    }
  };
}

/** Commander parser for a size ("64MiB", or plain bytes). */
export function sizeOption(name: string) {
  return (value: string): number => {
    try {
      return parseSize(/^\d+$/.test(value) ? Number(value) : value);
    } catch (err) {
      throw new CliError(`${name}: ${(err as Error).message}`, 2);
    }
  };
}

/** Commander parser for a number in [min, max) (or [min, max] with maxIncluded). */
export function fractionOption(name: string, min: number, max: number, maxIncluded = false) {
  return (value: string): number => {
    const n = Number(value);
    const above = maxIncluded ? n > max : n >= max;
    if (value.trim() === '' || !Number.isFinite(n) || n < min || above) throw new CliError(`expected ${name} to be a number in [${min}, ${max}${maxIncluded ? ']' : ')'}, got ${JSON.stringify(value)}`, 2);
    return n;
  };
}

/** Commander parser for on/off switches. */
export function switchOption(name: string) {
  return (value: string): boolean => {
    if (['on', 'true', 'yes'].includes(value)) return true;
    if (['off', 'false', 'no'].includes(value)) return false;
    throw new CliError(`expected ${name} to be on or off, got ${JSON.stringify(value)}`, 2);
  };
}

/** Commander collector for repeated options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const TIER_ROLES = new Set(['edge', 'regional', 'shield']);

/** Cache nodes named on the command line: ids, or `all` for every one. */
export function cacheNodes(run: RunState, ids: readonly string[]): NodeState[] {
  if (ids.length === 1 && ids[0] === 'all') return run.nodes.filter((n) => TIER_ROLES.has(n.role));
  return ids.map((id) => {
    const n = findNode(run, id);
    if (!TIER_ROLES.has(n.role)) throw new CliError(`${id} is a${n.role === 'origin' ? 'n' : ''} ${n.role}, not a cache node (edge, regional, shield)`, 2);
    if (!n.addresses.grpc) throw new CliError(`${id} has no gRPC address in the state file`);
    return n;
  });
}

/** Run `call` on every node, naming the node in a failure. */
export async function eachNode<T>(nodes: readonly NodeState[], call: (n: NodeState) => Promise<T>): Promise<Array<[NodeState, T]>> {
  return Promise.all(
    nodes.map(async (n): Promise<[NodeState, T]> => {
      try {
        return [n, await call(n)];
      } catch (err) {
        throw new CliError(`${n.id} at ${n.addresses.grpc}: ${(err as Error).message}`);
      }
    }),
  );
}
