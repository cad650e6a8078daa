import fc from 'fast-check';
import type { NodeResult, RunResult } from './engine';
import { parseExpectation } from './expectation-expr';
import { checkSelector, computeMetrics, knownMetricNames, metricValue, MetricError, selectorKey, snapshotMetrics } from './metrics';

function node(id: string, role: NodeResult['role'], region: string, requests: number, hits: number, extra: Partial<NodeResult> = {}): NodeResult {
  return {
    id,
    role,
    region,
    requests,
    hits,
    misses: requests - hits,
    staleServed: 0,
    revalidations: 0,
    collapsedWaiters: 0,
    evictions: 0,
    upstreamFetches: requests - hits,
    objects: 1,
    bytes: 100,
    hitRatio: requests ? hits / requests : NaN,
    ...extra,
  };
}

/** Two edges (90/100 and 10/100 hits), one regional, one shield, one origin. */
function result(): RunResult {
  return {
    scenario: 's',
    variant: 'v',
    engine: 'test',
    seed: 1,
    durationMs: 5000,
    requests: {
      sent: 210,
      answered: 200,
      errors: 6,
      unfinished: 4,
      byResult: { hit: 95, stale: 5, miss: 100 },
      byStatus: { '200': 190, '502': 10 },
      byError: { connect: 2, timeout: 4 },
      byGroup: {
        visitors: { sent: 200, answered: 192, byResult: { hit: 90, stale: 5, miss: 97 }, byStatus: { '200': 190, '502': 2 }, latency: { count: 192, mean: 25, p50: 6, p90: 60, p99: 250, max: 900 } },
        attacker: { sent: 10, answered: 8, byResult: { miss: 3, hit: 0 }, byStatus: { '502': 8 }, latency: { count: 8, mean: 80, p50: 70, p90: 95, p99: 99, max: 100 } },
        idle: { sent: 0, answered: 0, byResult: {}, byStatus: {}, latency: { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN } },
      },
      watched: { poisoned: { visitors: 48, attacker: 8, idle: 0 }, leaked: { visitors: 0, attacker: 2, idle: 0 } },
    },
    origin: { requests: 12, byPath: { '/hot': 9, '/a': 3 }, byKind: { GET: 10, conditional: 2 } },
    nodes: [
      node('edge-na-1', 'edge', 'na', 100, 90, { staleServed: 5 }),
      node('edge-eu-1', 'edge', 'eu', 100, 10),
      node('regional-na', 'regional', 'na', 100, 50),
      node('shield', 'shield', 'na', 50, 38),
      node('origin', 'origin', 'na', 12, 0),
    ],
    latency: {
      na: { count: 120, mean: 20, p50: 5, p90: 50, p99: 300, max: 400 },
      eu: { count: 80, mean: 40, p50: 15, p90: 90, p99: 200, max: 900 },
      apac: { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN },
    },
    series: { bucketMs: 1000, originRequests: [], edgeHitRatio: [], byGroupHitRatio: {}, byTier: {}, requests: [], errors: [], serverErrors: [], latencyByRegion: {}, byEdge: {}, watched: { poisoned: [], leaked: [] } },
    purges: [
      {
        atMs: 1000,
        kind: 'url',
        value: '/hot',
        mode: 'hard',
        fanout: 'direct',
        acks: [
          { nodeId: 'edge-na-1', role: 'edge', delayMs: 3, objectsAffected: 1 },
          { nodeId: 'shield', role: 'shield', delayMs: 12, objectsAffected: 1 },
          { nodeId: 'edge-eu-1', role: 'edge', delayMs: 999, objectsAffected: 0, error: 'UNAVAILABLE' },
        ],
      },
    ],
    timeline: [],
  };
}

const value = (text: string, r = result()) => {
  const e = parseExpectation(`${text} == 0`);
  return metricValue(r, e.metric, e.labels);
};

describe('metricValue', () => {
  it('reads the request counters and breakdowns', () => {
    expect(value('requests.sent')).toBe(210);
    expect(value('requests.answered')).toBe(200);
    expect(value('requests.errors')).toBe(6);
    expect(value('requests.unfinished')).toBe(4);
    expect(value('requests.status{code="502"}')).toBe(10);
    expect(value('requests.status{code!="200"}')).toBe(10);
    expect(value('requests.result{result="hit"}')).toBe(95);
    expect(value('requests.error{kind="timeout"}')).toBe(4);
    expect(value('stale.served')).toBe(5);
    expect(value('errors.rate')).toBeCloseTo(6 / 210, 12);
  });

  it('counts sent, answered and watched answers per client group', () => {
    expect(value('requests.group_sent{group="attacker"}')).toBe(10);
    expect(value('requests.group_sent')).toBe(210);
    expect(value('requests.group_answered{group="visitors"}')).toBe(192);
    expect(value('requests.watched{watch="poisoned",group="visitors"}')).toBe(48);
    expect(value('requests.watched{watch="poisoned",group!="attacker"}')).toBe(48);
    expect(value('requests.watched{watch="poisoned"}')).toBe(56);
    expect(value('requests.watched{group="attacker"}')).toBe(10);
    expect(value('requests.watched')).toBe(58);
    // A rule that never matched a group is there with 0.
    expect(value('requests.watched{watch="leaked",group="visitors"}')).toBe(0);
  });

  it('gives each client group its edge outcomes, hit ratio and latency', () => {
    expect(value('requests.group_result{group="visitors",result="stale"}')).toBe(5);
    expect(value('requests.group_result{result="miss"}')).toBe(100);
    expect(value('requests.group_result{group="attacker"}')).toBe(3);
    // Hits and stale hits over the group's answers; all groups: their sums.
    expect(value('requests.group_status{group="attacker",code="502"}')).toBe(8);
    expect(value('requests.group_status{code="502"}')).toBe(10);
    expect(value('requests.group_status{group="visitors"}')).toBe(192);
    expect(value('requests.group_hit_ratio{group="visitors"}')).toBe(95 / 192);
    expect(value('requests.group_hit_ratio{group="attacker"}')).toBe(0);
    expect(value('requests.group_hit_ratio')).toBe(95 / 200);
    expect(value('requests.group_hit_ratio{group="idle"}')).toBeNaN();
    expect(value('latency.group_p50_ms{group="attacker"}')).toBe(70);
    // The worst group with answers; idle (none) is left out rather than read as NaN.
    expect(value('latency.group_p99_ms')).toBe(250);
    expect(value('latency.group_max_ms')).toBe(900);
    expect(value('latency.group_p99_ms{group="idle"}')).toBeNaN();
    expect(() => value('latency.group_p99_ms{region="na"}')).toThrow(/metric "latency.group_p99_ms" has no label "region"; its labels are group/);
  });

  it('gives a watched share of the matching groups\' answers', () => {
    expect(value('requests.watched_ratio{watch="poisoned",group="visitors"}')).toBe(48 / 192);
    expect(value('requests.watched_ratio{watch="poisoned"}')).toBe(56 / 200);
    expect(value('requests.watched_ratio{watch="leaked",group="attacker"}')).toBe(2 / 8);
    // No rule selected: the mean of the rules' shares.
    expect(value('requests.watched_ratio')).toBeCloseTo((56 / 200 + 2 / 200) / 2, 12);
  });

  it('treats watch and group values that match nothing like any other label value', () => {
    expect(value('requests.watched{watch="nope"}')).toBe(0);
    expect(value('requests.group_sent{group="nope"}')).toBe(0);
    expect(value('requests.watched_ratio{group="nope"}')).toBeNaN();
    expect(() => value('requests.watched{region="na"}')).toThrow(/metric "requests.watched" has no label "region"; its labels are watch, group/);
    const none = result();
    none.requests.watched = {};
    expect(value('requests.watched', none)).toBe(0);
    expect(value('requests.watched_ratio', none)).toBeNaN();
  });

  it('folds a tier as total hits over total requests, not a mean of ratios', () => {
    // Mean of (0.9, 0.1) would also be 0.5; make the requests unequal to tell them apart.
    const r = result();
    r.nodes[1] = node('edge-eu-1', 'edge', 'eu', 300, 30);
    expect(value('edge.hit_ratio', r)).toBeCloseTo(120 / 400, 12);
    expect(value('edge.hit_ratio{region="eu"}', r)).toBeCloseTo(0.1, 12);
    expect(value('regional.hit_ratio')).toBe(0.5);
    expect(value('shield.hit_ratio')).toBe(38 / 50);
    expect(value('node.hit_ratio{node="edge-na-1"}')).toBe(0.9);
    expect(value('node.requests{node="origin"}')).toBe(12);
    expect(value('edge.requests')).toBe(200);
  });

  it('counts origin requests in total, by path and by kind without counting twice', () => {
    expect(value('origin.requests')).toBe(12);
    expect(value('origin.requests{path="/hot"}')).toBe(9);
    expect(value('origin.requests{path!="/hot"}')).toBe(3);
    expect(value('origin.requests{kind="conditional"}')).toBe(2);
    expect(value('origin.requests{path="/nothing"}')).toBe(0);
  });

  it('gives the worst region for latency unless one is selected; empty regions are skipped', () => {
    expect(value('latency.p99_ms')).toBe(300);
    expect(value('latency.p99_ms{region="eu"}')).toBe(200);
    expect(value('latency.max_ms')).toBe(900);
    expect(value('latency.p50_ms{region="apac"}')).toBeNaN();
    expect(value('client.latency_p99{region="na"}')).toBe(300);
  });

  it('takes the slowest successful purge ack, and counts failures apart', () => {
    expect(value('purge.count')).toBe(1);
    expect(value('purge.max_delay_ms')).toBe(12);
    expect(value('purge.max_delay_ms{role="edge"}')).toBe(3);
    expect(value('purge.failed')).toBe(1);
  });

  it('counts the nodes that took a purge only on a redelivery', () => {
    const r = result();
    r.purges.push({
      atMs: 3000,
      kind: 'url',
      value: '/a',
      mode: 'hard',
      fanout: 'direct',
      acks: [
        { nodeId: 'edge-na-1', role: 'edge', delayMs: 7100, objectsAffected: 1, attempts: 2 },
        { nodeId: 'edge-na-2', role: 'edge', delayMs: 5, objectsAffected: 1, attempts: 1 },
        { nodeId: 'shield', role: 'shield', delayMs: 5000, objectsAffected: 0, error: 'deadline exceeded', attempts: 3 },
      ],
    });
    expect(value('purge.redelivered', r)).toBe(1);
    expect(value('purge.redelivered{node="edge-na-1"}', r)).toBe(1);
    // Still failing after three calls: a failure, not a redelivery.
    expect(value('purge.redelivered{role="shield"}', r)).toBe(0);
    expect(value('purge.failed{node="shield"}', r)).toBe(1);
    expect(value('purge.max_delay_ms', r)).toBe(7100);
  });

  it('sums the objects purges reached, by node and by the purge kind and mode', () => {
    const r = result();
    r.purges.push({
      atMs: 2000,
      kind: 'tag',
      value: 'sale',
      mode: 'soft',
      fanout: 'tree',
      acks: [
        { nodeId: 'edge-na-1', role: 'edge', delayMs: 4, objectsAffected: 5 },
        { nodeId: 'shield', role: 'shield', delayMs: 9, objectsAffected: 7 },
      ],
    });
    expect(value('purge.objects', r)).toBe(14);
    expect(value('purge.objects{kind="url"}', r)).toBe(2);
    expect(value('purge.objects{kind="tag",mode="soft"}', r)).toBe(12);
    expect(value('purge.objects{mode="hard"}', r)).toBe(2);
    expect(value('purge.objects{node="shield"}', r)).toBe(8);
    // A failed ack reached nothing, whatever it says.
    expect(value('purge.objects{node="edge-eu-1"}', r)).toBe(0);
  });

  it('is NaN for a ratio over nothing, so no comparison passes', () => {
    const r = result();
    r.nodes = [];
    r.requests.sent = 0;
    expect(value('edge.hit_ratio', r)).toBeNaN();
    expect(value('errors.rate', r)).toBeNaN();
    r.purges = [];
    expect(value('purge.max_delay_ms', r)).toBeNaN();
  });

  it('refuses unknown metrics and labels with the names it knows', () => {
    expect(() => value('origin.request')).toThrow(MetricError);
    expect(() => value('origin.request')).toThrow(/unknown metric "origin.request"; known metrics: .*origin\.requests/);
    expect(() => value('requests.sent{region="eu"}')).toThrow(/metric "requests.sent" has no label "region"; it has no labels/);
    expect(() => value('edge.hit_ratio{path="/x"}')).toThrow(/its labels are node, region/);
    expect(() => value('origin.requests{path="/a",kind="GET"}')).toThrow(/by path or by kind, not both/);
    expect(knownMetricNames()).toEqual(expect.arrayContaining(['requests.sent', 'edge.hit_ratio', 'latency.p99_ms', 'client.errors']));
  });
});

describe('computeMetrics and snapshots', () => {
  it('lists every plain metric and every single-label series under its selector key', () => {
    const m = computeMetrics(result());
    expect(m['origin.requests{path="/hot"}']).toBe(9);
    expect(m['node.hit_ratio{node="edge-na-1"}']).toBe(0.9);
    expect(m['requests.sent']).toBe(210);
    expect(m['latency.p99_ms{region="eu"}']).toBe(200);
    expect(m['requests.watched{watch="poisoned"}']).toBe(56);
    expect(m['requests.watched{group="attacker"}']).toBe(10);
    expect(m['requests.group_answered{group="attacker"}']).toBe(8);
    expect(m['latency.group_p50_ms{group="visitors"}']).toBe(6);
    expect(m['requests.group_hit_ratio{group="attacker"}']).toBe(0);
    expect(Object.keys(m)).not.toContain('client.errors');
  });

  it('adds expectation selectors that are not single-label series', () => {
    const e = parseExpectation('origin.requests{path!="/hot"} == 3');
    const m = snapshotMetrics(result(), [e]);
    expect(m[selectorKey(e.metric, e.labels)]).toBe(3);
  });

  it('keys selectors independently of label order and aliases', () => {
    const a = parseExpectation('node.hit_ratio{role="edge",region="na"} > 0');
    const b = parseExpectation('node.hit_ratio{region="na", role="edge"} > 0');
    expect(selectorKey(a.metric, a.labels)).toBe(selectorKey(b.metric, b.labels));
    expect(selectorKey('client.errors')).toBe('requests.errors');
  });

  it('origin.requests by path always adds up to the total when the engine says so (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('/a', '/b', '/c', '/d'), fc.nat(1000)), (byPath) => {
        const r = result();
        r.origin = { requests: Object.values(byPath).reduce((a, b) => a + b, 0), byPath, byKind: {} };
        const sum = Object.keys(byPath).reduce((a, p) => a + value(`origin.requests{path="${p}"}`, r), 0);
        expect(sum).toBe(value('origin.requests', r));
      }),
    );
  });

  it('checkSelector returns the definition with its fold', () => {
    expect(checkSelector('edge.hit_ratio', []).fold).toBe('ratio');
    expect(checkSelector('latency.p50_ms', []).fold).toBe('max');
  });
});
