import { areaOf, formatAllocationSummary, formatProfileSummary, summariseCpuProfile, summariseHeapProfile, type CpuProfile, type HeapProfileNode, type SourcePosition } from './profile-summary';

/** A bundle whose function starts map to source files by line (line N of the bundle is in FILES[N]). */
const FILES: Record<number, string> = {
  10: 'packages/core/src/store.ts',
  20: 'packages/core/src/http-cache.ts',
  30: 'packages/sim/src/virtual-scheduler.ts',
  40: 'packages/origin/src/site.ts',
};
const locate = (url: string, line: number): SourcePosition | undefined => (url === 'file:///b/main.cjs' && FILES[line] ? { file: FILES[line], line: line * 10 } : undefined);

function frame(functionName: string, line: number, url = 'file:///b/main.cjs') {
  return { functionName, url, lineNumber: line, columnNumber: 2 };
}

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', 0, '') },
    { id: 2, callFrame: frame('find', 10), positionTicks: [{ line: 11, ticks: 3 }, { line: 21, ticks: 1 }] },
    { id: 3, callFrame: frame('lookup', 20) },
    { id: 4, callFrame: frame('fire', 30) },
    { id: 5, callFrame: frame('(garbage collector)', 0, '') },
    { id: 6, callFrame: frame('(idle)', 0, '') },
    { id: 7, callFrame: frame('answer', 40) },
  ],
  startTime: 0,
  endTime: 100_000,
  // find 40 ms, lookup 20, fire 10, GC 20, answer 10; idle 50 (left out).
  samples: [2, 2, 3, 4, 5, 6, 7, 2, 5],
  timeDeltas: [20_000, 20_000, 20_000, 10_000, 10_000, 50_000, 10_000, 0, 10_000],
};

describe('CPU profile summary', () => {
  it('splits self time by area, function and line, idle left out', () => {
    const s = summariseCpuProfile(profile, { locate, lineText: (f, l) => `${f} line ${l}` });
    expect(s.totalMs).toBe(100);
    expect(s.areas).toEqual([
      { area: 'core: object stores (key index, eviction order)', ms: 40, share: 0.4 },
      { area: 'core: HTTP semantics (RFC 9111 rules, keys, purge index, collapsing)', ms: 20, share: 0.2 },
      { area: 'garbage collection', ms: 20, share: 0.2 },
      { area: 'origin: synthetic site', ms: 10, share: 0.1 },
      { area: 'simulator: event scheduler', ms: 10, share: 0.1 },
    ]);
    expect(s.functions[0]).toEqual({ what: 'find (packages/core/src/store.ts:100)', ms: 40, share: 0.4 });
    expect(s.functions.map((f) => f.what)).toContain('(garbage collector)');
    // find's 40 ms over its line ticks, 3 to 1; the profile's lines are 1-based.
    expect(s.lines).toEqual([
      { what: 'packages/core/src/store.ts:100  packages/core/src/store.ts line 100', ms: 30, share: 0.3 },
      { what: 'packages/core/src/http-cache.ts:200  packages/core/src/http-cache.ts line 200', ms: 10, share: 0.1 },
    ]);
    const text = formatProfileSummary(s);
    expect(text[0]).toBe('where the CPU time goes (0.10 s sampled, self time):');
    expect(text).toContain('     40.0%  core: object stores (key index, eviction order)');
  });

  it('keeps to the requested number of functions and lines', () => {
    const s = summariseCpuProfile(profile, { locate, top: 2 });
    expect(s.functions).toHaveLength(2);
    expect(s.areas.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 10);
  });

  it('rejects a profile whose samples and deltas disagree, or that names a node it lacks', () => {
    expect(() => summariseCpuProfile({ ...profile, timeDeltas: [1] }, { locate })).toThrow('expected as many timeDeltas as samples, got 1 and 9');
    expect(() => summariseCpuProfile({ ...profile, samples: [99], timeDeltas: [1] }, { locate })).toThrow('profile sample names node 99, which is not in the profile');
  });

  it('names areas by source file, GC and unattributed code apart', () => {
    expect(areaOf('packages/core/src/eviction-lru.ts', 'touch')).toBe('core: object stores (key index, eviction order)');
    expect(areaOf('packages/scenario/src/workload.ts', 'next')).toBe('workload plan (arrivals, Zipf objects)');
    expect(areaOf('node_modules/.pnpm/x/index.js', 'f')).toBe('libraries');
    expect(areaOf(undefined, '(garbage collector)')).toBe('garbage collection');
    expect(areaOf(undefined, '(program)')).toBe('V8 and Node (unattributed)');
    expect(areaOf(undefined, 'readFileUtf8')).toBe('Node internals');
  });
});

describe('heap profile summary', () => {
  const node = (functionName: string, line: number, selfSize: number, children: HeapProfileNode[] = [], url = 'file:///b/main.cjs'): HeapProfileNode => ({
    callFrame: frame(functionName, line, url),
    selfSize,
    children,
  });
  // The same function reached by two paths counts once, its bytes summed.
  const heap = {
    head: node('(root)', 0, 0, [node('fire', 30, 1000, [node('lookup', 20, 3000), node('answer', 40, 2000, [node('lookup', 20, 1000)])]), node('(V8 API)', 0, 3000, [], '')], ''),
  };

  it('sums allocated bytes by area and by function, wherever in the tree a function is', () => {
    const s = summariseHeapProfile(heap, { locate });
    expect(s.totalBytes).toBe(10_000);
    expect(s.functions[0]).toEqual({ what: 'lookup (packages/core/src/http-cache.ts:200)', bytes: 4000, share: 0.4 });
    expect(s.areas).toEqual([
      { area: 'core: HTTP semantics (RFC 9111 rules, keys, purge index, collapsing)', bytes: 4000, share: 0.4 },
      { area: 'Node internals', bytes: 3000, share: 0.3 },
      { area: 'origin: synthetic site', bytes: 2000, share: 0.2 },
      { area: 'simulator: event scheduler', bytes: 1000, share: 0.1 },
    ]);
    expect(summariseHeapProfile(heap, { locate, top: 2 }).functions).toHaveLength(2);
  });

  it('prints bytes per request', () => {
    const text = formatAllocationSummary(summariseHeapProfile(heap, { locate }), 10);
    expect(text[0]).toBe('what allocates (sampled; 1,000 bytes per request in all):');
    expect(text).toContain('     40.0%     400 B/request  lookup (packages/core/src/http-cache.ts:200)');
  });
});
