import { defaultSimJobs } from './cli-commands';

describe('defaultSimJobs', () => {
  it('is one thread per core, at most one per 2 GiB of memory, and at least one', () => {
    const GiB = 2 ** 30;
    expect(defaultSimJobs(2, 24 * GiB)).toBe(2);
    expect(defaultSimJobs(16, 8 * GiB)).toBe(4);
    expect(defaultSimJobs(8, 3 * GiB)).toBe(1);
    expect(defaultSimJobs(4, 1 * GiB)).toBe(1);
  });
});
