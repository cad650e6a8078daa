import { intervalFigures, nodeHitRatio } from './status';

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

  it('takes an uptime that went down as a restart, even when the node already answered more than before', () => {
    const before = { requests: 50, hits: 40, uptimeMs: 60_000 };
    expect(intervalFigures(before, { requests: 80, hits: 70, uptimeMs: 1_500 }, 2)).toEqual({ perSecond: 40, requests: 80, hits: 70 });
    expect(intervalFigures(before, { requests: 80, hits: 70, uptimeMs: 62_000 }, 2)).toEqual({ perSecond: 15, requests: 30, hits: 30 });
    // An uptime not known (0, or absent) says nothing.
    expect(intervalFigures({ ...before, uptimeMs: 0 }, { requests: 80, hits: 70, uptimeMs: 1_500 }, 2)).toEqual({ perSecond: 15, requests: 30, hits: 30 });
    expect(intervalFigures({ requests: 50, hits: 40 }, { requests: 80, hits: 70, uptimeMs: 1_500 }, 2)).toEqual({ perSecond: 15, requests: 30, hits: 30 });
  });
});
