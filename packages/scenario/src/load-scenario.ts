/**
 * Scenario files → {@link Scenario}. The order matters for the messages:
 * 1. YAML syntax, 2. the scenario schema, 3. the `quick` profile merged and
 * checked again, 4. the topology (a file, inline, or a file plus overrides)
 * and each variant's topology, 5. what only makes sense against the topology
 * (regions, node ids, link endpoints), the timeline and expectations.
 * Errors in a referenced topology file name that file; errors in an override
 * name the scenario line of the override.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { mergeLayers, type Layer } from './deep-merge';
import { FileError, FileErrors, formatPath, sortErrors, type DocPath } from './errors';
import { ExpressionError, parseExpectation } from './expectation-expr';
import { parseSelector } from './link-selector';
import { displayName, normaliseTopology, readYamlFile, readYamlText, unknownName } from './load-topology';
import { SCENARIO_ENGINES, clientGroupNames, pacedByTrace, type ClientGroup, type HeaderValueSpec, type ExpectationSpec, type MethodMix, type ObjectPopularity, type ObjectSizes, type Scenario, type ScenarioVariant, type TimelineEvent, type WatchRule, type Workload } from './scenario';
import { METHOD_KINDS, ScenarioSchema, TopologyRefSchema, WORKLOAD_DEFAULTS, type EventFile, type ScenarioFile, type WorkloadFile } from './schema-scenario';
import { compileValidator } from './schema-validate';
import { prefixLocator, type LocateAt, type Locator } from './source-map';
import type { Topology } from './topology';
import { formatDuration, parseDuration, parseSize } from './units';

const validateScenario = compileValidator(ScenarioSchema);
const validateTopologyRef = compileValidator(TopologyRefSchema);

export interface LoadScenarioOptions {
  /** Apply the file's `quick` profile (short runs for CI). */
  quick?: boolean;
}

export interface ParseScenarioOptions extends LoadScenarioOptions {
  /** Directory that relative paths (topology, traces) are resolved from. Default: the file name's directory. */
  baseDir?: string;
}

/** Loads `scenarios/x.yaml`. Throws FileErrors listing every problem. */
export function loadScenarioFile(file: string, opts: LoadScenarioOptions = {}): Scenario {
  return buildScenario(readYamlFile(file, 'scenario'), displayName(file), path.dirname(path.resolve(file)), opts);
}

/** Parses scenario YAML text; `fileName` is used in messages and, unless `baseDir` is given, to resolve relative paths. */
export function parseScenario(text: string, fileName: string, opts: ParseScenarioOptions = {}): Scenario {
  return buildScenario(readYamlText(text, fileName, 'scenario'), fileName, opts.baseDir ?? path.dirname(path.resolve(fileName)), opts);
}

class Problems {
  readonly list: FileError[] = [];

  constructor(private readonly locate: Locator) {}

  add(p: DocPath, detail: string, at: LocateAt = 'value'): void {
    const pos = this.locate(p, at);
    this.list.push(new FileError(pos.file, pos.line, pos.col, formatPath(pos.path), detail));
  }

  /** A problem `offset` characters into a one-line string value (past its opening quote, if any). */
  addInString(p: DocPath, detail: string, offset: number): void {
    const pos = this.locate(p, 'value');
    this.list.push(new FileError(pos.file, pos.line, pos.col + (pos.quoted ? 1 : 0) + offset, formatPath(pos.path), detail));
  }

  /** Runs a step that may throw FileErrors (a topology), keeping its errors. */
  collect<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof FileErrors)) throw err;
      this.list.push(...err.errors);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.list.length) throw new FileErrors(sortErrors(this.list));
  }
}

function buildScenario(file: Layer, fileName: string, baseDir: string, opts: LoadScenarioOptions): Scenario {
  const full = build(file, fileName, baseDir, opts);
  // A quick profile that breaks the file is found on every load, not first in CI.
  if (!opts.quick && (file.value as ScenarioFile).quick) build(file, fileName, baseDir, { quick: true });
  return full;
}

function build(file: Layer, fileName: string, baseDir: string, opts: LoadScenarioOptions): Scenario {
  const first = validateScenario(file.value, file.locate);
  if (first.length) throw new FileErrors(sortErrors(first));

  // The quick profile is laid over the scenario like any override, then the
  // result is checked in full: an error in it points at the line under `quick:`.
  let layer = file;
  const raw = file.value as ScenarioFile;
  if (opts.quick && raw.quick) {
    const { quick, ...rest } = raw;
    layer = mergeLayers({ value: rest, locate: file.locate }, { value: quick, locate: prefixLocator(file.locate, ['quick']) });
    const again = validateScenario(layer.value, layer.locate);
    if (again.length) throw new FileErrors(sortErrors(again));
  }
  const s = layer.value as ScenarioFile;
  const problems = new Problems(layer.locate);

  // The topology and each variant's.
  const topo = loadTopologyLayer(s, layer.locate, baseDir, problems);
  problems.throwIfAny();
  const base = problems.collect(() => normaliseTopology(topo!.layer));
  const variants: ScenarioVariant[] = [];
  const seen = new Map<string, number>();
  (s.variants ?? []).forEach((v, i) => {
    if (seen.has(v.name)) return problems.add(['variants', i, 'name'], `duplicate variant name "${v.name}" (also variants[${seen.get(v.name)}])`);
    seen.set(v.name, i);
    const merged = v.overrides ? mergeLayers(topo!.layer, { value: v.overrides, locate: prefixLocator(layer.locate, ['variants', i, 'overrides']) }) : topo!.layer;
    const t = problems.collect(() => normaliseTopology(merged));
    if (t) variants.push({ name: v.name, ...(v.description !== undefined ? { description: v.description } : {}), topology: t });
  });
  problems.throwIfAny();
  if (variants.length === 0) variants.push({ name: 'baseline', topology: base! });

  const workload = normaliseWorkload(s.workload, base!, baseDir, problems);
  const timeline = normaliseTimeline(s.timeline ?? [], variants, workload.durationMs, problems);
  const expectations = normaliseExpectations(s, variants, workload.durationMs, problems);
  checkCutOnLoopback(s, variants, problems);
  const machineBound: Record<string, string> = {};
  (s.machineBound ?? []).forEach((m, i) => {
    if (!variants.some((v) => v.name === m.variant)) return problems.add(['machineBound', i, 'variant'], `no variant "${m.variant}"; variants: ${variants.map((v) => v.name).join(', ')}`);
    if (m.variant in machineBound) return problems.add(['machineBound', i, 'variant'], `variant "${m.variant}" is listed twice`);
    machineBound[m.variant] = m.reason;
  });
  problems.throwIfAny();

  return {
    file: fileName,
    name: s.name,
    title: s.title,
    description: s.description,
    ...(topo!.file ? { topologyFile: topo!.file } : {}),
    variants,
    workload,
    timeline,
    expectations,
    quick: Boolean(opts.quick && raw.quick),
    engines: s.engines ? [...s.engines] : [...SCENARIO_ENGINES],
    machineBound,
  };
}

/** The scenario's topology as a layer: read from a file (plus overrides) or taken inline. */
function loadTopologyLayer(s: ScenarioFile, locate: Locator, baseDir: string, problems: Problems): { layer: Layer; file?: string } | undefined {
  let ref: { file: string; overrides?: Record<string, unknown> } | undefined;
  let refPath: DocPath = ['topology'];
  if (typeof s.topology === 'string') ref = { file: s.topology };
  else if ('file' in s.topology) {
    const errs = validateTopologyRef(s.topology, locate, ['topology']);
    if (errs.length) {
      problems.list.push(...errs);
      return undefined;
    }
    ref = s.topology as { file: string; overrides?: Record<string, unknown> };
    refPath = ['topology', 'file'];
  }
  if (!ref) return { layer: { value: s.topology, locate: prefixLocator(locate, ['topology']) } };

  const abs = path.resolve(baseDir, ref.file);
  const missing = notAFile(abs);
  if (missing) {
    problems.add(refPath, `topology file ${missing}: ${displayName(abs)} (paths are relative to the scenario file)`);
    return undefined;
  }
  const fileLayer = problems.collect(() => readYamlFile(abs, 'topology'));
  if (!fileLayer) return undefined;
  const layer = ref.overrides ? mergeLayers(fileLayer, { value: ref.overrides, locate: prefixLocator(locate, ['topology', 'overrides']) }) : fileLayer;
  return { layer, file: abs };
}

function dur(v: string | number, p: DocPath, problems: Problems): number {
  try {
    return parseDuration(v);
  } catch (err) {
    problems.add(p, (err as Error).message);
    return NaN;
  }
}

function size(v: string | number, p: DocPath, problems: Problems): number {
  try {
    return parseSize(v);
  } catch (err) {
    problems.add(p, (err as Error).message);
    return NaN;
  }
}

/** Header specs as given, each name once whatever its case (HTTP field names are case-insensitive). */
function headerSpecs(h: Record<string, HeaderValueSpec>, p: DocPath, problems: Problems): Record<string, HeaderValueSpec> {
  const seen = new Map<string, string>();
  const out: Record<string, HeaderValueSpec> = {};
  for (const [name, spec] of Object.entries(h)) {
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) problems.add([...p, name], `header "${name}" is also given as "${first}" (field names are case-insensitive)`);
    seen.set(lower, name);
    out[name] = typeof spec === 'string' ? spec : 'oneOf' in spec ? { oneOf: [...spec.oneOf] } : { template: spec.template, count: spec.count };
  }
  return out;
}

function normaliseWorkload(w: WorkloadFile, t: Topology, baseDir: string, problems: Problems): Workload {
  const W: DocPath = ['workload'];
  const regionNames = t.regions.map((r) => r.name);
  const durationMs = w.duration !== undefined ? dur(w.duration, [...W, 'duration'], problems) : undefined;
  if (durationMs === undefined && w.requests === undefined) problems.add(W, 'give duration or requests (or both: the first reached ends the run)');
  if (durationMs === 0) problems.add([...W, 'duration'], 'expected a duration above 0');

  const defaultNames = clientGroupNames(w.clients.map((c) => ({ name: c.name, region: c.region }) as ClientGroup));
  const groupNames = new Map<string, number>();
  const clients: ClientGroup[] = w.clients.map((c, i) => {
    const here: DocPath = [...W, 'clients', i];
    if (!regionNames.includes(c.region)) problems.add([...here, 'region'], unknownName('region', c.region, regionNames));
    const arrival = c.arrival ?? WORKLOAD_DEFAULTS.arrival;
    const name = defaultNames[i];
    const first = groupNames.get(name);
    if (first !== undefined) problems.add([...here, c.name !== undefined ? 'name' : 'region'], `client group name "${name}" is already used by workload.clients[${first}]${c.name === undefined ? ' (give this group a name)' : ''}`);
    else groupNames.set(name, i);
    const out: ClientGroup = { name, region: c.region, count: c.count ?? WORKLOAD_DEFAULTS.count, rate: c.rate, arrival, startMs: 0 };
    if (c.headers) out.headers = headerSpecs(c.headers, [...here, 'headers'], problems);
    if (c.paths) {
      out.paths = [...c.paths];
      if (!pacedByTrace(w.objects)) {
        problems.add([...here, 'paths'], "paths applies to a trace replayed at its own times (objects: {popularity: trace}): it says which group sends which of the trace's requests");
      }
    }
    if (arrival === 'burst' && !c.burst) problems.add(here, 'arrival: burst needs burst: {size, every}');
    if (arrival !== 'burst' && c.burst) problems.add([...here, 'burst'], `burst applies to arrival: burst only (this group is ${arrival})`);
    if (c.burst && arrival === 'burst') {
      const everyMs = dur(c.burst.every, [...here, 'burst', 'every'], problems);
      if (everyMs <= 0) problems.add([...here, 'burst', 'every'], 'expected a duration above 0');
      out.burst = { size: c.burst.size, everyMs };
    }
    if (c.start !== undefined) out.startMs = dur(c.start, [...here, 'start'], problems);
    if (c.stop !== undefined) {
      out.stopMs = dur(c.stop, [...here, 'stop'], problems);
      if (out.stopMs <= out.startMs) problems.add([...here, 'stop'], `stop (${formatDuration(out.stopMs)}) must come after start (${formatDuration(out.startMs)})`);
    }
    if (durationMs !== undefined && out.startMs >= durationMs) {
      problems.add([...here, 'start'], `starts at ${formatDuration(out.startMs)}, at or after the end of the run (${formatDuration(durationMs)})`);
    }
    return out;
  });

  const o = w.objects;
  let objects: ObjectPopularity;
  switch (o.popularity) {
    case 'zipf':
      objects = { popularity: 'zipf', alpha: o.alpha ?? WORKLOAD_DEFAULTS.zipfAlpha, count: o.count, path: o.path ?? WORKLOAD_DEFAULTS.pathTemplate };
      break;
    case 'uniform':
      objects = { popularity: 'uniform', count: o.count, path: o.path ?? WORKLOAD_DEFAULTS.pathTemplate };
      break;
    case 'hot':
      objects = { popularity: 'hot', keys: [...o.keys] };
      break;
    case 'trace': {
      const file = path.resolve(baseDir, o.file);
      const missing = notAFile(file);
      if (missing) problems.add([...W, 'objects', 'file'], `trace file ${missing}: ${displayName(file)} (paths are relative to the scenario file)`);
      const timing = o.timing ?? 'trace';
      objects = { popularity: 'trace', file, format: o.format ?? 'csv', timing };
      if (o.speedup !== undefined) {
        if (timing === 'trace') objects.speedup = o.speedup;
        else problems.add([...W, 'objects', 'speedup'], 'speedup applies to timing: trace only (with timing: clients the client groups set the pace)');
      }
      if (timing === 'trace') {
        w.clients.forEach((c, i) => {
          for (const f of ['start', 'stop'] as const) {
            if (c[f] !== undefined) problems.add([...W, 'clients', i, f], `${f} does not apply when the trace's own times say when requests come (objects.timing: trace); remove it, or set objects.timing: clients`);
          }
          if (c.arrival !== undefined) problems.add([...W, 'clients', i, 'arrival'], "arrival does not apply when the trace's own times say when requests come (objects.timing: trace); rate only weights which group sends each request");
        });
      }
      break;
    }
  }

  let sizes: ObjectSizes | undefined;
  const z = w.sizes;
  const S: DocPath = [...W, 'sizes'];
  if (z?.distribution === 'fixed') sizes = { distribution: 'fixed', sizeBytes: size(z.size, [...S, 'size'], problems) };
  else if (z?.distribution === 'uniform') {
    sizes = { distribution: 'uniform', minBytes: size(z.min, [...S, 'min'], problems), maxBytes: size(z.max, [...S, 'max'], problems) };
    if (sizes.minBytes > sizes.maxBytes) problems.add([...S, 'max'], `max (${sizes.maxBytes} bytes) is below min (${sizes.minBytes} bytes)`);
  } else if (z?.distribution === 'pareto') sizes = { distribution: 'pareto', minBytes: size(z.min, [...S, 'min'], problems), alpha: z.alpha };

  const weights = { ...(w.methods ?? WORKLOAD_DEFAULTS.methods) } as Partial<MethodMix>;
  const total = METHOD_KINDS.reduce((sum, k) => sum + (weights[k] ?? 0), 0);
  if (total <= 0) problems.add([...W, 'methods'], 'the weights add up to 0; give at least one a positive weight');
  const methods = Object.fromEntries(METHOD_KINDS.map((k) => [k, total > 0 ? (weights[k] ?? 0) / total : 0])) as unknown as MethodMix;

  const watchNames = new Map<string, number>();
  const watch: WatchRule[] = (w.watch ?? []).map((r, i) => {
    const first = watchNames.get(r.name);
    if (first !== undefined) problems.add([...W, 'watch', i, 'name'], `watch name "${r.name}" is already used by workload.watch[${first}]`);
    else watchNames.set(r.name, i);
    return { name: r.name, header: r.header.toLowerCase(), contains: r.contains };
  });

  const headers = headerSpecs(w.headers ?? {}, [...W, 'headers'], problems);
  const out: Workload = { seed: w.seed ?? WORKLOAD_DEFAULTS.seed, clients, objects, methods, headers, watch };
  if (durationMs !== undefined) out.durationMs = durationMs;
  if (w.requests !== undefined) out.requests = w.requests;
  if (sizes) out.sizes = sizes;
  return out;
}

/** Roles the embedded engine can take off the network on loopback: those reached only over emulated links. */
export const CUTTABLE_ON_LOOPBACK: readonly string[] = ['regional', 'shield', 'origin'];

/**
 * Processes on loopback are cut off by cutting the emulated links of the
 * tiers (runner timeline-embedded cutLinks); an edge's clients and DNS's
 * health checks cross no such link. A scenario for the embedded engine that
 * disconnects an edge (or the DNS or control node) is refused here rather
 * than half acted out at run time.
 */
function checkCutOnLoopback(s: ScenarioFile, variants: ScenarioVariant[], problems: Problems): void {
  if (!(s.engines ?? SCENARIO_ENGINES).includes('embedded')) return;
  (s.timeline ?? []).forEach((e, i) => {
    if (e.action !== 'disconnect' && e.action !== 'reconnect') return;
    const role = variants[0]?.topology.nodes.find((n) => n.id === e.node)?.role;
    if (role === undefined || CUTTABLE_ON_LOOPBACK.includes(role)) return;
    problems.add(
      ['timeline', i, 'node'],
      `${e.action} ${e.node}: the embedded engine cannot take ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} off the network on loopback (only a ${CUTTABLE_ON_LOOPBACK.join(', ')}: their calls cross emulated links; an edge's clients and DNS's health checks do not); say engines: [sim, compose] to run this scenario in the simulator and in docker compose`,
    );
  });
}

/**
 * A node named by an event must exist in every variant's topology (each
 * variant runs the same timeline). Returns the node's role in the first
 * variant, or undefined after reporting.
 */
function checkNode(id: string, p: DocPath, variants: ScenarioVariant[], problems: Problems, roles?: readonly string[]): string | undefined {
  const missing = variants.filter((v) => !v.topology.nodes.some((n) => n.id === id));
  if (missing.length === variants.length) {
    const known = variants[0].topology.nodes.filter((n) => !roles || roles.includes(n.role)).map((n) => n.id);
    problems.add(p, unknownName('node id', id, known));
    return undefined;
  }
  if (missing.length) {
    problems.add(p, `node "${id}" does not exist in variant${missing.length > 1 ? 's' : ''} ${missing.map((v) => `"${v.name}"`).join(', ')}`);
    return undefined;
  }
  const role = variants[0].topology.nodes.find((n) => n.id === id)!.role;
  if (roles && !roles.includes(role)) {
    problems.add(p, `node "${id}" is ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}; expected ${roles.join(' or ')}`);
    return undefined;
  }
  return role;
}

function normaliseTimeline(events: EventFile[], variants: ScenarioVariant[], durationMs: number | undefined, problems: Problems): TimelineEvent[] {
  const t0 = variants[0].topology;
  const regionNames = t0.regions.map((r) => r.name);
  const out = events.map((e, i): TimelineEvent => {
    const here: DocPath = ['timeline', i];
    const atMs = dur(e.at, [...here, 'at'], problems);
    if (durationMs !== undefined && atMs > durationMs) {
      problems.add([...here, 'at'], `at ${formatDuration(atMs)} is after the end of the run (duration ${formatDuration(durationMs)})`);
    }
    const base = { atMs, ...(e.note !== undefined ? { note: e.note } : {}) };
    const d = (v: string | number | undefined, field: string) => (v === undefined ? undefined : dur(v, [...here, field], problems));
    switch (e.action) {
      case 'purge': {
        const given = (['url', 'tag', 'prefix', 'all'] as const).filter((k) => e[k] !== undefined);
        if (given.length !== 1) {
          problems.add(here, given.length ? `give one of url, tag, prefix, all; got ${given.join(' and ')}` : 'say what to purge: url, tag, prefix or all: true');
        }
        const { at: _at, note: _note, ...rest } = e;
        return { ...base, ...rest, soft: e.soft ?? false };
      }
      case 'origin-update':
        return { ...base, action: e.action, path: e.path ?? '/**', ...(e.version !== undefined ? { version: e.version } : {}) };
      case 'origin-fault': {
        if (e.node !== undefined) checkNode(e.node, [...here, 'node'], variants, problems, ['origin']);
        if (e.fault === 'slow' && e.latency === undefined) problems.add(here, 'fault: slow needs latency (how much slower)');
        const ev: TimelineEvent = { ...base, action: e.action, fault: e.fault, status: e.status ?? 503, rate: e.rate ?? 1 };
        if (e.node !== undefined) ev.node = e.node;
        if (e.latency !== undefined) ev.latencyMs = d(e.latency, 'latency');
        if (e.path !== undefined) ev.path = e.path;
        if (e.for !== undefined) ev.forMs = d(e.for, 'for');
        return ev;
      }
      case 'kill':
      case 'stop':
      case 'start':
      case 'pause':
      case 'unpause':
      case 'disconnect':
      case 'reconnect':
        checkNode(e.node, [...here, 'node'], variants, problems);
        return { ...base, action: e.action, node: e.node };
      case 'link': {
        for (const v of variants) {
          const ctx = { regions: new Set(v.topology.regions.map((r) => r.name)), nodeIds: new Set(v.topology.nodes.map((n) => n.id)) };
          for (const end of ['from', 'to'] as const) {
            const sel = parseSelector(e[end], ctx);
            if (typeof sel === 'string') problems.add([...here, end], variants.length > 1 ? `${sel} (variant "${v.name}")` : sel);
          }
        }
        const ev: TimelineEvent = { ...base, action: 'link', from: e.from, to: e.to, oneWay: e.oneWay ?? false };
        if (e.latency !== undefined) ev.latencyMs = d(e.latency, 'latency');
        if (e.jitter !== undefined) ev.jitterMs = d(e.jitter, 'jitter');
        if (e.loss !== undefined) ev.loss = e.loss;
        if (e.down !== undefined) ev.down = e.down;
        if (ev.latencyMs === undefined && ev.jitterMs === undefined && ev.loss === undefined && ev.down === undefined) {
          problems.add(here, 'say what changes: latency, jitter, loss or down');
        }
        return ev;
      }
      case 'dns-policy':
        return { ...base, action: e.action, policy: e.policy };
      case 'route-change':
        if (!regionNames.includes(e.region)) problems.add([...here, 'region'], unknownName('region', e.region, regionNames));
        checkNode(e.edge, [...here, 'edge'], variants, problems, ['edge']);
        return { ...base, action: e.action, region: e.region, edge: e.edge, cost: e.cost ?? 0 };
      case 'ttl-override': {
        e.nodes?.forEach((id, j) => checkNode(id, [...here, 'nodes', j], variants, problems, ['edge', 'regional', 'shield']));
        const ttlMs = dur(e.ttl, [...here, 'ttl'], problems);
        return { ...base, action: e.action, match: e.match, ttlMs, ...(e.nodes ? { nodes: [...e.nodes] } : {}) };
      }
    }
  });
  // Stable: events at the same instant run in the order written.
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i).map((x) => x.e);
}

function normaliseExpectations(s: ScenarioFile, variants: ScenarioVariant[], durationMs: number | undefined, problems: Problems): ExpectationSpec[] {
  const names = variants.map((v) => v.name);
  const out: ExpectationSpec[] = [];
  (s.expectations ?? []).forEach((x, i) => {
    const here: DocPath = ['expectations', i];
    let spec: ExpectationSpec | undefined;
    try {
      spec = { expect: parseExpectation(x.expect) };
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      // Point at the character inside the string; YAML gave us where the string starts.
      problems.addInString([...here, 'expect'], `bad expectation: ${err.message}`, err.offset);
    }
    let atMs: number | undefined;
    if (x.at !== undefined) {
      atMs = dur(x.at, [...here, 'at'], problems);
      if (durationMs !== undefined && atMs > durationMs) problems.add([...here, 'at'], `at ${formatDuration(atMs)} is after the end of the run (duration ${formatDuration(durationMs)})`);
    }
    if (x.variant !== undefined && !names.includes(x.variant)) problems.add([...here, 'variant'], unknownName('variant', x.variant, names));
    if (!spec) return;
    if (atMs !== undefined) spec.atMs = atMs;
    if (x.variant !== undefined) spec.variant = x.variant;
    if (x.description !== undefined) spec.description = x.description;
    out.push(spec);
  });
  return out;
}

/** Why `file` cannot be read as a file ("not found", "is a directory"), or undefined when it can be opened as one. */
function notAFile(file: string): string | undefined {
  try {
    return statSync(file).isDirectory() ? 'is a directory' : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'not found' : `cannot be read (${code ?? String(err)})`;
  }
}
