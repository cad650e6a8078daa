/**
 * Eviction policies by name (STYLE 3): a registry, so a topology file can say
 * `eviction: s3fifo` and nothing branches on the name. Built-ins are
 * registered here; a simulator experiment can register its own.
 */
import type { EvictionPolicy, EvictionPolicyFactory } from './eviction-policy';
import { createFifoPolicy } from './eviction-fifo';
import { createLfuPolicy } from './eviction-lfu';
import { createLruPolicy } from './eviction-lru';
import { createS3FifoPolicy } from './eviction-s3fifo';
import { createSievePolicy } from './eviction-sieve';

export type { EvictionPolicy, EvictionPolicyFactory } from './eviction-policy';

const factories = new Map<string, EvictionPolicyFactory>();

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Adds a policy under `name` (lower-case, e.g. `lru`, `my-policy`). Names are taken once. */
export function registerEvictionPolicy(name: string, factory: EvictionPolicyFactory): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new Error(`expected name to be a lower-case policy name like "lru", got ${JSON.stringify(name)}`);
  }
  if (typeof factory !== 'function') {
    throw new Error(`expected factory for eviction policy "${name}" to be a function, got ${typeof factory}`);
  }
  if (factories.has(name)) throw new Error(`eviction policy "${name}" is already registered`);
  factories.set(name, factory);
}

/** The registered names, in registration order. */
export function evictionPolicyNames(): string[] {
  return [...factories.keys()];
}

export function hasEvictionPolicy(name: string): boolean {
  return factories.has(name);
}

/**
 * A fresh policy. `capacityHint` is the store's capacity in bytes; policies
 * that divide the space (S3-FIFO) size their parts from it.
 */
export function createEvictionPolicy(name: string, capacityHint: number): EvictionPolicy {
  const factory = factories.get(name);
  if (factory === undefined) {
    throw new Error(`expected policy to be one of ${evictionPolicyNames().join(', ')}, got ${JSON.stringify(name)}`);
  }
  if (!Number.isSafeInteger(capacityHint) || capacityHint <= 0) {
    throw new Error(`expected capacityHint to be a positive integer, got ${String(capacityHint)}`);
  }
  return factory(capacityHint);
}

registerEvictionPolicy('lru', createLruPolicy);
registerEvictionPolicy('lfu', createLfuPolicy);
registerEvictionPolicy('fifo', createFifoPolicy);
registerEvictionPolicy('s3fifo', createS3FifoPolicy);
registerEvictionPolicy('sieve', createSievePolicy);
