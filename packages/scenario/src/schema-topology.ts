/**
 * The topology file (`topologies/*.yaml`): what `cdnlab up` starts.
 *
 * This module is the one definition of the file format. `gen:schemas` writes
 * it to `schemas/topology.schema.json` for editors; the loader compiles the
 * same object with Ajv; `TopologyFile` is the type of a file as written.
 * Built-in defaults live here too, next to the field they belong to, and are
 * emitted as `default` so an editor shows them on hover.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, HEADER_NAME_PATTERN, ID_PATTERN, NAME_PATTERN, Size, StringEnum } from './schema-common';

export const CACHE_ROLES = ['edge', 'regional', 'shield'] as const;
export const ROLES = [...CACHE_ROLES, 'origin'] as const;
export type CacheRole = (typeof CACHE_ROLES)[number];
export type Role = (typeof ROLES)[number];

/** Tier order: a node's parents must sit in a later tier, which also rules out cycles. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { edge: 0, regional: 1, shield: 2, origin: 3 };

export const EVICTION_POLICIES = ['lru', 'lfu', 'fifo', 's3fifo', 'sieve'] as const;
export const COLLAPSE_MODES = ['off', 'wait', 'lock-timeout'] as const;
export const DNS_POLICIES = ['geo', 'weighted', 'least-loaded', 'latency', 'round-robin'] as const;
export const FAIL_MODES = ['open', 'closed'] as const;
export const FANOUTS = ['direct', 'tree'] as const;

export const DEFAULT_ZONE = 'cdn.cdnlab.test';

/** Built-in cache settings, before `defaults.all`, `defaults.<role>` and the node's own. */
export const CACHE_DEFAULTS = {
  eviction: 'lru',
  collapsing: 'wait',
  lockTimeout: '500ms',
  maxWaiters: 1000,
  staleWhileRevalidate: true,
  staleIfError: true,
  grace: '0s',
  defaultTtl: '0s',
  minTtl: '0s',
  maxTtl: '365d',
  // RFC 9111 §4.2.2 suggests 10% of the time since Last-Modified.
  heuristicFraction: 0.1,
  storeSetCookie: false,
  variantCap: 16,
  targetedFields: ['CDN-Cache-Control'],
  honourRequestCacheControl: true,
} as const;

/** Capacity grows toward the origin: each tier serves the misses of several below it. */
export const CAPACITY_DEFAULTS: Readonly<Record<CacheRole, string>> = {
  edge: '64MiB',
  regional: '256MiB',
  shield: '1GiB',
};

export const DNS_DEFAULTS = {
  policy: 'geo',
  ttl: '5s',
  answers: 1,
  failMode: 'open',
  health: { interval: '2s', timeout: '1s', fall: 2, rise: 3 },
  anycast: { enabled: false, address: '127.0.0.100' },
} as const;

export const CacheSchema = Type.Object(
  {
    capacity: Type.Optional(Size({ description: 'Bytes of bodies this node may hold. Default: edge 64MiB, regional 256MiB, shield 1GiB.', examples: ['64MiB'] })),
    maxObject: Type.Optional(Size({ description: 'Largest body stored; bigger ones pass through uncached. Default: capacity / 8.' })),
    eviction: Type.Optional(StringEnum(EVICTION_POLICIES, { description: 'Which entry leaves when the cache is full.', default: CACHE_DEFAULTS.eviction })),
    collapsing: Type.Optional(
      StringEnum(COLLAPSE_MODES, {
        description: 'Concurrent misses for one key: off (each goes upstream), wait (all wait for the first fetch), lock-timeout (wait up to lockTimeout, then go upstream).',
        default: CACHE_DEFAULTS.collapsing,
      }),
    ),
    lockTimeout: Type.Optional(Duration({ description: 'How long a collapsed request waits for the fetch in flight', default: CACHE_DEFAULTS.lockTimeout })),
    maxWaiters: Type.Optional(Type.Integer({ minimum: 1, description: 'Most requests that may wait on one fetch; more go upstream.', default: CACHE_DEFAULTS.maxWaiters })),
    staleWhileRevalidate: Type.Optional(Type.Boolean({ description: 'Honour stale-while-revalidate (RFC 5861 §3): answer stale, refresh in the background.', default: true })),
    staleIfError: Type.Optional(Type.Boolean({ description: 'Honour stale-if-error (RFC 5861 §4): answer stale when upstream fails.', default: true })),
    grace: Type.Optional(Duration({ description: 'Serve stale this long past expiry while refreshing, even without a directive (Varnish "grace")', default: CACHE_DEFAULTS.grace })),
    defaultTtl: Type.Optional(Duration({ description: 'Freshness for cacheable answers that state none and allow no heuristic; 0s = do not store', default: CACHE_DEFAULTS.defaultTtl })),
    minTtl: Type.Optional(Duration({ description: 'Floor on freshness lifetime', default: CACHE_DEFAULTS.minTtl })),
    maxTtl: Type.Optional(Duration({ description: 'Ceiling on freshness lifetime', default: CACHE_DEFAULTS.maxTtl })),
    heuristicFraction: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'Heuristic freshness as a fraction of (Date - Last-Modified), RFC 9111 §4.2.2.', default: CACHE_DEFAULTS.heuristicFraction }),
    ),
    storeSetCookie: Type.Optional(Type.Boolean({ description: 'Store answers that carry Set-Cookie (shared caches usually must not).', default: false })),
    variantCap: Type.Optional(Type.Integer({ minimum: 1, description: 'Most Vary variants kept per URL.', default: CACHE_DEFAULTS.variantCap })),
    honourRequestCacheControl: Type.Optional(
      Type.Boolean({
        description:
          "Obey the client's request Cache-Control (no-cache, max-age=0 from a browser reload, min-fresh ...), as RFC 9111 §5.2.1 says a cache should. Many CDNs ignore it (false) so that reloads cannot reach the origin.",
        default: CACHE_DEFAULTS.honourRequestCacheControl,
      }),
    ),
    targetedFields: Type.Optional(
      Type.Array(Type.String({ pattern: HEADER_NAME_PATTERN }), {
        description: 'Targeted Cache-Control fields this node obeys, most specific first (RFC 9213), e.g. CDN-Cache-Control.',
        default: [...CACHE_DEFAULTS.targetedFields],
      }),
    ),
  },
  { additionalProperties: false, description: 'Cache behaviour of an edge, regional or shield.' },
);

const QueryPatterns = (description: string) => Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description }));

export const KeySchema = Type.Object(
  {
    dropQuery: QueryPatterns('Query parameters left out of the key: names or prefixes ending in * (utm_*).'),
    keepOnlyQuery: QueryPatterns('Keep only these query parameters in the key (same patterns).'),
    sortQuery: Type.Optional(Type.Boolean({ description: 'Sort query parameters so ?a=1&b=2 and ?b=2&a=1 share an entry.', default: false })),
    ignoreQuery: Type.Optional(Type.Boolean({ description: 'Leave the whole query out of the key.', default: false })),
    lowercasePath: Type.Optional(Type.Boolean({ description: 'Lower-case the path (only for case-insensitive origins).', default: false })),
    normalizePath: Type.Optional(Type.Boolean({ description: 'RFC 3986 §6.2.2 path normalisation.', default: true })),
    includeHeaders: Type.Optional(Type.Array(Type.String({ pattern: HEADER_NAME_PATTERN }), { description: 'Request headers whose values become part of the key.' })),
    includeCookies: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Cookies whose values become part of the key.' })),
  },
  { additionalProperties: false, description: 'What the cache key is made of. Anything not named here cannot change it.' },
);

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ListenSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, description: 'Address to bind (a loopback address in embedded mode).' })),
    httpPort: Type.Optional(Port),
    grpcPort: Type.Optional(Port),
    metricsPort: Type.Optional(Port),
  },
  { additionalProperties: false, description: 'Fixed addresses for this node; by default the launcher picks free ones.' },
);

export const SitePathSchema = Type.Object(
  {
    match: Type.String({ pattern: '^/', description: 'Path glob: * stays within a segment, ** crosses segments. First match wins.', examples: ['/static/*'] }),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599, default: 200 })),
    size: Type.Optional(Size({ description: 'Body size', default: '1KiB' })),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: HEADER_NAME_PATTERN }), Type.Union([Type.String(), Type.Array(Type.String())]), {
        description: 'Response headers, e.g. Cache-Control, Surrogate-Key. {path}, {version} and {header:NAME} or {header:NAME|fallback} (the request\'s NAME header, else the fallback or nothing) are substituted.',
        additionalProperties: false,
      }),
    ),
    etag: Type.Optional(Type.Boolean({ description: 'Send a strong ETag that changes with the content version.', default: true })),
    lastModified: Type.Optional(Type.Boolean({ description: 'Send Last-Modified (when the current version appeared).', default: true })),
    latency: Type.Optional(Duration({ description: 'Time the origin takes to generate the answer', default: '0ms' })),
    vary: Type.Optional(Type.Array(Type.String({ pattern: HEADER_NAME_PATTERN }), { description: 'Request headers the body depends on; sent as Vary.' })),
    setCookie: Type.Optional(Type.Boolean({ description: 'Send a Set-Cookie with every answer.', default: false })),
  },
  { additionalProperties: false },
);

export const SiteSchema = Type.Object(
  {
    paths: Type.Array(SitePathSchema, { minItems: 1, description: 'Path rules; a path no rule matches gets 404.' }),
    versionEvery: Type.Optional(Duration({ description: 'Every path gets a new content version this often' })),
  },
  { additionalProperties: false, description: 'A synthetic site the origin serves.' },
);

const Upstream = Type.String({ pattern: '^https?://', description: 'Front a real HTTP server instead of the synthetic site.', examples: ['http://127.0.0.1:3000'] });

export const NodeSchema = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN, description: 'Unique id; also the DNS label <id>.<zone>.' }),
    role: StringEnum(ROLES),
    region: Type.String({ description: 'One of the regions above.' }),
    parents: Type.Optional(Type.Array(Type.String(), { description: 'Ids of the next tier up: edge → regional(s), regional → shield(s) or origin, shield → origin. Several = consistent hashing with failover.' })),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Share of traffic under the weighted DNS policy (edges).', default: 1 })),
    cache: Type.Optional(CacheSchema),
    key: Type.Optional(KeySchema),
    listen: Type.Optional(ListenSchema),
    site: Type.Optional(SiteSchema),
    upstream: Type.Optional(Upstream),
  },
  { additionalProperties: false },
);

const RoleDefaults = Type.Object(
  { cache: Type.Optional(CacheSchema), key: Type.Optional(KeySchema), weight: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) },
  { additionalProperties: false },
);

export const DefaultsSchema = Type.Object(
  {
    all: Type.Optional(Type.Object({ cache: Type.Optional(CacheSchema), key: Type.Optional(KeySchema) }, { additionalProperties: false, description: 'For every caching node.' })),
    edge: Type.Optional(RoleDefaults),
    regional: Type.Optional(RoleDefaults),
    shield: Type.Optional(RoleDefaults),
    origin: Type.Optional(Type.Object({ site: Type.Optional(SiteSchema), upstream: Type.Optional(Upstream) }, { additionalProperties: false })),
  },
  { additionalProperties: false, description: 'Settings every node of a role starts from; a node\'s own settings win, field by field.' },
);

export const RegionSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN }),
    cidrs: Type.Array(Type.String({ pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' }), {
      description: 'Client addresses this region covers (geo DNS). In embedded mode clients bind addresses from here.',
      examples: [['127.10.0.0/16']],
    }),
    location: Type.Optional(
      Type.Object(
        { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
        { additionalProperties: false, description: 'Used to derive distances when they are not given.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const LinkSchema = Type.Object(
  {
    from: Type.String({ minLength: 1, description: 'A role (edge), role@region (edge@apac), @region, client, client@region, or a node id.' }),
    to: Type.String({ minLength: 1, description: 'Same forms as from.' }),
    latency: Duration({ description: 'One-way delay' }),
    jitter: Type.Optional(Duration({ description: 'Random extra delay, up to this much' })),
    loss: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Fraction of calls that fail as lost.' })),
    oneWay: Type.Optional(Type.Boolean({ description: 'Apply only from → to; by default the rule also covers to → from.', default: false })),
  },
  { additionalProperties: false },
);

/**
 * How many nodes a topology may have. The simulator keeps some 1.3 KB per
 * node, and 11 KB more once traffic reaches it and its cache is made (99,000
 * edges in 30 regions, 20,000 requests: 10 s and 1.0 GB in all, loading
 * included, 2026-12-06), and a generator asked for millions of edges ran
 * the loader itself out of memory; the testbed's own limit, one process per
 * node, is far lower (cdnlab up: 254 per role).
 */
export const TOPOLOGY_LIMITS = { edgesPerRegion: 10_000, nodes: 100_000 } as const;

export const EdgeGeneratorSchema = Type.Object(
  {
    perRegion: Type.Integer({ minimum: 1, maximum: TOPOLOGY_LIMITS.edgesPerRegion, description: 'Edges to create in each region, named edge-<region>-<n>.' }),
    regions: Type.Optional(Type.Array(Type.String(), { description: 'Only these regions (default: all).' })),
    parents: Type.Optional(Type.Array(Type.String(), { description: 'Parents of every generated edge (default: the regionals of its region).' })),
  },
  { additionalProperties: false, description: 'Generate edges instead of listing them.' },
);

export const DnsSchema = Type.Object(
  {
    policy: Type.Optional(StringEnum(DNS_POLICIES, { description: 'How an edge is chosen for a client.', default: DNS_DEFAULTS.policy })),
    ttl: Type.Optional(Duration({ description: 'TTL of answers, whole seconds', default: DNS_DEFAULTS.ttl })),
    answers: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: 'A records per answer.', default: DNS_DEFAULTS.answers })),
    failMode: Type.Optional(StringEnum(FAIL_MODES, { description: 'When no edge is healthy: open (answer anyway) or closed (SERVFAIL).', default: DNS_DEFAULTS.failMode })),
    health: Type.Optional(
      Type.Object(
        {
          interval: Type.Optional(Duration({ default: DNS_DEFAULTS.health.interval })),
          timeout: Type.Optional(Duration({ default: DNS_DEFAULTS.health.timeout })),
          fall: Type.Optional(Type.Integer({ minimum: 1, description: 'Failed checks before an edge is down.', default: DNS_DEFAULTS.health.fall })),
          rise: Type.Optional(Type.Integer({ minimum: 1, description: 'Good checks before it is up again.', default: DNS_DEFAULTS.health.rise })),
        },
        { additionalProperties: false },
      ),
    ),
    anycast: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ default: false })),
          address: Type.Optional(Type.String({ description: 'The one virtual address all edges announce.', default: DNS_DEFAULTS.anycast.address })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ControlSchema = Type.Object(
  {
    fanout: Type.Optional(StringEnum(FANOUTS, { description: 'How purges reach nodes: direct (control → every node) or tree (down the parent tree).', default: 'direct' })),
    redeliver: Type.Optional(
      Type.Boolean({
        description: 'Call a node that did not take a purge (down, frozen, cut off) again, after 1, 2, 4, 8 and then every 16 s, until it does or the purge is 10 minutes old. false: one try, as a fire-and-forget purge API.',
        default: true,
      }),
    ),
  },
  { additionalProperties: false },
);

export const TopologySchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: NAME_PATTERN }),
    description: Type.Optional(Type.String()),
    zone: Type.Optional(Type.String({ pattern: '^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$', description: 'DNS zone the CDN answers for.', default: DEFAULT_ZONE })),
    regions: Type.Array(RegionSchema, { minItems: 1 }),
    distances: Type.Optional(
      Type.Record(Type.String(), Type.Record(Type.String(), Type.Number({ minimum: 0 })), {
        description: 'One-way ms between regions (used by geo/anycast cost and as latency where no link rule matches). Symmetric: give one direction. Missing pairs come from locations (great-circle km / 100).',
      }),
    ),
    defaults: Type.Optional(DefaultsSchema),
    nodes: Type.Array(NodeSchema, { description: 'Regionals, shields, origins, and any edges not generated.' }),
    edges: Type.Optional(EdgeGeneratorSchema),
    links: Type.Optional(Type.Array(LinkSchema, { description: 'Latency rules; the most specific match wins, later rules break ties.' })),
    dns: Type.Optional(DnsSchema),
    control: Type.Optional(ControlSchema),
  },
  { additionalProperties: false, title: 'cdnlab topology', description: 'Regions, nodes per tier, links, DNS: what `cdnlab up` starts.' },
);

/** A topology file as written (before defaults, units and generation). */
export type TopologyFile = Static<typeof TopologySchema>;
export type CacheFile = Static<typeof CacheSchema>;
export type KeyFile = Static<typeof KeySchema>;
export type NodeFile = Static<typeof NodeSchema>;
export type SiteFile = Static<typeof SiteSchema>;
export type LinkFile = Static<typeof LinkSchema>;
