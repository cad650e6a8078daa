import { brief, intervalFigures, nodeHitRatio } from './status';

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

describe('nodeHitRatio', () => {
  it('is hits (stale ones among them, counted once) over every answer, errors included', () => {
    // 2 fresh hits, 1 stale, 1 miss, 1 error: the node counts hits 3, staleServed 1, requests 5.
    expect(nodeHitRatio({ hits: 3, requests: 5, upstreamFetches: 1 })).toBe('60.0%');
    expect(nodeHitRatio({ hits: 0, requests: 0, upstreamFetches: 0 })).toBe('-');
  });
});

describe('intervalFigures', () => {
  it('is the difference of two readings, per second', () => {
    expect(intervalFigures({ requests: 100, hits: 60 }, { requests: 300, hits: 210 }, 2)).toEqual({ perSecond: 100, requests: 200, hits: 150 });
  });

  it('takes a counter that went down as a restart: the node counted from 0 since', () => {
    expect(intervalFigures({ requests: 500, hits: 400 }, { requests: 30, hits: 10 }, 3)).toEqual({ perSecond: 10, requests: 30, hits: 10 });
  });
});
