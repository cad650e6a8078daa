import { createWorkerSimEngine, defaultThreads, simulateSingleCachesInThreads } from './sim-workers';

// The threads themselves run from a bundle: runner/test/sim-threads.test.ts
// and cli/test/cachesim-threads.test.ts start them.

describe('defaultThreads', () => {
  it('is one thread per core, at most one per 2 GiB of memory, and at least one', () => {
    const GiB = 2 ** 30;
    expect(defaultThreads(2, 24 * GiB)).toBe(2);
    expect(defaultThreads(16, 8 * GiB)).toBe(4);
    expect(defaultThreads(8, 3 * GiB)).toBe(1);
    expect(defaultThreads(4, 1 * GiB)).toBe(1);
  });
});

describe('options', () => {
  it('refuses what it cannot use, naming it', async () => {
    expect(() => createWorkerSimEngine({ jobs: 0, workerFile: 'x' })).toThrow('expected opts.jobs to be a positive integer, got 0');
    expect(() => createWorkerSimEngine({ jobs: 2, workerFile: '' })).toThrow(/expected opts.workerFile/);
    const caches = { workerFile: 'x', file: 't.csv', format: 'csv' as const, ignoreSizes: false };
    await expect(simulateSingleCachesInThreads({ ...caches, threads: 0, caches: [{ capacity: 1 }] })).rejects.toThrow('expected opts.threads to be a positive integer, got 0');
    await expect(simulateSingleCachesInThreads({ ...caches, threads: 2, caches: [] })).rejects.toThrow('expected opts.caches to be a non-empty list');
  });
});
