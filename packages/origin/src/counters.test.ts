import fc from 'fast-check';
import { OVERFLOW_PATH, REQUEST_KINDS, createCounters, requestKind } from './counters';

describe('counters', () => {
  it('classifies requests by method and validators', () => {
    expect(requestKind('get', [])).toBe('get');
    expect(requestKind('HEAD', [])).toBe('head');
    expect(requestKind('GET', [['if-none-match', '"a"']])).toBe('conditional');
    expect(requestKind('HEAD', [['if-modified-since', 'x']])).toBe('conditional');
    expect(requestKind('POST', [['if-none-match', '"a"']])).toBe('post');
    expect(requestKind('PROPFIND', [])).toBe('other');
  });

  it('request kinds sum to the total per path and overall; outcomes stay outside the sum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('/a', '/b', '/c/d'), fc.constantFrom(...REQUEST_KINDS), fc.boolean()), { maxLength: 200, size: 'max' }),
        (events) => {
          const c = createCounters();
          for (const [path, kind, notModified] of events) {
            c.record(path, kind);
            if (notModified) c.recordOutcome(path, 'not-modified');
          }
          const snap = c.snapshot();
          expect(snap.total).toBe(events.length);
          for (const p of snap.paths) {
            const sum = REQUEST_KINDS.reduce((acc, k) => acc + (p.byKind[k] ?? 0), 0);
            expect(sum).toBe(p.total);
            expect(p.byKind['not-modified'] ?? 0).toBe(events.filter(([path, , nm]) => path === p.path && nm).length);
          }
          expect(snap.paths.reduce((a, p) => a + p.total, 0)).toBe(snap.total);
          expect(c.reset()).toBe(events.length);
          expect(c.snapshot()).toEqual({ paths: [], total: 0 });
        },
      ),
    );
  });

  it('folds paths past maxPaths into one bucket', () => {
    const c = createCounters({ maxPaths: 2 });
    c.record('/1', 'get');
    c.record('/2', 'get');
    c.record('/3', 'get');
    c.record('/4', 'head');
    c.record('/1', 'get');
    expect(c.get('/1')?.total).toBe(2);
    expect(c.get(OVERFLOW_PATH)?.byKind).toEqual({ get: 1, head: 1 });
    expect(c.total).toBe(5);
    expect(() => createCounters({ maxPaths: 0 })).toThrow('expected opts.maxPaths to be a positive integer, got 0');
  });
});
