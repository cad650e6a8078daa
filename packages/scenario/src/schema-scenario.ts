/**
 * The scenario file (`scenarios/*.yaml`): a topology, variants to compare,
 * a workload, a timeline of events, and expectations that turn a run into a
 * test. One definition, two uses, as for the topology (see schema-topology.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { deepPartial, Discriminated, Duration, FIELD_TEMPLATE_PATTERN, FIELD_VALUE_PATTERN, HEADER_NAME_PATTERN, ID_PATTERN, NAME_PATTERN, Size, StringEnum, toJsonSchema } from './schema-common';
import { DNS_POLICIES, FANOUTS, TopologySchema, type TopologyFile } from './schema-topology';
import { SCENARIO_ENGINE_NAMES, WORKLOAD_LIMITS } from './scenario';

export const ARRIVALS = ['constant', 'poisson', 'burst'] as const;
export const TRACE_FORMATS = ['csv', 'oracleGeneral'] as const;
export const FAULTS = ['error', 'slow', 'down', 'reset', 'ok'] as const;
export const NODE_ACTIONS = ['kill', 'stop', 'start', 'pause', 'unpause', 'disconnect', 'reconnect'] as const;
export const METHOD_KINDS = ['GET', 'HEAD', 'conditional', 'POST'] as const;

export const WORKLOAD_DEFAULTS = {
  seed: 1,
  count: 1,
  arrival: 'poisson',
  methods: { GET: 1 },
  zipfAlpha: 0.8,
  pathTemplate: '/objects/{n}',
} as const;

const Glob = (description: string) => Type.String({ pattern: '^/', description });
const NodeId = (description: string) => Type.String({ pattern: ID_PATTERN, description });

export const HeaderValueSchema = Type.Union(
  [
    Type.String({ pattern: FIELD_VALUE_PATTERN, description: 'The same value on every request.' }),
    Type.Object(
      { oneOf: Type.Array(Type.String({ pattern: FIELD_VALUE_PATTERN }), { minItems: 1, description: 'Each client sends one of these, the same one all run.' }) },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        template: Type.String({ pattern: FIELD_TEMPLATE_PATTERN, description: 'A value with {n} in it.' }),
        count: Type.Integer({ minimum: 1, description: 'Each client sends the template with {n} one of 1 … count, the same one all run (a browser keeps its User-Agent).' }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'A value, or a choice made once per client: { oneOf: [...] } or { template: "…{n}…", count: N }.' },
);

const HeadersSchema = (what: string) => Type.Record(Type.String({ pattern: HEADER_NAME_PATTERN }), HeaderValueSchema, { description: what, additionalProperties: false });

export const WatchSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: 'Label of the `requests.watched` metric.' }),
    header: Type.String({ pattern: HEADER_NAME_PATTERN, description: 'Response header to read (any line of it).' }),
    contains: Type.String({ minLength: 1, description: 'Counted when a line of `header` contains this text.' }),
  },
  { additionalProperties: false, description: 'Count answers by what a header says, per client group: a poisoned page, a leaked cookie.' },
);

export const ClientSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'Unique group name, a metric label (default: the region, or region-N when a region has several groups).' })),
    headers: Type.Optional(HeadersSchema('Request headers of this group, on top of workload.headers.')),
    region: Type.String({ description: 'Clients send from this region\'s addresses, so geo DNS places them there.' }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: WORKLOAD_LIMITS.clientsPerGroup, description: 'Concurrent clients (connections) in this group.', default: WORKLOAD_DEFAULTS.count })),
    rate: Type.Number({ exclusiveMinimum: 0, description: 'Requests per second, for the whole group.' }),
    arrival: Type.Optional(
      StringEnum(ARRIVALS, { description: 'constant: evenly spaced; poisson: random, exponential gaps; burst: `burst.size` requests at once every `burst.every`.', default: WORKLOAD_DEFAULTS.arrival }),
    ),
    burst: Type.Optional(
      Type.Object(
        { size: Type.Integer({ minimum: 1 }), every: Duration({ description: 'Time between bursts' }) },
        { additionalProperties: false, description: 'For arrival: burst.' },
      ),
    ),
    start: Type.Optional(Duration({ description: 'When this group starts, from the start of the run', default: '0s' })),
    stop: Type.Optional(Duration({ description: 'When it stops (default: end of run)' })),
    paths: Type.Optional(
      Type.Array(Glob('A path glob: * within a segment, ** across segments.'), {
        minItems: 1,
        description:
          "With a trace replayed at its own times only: this group sends the trace's requests whose path matches one of these globs (chosen by rate among the groups that match); the groups without paths send the rest.",
      }),
    ),
  },
  { additionalProperties: false },
);

const PathTemplate = Type.Optional(Type.String({ pattern: '^/.*\\{n\\}', description: 'URL path of object n (1-based).', default: WORKLOAD_DEFAULTS.pathTemplate }));

export const ObjectsSchema = Discriminated(
  'popularity',
  [
    Type.Object(
      {
        popularity: Type.Literal('zipf'),
        alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Skew: larger = a few objects get most requests.', default: WORKLOAD_DEFAULTS.zipfAlpha })),
        count: Type.Integer({ minimum: 1, maximum: WORKLOAD_LIMITS.zipfObjects, description: 'Distinct objects.' }),
        path: PathTemplate,
      },
      { additionalProperties: false, description: 'Object n is requested with probability ∝ 1/n^alpha, like real web traffic.' },
    ),
    Type.Object(
      { popularity: Type.Literal('uniform'), count: Type.Integer({ minimum: 1, maximum: WORKLOAD_LIMITS.uniformObjects, description: 'Distinct objects.' }), path: PathTemplate },
      { additionalProperties: false, description: 'Every object equally likely: the worst case for a cache.' },
    ),
    Type.Object(
      { popularity: Type.Literal('hot'), keys: Type.Array(Glob('A path'), { minItems: 1, description: 'Every request picks one of these paths.' }) },
      { additionalProperties: false, description: 'A handful of hot paths: herds and purges.' },
    ),
    Type.Object(
      {
        popularity: Type.Literal('trace'),
        file: Type.String({ minLength: 1, description: 'Relative to the scenario file.' }),
        format: Type.Optional(StringEnum(TRACE_FORMATS, { default: 'csv', description: 'csv: time,path[,size]; oracleGeneral: libCacheSim binary trace.' })),
        timing: Type.Optional(
          StringEnum(['trace', 'clients'] as const, {
            default: 'trace',
            description:
              "trace: requests come at the trace's own times (relative to its first record, divided by speedup), each from a client group chosen in proportion to the groups' rate; the groups' arrival, start and stop must not be set. clients: at the client groups' arrivals, the trace giving only which object each request asks for.",
          }),
        ),
        speedup: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 1, description: 'timing: trace only: replay this many times faster than recorded (TTLs and latencies are not scaled).' })),
      },
      { additionalProperties: false, description: 'Replay a recorded trace.' },
    ),
  ],
  { description: 'Which objects clients ask for.' },
);

export const SizesSchema = Discriminated(
  'distribution',
  [
    Type.Object({ distribution: Type.Literal('fixed'), size: Size() }, { additionalProperties: false }),
    Type.Object({ distribution: Type.Literal('uniform'), min: Size(), max: Size() }, { additionalProperties: false }),
    Type.Object(
      { distribution: Type.Literal('pareto'), min: Size(), alpha: Type.Number({ exclusiveMinimum: 0 }) },
      { additionalProperties: false, description: 'Heavy tail: most objects small, a few very large.' },
    ),
  ],
  { description: 'Object sizes; by default the sizes of the origin site\'s path rules.' },
);

export const MethodsSchema = Type.Object(
  {
    GET: Type.Optional(Type.Number({ minimum: 0 })),
    HEAD: Type.Optional(Type.Number({ minimum: 0 })),
    conditional: Type.Optional(Type.Number({ minimum: 0, description: 'GET with If-None-Match / If-Modified-Since from an earlier answer.' })),
    POST: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false, description: 'Request mix as weights (normalised to fractions). Default: all GET.' },
);

export const WorkloadSchema = Type.Object(
  {
    seed: Type.Optional(Type.Integer({ minimum: 0, description: 'Same seed, same request sequence.', default: WORKLOAD_DEFAULTS.seed })),
    duration: Type.Optional(Duration({ description: 'How long to send (give duration, requests, or both: first reached ends the run)' })),
    requests: Type.Optional(Type.Integer({ minimum: 1, description: 'Total requests to send.' })),
    clients: Type.Array(ClientSchema, { minItems: 1 }),
    objects: ObjectsSchema,
    sizes: Type.Optional(SizesSchema),
    methods: Type.Optional(MethodsSchema),
    headers: Type.Optional(HeadersSchema('Request headers of every client group.')),
    watch: Type.Optional(Type.Array(WatchSchema, { description: 'Answers to count by a header line, per client group.' })),
  },
  { additionalProperties: false },
);

const At = Duration({ description: 'When, from the start of the run' });
const Note = Type.Optional(Type.String({ description: 'Why this event is here; shown in reports.' }));

const nodeAction = <const A extends (typeof NODE_ACTIONS)[number]>(action: A, what: string) =>
  Type.Object({ at: At, action: Type.Literal(action), node: NodeId('Node id.'), note: Note }, { additionalProperties: false, description: what });

export const EventSchema = Discriminated(
  'action',
  [
    Type.Object(
      {
        at: At,
        action: Type.Literal('purge'),
        url: Type.Optional(Glob('Purge one path.')),
        tag: Type.Optional(Type.String({ minLength: 1, description: 'Purge everything carrying this Surrogate-Key.' })),
        prefix: Type.Optional(Glob('Purge every path under this prefix.')),
        all: Type.Optional(Type.Literal(true, { description: 'Purge everything.' })),
        soft: Type.Optional(Type.Boolean({ description: 'Mark stale instead of removing (still usable for revalidation / stale-if-error).', default: false })),
        fanout: Type.Optional(StringEnum(FANOUTS)),
        note: Note,
      },
      { additionalProperties: false, description: 'Invalidate cached content; give exactly one of url, tag, prefix, all.' },
    ),
    Type.Object(
      {
        at: At,
        action: Type.Literal('origin-update'),
        path: Type.Optional(Glob('Paths whose content changes (default: all).')),
        version: Type.Optional(Type.Integer({ minimum: 1, description: 'Set this version (default: next version).' })),
        note: Note,
      },
      { additionalProperties: false, description: 'New content at the origin: new body, new ETag.' },
    ),
    Type.Object(
      {
        at: At,
        action: Type.Literal('origin-fault'),
        node: Type.Optional(NodeId('Origin id (default: every origin).')),
        fault: StringEnum(FAULTS, { description: 'error: answer status; slow: add latency; down: refuse; reset: drop connections; ok: clear.' }),
        status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599, default: 503 })),
        latency: Type.Optional(Duration({ description: 'Extra latency for fault: slow' })),
        path: Type.Optional(Glob('Only these paths.')),
        rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Fraction of requests affected.', default: 1 })),
        for: Type.Optional(Duration({ description: 'Clear the fault after this long' })),
        note: Note,
      },
      { additionalProperties: false },
    ),
    nodeAction('kill', 'SIGKILL the node: no goodbye, health fails.'),
    nodeAction('stop', 'Graceful stop (SIGTERM): health goes NOT_SERVING first.'),
    nodeAction('start', 'Start a stopped or killed node.'),
    nodeAction('pause', 'Freeze the node (SIGSTOP): connections stay open, nothing answers.'),
    nodeAction('unpause', 'Resume a paused node.'),
    nodeAction('disconnect', 'Cut the node from the network (compose: its containers leave the network; on loopback, a regional, shield or origin only: its emulated links are cut): nothing reaches it or leaves it, and its callers wait for their deadlines, as TCP keeps retransmitting (what was sent goes through after a reconnect); it keeps its cache.'),
    nodeAction('reconnect', 'Put a disconnected node back on the network at its address.'),
    Type.Object(
      {
        at: At,
        action: Type.Literal('link'),
        from: Type.String({ minLength: 1, description: 'Link endpoint selector, as in the topology links.' }),
        to: Type.String({ minLength: 1 }),
        latency: Type.Optional(Duration()),
        jitter: Type.Optional(Duration()),
        loss: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        down: Type.Optional(Type.Boolean({ description: 'Cut the link entirely.' })),
        oneWay: Type.Optional(Type.Boolean({ default: false })),
        note: Note,
      },
      { additionalProperties: false, description: 'Change link latency/loss between nodes or regions.' },
    ),
    Type.Object(
      { at: At, action: Type.Literal('dns-policy'), policy: StringEnum(DNS_POLICIES), note: Note },
      { additionalProperties: false, description: 'Switch the DNS steering policy.' },
    ),
    Type.Object(
      {
        at: At,
        action: Type.Literal('route-change'),
        region: Type.String({ description: 'Clients of this region…' }),
        edge: NodeId('…now reach this edge through anycast…'),
        cost: Type.Optional(Type.Number({ minimum: 0, description: '…at this path cost (default 0: best route).', default: 0 })),
        note: Note,
      },
      { additionalProperties: false, description: 'Anycast route change (what BGP would do): path cost, blind to load.' },
    ),
    Type.Object(
      {
        at: At,
        action: Type.Literal('ttl-override'),
        match: Glob('Paths whose freshness is forced.'),
        ttl: Duration({ description: 'Freshness lifetime to use instead of the origin\'s' }),
        nodes: Type.Optional(Type.Array(NodeId('Node id.'), { description: 'Only on these nodes (default: every cache).' })),
        note: Note,
      },
      { additionalProperties: false, description: 'Operator override of the origin\'s TTL.' },
    ),
  ],
  { description: 'One event on the timeline.' },
);

export const ExpectationSchema = Type.Object(
  {
    expect: Type.String({
      minLength: 1,
      description: 'metric{label="value",…} <op> number, op one of == != < <= > >=. A label matches with = or !=, or a regular expression over the whole value with =~ or !~. Numbers may end in ms, s or %.',
      examples: ['origin.requests{path="/hot"} == 1', 'edge.hit_ratio >= 0.9', 'requests.group_hit_ratio{group=~"reloaders-.*"} == 0'],
    }),
    at: Type.Optional(Duration({ description: 'Check at this time (default: end of run)' })),
    variant: Type.Optional(Type.String({ description: 'Only for this variant (default: every variant).' })),
    description: Type.Optional(Type.String({ description: 'What this shows, in words.' })),
  },
  { additionalProperties: false },
);

/**
 * Overrides are checked after merging, against the full topology schema, so
 * the loader only needs their shape here; editors get the deep-partial
 * topology (every field optional) through a shared definition.
 */
function overridesSlot(mode: 'editor' | 'loader') {
  return mode === 'editor'
    ? Type.Unsafe<Record<string, unknown>>({ $ref: '#/definitions/topologyOverrides' })
    : Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'Topology overrides (checked after merging).' });
}

function variantSchema(mode: 'editor' | 'loader') {
  return Type.Object(
    {
      name: Type.String({ pattern: NAME_PATTERN }),
      description: Type.Optional(Type.String()),
      overrides: Type.Optional(overridesSlot(mode)),
    },
    { additionalProperties: false },
  );
}

function topologyRefSchema(mode: 'editor' | 'loader') {
  return Type.Object(
    {
      file: Type.String({ minLength: 1, description: 'Path relative to this file.' }),
      overrides: Type.Optional(overridesSlot(mode)),
    },
    { additionalProperties: false },
  );
}

export const VariantSchema = variantSchema('loader');
export const TopologyRefSchema = topologyRefSchema('loader');

/** How a scenario names its topology. */
export type TopologyRefFile = string | { file: string; overrides?: Record<string, unknown> } | TopologyFile;

/**
 * The scenario schema, in two spellings of the `topology` and `quick` slots:
 * - 'editor': full hints (a path, `{file, overrides}`, or an inline topology);
 * - 'loader': just the shape, because the loader validates the topology with
 *   the topology schema itself (errors then name topology fields, not "did
 *   not match any of three alternatives") and validates `quick` after merging.
 */
export function buildScenarioSchema(mode: 'editor' | 'loader') {
  const topologySlot =
    mode === 'editor'
      ? Type.Unsafe<TopologyRefFile>({
          anyOf: [Type.String({ description: 'Path to a topology file, relative to this file.' }), topologyRefSchema(mode), { $ref: '#/definitions/topology' }],
          description: 'The topology: a path, {file, overrides}, or the topology inline.',
        })
      : Type.Unsafe<TopologyRefFile>({ type: ['string', 'object'] });
  const quickBody = { workload: WorkloadSchema, timeline: Type.Array(EventSchema), expectations: Type.Array(ExpectationSchema) };
  const quickSlot =
    mode === 'editor'
      ? Type.Unsafe<QuickFile>({ ...(deepPartial(toJsonSchema(Type.Object(quickBody, { additionalProperties: false }))) as object) })
      : Type.Unsafe<QuickFile>(
          toJsonSchema(
            Type.Object(
              { workload: Type.Optional(Type.Object({})), timeline: Type.Optional(Type.Array(Type.Unknown())), expectations: Type.Optional(Type.Array(Type.Unknown())) },
              { additionalProperties: false },
            ),
          ),
        );
  return Type.Object(
    {
      $schema: Type.Optional(Type.String()),
      name: Type.String({ pattern: NAME_PATTERN, description: 'Short id; reports go to reports/<name>/.' }),
      title: Type.String({ minLength: 1, description: 'One line for humans.' }),
      description: Type.String({ minLength: 1, description: 'What to look at and why it comes out as it does.' }),
      topology: topologySlot,
      engines: Type.Optional(
        Type.Array(StringEnum(SCENARIO_ENGINE_NAMES), {
          minItems: 1,
          uniqueItems: true,
          description:
            'The engines this scenario is written for, the first being the default of `cdnlab run`. Default: [embedded, sim]. A topology of thousands of edges says [sim]: no laptop runs it as processes. `compose`: the testbed in docker compose only (`cdnlab run --target compose` in the compose network), for events that processes on loopback cannot act out (disconnecting an edge).',
        }),
      ),
      machineBound: Type.Optional(
        Type.Array(
          Type.Object(
            {
              variant: Type.String({ minLength: 1, description: 'A variant name.' }),
              reason: Type.String({ minLength: 1, description: 'Why its testbed figures depend on how fast the machine is.' }),
            },
            { additionalProperties: false },
          ),
          {
            description:
              'Variants whose testbed figures depend on the speed of the machine (a herd without collapsing: how many requests miss before the first fill lands). `cdnlab compare` reports their figures next to the simulator\'s but does not hold them to the tolerances, and says why.',
          },
        ),
      ),
      variants: Type.Optional(Type.Array(variantSchema(mode), { description: 'Versions of the topology run side by side with the same workload.' })),
      workload: WorkloadSchema,
      timeline: Type.Optional(Type.Array(EventSchema)),
      expectations: Type.Optional(Type.Array(ExpectationSchema)),
      quick: Type.Optional(
        Type.Unsafe<QuickFile>({
          ...(quickSlot as object),
          description: 'Overrides for a short run (cdnlab run --quick, CI): shorter duration, fewer clients.',
        }),
      ),
    },
    {
      additionalProperties: false,
      title: 'cdnlab scenario',
      description: 'A topology, a workload, a timeline and expectations.',
      // The topology schema once, referenced from the three places a topology may appear.
      ...(mode === 'editor' ? { definitions: { topology: toJsonSchema(TopologySchema), topologyOverrides: deepPartial(toJsonSchema(TopologySchema)) } } : {}),
    },
  );
}

export interface QuickFile {
  workload?: Partial<WorkloadFile>;
  timeline?: EventFile[];
  expectations?: ExpectationFile[];
}

export const ScenarioSchema = buildScenarioSchema('loader');

/** A scenario file as written. */
export type ScenarioFile = Static<typeof ScenarioSchema>;
export type WorkloadFile = Static<typeof WorkloadSchema>;
export type ClientFile = Static<typeof ClientSchema>;
export type EventFile = Static<typeof EventSchema>;
export type ExpectationFile = Static<typeof ExpectationSchema>;
export type VariantFile = Static<typeof VariantSchema>;
