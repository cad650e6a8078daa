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
    series: { bucketMs: 1000, originRequests: [], edgeHitRatio: [], requests: [], errors: [], byEdge: {}, watched: {} },
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
