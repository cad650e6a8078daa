import type { RunResult } from './engine';
import { checkExpectations, evaluateExpectations } from './evaluate';
import { parseExpectation } from './expectation-expr';
import { MetricError, type RunResultWithSnapshots } from './metrics';
import type { ExpectationSpec } from './scenario';

function result(variant: string, originHot: number, extra: Partial<RunResultWithSnapshots> = {}): RunResultWithSnapshots {
  return {
    scenario: 'herd',
    variant,
    engine: 'test',
    seed: 1,
    durationMs: 6000,
    requests: { sent: 10, answered: 10, errors: 0, unfinished: 0, byResult: { hit: 9, miss: 1 }, byStatus: { '200': 10 }, byError: {}, byGroup: { na: { sent: 10, answered: 10 } }, watched: {} },
    origin: { requests: originHot, byPath: { '/hot': originHot }, byKind: { GET: originHot } },
    nodes: [],
    latency: {},
    series: { bucketMs: 1000, originRequests: [], edgeHitRatio: [], byGroupHitRatio: {}, byTier: {}, requests: [], errors: [], serverErrors: [], latencyByRegion: {}, byEdge: {}, watched: {} },
    purges: [],
    timeline: [],
    ...extra,
  } as RunResult;
}

const spec = (text: string, more: Partial<ExpectationSpec> = {}): ExpectationSpec => ({ expect: parseExpectation(text), ...more });

describe('evaluateExpectations', () => {
  it('checks each expectation against each variant it applies to', () => {
    const specs = [spec('origin.requests{path="/hot"} == 2', { variant: 'collapsing', description: 'one per fill' }), spec('client.errors == 0'), spec('origin.requests > 50', { variant: 'no-collapsing' })];
    const out = evaluateExpectations(specs, [result('collapsing', 2), result('no-collapsing', 40)]);
    expect(out.map((o) => [o.variant, o.text, o.actual, o.ok])).toEqual([
      ['collapsing', 'origin.requests{path="/hot"} == 2', 2, true],
      ['collapsing', 'client.errors == 0', 0, true],
      ['no-collapsing', 'client.errors == 0', 0, true],
      ['no-collapsing', 'origin.requests > 50', 40, false],
    ]);
    expect(out[0].description).toBe('one per fill');
    expect(out[0].evaluatedAtMs).toBe(6000);
  });

  it('skips expectations for variants that were not run', () => {
    expect(evaluateExpectations([spec('requests.sent > 0', { variant: 'other' })], [result('collapsing', 1)])).toEqual([]);
  });

  it('uses the snapshot nearest `at` when the engine took one', () => {
    const r = result('collapsing', 2, {
      snapshots: [
        { atMs: 1000, metrics: { 'origin.requests{path="/hot"}': 0 } },
        { atMs: 3004, metrics: { 'origin.requests{path="/hot"}': 1 } },
      ],
    });
    const [o] = evaluateExpectations([spec('origin.requests{path="/hot"} == 1', { atMs: 3000 })], [r]);
    expect(o).toMatchObject({ actual: 1, ok: true, atMs: 3000, evaluatedAtMs: 3004 });
    expect(o.note).toBeUndefined();
  });

  it('falls back to the end of the run, and says so, without a snapshot', () => {
    const [o] = evaluateExpectations([spec('origin.requests{path="/hot"} == 1', { atMs: 3000 })], [result('collapsing', 2)]);
    expect(o).toMatchObject({ actual: 2, ok: false, evaluatedAtMs: 6000 });
    expect(o.note).toMatch(/the test engine recorded no snapshot at 3s: evaluated at the end of the run/);
  });

  it('falls back when the snapshot lacks the selector', () => {
    const r = result('v', 2, { snapshots: [{ atMs: 3000, metrics: { 'requests.sent': 5 } }] });
    const [o] = evaluateExpectations([spec('origin.requests{path!="/x"} == 2', { atMs: 3000 })], [r]);
    expect(o.ok).toBe(true);
    expect(o.note).toMatch(/has no value for origin.requests\{path!="\/x"\}/);
  });

  describe('timing expectations on a saturated machine', () => {
    const lat = { na: { count: 10, p50: 800, p90: 900, p99: 950, mean: 810, max: 990 } };
    const saturated = { latency: lat, hostCpu: { cores: 2, busy: 0.97, stalled: 0.8 } } as Partial<RunResultWithSnapshots>;

    it('an upper bound the value misses is reported as machine-bound, not failed, with the reason', () => {
      const [o] = evaluateExpectations([spec('latency.p50_ms < 700ms')], [result('v', 1, saturated)]);
      expect(o).toMatchObject({ actual: 800, ok: true });
      expect(o.machineBound).toMatch(/some process waited for a core 80% of the time the workload ran \(2 cores 97% busy\)/);
    });

    it('a load generator behind its plan counts too; without PSI, busy cores do', () => {
      const late = evaluateExpectations([spec('latency.p99_ms <= 900ms')], [result('v', 1, { latency: lat, loadLagMs: 250 })])[0];
      expect(late.machineBound).toMatch(/fell 250 ms behind its plan/);
      const busy = evaluateExpectations([spec('latency.p99_ms <= 900ms')], [result('v', 1, { latency: lat, hostCpu: { cores: 4, busy: 0.96 } })])[0];
      expect(busy.machineBound).toMatch(/4 cores were 96% busy/);
    });

    it('still fails: a machine with room, a lower bound, a count', () => {
      const idle = evaluateExpectations([spec('latency.p50_ms < 700ms')], [result('v', 1, { latency: lat, hostCpu: { cores: 2, busy: 0.6, stalled: 0.2 }, loadLagMs: 20 })])[0];
      expect(idle).toMatchObject({ ok: false });
      expect(idle.machineBound).toBeUndefined();
      // A busy machine only adds time: a value too low is never its doing.
      const low = evaluateExpectations([spec('latency.p50_ms > 900ms')], [result('v', 1, saturated)])[0];
      expect(low).toMatchObject({ ok: false });
      const count = evaluateExpectations([spec('origin.requests < 1')], [result('v', 1, saturated)])[0];
      expect(count).toMatchObject({ ok: false });
      expect(count.machineBound).toBeUndefined();
    });

    it('purge delays are timings too; a met expectation is plain pass', () => {
      const purges = [{ atMs: 0, kind: 'tag', value: 'x', mode: 'hard' as const, fanout: 'direct' as const, acks: [{ nodeId: 'e', role: 'edge', delayMs: 700, objectsAffected: 1 }] }];
      const [slow, met] = evaluateExpectations([spec('purge.max_delay_ms <= 400ms'), spec('purge.max_delay_ms <= 800ms')], [result('v', 1, { ...saturated, purges })]);
      expect(slow).toMatchObject({ actual: 700, ok: true });
      expect(slow.machineBound).toBeDefined();
      expect(met).toMatchObject({ ok: true });
      expect(met.machineBound).toBeUndefined();
    });
  });

  it('NaN fails every comparison, even !=', () => {
    const [o] = evaluateExpectations([spec('edge.hit_ratio != 0.5')], [result('v', 1)]);
    expect(o.actual).toBeNaN();
    // compare('!=', NaN, 0.5) is true in JS; a ratio over no requests must not pass silently.
    expect(o.ok).toBe(false);
    expect(o.note).toMatch(/no data for edge.hit_ratio/);
  });
});

describe('checkExpectations', () => {
  it('names every bad expectation by index and text, with the known names', () => {
    let err: unknown;
    try {
      checkExpectations([spec('requests.sent > 0'), spec('origin.reqs == 1'), spec('edge.hit_ratio{path="/a"} > 0.5')]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MetricError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/expectations\[1\] "origin.reqs == 1": unknown metric "origin.reqs"; known metrics: .*origin\.requests/);
    expect(msg).toMatch(/expectations\[2\] "edge.hit_ratio\{path="\/a"\} > 0.5": metric "edge.hit_ratio" has no label "path"/);
    expect(msg).not.toMatch(/expectations\[0\]/);
  });
});
