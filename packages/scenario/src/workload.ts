/**
 * The workload generator, shared by every engine: the testbed's clients and
 * the simulator send exactly the same requests at the same offsets for the
 * same seed, which is what makes their results comparable line by line.
 *
 * It turns a {@link Workload} into a stream of {@link PlannedRequest}s in time
 * order. It is pure (a seeded generator, no clock, no I/O) except that a
 * `trace` popularity reads its file through trace.ts, lazily, as requests are
 * pulled. The stream is always bounded: by `workload.requests`, by
 * `workload.durationMs`, by the end of a trace, and by `opts.maxRequests`.
 *
 * Randomness comes in separate seeded streams (arrivals of each client group,
 * object choice, method choice, and who sends each request of a trace
 * replayed at its own times), so switching, say, the method mix does not
 * move a single arrival time.
 *
 * A trace's requests come at the trace's own times by default (TraceClock
 * below); with `timing: clients`, at the client groups' arrivals.
 */
import { createRng, createZipf, pathGlob, pathOfTarget, type HeaderList, type Rng, type ZipfSampler } from '@cdnlab/core';
import { pacedByTrace, WORKLOAD_LIMITS, type ClientGroup, type HeaderValueSpec, type ObjectSizes, type Workload } from './scenario';
import { FIELD_VALUE_PATTERN, HEADER_NAME_PATTERN } from './schema-common';
import { readTrace, TraceError, type TraceFormat, type TraceRecord } from './trace';

/** How a request is sent; `conditional` is a GET carrying the validator the client saw last. */
export type PlannedRequestKind = 'GET' | 'HEAD' | 'conditional' | 'POST';

export interface PlannedRequest {
  /** Offset from the start of the run, ms. */
  atMs: number;
  region: string;
  /** Index of the client group in `workload.clients`. */
  group: number;
  /** Which client of the group sends it (0 … count-1). */
  clientIndex: number;
  method: 'GET' | 'HEAD' | 'POST';
  /**
   * `conditional`: send If-None-Match / If-Modified-Since from the last answer
   * this client (or the engine, for the whole region) saw for `target`;
   * a plain GET when none was seen yet. The generator cannot know validators.
   */
  kind: PlannedRequestKind;
  /** Path and query. */
  target: string;
  /** `workload.headers` and the group's, lower-cased, with this client's values. Shared by the client's requests: do not modify. */
  headers: HeaderList;
  /**
   * 0-based object number (zipf rank - 1, uniform index, hot key index,
   * trace record's numeric key or -1). Within one plan, requests with the
   * same objectId (>= 0) have the same target: engines may memoise what
   * they derive from the target by objectId.
   */
  objectId: number;
  /** The object's size when the workload (sizes, or a trace) gives one; else the origin's rules decide. */
  sizeBytes: number | undefined;
}

export interface PlanOptions {
  /** Overrides `workload.seed`. */
  seed?: number;
  /** Hard cap on planned requests, on top of the workload's own bounds. */
  maxRequests?: number;
  /** Reads a trace file (default: trace.ts's readers). Tests and engines may inject one. */
  readTrace?: (file: string, format: TraceFormat) => Iterable<TraceRecord>;
}

const PATH_TEMPLATE = '/objects/{n}';

function fail(field: string, expected: string, got: unknown): never {
  throw new TypeError(`expected workload.${field} to be ${expected}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
}

function positive(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, 'a positive number', v);
  return v;
}

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(field, 'a positive integer', v);
  return v;
}

function nonNegative(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, 'a non-negative number', v);
  return v;
}

/** Checks what the schema cannot (or what a hand-built Workload may get wrong). */
export function validateWorkload(w: Workload): void {
  if (w === null || typeof w !== 'object') throw new TypeError(`expected workload to be an object, got ${String(w)}`);
  if (w.durationMs === undefined && w.requests === undefined) throw new TypeError('expected workload.durationMs or workload.requests to be set: a workload must end');
  if (w.durationMs !== undefined) positive('durationMs', w.durationMs);
  if (w.requests !== undefined) positiveInt('requests', w.requests);
  if (!Number.isInteger(w.seed)) fail('seed', 'an integer', w.seed);
  if (!Array.isArray(w.clients) || w.clients.length === 0) fail('clients', 'a non-empty list', w.clients);
  w.clients.forEach((c, i) => {
    const at = `clients[${i}]`;
    if (typeof c.region !== 'string' || c.region === '') fail(`${at}.region`, 'a region name', c.region);
    positiveInt(`${at}.count`, c.count);
    if (c.count > WORKLOAD_LIMITS.clientsPerGroup) fail(`${at}.count`, `at most ${WORKLOAD_LIMITS.clientsPerGroup.toLocaleString('en-US')} clients per group`, c.count);
    positive(`${at}.rate`, c.rate);
    nonNegative(`${at}.startMs`, c.startMs);
    if (c.stopMs !== undefined && !(c.stopMs >= c.startMs)) fail(`${at}.stopMs`, `a time at or after startMs (${c.startMs})`, c.stopMs);
    if (c.arrival === 'burst') {
      if (!c.burst) fail(`${at}.burst`, 'set for arrival: burst', c.burst);
      positiveInt(`${at}.burst.size`, c.burst.size);
      positive(`${at}.burst.everyMs`, c.burst.everyMs);
    } else if (c.arrival !== 'constant' && c.arrival !== 'poisson') fail(`${at}.arrival`, 'constant, poisson or burst', c.arrival);
    if (c.headers !== undefined) headerSpecs(`${at}.headers`, c.headers);
  });
  if (w.headers !== undefined) headerSpecs('headers', w.headers);
  const o = w.objects;
  switch (o?.popularity) {
    case 'zipf':
      nonNegative('objects.alpha', o.alpha);
      positiveInt('objects.count', o.count);
      if (o.count > WORKLOAD_LIMITS.zipfObjects) fail('objects.count', 'below 2^31', o.count);
      template(o.path);
      break;
    case 'uniform':
      positiveInt('objects.count', o.count);
      if (o.count > WORKLOAD_LIMITS.uniformObjects) fail('objects.count', 'at most 2^32', o.count);
      template(o.path);
      break;
    case 'hot':
      if (!Array.isArray(o.keys) || o.keys.length === 0) fail('objects.keys', 'a non-empty list of paths', o.keys);
      o.keys.forEach((k, i) => {
        if (typeof k !== 'string' || !k.startsWith('/')) fail(`objects.keys[${i}]`, 'a path starting with "/"', k);
      });
      break;
    case 'trace':
      if (typeof o.file !== 'string' || o.file === '') fail('objects.file', 'a file name', o.file);
      if (o.format !== 'csv' && o.format !== 'oracleGeneral') fail('objects.format', 'csv or oracleGeneral', o.format);
      if (o.timing !== undefined && o.timing !== 'trace' && o.timing !== 'clients') fail('objects.timing', 'trace or clients', o.timing);
      if (o.speedup !== undefined) {
        positive('objects.speedup', o.speedup);
        if (o.timing === 'clients') fail('objects.speedup', 'unset with timing: clients (the client groups set the pace)', o.speedup);
      }
      if (pacedByTrace(o)) {
        w.clients.forEach((c, i) => {
          if (c.paths !== undefined) {
            if (!Array.isArray(c.paths) || c.paths.length === 0) fail(`clients[${i}].paths`, 'a non-empty list of path globs', c.paths);
            c.paths.forEach((g, j) => {
              if (typeof g !== 'string' || !g.startsWith('/')) fail(`clients[${i}].paths[${j}]`, 'a path glob starting with "/"', g);
            });
          }
          if (c.startMs !== 0) fail(`clients[${i}].startMs`, "0 when the trace's own times say when requests come (objects.timing: trace)", c.startMs);
          if (c.stopMs !== undefined) fail(`clients[${i}].stopMs`, "unset when the trace's own times say when requests come (objects.timing: trace)", c.stopMs);
        });
      }
      break;
    default:
      fail('objects.popularity', 'zipf, uniform, hot or trace', (o as { popularity?: unknown } | undefined)?.popularity);
  }
  if (!pacedByTrace(o)) {
    w.clients.forEach((c, i) => {
      if (c.paths !== undefined) fail(`clients[${i}].paths`, 'unset unless a trace is replayed at its own times (objects: {popularity: trace})', c.paths);
    });
  }
  const s = w.sizes;
  if (s !== undefined) {
    switch (s.distribution) {
      case 'fixed':
        positiveInt('sizes.sizeBytes', s.sizeBytes);
        break;
      case 'uniform':
        positiveInt('sizes.minBytes', s.minBytes);
        positiveInt('sizes.maxBytes', s.maxBytes);
        if (s.maxBytes < s.minBytes) fail('sizes.maxBytes', `at least minBytes (${s.minBytes})`, s.maxBytes);
        break;
      case 'pareto':
        positiveInt('sizes.minBytes', s.minBytes);
        positive('sizes.alpha', s.alpha);
        break;
      default:
        fail('sizes.distribution', 'fixed, uniform or pareto', (s as { distribution?: unknown }).distribution);
    }
  }
  const m = w.methods;
  if (m === null || typeof m !== 'object') fail('methods', 'an object', m);
  let sum = 0;
  for (const k of ['GET', 'HEAD', 'conditional', 'POST'] as const) sum += nonNegative(`methods.${k}`, m[k] ?? 0);
  if (!(sum > 0)) fail('methods', 'weights with a positive sum', sum);
}

const FIELD_NAME_RE = new RegExp(HEADER_NAME_PATTERN);
const FIELD_VALUE_RE = new RegExp(FIELD_VALUE_PATTERN);

function fieldValue(field: string, v: unknown): void {
  if (typeof v !== 'string' || !FIELD_VALUE_RE.test(v)) fail(field, 'a header value without control characters (no CR, LF or NUL)', v);
}

function headerSpecs(at: string, h: Record<string, HeaderValueSpec>): void {
  if (h === null || typeof h !== 'object') fail(at, 'an object of header names to values', h);
  for (const [name, spec] of Object.entries(h)) {
    const field = `${at}.${name}`;
    if (!FIELD_NAME_RE.test(name)) fail(at, 'header names that are HTTP tokens', name);
    if (typeof spec === 'string') fieldValue(field, spec);
    else if (spec !== null && typeof spec === 'object' && 'oneOf' in spec) {
      if (!Array.isArray(spec.oneOf) || spec.oneOf.length === 0) fail(`${field}.oneOf`, 'a non-empty list of values', spec.oneOf);
      spec.oneOf.forEach((v, i) => fieldValue(`${field}.oneOf[${i}]`, v));
    } else if (spec !== null && typeof spec === 'object' && 'template' in spec) {
      fieldValue(`${field}.template`, spec.template);
      if (!spec.template.includes('{n}')) fail(`${field}.template`, 'a value containing {n}', spec.template);
      positiveInt(`${field}.count`, spec.count);
    } else fail(field, 'a string, { oneOf: [...] } or { template, count }', spec);
  }
}

/**
 * Each request's header list, made once per client (or once per group when
 * no value varies) and shared by that client's requests. A varying value is
 * chosen per client from a hash of the seed, the group, the header name and
 * the client, so it does not depend on the order of requests or of headers.
 */
class ClientHeaders {
  private readonly fixed: (HeaderList | undefined)[];
  private readonly perClient: (HeaderList | undefined)[][];

  constructor(
    private readonly workload: Workload,
    private readonly seed: number,
  ) {
    this.fixed = workload.clients.map((c) => (varies(workload.headers) || varies(c.headers) ? undefined : this.build(c, -1, -1)));
    this.perClient = workload.clients.map(() => []);
  }

  of(group: number, client: number): HeaderList {
    const f = this.fixed[group];
    if (f !== undefined) return f;
    const lists = this.perClient[group];
    return (lists[client] ??= this.build(this.workload.clients[group], group, client));
  }

  private build(c: ClientGroup, group: number, client: number): HeaderList {
    const merged = new Map<string, HeaderValueSpec>();
    for (const h of [this.workload.headers ?? {}, c.headers ?? {}]) for (const [name, spec] of Object.entries(h)) merged.set(name.toLowerCase(), spec);
    const out: HeaderList = [];
    for (const [name, spec] of merged) {
      if (typeof spec === 'string') {
        out.push([name, spec]);
        continue;
      }
      const k = 'oneOf' in spec ? spec.oneOf.length : spec.count;
      const i = Math.floor(objectUniform(streamSeed(streamSeed(this.seed, 3000 + group), stringId(name)), client) * k);
      out.push([name, 'oneOf' in spec ? spec.oneOf[i] : spec.template.split('{n}').join(String(i + 1))]);
    }
    return out;
  }
}

function varies(h: Record<string, HeaderValueSpec> | undefined): boolean {
  return h !== undefined && Object.values(h).some((spec) => typeof spec !== 'string');
}

function template(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || !path.includes('{n}')) fail('objects.path', 'a path template starting with "/" and containing {n}', path);
}

/** A seed for stream `n`, spread so that neighbouring seeds and streams are unrelated. */
function streamSeed(seed: number, n: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b)) >>> 0;
}

/** A float in [0, 1) from an object id: sizes are a property of the object, not of the request. */
function objectUniform(seed: number, id: number): number {
  let h = Math.imul((id | 0) ^ seed, 0x9e3779b1) ^ Math.imul(Math.floor(id / 4294967296), 0x7feb352d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A stable number for a string key (FNV-1a), so a trace's named objects keep one size each. */
function stringId(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Largest object a pareto tail may produce: 1 GiB (beyond that the tail is a typo, not a workload). */
const MAX_PARETO_BYTES = 1 << 30;

/** The size of object `id` under `sizes` (deterministic per seed and object). */
export function objectSize(sizes: ObjectSizes, seed: number, id: number): number {
  switch (sizes.distribution) {
    case 'fixed':
      return sizes.sizeBytes;
    case 'uniform':
      return sizes.minBytes + Math.floor(objectUniform(seed, id) * (sizes.maxBytes - sizes.minBytes + 1));
    case 'pareto': {
      const u = objectUniform(seed, id);
      return Math.min(MAX_PARETO_BYTES, Math.floor(sizes.minBytes / Math.pow(1 - u, 1 / sizes.alpha)));
    }
  }
}

/** One client group's arrival clock. */
class Arrivals {
  nextAt: number;
  private k = 0;
  private inBurst = 0;
  private readonly stopAt: number;

  constructor(
    readonly group: ClientGroup,
    readonly index: number,
    private readonly rng: Rng,
    horizonMs: number,
  ) {
    this.stopAt = Math.min(group.stopMs ?? Infinity, horizonMs);
    this.nextAt = group.startMs;
    if (group.arrival === 'poisson') this.nextAt += this.gap();
  }

  get done(): boolean {
    return !(this.nextAt < this.stopAt);
  }

  private gap(): number {
    // Exponential gaps: 1 - u is in (0, 1], so the log is finite.
    return (-Math.log(1 - this.rng.nextFloat()) * 1000) / this.group.rate;
  }

  /** The client of the request at nextAt, then advance. */
  take(): number {
    const g = this.group;
    let client: number;
    switch (g.arrival) {
      case 'constant':
        client = this.k % g.count;
        this.k++;
        // From the start each time, so 10 million steps add no rounding drift.
        this.nextAt = g.startMs + (this.k * 1000) / g.rate;
        break;
      case 'poisson':
        client = this.k % g.count;
        this.k++;
        this.nextAt += this.gap();
        break;
      default: {
        const burst = g.burst!;
        client = this.inBurst % g.count;
        if (++this.inBurst === burst.size) {
          this.inBurst = 0;
          this.k++;
          this.nextAt = g.startMs + this.k * burst.everyMs;
        }
      }
    }
    return client;
  }
}

/**
 * The planned requests of `workload`, in time order (ties: lower group
 * first, then the order a group produced them).
 *
 * @throws TypeError naming the workload field that is wrong.
 */
export function* planWorkload(workload: Workload, opts: PlanOptions = {}): Generator<PlannedRequest> {
  validateWorkload(workload);
  const seed = opts.seed ?? workload.seed;
  const max = Math.min(opts.maxRequests ?? Infinity, workload.requests ?? Infinity);
  if (!(max >= 0)) throw new TypeError(`expected opts.maxRequests to be a non-negative integer, got ${String(opts.maxRequests)}`);
  const horizon = workload.durationMs ?? Infinity;

  const groups = workload.clients.map((g, i) => new Arrivals(g, i, createRng(streamSeed(seed, 1000 + i)), horizon));
  const pick = createRng(streamSeed(seed, 1));
  const methodRng = createRng(streamSeed(seed, 2));
  const headers = new ClientHeaders(workload, seed);

  // Method mix as cumulative fractions.
  const m = workload.methods;
  const weights = [m.GET ?? 0, m.HEAD ?? 0, m.conditional ?? 0, m.POST ?? 0];
  const total = weights[0] + weights[1] + weights[2] + weights[3];
  const cGet = weights[0] / total;
  const cHead = cGet + weights[1] / total;
  const cCond = cHead + weights[2] / total;
  const onlyGet = weights[0] === total;

  // The object chooser: returns false when the source ran dry (end of a trace).
  const o = workload.objects;
  // Set when the trace's own times say when requests come.
  let traceClock: TraceClock | undefined;
  let objectId = 0;
  let target = '';
  let traceSize: number | undefined;
  let choose: () => boolean;
  switch (o.popularity) {
    case 'zipf':
    case 'uniform': {
      const parts = o.path.split('{n}');
      const zipf: ZipfSampler | undefined = o.popularity === 'zipf' ? createZipf({ alpha: o.alpha, n: o.count, rng: pick }) : undefined;
      const count = o.count;
      const simple = parts.length === 2;
      choose = () => {
        objectId = zipf ? zipf.next() : pick.nextInt(count);
        const n = String(objectId + 1);
        target = simple ? parts[0] + n + parts[1] : parts.join(n);
        return true;
      };
      break;
    }
    case 'hot': {
      const keys = o.keys;
      choose = () => {
        objectId = keys.length === 1 ? 0 : pick.nextInt(keys.length);
        target = keys[objectId];
        return true;
      };
      break;
    }
    case 'trace': {
      const reader = (opts.readTrace ?? readTrace)(o.file, o.format)[Symbol.iterator]();
      const take = (rec: TraceRecord): boolean => {
        const key = rec.key;
        objectId = typeof key === 'number' ? key : -1;
        target = typeof key === 'string' && key.startsWith('/') ? key : PATH_TEMPLATE.replace('{n}', encodeURIComponent(String(key)));
        traceSize = rec.sizeBytes;
        return true;
      };
      if (pacedByTrace(o)) {
        const clock = new TraceClock(reader, o.file, o.format, o.format === 'oracleGeneral' ? ORACLE_GENERAL_TICK_MS : 0, o.speedup ?? 1);
        traceClock = clock;
        choose = () => clock.next() && take(clock.rec);
      } else {
        choose = () => {
          const r = reader.next();
          return !r.done && take(r.value);
        };
      }
      break;
    }
  }
  const sizes = workload.sizes;

  // A small heap of groups by (nextAt, index).
  const heap = groups.filter((g) => !g.done);
  const before = (a: Arrivals, b: Arrivals): boolean => a.nextAt < b.nextAt || (a.nextAt === b.nextAt && a.index < b.index);
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(heap[l], heap[best])) best = l;
      if (r < heap.length && before(heap[r], heap[best])) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best], heap[i]];
      i = best;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);

  // The request for the object just chosen.
  const request = (atMs: number, group: number, clientIndex: number): PlannedRequest => {
    let kind: PlannedRequestKind = 'GET';
    if (!onlyGet) {
      const u = methodRng.nextFloat();
      kind = u < cGet ? 'GET' : u < cHead ? 'HEAD' : u < cCond ? 'conditional' : 'POST';
    }
    return {
      atMs,
      region: workload.clients[group].region,
      group,
      clientIndex,
      method: kind === 'conditional' ? 'GET' : kind,
      kind,
      target,
      headers: headers.of(group, clientIndex),
      objectId,
      sizeBytes: sizes ? objectSize(sizes, seed, objectId < 0 ? stringId(target) : objectId) : traceSize,
    };
  };

  let planned = 0;
  if (traceClock) {
    // The trace says when; a group is chosen by rate among those whose paths
    // match the request (else among those without paths), then one of its clients.
    const clock = traceClock;
    const who = createRng(streamSeed(seed, 4));
    const groups = workload.clients;
    const globs = groups.map((g) => (g.paths ? g.paths.map(pathGlob) : undefined));
    const anyPaths = globs.some((g) => g !== undefined);
    // The groups without paths, and their rates' sum: the same for every request.
    const rest = groups.flatMap((_, i) => (globs[i] === undefined ? [i] : []));
    const restSum = rest.reduce((s, i) => s + groups[i].rate, 0);
    const matching: number[] = [];
    while (planned < max) {
      if (!choose() || !(clock.atMs < horizon)) return;
      let candidates = rest;
      let sum = restSum;
      if (anyPaths) {
        matching.length = 0;
        let matchingSum = 0;
        const path = pathOfTarget(target);
        for (let i = 0; i < groups.length; i++) {
          if (globs[i]?.some((re) => re.test(path))) {
            matching.push(i);
            matchingSum += groups[i].rate;
          }
        }
        if (matching.length > 0) {
          candidates = matching;
          sum = matchingSum;
        }
      }
      if (candidates.length === 0) {
        throw new TraceError(o.popularity === 'trace' ? o.file : '', clock.rec.record ?? 0, `${target} matches no client group's paths, and every group has paths: add a group without paths to send the rest`, o.popularity === 'trace' ? o.format : undefined);
      }
      let group = candidates[0];
      if (candidates.length > 1) {
        let u = who.nextFloat() * sum;
        for (const i of candidates) {
          group = i;
          if ((u -= groups[i].rate) < 0) break;
        }
      }
      const clientIndex = who.nextInt(groups[group].count);
      planned++;
      yield request(clock.atMs, group, clientIndex);
    }
    return;
  }
  while (planned < max && heap.length > 0) {
    const g = heap[0];
    const atMs = g.nextAt;
    const clientIndex = g.take();
    if (g.done) {
      heap[0] = heap[heap.length - 1];
      heap.pop();
    }
    if (heap.length > 0) siftDown(0);
    if (!choose()) return;
    planned++;
    yield request(atMs, g.index, clientIndex);
  }
}

/** oracleGeneral stamps whole seconds. */
const ORACLE_GENERAL_TICK_MS = 1000;
/** Records of one timestamp held at once to spread them over its tick. */
const MAX_RECORDS_PER_TICK = 1_000_000;

/**
 * A trace's records with the run time each is sent at: its time since the
 * trace's first record, divided by `speedup`. Records of a trace stamped in
 * whole ticks (oracleGeneral: seconds) are spread evenly over their tick in
 * file order, rather than all sent at its first instant as a burst the trace
 * never had. A record earlier than the one before it is an error: the plan is
 * in time order, and reordering a trace silently would change what it says.
 */
class TraceClock {
  rec!: TraceRecord;
  atMs = 0;
  private readonly tick: TraceRecord[] = [];
  private i = 0;
  private pending: TraceRecord | undefined;
  private t0 = NaN;
  private prev = -Infinity;

  constructor(
    private readonly records: Iterator<TraceRecord>,
    private readonly file: string,
    private readonly format: TraceFormat,
    private readonly tickMs: number,
    private readonly speedup: number,
  ) {}

  private pull(): TraceRecord | undefined {
    const r = this.records.next();
    if (r.done) return undefined;
    const rec = r.value;
    if (rec.timeMs < this.prev) {
      throw new TraceError(
        this.file,
        rec.record ?? 0,
        `time ${rec.timeMs} ms comes before the previous record's ${this.prev} ms: replaying a trace's times needs its records in time order (sort the trace, or set objects.timing: clients to take arrival times from the client groups)`,
        this.format,
      );
    }
    this.prev = rec.timeMs;
    if (Number.isNaN(this.t0)) this.t0 = rec.timeMs;
    return rec;
  }

  /** Moves to the next record; false at the end of the trace. */
  next(): boolean {
    if (this.tickMs === 0) {
      const rec = this.pull();
      if (rec === undefined) return false;
      this.rec = rec;
      this.atMs = (rec.timeMs - this.t0) / this.speedup;
      return true;
    }
    const tick = this.tick;
    if (this.i >= tick.length) {
      tick.length = 0;
      this.i = 0;
      const first = this.pending ?? this.pull();
      this.pending = undefined;
      if (first === undefined) return false;
      tick.push(first);
      for (;;) {
        const r = this.pull();
        if (r === undefined) break;
        if (r.timeMs !== first.timeMs) {
          this.pending = r;
          break;
        }
        if (tick.length >= MAX_RECORDS_PER_TICK) {
          throw new TraceError(this.file, r.record ?? 0, `more than ${MAX_RECORDS_PER_TICK.toLocaleString('en-US')} records stamped ${first.timeMs} ms: too many to spread over one tick; set objects.timing: clients to take arrival times from the client groups`, this.format);
        }
        tick.push(r);
      }
    }
    const rec = tick[this.i];
    this.atMs = (rec.timeMs - this.t0 + (this.i * this.tickMs) / tick.length) / this.speedup;
    this.i++;
    this.rec = rec;
    return true;
  }
}
