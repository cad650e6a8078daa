import { brief } from './status';

describe('brief', () => {
  it('keeps the code and the first clause of a gRPC error', () => {
    expect(brief('UPSTREAM_TIMEOUT: Deadline exceeded after 5.000s,metadata filters: 0.001s,LB pick: 0.001s')).toBe('UPSTREAM_TIMEOUT: Deadline exceeded after 5.000s');
    expect(brief('UPSTREAM_UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED')).toBe('UPSTREAM_UNAVAILABLE: No connection established');
  });

  it('cuts long text and leaves short text alone', () => {
    expect(brief('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(brief('')).toBe('');
  });
});
