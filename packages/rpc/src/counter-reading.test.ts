import { countedAfresh } from './counter-reading';

describe('countedAfresh', () => {
  it('is a request count or an uptime that went down', () => {
    expect(countedAfresh({ requests: 10, uptimeMs: 5_000 }, { requests: 12, uptimeMs: 6_000 })).toBe(false);
    expect(countedAfresh({ requests: 10, uptimeMs: 5_000 }, { requests: 4, uptimeMs: 6_000 })).toBe(true);
    expect(countedAfresh({ requests: 10, uptimeMs: 5_000 }, { requests: 40, uptimeMs: 300 })).toBe(true);
  });

  it('reads an uptime that is absent or 0 as not known', () => {
    expect(countedAfresh({ requests: 10 }, { requests: 40, uptimeMs: 300 })).toBe(false);
    expect(countedAfresh({ requests: 10, uptimeMs: 0 }, { requests: 40, uptimeMs: 300 })).toBe(false);
    expect(countedAfresh({ requests: 10, uptimeMs: 5_000 }, { requests: 40, uptimeMs: 0 })).toBe(false);
    expect(countedAfresh({ requests: 10 }, { requests: 9 })).toBe(true);
  });
});
