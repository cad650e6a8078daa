/**
 * Where a simulation's CPU time goes, from a V8 CPU profile (the
 * `Profiler.stop` result of node:inspector, or a `--cpu-prof` file): self
 * time per area of our code (core stores, core HTTP semantics, scheduler,
 * simulator, origin site, workload plan), garbage collection and the rest,
 * then the hottest functions and source lines. `pnpm bench` prints it for
 * part (a), so "profile and say where the time goes" is a command's output
 * rather than a note.
 *
 * Pure: the caller says where a position of the profiled code comes from
 * (`locate`, e.g. through the bundle's source map) and, optionally, what a
 * source line says (`lineText`).
 */

/** The parts of a V8 CPU profile this reads (Profiler.Profile). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    /** Samples per source line (1-based) of this node's function, when V8 recorded them. */
    positionTicks?: Array<{ line: number; ticks: number }>;
  }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds since the previous sample, per sample. */
  timeDeltas?: number[];
}

/** A source position: file (repository-relative when known) and 1-based line. */
export interface SourcePosition {
  file: string;
  line: number;
}

/**
 * Where a profiled position comes from: `line` and `column` as the profile
 * gives them (0-based); undefined when unknown (Node internals, GC).
 */
export type Locate = (url: string, line: number, column: number) => SourcePosition | undefined;

export interface AreaShare {
  area: string;
  ms: number;
  /** Of all sampled time but idle. */
  share: number;
}

export interface HotSpot {
  /** `function (file:line)` or, for lines, `file:line  source text`. */
  what: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time, idle excluded. */
  totalMs: number;
  areas: AreaShare[];
  functions: HotSpot[];
  lines: HotSpot[];
}

/** Areas by source file, first match wins; `(garbage collector)` and unknown code are their own. */
const AREA_RULES: ReadonlyArray<[RegExp, string]> = [
  [/packages\/core\/src\/(store|int-index|eviction[^/]*)\.ts$/, 'core: object stores (key index, eviction order)'],
  [/packages\/core\/src\//, 'core: HTTP semantics (RFC 9111 rules, keys, purge index, collapsing)'],
  [/packages\/sim\/src\/virtual-scheduler\.ts$/, 'simulator: event scheduler'],
  [/packages\/sim\/src\//, 'simulator: nodes, network, engine, statistics'],
  [/packages\/origin\/src\//, 'origin: synthetic site'],
  [/packages\/scenario\/src\//, 'workload plan (arrivals, Zipf objects)'],
  [/node_modules\//, 'libraries'],
];

export function areaOf(file: string | undefined, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (file === undefined) return functionName === '(program)' ? 'V8 and Node (unattributed)' : 'Node internals';
  for (const [re, area] of AREA_RULES) if (re.test(file)) return area;
  return 'other';
}

export interface SummariseOptions {
  locate: Locate;
  lineText?: (file: string, line: number) => string | undefined;
  /** Entries in the function and line lists. Default 8. */
  top?: number;
}

export function summariseCpuProfile(profile: CpuProfile, opts: SummariseOptions): ProfileSummary {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length !== deltas.length) throw new TypeError(`expected as many timeDeltas as samples, got ${deltas.length} and ${samples.length}`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // A sample's delta is the time since the previous one: it belongs to the node sampled now.
  for (let i = 0; i < samples.length; i++) {
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, deltas[i]));
  }
  const top = opts.top ?? 8;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const lines = new Map<string, number>();
  let totalUs = 0;
  const located = new Map<string, SourcePosition | undefined>();
  const locate = (url: string, line: number, column: number): SourcePosition | undefined => {
    if (url === '') return undefined;
    const k = `${url}:${line}:${column}`;
    if (!located.has(k)) located.set(k, opts.locate(url, line, column));
    return located.get(k);
  };
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) throw new TypeError(`profile sample names node ${id}, which is not in the profile`);
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') continue;
    totalUs += us;
    const at = locate(cf.url, cf.lineNumber, cf.columnNumber);
    const area = areaOf(at?.file, cf.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = `${cf.functionName || '(anonymous)'}${at ? ` (${at.file}:${at.line})` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    // Line samples split the node's self time in proportion to their ticks.
    const ticks = node.positionTicks ?? [];
    const tickSum = ticks.reduce((a, t) => a + t.ticks, 0);
    for (const t of ticks) {
      const pos = locate(cf.url, t.line - 1, 0);
      if (!pos) continue;
      const text = opts.lineText?.(pos.file, pos.line)?.trim();
      const k = `${pos.file}:${pos.line}${text ? `  ${text.length > 70 ? `${text.slice(0, 67)}...` : text}` : ''}`;
      lines.set(k, (lines.get(k) ?? 0) + (us * t.ticks) / tickSum);
    }
  }
  const ranked = (m: Map<string, number>, n: number): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n)
      .map(([what, us]) => ({ what, ms: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return {
    totalMs: totalUs / 1000,
    areas: ranked(areas, areas.size).map((h) => ({ area: h.what, ms: h.ms, share: h.share })),
    functions: ranked(functions, top),
    lines: ranked(lines, top),
  };
}

/** The summary as lines of text, indented, shares in percent. */
export function formatProfileSummary(s: ProfileSummary): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  return [
    `where the CPU time goes (${(s.totalMs / 1000).toFixed(2)} s sampled, self time):`,
    ...s.areas.map((a) => `    ${pct(a.share)}  ${a.area}`),
    '  hottest functions:',
    ...s.functions.map((f) => `    ${pct(f.share)}  ${f.what}`),
    ...(s.lines.length ? ['  hottest source lines:', ...s.lines.map((l) => `    ${pct(l.share)}  ${l.what}`)] : []),
  ];
}

/**
 * The parts of a V8 sampling heap profile this reads
 * (HeapProfiler.stopSampling): a call tree whose nodes carry the bytes
 * sampled as allocated in that function itself.
 */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  /** Bytes allocated by this function itself (sampled, scaled to an estimate of the whole). */
  selfSize: number;
  children: HeapProfileNode[];
}

export interface HeapProfile {
  head: HeapProfileNode;
}

export interface AllocationSummary {
  /** Estimated bytes allocated while sampling. */
  totalBytes: number;
  /** Per area of our code, as summariseCpuProfile's. */
  areas: Array<{ area: string; bytes: number; share: number }>;
  /** The functions that allocate most, named `function (file:line)`. */
  functions: Array<{ what: string; bytes: number; share: number }>;
}

/**
 * What allocates: bytes by area and by allocating function, from a sampling
 * heap profile taken with the objects the GC collected kept in
 * (includeObjectsCollectedByMajorGC/MinorGC), so the figure is what was
 * allocated, not what was still alive at the end. The young generation's
 * collections cost in proportion to what survives, and every allocation
 * brings the next one closer: a simulator that allocates less per request
 * collects less often.
 */
export function summariseHeapProfile(profile: HeapProfile, opts: { locate: Locate; top?: number }): AllocationSummary {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  const stack: HeapProfileNode[] = [profile.head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const c of node.children) stack.push(c);
    if (node.selfSize <= 0) continue;
    const cf = node.callFrame;
    const at = cf.url === '' ? undefined : opts.locate(cf.url, cf.lineNumber, cf.columnNumber);
    total += node.selfSize;
    const area = areaOf(at?.file, cf.functionName);
    areas.set(area, (areas.get(area) ?? 0) + node.selfSize);
    const name = `${cf.functionName || '(anonymous)'}${at ? ` (${at.file}:${at.line})` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
  }
  const ranked = (m: Map<string, number>, n: number): Array<{ what: string; bytes: number; share: number }> =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n)
      .map(([what, bytes]) => ({ what, bytes, share: total > 0 ? bytes / total : 0 }));
  return {
    totalBytes: total,
    areas: ranked(areas, areas.size).map((h) => ({ area: h.what, bytes: h.bytes, share: h.share })),
    functions: ranked(functions, opts.top ?? 8),
  };
}

/** The allocation summary as lines of text, per request of `requests`. */
export function formatAllocationSummary(s: AllocationSummary, requests: number): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  const per = (b: number): string => `${Math.round(b / requests).toLocaleString('en-US').padStart(6)} B/request`;
  return [
    `what allocates (sampled; ${Math.round(s.totalBytes / requests).toLocaleString('en-US')} bytes per request in all):`,
    ...s.areas.map((a) => `    ${pct(a.share)}  ${per(a.bytes)}  ${a.area}`),
    '  allocating most:',
    ...s.functions.map((f) => `    ${pct(f.share)}  ${per(f.bytes)}  ${f.what}`),
  ];
}
