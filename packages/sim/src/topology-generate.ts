/**
 * Topologies at internet scale, generated rather than written: N regions
 * (synthetic, or a list of PoPs with coordinates), E edges and R regionals
 * per region, a few shields and one origin. The generator writes a topology
 * *file* value and hands it to the scenario loader's `normaliseTopology`, so
 * a generated topology gets exactly the defaults, checks and resolved links
 * a hand-written one would: the simulator never sees a second format.
 *
 * Latency between regions: great-circle distance at two thirds of the speed
 * of light (light in fibre), about 200 km per ms one way. That is a lower
 * bound (real routes are longer; the loader's own default for files that give
 * only locations is 100 km/ms to allow for it): pass `kmPerMs` to change it.
 */
import { FileError, FileErrors, formatPath, normaliseTopology, parseYaml, type DocPath, type Topology, type TopologyFile } from '@cdnlab/scenario';

export interface Pop {
  name: string;
  lat: number;
  lon: number;
}

export interface GenerateTopologyOptions {
  name?: string;
  /** Number of synthetic regions (spread over the inhabited latitudes). Ignored when `pops` is given. */
  regions?: number;
  /** Regions at these places instead of synthetic ones. */
  pops?: readonly Pop[];
  edgesPerRegion: number;
  /** Default 1. */
  regionalsPerRegion?: number;
  /** Shields, placed in the first regions (round robin). Default 1. */
  shields?: number;
  /** Default 200 (two thirds of c, straight line). */
  kmPerMs?: number;
  /** One-way client → edge inside a region. Default 2. */
  lastMileMs?: number;
  /** One-way edge → regional inside a region. Default 1. */
  intraRegionMs?: number;
  /** One-way shield → origin. Default 1. */
  originMs?: number;
  /** Cache settings per role, as in a topology file (`{ capacity: '64MiB', eviction: 's3fifo' }`). */
  edge?: Record<string, unknown>;
  regional?: Record<string, unknown>;
  shield?: Record<string, unknown>;
  /** The origin's site, as in a topology file. Default: every path public, max-age=3600, 1 KiB. */
  site?: Record<string, unknown>;
  dns?: Record<string, unknown>;
  fanout?: 'direct' | 'tree';
}

/** Great-circle distance in km (haversine, mean Earth radius). */
export function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * n points on a golden-angle spiral between 50°S and 60°N: evenly spread,
 * deterministic, and where people (and PoPs) mostly are.
 */
export function syntheticPops(n: number): Pop[] {
  const width = String(n).length;
  const out: Pop[] = [];
  const golden = Math.PI * (3 - Math.sqrt(5));
  const zLow = Math.sin((-50 * Math.PI) / 180);
  const zHigh = Math.sin((60 * Math.PI) / 180);
  for (let i = 0; i < n; i++) {
    const z = zHigh - ((i + 0.5) / n) * (zHigh - zLow);
    const lat = (Math.asin(z) * 180) / Math.PI;
    let lon = (((i * golden * 180) / Math.PI) % 360) - 180;
    if (lon < -180) lon += 360;
    out.push({ name: `r${String(i + 1).padStart(width, '0')}`, lat: round(lat, 4), lon: round(lon, 4) });
  }
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function count(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TypeError(`expected opts.${name} to be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function nonNeg(name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new TypeError(`expected opts.${name} to be a non-negative number, got ${String(v)}`);
  return v;
}

/** Builds (and validates, through the loader) a topology of the given shape. */
export function generateTopology(opts: GenerateTopologyOptions): Topology {
  const file = generateTopologyFile(opts);
  const where = file.name;
  return normaliseTopology({ value: file, locate: (path) => ({ file: `<generated ${where}>`, line: 1, col: 1, path, quoted: false }) });
}

/**
 * Region i's client addresses: a /24 of loopback from 127.64.0.0 on, clear of
 * the addresses the launcher gives nodes (127.<prefix>.x.y with small
 * prefixes), so a small generated topology also runs on the embedded engine
 * and `cdnlab up` (their clients bind these addresses).
 */
function regionCidr(i: number): string {
  return `127.${64 + (i >> 8)}.${i & 255}.0/24`;
}

/**
 * The topology *file* value of the given shape (what `cdnlab topology
 * generate` writes as YAML): regions with their locations and the distance
 * table, one shield, the regionals and an origin listed, edges generated
 * per region by the file's own `edges: { perRegion }`.
 */
export function generateTopologyFile(opts: GenerateTopologyOptions): TopologyFile & { name: string } {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`expected opts to be an object, got ${String(opts)}`);
  const pops = opts.pops ? [...opts.pops] : syntheticPops(count('regions', opts.regions, 1));
  if (pops.length === 0) throw new TypeError('expected opts.pops to list at least one PoP');
  const seen = new Set<string>();
  pops.forEach((p, i) => {
    if (typeof p.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(p.name)) throw new TypeError(`expected opts.pops[${i}].name to be a lower-case name, got ${JSON.stringify(p.name)}`);
    if (!(p.lat >= -90 && p.lat <= 90)) throw new TypeError(`expected opts.pops[${i}].lat to be in [-90, 90], got ${p.lat}`);
    if (!(p.lon >= -180 && p.lon <= 180)) throw new TypeError(`expected opts.pops[${i}].lon to be in [-180, 180], got ${p.lon}`);
    if (seen.has(p.name)) throw new TypeError(`expected opts.pops[${i}].name to be unique, got ${JSON.stringify(p.name)} twice`);
    seen.add(p.name);
  });
  if (pops.length > 16384) throw new TypeError(`expected at most 16384 regions (one loopback /24 each), got ${pops.length}`);
  const edgesPerRegion = count('edgesPerRegion', opts.edgesPerRegion, 1);
  const regionals = count('regionalsPerRegion', opts.regionalsPerRegion ?? 1, 1);
  const shields = count('shields', opts.shields ?? 1, 1);
  const kmPerMs = opts.kmPerMs ?? 200;
  if (!(kmPerMs > 0)) throw new TypeError(`expected opts.kmPerMs to be a positive number, got ${String(opts.kmPerMs)}`);
  const lastMile = nonNeg('lastMileMs', opts.lastMileMs ?? 2);
  const intra = nonNeg('intraRegionMs', opts.intraRegionMs ?? 1);
  const originMs = nonNeg('originMs', opts.originMs ?? 1);

  const distances: Record<string, Record<string, number>> = {};
  for (let i = 0; i < pops.length; i++) {
    const row: Record<string, number> = {};
    for (let j = i + 1; j < pops.length; j++) row[pops[j].name] = round(greatCircleKm(pops[i], pops[j]) / kmPerMs, 2);
    distances[pops[i].name] = row;
  }

  const nodes: TopologyFile['nodes'] = [];
  const shieldIds: string[] = [];
  for (let s = 0; s < shields; s++) {
    const id = shields === 1 ? 'shield' : `shield-${s + 1}`;
    shieldIds.push(id);
    nodes.push({ id, role: 'shield', region: pops[s % pops.length].name, parents: ['origin'] });
  }
  for (const p of pops) {
    for (let r = 1; r <= regionals; r++) {
      nodes.push({ id: regionals === 1 ? `regional-${p.name}` : `regional-${p.name}-${r}`, role: 'regional', region: p.name, parents: [...shieldIds] });
    }
  }
  const site = opts.site ?? { paths: [{ match: '/**', size: 1024, headers: { 'Cache-Control': 'public, max-age=3600' } }] };
  nodes.push({ id: 'origin', role: 'origin', region: pops[0].name, site } as TopologyFile['nodes'][number]);

  const links: NonNullable<TopologyFile['links']> = [
    { from: 'edge', to: 'regional', latency: intra },
    { from: 'shield', to: 'origin', latency: originMs },
    ...pops.map((p) => ({ from: `client@${p.name}`, to: `edge@${p.name}`, latency: lastMile })),
  ];

  const file = {
    name: opts.name ?? `generated-${pops.length}x${edgesPerRegion}`,
    description: `${pops.length} regions × ${edgesPerRegion} edges, ${regionals} regional(s) per region, ${shields} shield(s), generated`,
    regions: pops.map((p, i) => ({ name: p.name, cidrs: [regionCidr(i)], location: { lat: p.lat, lon: p.lon } })),
    distances,
    defaults: {
      ...(opts.edge ? { edge: { cache: opts.edge } } : {}),
      ...(opts.regional ? { regional: { cache: opts.regional } } : {}),
      ...(opts.shield ? { shield: { cache: opts.shield } } : {}),
    },
    nodes,
    edges: { perRegion: edgesPerRegion },
    links,
    ...(opts.dns ? { dns: opts.dns } : {}),
    control: { fanout: opts.fanout ?? 'direct', redeliver: true },
  };
  return file as TopologyFile & { name: string };
}

/**
 * A list of PoPs from YAML (or JSON) text: a sequence of `{ name, lat, lon }`
 * maps, e.g. `- { name: fra, lat: 50.03, lon: 8.57 }`. Every problem is
 * reported at once, each with its file, line, column and field.
 */
export function parsePops(text: string, file: string): Pop[] {
  const { value, locate } = parseYaml(text, file);
  const errors: FileError[] = [];
  const report = (path: DocPath, detail: string, at: 'key' | 'value' = 'value'): void => {
    const p = locate(path, at);
    errors.push(new FileError(p.file, p.line, p.quoted ? p.col + 1 : p.col, formatPath(path), detail));
  };
  if (!Array.isArray(value) || value.length === 0) {
    report([], 'expected a non-empty list of PoPs such as "- { name: fra, lat: 50.03, lon: 8.57 }"');
    throw new FileErrors(errors);
  }
  const pops: Pop[] = [];
  const seen = new Map<string, number>();
  value.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      report([i], 'expected a map with name, lat and lon');
      return;
    }
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (k !== 'name' && k !== 'lat' && k !== 'lon') report([i, k], `unknown field "${k}"; a PoP has name, lat and lon`, 'key');
    const { name, lat, lon } = r;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) report([i, 'name'], `expected a lower-case name (letters, digits, "-"), got ${JSON.stringify(name ?? null)}`);
    else if (seen.has(name)) report([i, 'name'], `duplicate PoP name "${name}" (also at [${seen.get(name)}])`);
    else seen.set(name, i);
    if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90)) report([i, 'lat'], `expected a latitude in degrees, -90 to 90, got ${JSON.stringify(lat ?? null)}`);
    if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180)) report([i, 'lon'], `expected a longitude in degrees, -180 to 180, got ${JSON.stringify(lon ?? null)}`);
    pops.push({ name: name as string, lat: lat as number, lon: lon as number });
  });
  if (errors.length) throw new FileErrors(errors.sort((a, b) => a.line - b.line || a.col - b.col));
  return pops;
}
