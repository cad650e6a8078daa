/**
 * Fan-out strategies by name (STYLE 3: a registry, not an if/else over names).
 * The HTTP API takes these names; the gRPC Fanout enum maps onto them.
 */
import type { FanoutStrategy } from './fanout';
import { directFanout } from './fanout-direct';
import { treeFanout } from './fanout-tree';

const registry = new Map<string, FanoutStrategy>();

/** Add a strategy under its name; a second one under the same name is a bug. */
export function registerFanout(strategy: FanoutStrategy): void {
  if (typeof strategy.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(strategy.name)) {
    throw new Error(`expected strategy.name to be a lower-case kebab-case name, got ${JSON.stringify(strategy.name)}`);
  }
  if (registry.has(strategy.name)) throw new Error(`a fan-out strategy named "${strategy.name}" is already registered`);
  registry.set(strategy.name, strategy);
}

export function getFanout(name: string): FanoutStrategy | undefined {
  return registry.get(name);
}

export function fanoutNames(): string[] {
  return [...registry.keys()];
}

registerFanout(directFanout);
registerFanout(treeFanout);
