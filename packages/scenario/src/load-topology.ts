/**
 * Topology files → {@link Topology}: schema validation, then the checks a
 * schema cannot express (names that must refer to something, tier order,
 * duplicates), then defaults, units and generation. Every problem found is
 * reported at once, each with file:line:col and the field.
 */
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { mergeLayers, type Layer } from './deep-merge';
import { FileError, FileErrors, formatPath, sortErrors, type DocPath } from './errors';
import { type CacheNode, type CacheSettings, type ClientHop, type ClientLinks, type KeySettings, type Link, type LinkValues, type OriginNode, type Region, type Site, type Topology, type TopologyNode } from './topology';
import { matches, parseSelector, type Endpoint, type Selector } from './link-selector';
import {
  CACHE_DEFAULTS,
  CAPACITY_DEFAULTS,
  DEFAULT_ZONE,
  DNS_DEFAULTS,
  ROLE_RANK,
  ROLES,
  TOPOLOGY_LIMITS,
  TopologySchema,
  type CacheFile,
  type CacheRole,
  type KeyFile,
  type NodeFile,
  type Role,
  type SiteFile,
  type TopologyFile,
} from './schema-topology';
import { compileValidator, nearest } from './schema-validate';
import { parseYaml, type LocateAt, type Locator } from './source-map';
import { parseDuration, parseSize, UnitError } from './units';

const validateTopology = compileValidator(TopologySchema);

/** A path as users should see it: relative to the working directory when inside it. */
export function displayName(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** Reads a YAML file into a layer (value + locator); a missing file or non-mapping is a FileError. */
export function readYamlFile(file: string, what: string): Layer {
  const name = displayName(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FileErrors([new FileError(name, 1, 1, '', `cannot read ${what} file: ${e.code === 'ENOENT' ? 'no such file' : e.message}`)]);
  }
  return readYamlText(text, name, what);
}

export function readYamlText(text: string, fileName: string, what: string): Layer {
  const { value, locate } = parseYaml(text, fileName);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const pos = locate([]);
    const got = value === null || value === undefined ? 'an empty file' : Array.isArray(value) ? 'a list' : `${typeof value} ${String(value)}`;
    throw new FileErrors([new FileError(fileName, pos.line, pos.col, '', `expected a ${what} mapping (name: …, …), got ${got}`)]);
  }
  return { value, locate };
}

/** Loads `topologies/x.yaml`. Throws FileErrors listing every problem. */
export function loadTopologyFile(file: string): Topology {
  return normaliseTopology(readYamlFile(file, 'topology'));
}

/** Parses topology YAML text; `fileName` is used in error messages only. */
export function parseTopology(text: string, fileName: string): Topology {
  return normaliseTopology(readYamlText(text, fileName, 'topology'));
}

/** Loads a topology and lays `overrides` on it first (as a scenario does). */
export function applyTopologyOverrides(base: Layer, overrides: Layer | undefined): Layer {
  return overrides ? mergeLayers(base, overrides) : base;
}

/** Validates and normalises an already parsed topology (a file, an inline one, or a merged one). */
export function normaliseTopology(layer: Layer, prefix: DocPath = []): Topology {
  const locate: Locator = prefix.length ? (p, at) => layer.locate([...prefix, ...p], at) : layer.locate;
  const schemaErrors = validateTopology(layer.value, locate);
  if (schemaErrors.length) throw new FileErrors(sortErrors(schemaErrors));
  const errors: FileError[] = [];
  const report = (p: DocPath, detail: string, at: LocateAt = 'value') => {
    const pos = locate(p, at);
    errors.push(new FileError(pos.file, pos.line, pos.col, formatPath(pos.path), detail));
  };
  const topology = normalise(layer.value as TopologyFile, report);
  if (errors.length) throw new FileErrors(sortErrors(errors));
  return topology;
}

type Report = (path: DocPath, detail: string, at?: LocateAt) => void;

/** "a regional", "an edge". */
function article(role: string): string {
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}

/** At most `max` names, so a message stays one readable line. */
export function listNames(names: readonly string[], max = 12): string {
  return names.length > max ? `${names.slice(0, max).join(', ')}, … (${names.length} in all)` : names.join(', ');
}

/** `unknown region "apac2"; known: na, eu, apac (did you mean "apac"?)`: the guess only when one is close. */
export function unknownName(kind: string, name: string, known: readonly string[]): string {
  const guess = nearest(name, known);
  return `unknown ${kind} "${name}"; known: ${listNames(known)}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

interface RawNode {
  id: string;
  role: Role;
  region: string;
  parents: string[];
  file?: NodeFile;
  /** Where it was written: ['nodes', i], or ['edges'] for generated edges. */
  path: DocPath;
}

function normalise(t: TopologyFile, report: Report): Topology {
  const regions = normaliseRegions(t, report);
  const regionNames = regions.map((r) => r.name);
  const regionSet = new Set(regionNames);
  const distances = normaliseDistances(t, regions, report);

  // Listed nodes, then generated edges.
  const raw: RawNode[] = t.nodes.map((n, i) => ({ id: n.id, role: n.role, region: n.region, parents: n.parents ?? [], file: n, path: ['nodes', i] }));
  // Counted before any edge is made: a generator asked for millions ran the loader out of memory.
  const genRegions = t.edges ? (t.edges.regions ?? regionNames) : [];
  const total = t.nodes.length + genRegions.length * (t.edges?.perRegion ?? 0);
  if (total > TOPOLOGY_LIMITS.nodes) {
    const made = t.edges ? `${genRegions.length} regions × ${t.edges.perRegion} edges and ${t.nodes.length} listed nodes make` : `${t.nodes.length} listed nodes are`;
    report(t.edges ? ['edges', 'perRegion'] : ['nodes'], `${made} ${total.toLocaleString('en-US')} nodes; a topology may have at most ${TOPOLOGY_LIMITS.nodes.toLocaleString('en-US')}`);
  } else if (t.edges) {
    const gen = t.edges;
    genRegions.forEach((region, i) => {
      if (!regionSet.has(region)) return report(['edges', 'regions', i], unknownName('region', region, regionNames));
      const parents = gen.parents ?? t.nodes.filter((n) => n.role === 'regional' && n.region === region).map((n) => n.id);
      if (parents.length === 0) {
        return report(['edges'], `no regional in region "${region}" to be the parent of its generated edges; add one, or set edges.parents`);
      }
      for (let k = 1; k <= gen.perRegion; k++) raw.push({ id: `edge-${region}-${k}`, role: 'edge', region, parents, path: ['edges'] });
    });
  }

  const byId = new Map<string, RawNode>();
  for (const n of raw) {
    const first = byId.get(n.id);
    if (first) {
      const where = first.path[0] === 'edges' ? 'generated by edges' : `at ${formatPath(first.path)}`;
      report(n.file ? [...n.path, 'id'] : n.path, `duplicate node id "${n.id}" (also ${where})`);
      continue;
    }
    byId.set(n.id, n);
  }

  for (const n of raw) checkNodeRefs(n, byId, regionNames, report);
  if (!raw.some((n) => n.role === 'origin')) report(['nodes'], 'no origin: a topology needs at least one node with role: origin');

  const nodes: TopologyNode[] = [];
  for (const n of byId.values()) {
    if (n.role === 'origin') nodes.push(normaliseOrigin(n, t, report));
    else nodes.push(normaliseCacheNode(n, n.role, t, report));
  }
  nodes.sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role]);

  const { links, clientLinks } = resolveLinks(t, nodes, regionNames, distances, report);
  return {
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    zone: t.zone ?? DEFAULT_ZONE,
    regions,
    distances,
    nodes,
    links,
    clientLinks,
    dns: normaliseDns(t, report),
    control: { fanout: t.control?.fanout ?? 'direct', redeliver: t.control?.redeliver ?? true },
  };
}

function normaliseRegions(t: TopologyFile, report: Report): Region[] {
  const seen = new Set<string>();
  const claimed: Array<{ cidr: string; region: string; list: BlockList; network: string; family: 'ipv4' | 'ipv6' }> = [];
  return t.regions.map((r, i) => {
    if (seen.has(r.name)) report(['regions', i, 'name'], `duplicate region "${r.name}"`);
    seen.add(r.name);
    r.cidrs.forEach((cidr, j) => {
      const [addr, bitsText] = cidr.split('/');
      const family = isIP(addr);
      const bits = Number(bitsText);
      if (family === 0 || bits > (family === 4 ? 32 : 128)) {
        return report(['regions', i, 'cidrs', j], `expected a CIDR block like 127.10.0.0/16, got "${cidr}"`);
      }
      // Geo DNS places a client by the block holding its address: two regions must not claim the same addresses.
      const list = new BlockList();
      const fam = family === 4 ? 'ipv4' : 'ipv6';
      list.addSubnet(addr, bits, fam);
      const clash = claimed.find((c) => c.region !== r.name && c.family === fam && (c.list.check(addr, fam) || list.check(c.network, fam)));
      if (clash) report(['regions', i, 'cidrs', j], `"${cidr}" overlaps "${clash.cidr}" of region "${clash.region}"; a client address must belong to one region`);
      claimed.push({ cidr, region: r.name, list, network: addr, family: fam });
    });
    return { name: r.name, cidrs: [...r.cidrs], ...(r.location ? { location: { lat: r.location.lat, lon: r.location.lon } } : {}) };
  });
}

/** Great-circle distance in km (haversine). */
function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * Light in fibre covers about 200 km per ms, and real routes run about twice
 * the great-circle distance: so roughly 100 km of map distance per ms one way.
 */
export const KM_PER_MS = 100;

function normaliseDistances(t: TopologyFile, regions: Region[], report: Report): Record<string, Record<string, number>> {
  const names = regions.map((r) => r.name);
  const given = t.distances ?? {};
  for (const [row, cols] of Object.entries(given)) {
    if (!names.includes(row)) report(['distances', row], unknownName('region', row, names), 'key');
    for (const col of Object.keys(cols)) {
      if (!names.includes(col)) report(['distances', row, col], unknownName('region', col, names), 'key');
    }
  }
  const out: Record<string, Record<string, number>> = {};
  for (const a of regions) {
    out[a.name] = {};
    for (const b of regions) {
      if (a.name === b.name) {
        out[a.name][b.name] = 0;
        continue;
      }
      const explicit = given[a.name]?.[b.name] ?? given[b.name]?.[a.name];
      if (explicit !== undefined) out[a.name][b.name] = explicit;
      else if (a.location && b.location) out[a.name][b.name] = Math.round(greatCircleKm(a.location, b.location) / KM_PER_MS);
      else if (a.name < b.name) {
        report(t.distances ? ['distances'] : ['regions'], `no distance between regions "${a.name}" and "${b.name}"; give distances.${a.name}.${b.name} or a location for both`);
      }
    }
  }
  return out;
}

function checkNodeRefs(n: RawNode, byId: Map<string, RawNode>, regionNames: string[], report: Report): void {
  const at = (...rest: Array<string | number>): DocPath => (n.file ? [...n.path, ...rest] : n.path);
  if (!regionNames.includes(n.region)) report(at('region'), unknownName('region', n.region, regionNames));
  if (n.role === 'origin') {
    if (n.parents.length > 0) report(at('parents'), 'an origin has no parents; it is the top of the tree');
    return;
  }
  const later = ROLES.filter((r) => ROLE_RANK[r] > ROLE_RANK[n.role]);
  if (n.parents.length === 0) report(at('parents'), `${article(n.role)} needs at least one parent (${later.join(', ')})`);
  const seen = new Set<string>();
  n.parents.forEach((pid, j) => {
    const here = n.file ? at('parents', j) : n.path;
    if (seen.has(pid)) return report(here, `parent "${pid}" is listed twice`);
    seen.add(pid);
    const p = byId.get(pid);
    if (!p) {
      const candidates = [...byId.values()].filter((x) => ROLE_RANK[x.role] > ROLE_RANK[n.role]).map((x) => x.id);
      return report(here, unknownName('node id', pid, candidates));
    }
    // Parents must sit in a strictly later tier: requests only travel toward the origin, so no loop can form.
    if (ROLE_RANK[p.role] <= ROLE_RANK[n.role]) {
      report(here, `parent "${pid}" is ${article(p.role)}; ${article(n.role)}'s parents must be in a later tier (${later.join(', ')})`);
    }
  });
}

interface Field<T> {
  value: T;
  path?: DocPath;
}

/** The value of `field` from the most specific layer that sets it. */
function pick<T>(layers: Array<{ obj?: Record<string, unknown>; path?: DocPath }>, field: string): Field<T> | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const v = layers[i].obj?.[field];
    if (v !== undefined) return { value: v as T, path: layers[i].path ? [...layers[i].path!, field] : undefined };
  }
  return undefined;
}

function unit(parse: (v: string | number) => number, f: Field<string | number>, fallbackPath: DocPath, report: Report): number {
  try {
    return parse(f.value);
  } catch (err) {
    if (!(err instanceof UnitError)) throw err;
    report(f.path ?? fallbackPath, err.message);
    // NaN fails every later comparison, so one bad value gives one message.
    return NaN;
  }
}

function normaliseCacheNode(n: RawNode, role: CacheRole, t: TopologyFile, report: Report): CacheNode {
  const own = n.file ? n.path : undefined;
  const builtIn = { ...CACHE_DEFAULTS, capacity: CAPACITY_DEFAULTS[role] } as Record<string, unknown>;
  const cacheLayers = [
    { obj: builtIn },
    { obj: t.defaults?.all?.cache as CacheFile | undefined, path: ['defaults', 'all', 'cache'] },
    { obj: t.defaults?.[role]?.cache as CacheFile | undefined, path: ['defaults', role, 'cache'] },
    { obj: n.file?.cache as CacheFile | undefined, path: own && [...own, 'cache'] },
  ];
  const get = <T>(field: string) => pick<T>(cacheLayers, field)!;
  const here = own ?? n.path;
  const dur = (field: string) => unit(parseDuration, get<string | number>(field), here, report);
  const capacity = get<string | number>('capacity');
  const capacityBytes = unit(parseSize, capacity, here, report);
  if (capacityBytes === 0 && capacity.path) report(capacity.path, 'capacity must be more than 0 bytes');
  const maxObject = pick<string | number>(cacheLayers, 'maxObject');
  const maxObjectBytes = maxObject ? unit(parseSize, maxObject, here, report) : Math.floor(capacityBytes / 8);
  if (maxObject && maxObjectBytes > capacityBytes) {
    report(maxObject.path ?? here, `maxObject (${maxObjectBytes} bytes) is larger than capacity (${capacityBytes} bytes)`);
  }
  const minTtlMs = dur('minTtl');
  const maxTtl = get<string | number>('maxTtl');
  const maxTtlMs = unit(parseDuration, maxTtl, here, report);
  if (minTtlMs > maxTtlMs) report(maxTtl.path ?? here, `maxTtl (${maxTtlMs} ms) is below minTtl (${minTtlMs} ms)`);

  const cache: CacheSettings = {
    capacityBytes,
    maxObjectBytes,
    eviction: get<CacheSettings['eviction']>('eviction').value,
    collapsing: get<CacheSettings['collapsing']>('collapsing').value,
    lockTimeoutMs: dur('lockTimeout'),
    maxWaiters: get<number>('maxWaiters').value,
    staleWhileRevalidate: get<boolean>('staleWhileRevalidate').value,
    staleIfError: get<boolean>('staleIfError').value,
    graceMs: dur('grace'),
    defaultTtlMs: dur('defaultTtl'),
    minTtlMs,
    maxTtlMs,
    heuristicFraction: get<number>('heuristicFraction').value,
    storeSetCookie: get<boolean>('storeSetCookie').value,
    variantCap: get<number>('variantCap').value,
    targetedFields: [...get<string[]>('targetedFields').value],
    honourRequestCacheControl: get<boolean>('honourRequestCacheControl').value,
  };

  const keyLayers = [
    { obj: t.defaults?.all?.key as KeyFile | undefined },
    { obj: t.defaults?.[role]?.key as KeyFile | undefined },
    { obj: n.file?.key as KeyFile | undefined },
  ];
  const k = <T>(field: string, dflt: T): T => pick<T>(keyLayers, field)?.value ?? dflt;
  const keepOnly = pick<string[]>(keyLayers, 'keepOnlyQuery');
  const key: KeySettings = {
    dropQueryParams: [...k<string[]>('dropQuery', [])],
    ...(keepOnly ? { keepOnlyQueryParams: [...keepOnly.value] } : {}),
    sortQuery: k('sortQuery', false),
    ignoreQuery: k('ignoreQuery', false),
    lowercasePath: k('lowercasePath', false),
    normalizePath: k('normalizePath', true),
    includeHeaders: [...k<string[]>('includeHeaders', [])],
    includeCookies: [...k<string[]>('includeCookies', [])],
  };

  if (n.file?.site) report([...here, 'site'], 'only origins serve a site; remove site from this node');
  if (n.file?.upstream) report([...here, 'upstream'], 'only origins have an upstream; remove upstream from this node');
  if (n.file?.weight !== undefined && role !== 'edge') report([...here, 'weight'], 'weight steers DNS answers, so it applies to edges only');

  return {
    id: n.id,
    role,
    region: n.region,
    parents: [...n.parents],
    weight: n.file?.weight ?? t.defaults?.[role]?.weight ?? 1,
    cache,
    key,
    listen: { ...(n.file?.listen ?? {}) },
    generated: !n.file,
  };
}

function normaliseOrigin(n: RawNode, t: TopologyFile, report: Report): OriginNode {
  const f = n.file!;
  for (const field of ['cache', 'key', 'weight'] as const) {
    if (f[field] !== undefined) report([...n.path, field], `origins do not cache or take DNS traffic; remove ${field} from this node`);
  }
  // The node's own site/upstream wins as a pair: a node that names an upstream does not inherit a default site.
  const ownsOne = f.site !== undefined || f.upstream !== undefined;
  const src = ownsOne ? { site: f.site, upstream: f.upstream, path: n.path } : { ...t.defaults?.origin, path: ['defaults', 'origin'] as DocPath };
  const out: OriginNode = { id: n.id, role: 'origin', region: n.region, parents: [], listen: { ...(f.listen ?? {}) }, generated: false };
  if (src.site && src.upstream) report([...src.path, 'upstream'], 'give either site or upstream, not both');
  else if (src.site) out.site = normaliseSite(src.site, [...src.path, 'site'], report);
  else if (src.upstream) {
    try {
      new URL(src.upstream);
      out.upstream = src.upstream;
    } catch {
      report([...src.path, 'upstream'], `expected a URL such as http://127.0.0.1:3000, got "${src.upstream}"`);
    }
  } else report(n.path, 'an origin needs a site (a synthetic site) or an upstream (a real server), here or in defaults.origin');
  return out;
}

function normaliseSite(site: SiteFile, at: DocPath, report: Report): Site {
  const seen = new Map<string, number>();
  const paths = site.paths.map((p, i) => {
    const here = [...at, 'paths', i];
    const first = seen.get(p.match);
    if (first !== undefined) report([...here, 'match'], `"${p.match}" is also paths[${first}].match, which always wins; this rule never applies`);
    else seen.set(p.match, i);
    return {
      match: p.match,
      status: p.status ?? 200,
      sizeBytes: p.size === undefined ? 1024 : unit(parseSize, { value: p.size, path: [...here, 'size'] }, here, report),
      headers: { ...(p.headers ?? {}) },
      etag: p.etag ?? true,
      lastModified: p.lastModified ?? true,
      latencyMs: p.latency === undefined ? 0 : unit(parseDuration, { value: p.latency, path: [...here, 'latency'] }, here, report),
      vary: [...(p.vary ?? [])],
      setCookie: p.setCookie ?? false,
    };
  });
  const out: Site = { paths };
  if (site.versionEvery !== undefined) {
    const ms = unit(parseDuration, { value: site.versionEvery, path: [...at, 'versionEvery'] }, at, report);
    if (ms <= 0) report([...at, 'versionEvery'], 'expected a duration above 0 (leave it out for content that never changes)');
    out.versionEveryMs = ms;
  }
  return out;
}

function resolveLinks(t: TopologyFile, nodes: TopologyNode[], regionNames: string[], distances: Record<string, Record<string, number>>, report: Report): { links: Link[]; clientLinks: ClientLinks } {
  const ctx = { regions: new Set(regionNames), nodeIds: new Set(nodes.map((n) => n.id)) };
  const rules: Array<{ from: Selector; to: Selector; latencyMs: number; jitterMs: number; loss: number; oneWay: boolean }> = [];
  (t.links ?? []).forEach((l, i) => {
    const from = parseSelector(l.from, ctx);
    const to = parseSelector(l.to, ctx);
    if (typeof from === 'string') report(['links', i, 'from'], from);
    if (typeof to === 'string') report(['links', i, 'to'], to);
    if (typeof from === 'string' || typeof to === 'string') return;
    const d = (v: string | number | undefined, field: string) => (v === undefined ? 0 : unit(parseDuration, { value: v, path: ['links', i, field] }, ['links', i], report));
    rules.push({ from, to, latencyMs: d(l.latency, 'latency'), jitterMs: d(l.jitter, 'jitter'), loss: l.loss ?? 0, oneWay: l.oneWay ?? false });
  });

  // Which rule wins depends on an endpoint's id only when some rule names it;
  // otherwise on its role and region alone. So hops are resolved once per
  // kind of pair, and client hops are kept by kind (topology.ts ClientLinks).
  const named = new Set<string>();
  for (const r of rules) for (const sel of [r.from, r.to]) if (sel.id !== undefined) named.add(sel.id);
  const kindOf = (e: Endpoint): string => (e.id !== undefined && named.has(e.id) ? `#${e.id}` : `${e.role}@${e.region}`);
  const resolved = new Map<string, LinkValues>();
  const resolve = (a: Endpoint, b: Endpoint): LinkValues => {
    const k = `${kindOf(a)} ${kindOf(b)}`;
    let r = resolved.get(k);
    if (r === undefined) {
      // Frozen: client hops of one kind share it.
      r = Object.freeze(resolveByRules(a, b));
      resolved.set(k, r);
    }
    return r;
  };
  const resolveByRules = (a: Endpoint, b: Endpoint): LinkValues => {
    let best: (typeof rules)[number] | undefined;
    let bestScore = -1;
    for (const r of rules) {
      const forward = matches(r.from, a) && matches(r.to, b);
      const backward = !r.oneWay && matches(r.from, b) && matches(r.to, a);
      if (!forward && !backward) continue;
      const score = r.from.specificity + r.to.specificity;
      if (score >= bestScore) [best, bestScore] = [r, score];
    }
    if (best) return { latencyMs: best.latencyMs, jitterMs: best.jitterMs, loss: best.loss };
    // No rule: the distance between the regions (0 inside one region).
    return { latencyMs: distances[a.region]?.[b.region] ?? 0, jitterMs: 0, loss: 0 };
  };
  const links: Link[] = [];
  const ep = (n: TopologyNode): Endpoint => ({ id: n.id, role: n.role, region: n.region });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    for (const pid of n.parents) {
      const p = byId.get(pid);
      if (!p) continue;
      const [a, b] = [ep(n), ep(p)];
      links.push({ from: n.id, to: p.id, ...resolve(a, b) });
      links.push({ from: p.id, to: n.id, ...resolve(b, a) });
    }
  }
  // Every region's clients may be sent to every edge: one hop per client
  // region and edge region, and one per client region and named edge.
  const edgeRegions = new Set<string>();
  const namedEdges: TopologyNode[] = [];
  for (const n of nodes) {
    if (n.role !== 'edge') continue;
    if (named.has(n.id)) namedEdges.push(n);
    else edgeRegions.add(n.region);
  }
  const hopOf = (client: Endpoint, edge: Endpoint): ClientHop => ({ out: resolve(client, edge), back: resolve(edge, client) });
  const clientLinks: ClientLinks = { byRegion: {}, byEdge: {} };
  for (const region of regionNames) {
    const client: Endpoint = { role: 'client', region };
    const row: Record<string, ClientHop> = {};
    for (const r of edgeRegions) row[r] = hopOf(client, { role: 'edge', region: r });
    clientLinks.byRegion[region] = row;
    if (namedEdges.length === 0) continue;
    const own: Record<string, ClientHop> = {};
    for (const n of namedEdges) own[n.id] = hopOf(client, ep(n));
    clientLinks.byEdge[region] = own;
  }
  return { links, clientLinks };
}

function normaliseDns(t: TopologyFile, report: Report): Topology['dns'] {
  const d = t.dns ?? {};
  const h = d.health ?? {};
  const dur = (v: string | number, p: DocPath) => unit(parseDuration, { value: v, path: p }, p, report);
  const ttlMs = dur(d.ttl ?? DNS_DEFAULTS.ttl, ['dns', 'ttl']);
  if (ttlMs % 1000 !== 0) report(['dns', 'ttl'], `DNS TTLs are whole seconds, got ${ttlMs}ms`);
  const intervalMs = dur(h.interval ?? DNS_DEFAULTS.health.interval, ['dns', 'health', 'interval']);
  const timeoutMs = dur(h.timeout ?? DNS_DEFAULTS.health.timeout, ['dns', 'health', 'timeout']);
  if (intervalMs <= 0) report(['dns', 'health', 'interval'], 'expected a duration above 0');
  if (timeoutMs > intervalMs) report(['dns', 'health', 'timeout'], `timeout (${timeoutMs}ms) is longer than the interval (${intervalMs}ms), so checks would overlap`);
  const address = d.anycast?.address ?? DNS_DEFAULTS.anycast.address;
  if (isIP(address) === 0) report(['dns', 'anycast', 'address'], `expected an IP address, got "${address}"`);
  return {
    policy: d.policy ?? DNS_DEFAULTS.policy,
    ttlSeconds: Math.floor(ttlMs / 1000),
    answers: d.answers ?? DNS_DEFAULTS.answers,
    failMode: d.failMode ?? DNS_DEFAULTS.failMode,
    health: { intervalMs, timeoutMs, fall: h.fall ?? DNS_DEFAULTS.health.fall, rise: h.rise ?? DNS_DEFAULTS.health.rise },
    anycast: { enabled: d.anycast?.enabled ?? DNS_DEFAULTS.anycast.enabled, address },
  };
}

