import { zipfProbability } from '@cdnlab/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClientGroup, Workload } from './scenario';
import { encodeOracleGeneral } from './trace';
import { objectSize, planWorkload, type PlannedRequest } from './workload';

const group = (over: Partial<ClientGroup> = {}): ClientGroup => ({ region: 'na', count: 4, rate: 1000, arrival: 'poisson', startMs: 0, ...over });

function workload(over: Partial<Workload> = {}): Workload {
  return {
    seed: 7,
    durationMs: 10_000,
    clients: [group()],
    objects: { popularity: 'zipf', alpha: 0.8, count: 1000, path: '/objects/{n}' },
    methods: { GET: 1, HEAD: 0, conditional: 0, POST: 0 },
    headers: {},
    ...over,
  };
}

const all = (w: Workload, opts = {}): PlannedRequest[] => [...planWorkload(w, opts)];

describe('planWorkload: arrivals', () => {
  it('constant arrivals are evenly spaced, round-robin over the clients, and stop at the duration', () => {
    const got = all(workload({ durationMs: 1000, clients: [group({ arrival: 'constant', rate: 100, count: 3 })] }));
    expect(got).toHaveLength(100);
    expect(got.slice(0, 4).map((r) => r.atMs)).toEqual([0, 10, 20, 30]);
    expect(got.slice(0, 4).map((r) => r.clientIndex)).toEqual([0, 1, 2, 0]);
    expect(got.every((r) => r.atMs < 1000)).toBe(true);
  });

  it('poisson arrivals come at the configured rate (within 3 standard deviations)', () => {
    const rate = 2000;
    const durationMs = 20_000;
    const got = all(workload({ durationMs, clients: [group({ rate })] }));
    const expected = (rate * durationMs) / 1000;
    expect(Math.abs(got.length - expected)).toBeLessThan(3 * Math.sqrt(expected));
    // Exponential gaps: the coefficient of variation of the gaps is close to 1.
    const gaps = got.slice(1).map((r, i) => r.atMs - got[i].atMs);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(1000 / rate, 2);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
  });

  it('bursts send burst.size requests at once every burst.everyMs', () => {
    const got = all(workload({ durationMs: 350, clients: [group({ arrival: 'burst', burst: { size: 5, everyMs: 100 }, count: 2 })] }));
    expect(got.map((r) => r.atMs)).toEqual([0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 200, 200, 200, 200, 200, 300, 300, 300, 300, 300]);
    expect(got.slice(0, 5).map((r) => r.clientIndex)).toEqual([0, 1, 0, 1, 0]);
  });

  it('merges groups in time order, honours start/stop, and splits regions by rate', () => {
    const w = workload({
      durationMs: 5000,
      clients: [group({ region: 'na', rate: 300 }), group({ region: 'eu', rate: 100, startMs: 1000, stopMs: 3000 })],
    });
    const got = all(w);
    for (let i = 1; i < got.length; i++) expect(got[i].atMs).toBeGreaterThanOrEqual(got[i - 1].atMs);
    const eu = got.filter((r) => r.region === 'eu');
    expect(eu.every((r) => r.atMs >= 1000 && r.atMs < 3000)).toBe(true);
    expect(Math.abs(eu.length - 200)).toBeLessThan(3 * Math.sqrt(200));
    expect(eu.every((r) => r.group === 1)).toBe(true);
  });

  it('stops at workload.requests and at opts.maxRequests, whichever is first', () => {
    expect(all(workload({ durationMs: undefined, requests: 123 }))).toHaveLength(123);
    expect(all(workload({ requests: 500 }), { maxRequests: 50 })).toHaveLength(50);
  });

  it('is the same for the same seed and different for another', () => {
    const a = all(workload());
    expect(all(workload())).toEqual(a);
    const b = all(workload(), { seed: 8 });
    expect(b.map((r) => r.atMs)).not.toEqual(a.map((r) => r.atMs));
  });

  it('keeps arrival times when only the method mix changes (separate random streams)', () => {
    const a = all(workload());
    const b = all(workload({ methods: { GET: 0.5, HEAD: 0.5, conditional: 0, POST: 0 } }));
    expect(b.map((r) => r.atMs)).toEqual(a.map((r) => r.atMs));
    expect(b.map((r) => r.target)).toEqual(a.map((r) => r.target));
  });
});

describe('planWorkload: objects, sizes and methods', () => {
  it('zipf popularity matches the exact probabilities of the top ranks', () => {
    const n = 100;
    const got = all(workload({ durationMs: undefined, requests: 200_000, clients: [group({ rate: 1e6 })], objects: { popularity: 'zipf', alpha: 0.9, count: n, path: '/z/{n}.js' } }));
    const counts = new Map<string, number>();
    for (const r of got) counts.set(r.target, (counts.get(r.target) ?? 0) + 1);
    for (const rank of [0, 1, 4, 49]) {
      const p = zipfProbability(0.9, n, rank);
      const expected = p * got.length;
      const seen = counts.get(`/z/${rank + 1}.js`) ?? 0;
      expect(Math.abs(seen - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);
    }
    expect(got.every((r) => /^\/z\/\d+\.js$/.test(r.target) && r.objectId >= 0 && r.objectId < n)).toBe(true);
  });

  it('uniform popularity spreads evenly (chi-square within bounds)', () => {
    const n = 20;
    const got = all(workload({ durationMs: undefined, requests: 40_000, objects: { popularity: 'uniform', count: n, path: '/u/{n}' } }));
    const counts = new Array(n).fill(0);
    for (const r of got) counts[r.objectId]++;
    const e = got.length / n;
    const chi2 = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
    // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
    expect(chi2).toBeLessThan(43.8);
  });

  it("an object's target is its path template with its number in every {n}", () => {
    for (const path of ['/objects/{n}', '/a/{n}/b/{n}.jpg']) {
      const got = all(workload({ requests: 400, objects: { popularity: 'uniform', count: 2 ** 32, path } }));
      for (const r of got) expect(r.target).toBe(path.split('{n}').join(String(r.objectId + 1)));
    }
  });

  it('an objectId always comes with the same target within a plan (engines memoise by it)', () => {
    const sameTarget = (got: PlannedRequest[]): void => {
      const seen = new Map<number, string>();
      let repeats = 0;
      for (const r of got) {
        if (r.objectId < 0) continue;
        const t = seen.get(r.objectId);
        if (t === undefined) seen.set(r.objectId, r.target);
        else {
          repeats++;
          expect(r.target).toBe(t);
        }
      }
      expect(repeats).toBeGreaterThan(50);
    };
    sameTarget(all(workload({ durationMs: undefined, requests: 2000, objects: { popularity: 'zipf', alpha: 1, count: 300, path: '/a/{n}/b/{n}.jpg' } })));
    sameTarget(all(workload({ durationMs: undefined, requests: 2000, objects: { popularity: 'uniform', count: 100, path: '/u/{n}' } })));
    sameTarget(all(workload({ durationMs: undefined, requests: 2000, objects: { popularity: 'hot', keys: ['/a', '/b', '/c'] } })));
    const records = Array.from({ length: 400 }, (_, i) => ({ timeMs: i, key: i % 7, sizeBytes: 10 }));
    sameTarget(all(workload({ objects: { popularity: 'trace', file: 'virtual', format: 'oracleGeneral' } }), { readTrace: () => records }));
  });

  it('hot keys pick among the listed paths', () => {
    const got = all(workload({ durationMs: undefined, requests: 3000, objects: { popularity: 'hot', keys: ['/a', '/b', '/c'] } }));
    const targets = new Set(got.map((r) => r.target));
    expect([...targets].sort()).toEqual(['/a', '/b', '/c']);
    expect(got.filter((r) => r.target === '/a').length).toBeGreaterThan(900);
  });

  it('the method mix follows its weights and marks conditionals', () => {
    const got = all(workload({ durationMs: undefined, requests: 20_000, methods: { GET: 2, HEAD: 1, conditional: 1, POST: 0 } }));
    const frac = (k: string) => got.filter((r) => r.kind === k).length / got.length;
    expect(frac('GET')).toBeCloseTo(0.5, 1);
    expect(frac('HEAD')).toBeCloseTo(0.25, 1);
    expect(frac('conditional')).toBeCloseTo(0.25, 1);
    expect(got.filter((r) => r.kind === 'conditional').every((r) => r.method === 'GET')).toBe(true);
  });

  it('sizes are a property of the object: the same object always gets the same size', () => {
    const got = all(workload({ durationMs: undefined, requests: 5000, sizes: { distribution: 'uniform', minBytes: 100, maxBytes: 200 } }));
    const seen = new Map<number, number>();
    for (const r of got) {
      expect(r.sizeBytes).toBeGreaterThanOrEqual(100);
      expect(r.sizeBytes).toBeLessThanOrEqual(200);
      if (seen.has(r.objectId)) expect(r.sizeBytes).toBe(seen.get(r.objectId));
      seen.set(r.objectId, r.sizeBytes!);
    }
    expect(new Set(seen.values()).size).toBeGreaterThan(50);
    expect(objectSize({ distribution: 'fixed', sizeBytes: 42 }, 1, 5)).toBe(42);
    const pareto = Array.from({ length: 2000 }, (_, i) => objectSize({ distribution: 'pareto', minBytes: 1000, alpha: 1.5 }, 1, i));
    expect(Math.min(...pareto)).toBeGreaterThanOrEqual(1000);
    // Median of Pareto(xm, a) is xm * 2^(1/a) ≈ 1587 for a = 1.5.
    const median = pareto.sort((a, b) => a - b)[1000];
    expect(median).toBeGreaterThan(1450);
    expect(median).toBeLessThan(1750);
  });

  it('carries workload headers lower-cased, shared by every request', () => {
    const got = all(workload({ durationMs: undefined, requests: 3, headers: { 'Accept-Language': 'fr' } }));
    expect(got[0].headers).toEqual([['accept-language', 'fr']]);
    expect(got[1].headers).toBe(got[0].headers);
  });

  it('gives each client one value of a varying header for the whole run, spread over the choices', () => {
    const w = workload({ durationMs: 5_000, clients: [group({ count: 400, arrival: 'constant', rate: 4000 })], headers: { 'User-Agent': { template: 'Browser/{n}', count: 1000 }, Accept: 'text/html', 'X-Device': { oneOf: ['mobile', 'tablet', 'desktop'] } } });
    const got = all(w);
    const byClient = new Map<number, string>();
    for (const r of got) {
      const key = JSON.stringify(r.headers);
      const seen = byClient.get(r.clientIndex);
      if (seen === undefined) byClient.set(r.clientIndex, key);
      else expect(key).toBe(seen); // sticky: a client keeps its values
      expect(r.headers.map(([n]) => n)).toEqual(['user-agent', 'accept', 'x-device']);
    }
    expect(byClient.size).toBe(400);
    const uas = new Set([...byClient.values()].map((k) => (JSON.parse(k) as [string, string][])[0][1]));
    // 400 clients drawing from 1,000 values: about 400 * (1 - e^-0.4) / 0.4 ≈ 330 distinct.
    expect(uas.size).toBeGreaterThan(290);
    expect([...uas].every((v) => /^Browser\/([1-9]\d{0,2}|1000)$/.test(v))).toBe(true);
    const devices = [...byClient.values()].map((k) => (JSON.parse(k) as [string, string][])[2][1]);
    for (const d of ['mobile', 'tablet', 'desktop']) expect(devices.filter((x) => x === d).length).toBeGreaterThan(100);
    // The same seed gives the same choice; another seed another.
    expect(all(w).map((r) => r.headers)).toEqual(got.map((r) => r.headers));
    const other = all({ ...w, seed: 8 });
    expect(other.filter((r, i) => r.clientIndex === got[i].clientIndex && r.headers[0][1] !== got[i].headers[0][1]).length).toBeGreaterThan(got.length / 2);
  });

  it('a group adds headers and overrides workload headers of the same name in any case; one shared list when nothing varies', () => {
    const w = workload({
      durationMs: undefined,
      requests: 40,
      clients: [group({ name: 'visitors', arrival: 'constant' }), group({ name: 'attacker', count: 1, arrival: 'constant', headers: { 'x-forwarded-host': 'evil.example', ACCEPT: '*/*' } })],
      headers: { Accept: 'text/html' },
    });
    const got = all(w);
    const visitors = got.filter((r) => r.group === 0);
    const attacker = got.filter((r) => r.group === 1);
    expect(visitors[0].headers).toEqual([['accept', 'text/html']]);
    expect(attacker[0].headers).toEqual([
      ['accept', '*/*'],
      ['x-forwarded-host', 'evil.example'],
    ]);
    expect(new Set(visitors.map((r) => r.headers)).size).toBe(1);
    expect(new Set(attacker.map((r) => r.headers)).size).toBe(1);
  });

  it('rejects header specs a hand-built workload gets wrong, naming the field', () => {
    expect(() => all(workload({ headers: { 'X-A': 'a\r\nb' } }))).toThrow('workload.headers.X-A');
    expect(() => all(workload({ headers: { 'X-A': { oneOf: [] } } }))).toThrow('workload.headers.X-A.oneOf');
    expect(() => all(workload({ headers: { 'X-A': { template: 'x', count: 2 } } }))).toThrow('workload.headers.X-A.template');
    expect(() => all(workload({ clients: [group({ headers: { 'X-A': { template: 'x{n}', count: 0 } } })] }))).toThrow('workload.clients[0].headers.X-A.count');
  });
});

describe('planWorkload: traces', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cdnlab-workload-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays a csv trace in order, with its sizes, and ends with it', () => {
    const f = path.join(dir, 't.csv');
    writeFileSync(f, '0,/x,10\n1,/y,20\n2,55,30\n');
    const got = all(workload({ objects: { popularity: 'trace', file: f, format: 'csv' } }));
    expect(got.map((r) => [r.target, r.sizeBytes])).toEqual([
      ['/x', 10],
      ['/y', 20],
      ['/objects/55', 30],
    ]);
  });

  it('replays an oracleGeneral trace with numeric ids', () => {
    const f = path.join(dir, 't.bin');
    writeFileSync(f, encodeOracleGeneral([{ timeSeconds: 0, id: 9, sizeBytes: 100 }, { timeSeconds: 1, id: 3, sizeBytes: 7 }]));
    const got = all(workload({ objects: { popularity: 'trace', file: f, format: 'oracleGeneral' } }));
    expect(got.map((r) => [r.target, r.objectId, r.sizeBytes])).toEqual([
      ['/objects/9', 9, 100],
      ['/objects/3', 3, 7],
    ]);
  });

  it("sends each csv record at its own time since the trace's first, divided by speedup", () => {
    const f = path.join(dir, 'timed.csv');
    writeFileSync(f, '1000,/a\n1250,/b\n1250,/c\n4000,/a\n');
    const trace = (over = {}) => workload({ objects: { popularity: 'trace', file: f, format: 'csv', ...over } });
    expect(all(trace()).map((r) => [r.atMs, r.target])).toEqual([
      [0, '/a'],
      [250, '/b'],
      [250, '/c'],
      [3000, '/a'],
    ]);
    expect(all(trace({ speedup: 2 })).map((r) => r.atMs)).toEqual([0, 125, 125, 1500]);
    // Only the order of objects from the trace: the group's constant arrivals set the times.
    const paced = all(workload({ clients: [group({ arrival: 'constant', rate: 100 })], objects: { popularity: 'trace', file: f, format: 'csv', timing: 'clients' } }));
    expect(paced.map((r) => [r.atMs, r.target])).toEqual([
      [0, '/a'],
      [10, '/b'],
      [20, '/c'],
      [30, '/a'],
    ]);
  });

  it("spreads an oracleGeneral second's records evenly over that second, in file order", () => {
    const f = path.join(dir, 'seconds.bin');
    const recs = [1, 2, 3, 4].map((id) => ({ timeSeconds: 10, id, sizeBytes: 5 }));
    writeFileSync(f, encodeOracleGeneral([...recs, { timeSeconds: 11, id: 5, sizeBytes: 5 }, { timeSeconds: 13, id: 6, sizeBytes: 5 }, { timeSeconds: 13, id: 7, sizeBytes: 5 }]));
    const got = all(workload({ objects: { popularity: 'trace', file: f, format: 'oracleGeneral' } }));
    expect(got.map((r) => [r.atMs, r.objectId])).toEqual([
      [0, 1],
      [250, 2],
      [500, 3],
      [750, 4],
      [1000, 5],
      [3000, 6],
      [3500, 7],
    ]);
  });

  it("ends at the workload's duration or request count, whichever comes first", () => {
    const records = Array.from({ length: 10 }, (_, i) => ({ timeMs: i * 1000, key: `/k${i}`, sizeBytes: 1 }));
    const w = (over: Partial<Workload>) => workload({ objects: { popularity: 'trace', file: 'virtual', format: 'csv' }, ...over });
    expect(all(w({ durationMs: 4500 }), { readTrace: () => records }).map((r) => r.target)).toEqual(['/k0', '/k1', '/k2', '/k3', '/k4']);
    expect(all(w({ durationMs: 60_000, requests: 3 }), { readTrace: () => records })).toHaveLength(3);
  });

  it('sends each record from a group chosen in proportion to its rate, and from one of its clients, the same for the same seed', () => {
    const records = Array.from({ length: 8000 }, (_, i) => ({ timeMs: i, key: `/k${i % 50}`, sizeBytes: 1 }));
    const w = (seed: number) =>
      workload({ seed, clients: [group({ region: 'na', rate: 300, count: 5 }), group({ region: 'eu', rate: 100, count: 2 })], objects: { popularity: 'trace', file: 'virtual', format: 'csv' } });
    const got = all(w(1), { readTrace: () => records });
    const na = got.filter((r) => r.group === 0);
    // Binomial(8000, 0.75): within 3 standard deviations.
    expect(Math.abs(na.length - 6000)).toBeLessThan(3 * Math.sqrt(8000 * 0.75 * 0.25));
    expect(got.every((r) => r.region === (r.group === 0 ? 'na' : 'eu'))).toBe(true);
    expect(new Set(na.map((r) => r.clientIndex))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(new Set(got.filter((r) => r.group === 1).map((r) => r.clientIndex))).toEqual(new Set([0, 1]));
    const who = (rs: PlannedRequest[]) => rs.map((r) => `${r.group}:${r.clientIndex}`).join(',');
    expect(who(all(w(1), { readTrace: () => records }))).toBe(who(got));
    expect(who(all(w(2), { readTrace: () => records }))).not.toBe(who(got));
  });

  it("sends a request from a group whose paths match it, else from the groups without paths", () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ timeMs: i, key: i % 3 === 0 ? `/archive/${i}.html?p=1` : `/img/${i % 7}.jpg`, sizeBytes: 1 }));
    const w = (clients: ClientGroup[]) => workload({ clients, objects: { popularity: 'trace', file: 'virtual', format: 'csv' } });
    const users = group({ name: 'users', rate: 1, count: 3 });
    const crawler = group({ name: 'crawler', rate: 1, count: 1, paths: ['/archive/**'] });
    const got = all(w([users, crawler]), { readTrace: () => records });
    expect(got.filter((r) => r.group === 1).map((r) => r.target)).toEqual(records.filter((_, i) => i % 3 === 0).map((r) => r.key));
    expect(got.filter((r) => r.group === 0).every((r) => r.target.startsWith('/img/'))).toBe(true);
    // Two groups match: chosen by rate between them (3:1, within 3 standard deviations).
    const bots = all(w([users, crawler, group({ name: 'bots', rate: 3, count: 2, paths: ['/archive/*.html', '/none'] })]), { readTrace: () => records });
    const byBots = bots.filter((r) => r.group === 2).length;
    expect(Math.abs(byBots - 750)).toBeLessThan(3 * Math.sqrt(1000 * 0.75 * 0.25));
    expect(bots.filter((r) => r.group === 0)).toHaveLength(2000);
    // Every group has paths and one request matches none: an error naming the record.
    expect(() => all(w([crawler]), { readTrace: () => records.map((r, i) => ({ ...r, record: i + 2 })) })).toThrow(
      "virtual: line 3: /img/1.jpg matches no client group's paths, and every group has paths: add a group without paths to send the rest",
    );
    expect(() => all(workload({ clients: [crawler] }))).toThrow('expected workload.clients[0].paths to be unset unless a trace is replayed at its own times');
  });

  it('refuses a trace out of time order, naming the file and line, and settings that do not apply', () => {
    const f = path.join(dir, 'unsorted.csv');
    writeFileSync(f, 'time,key\n0,/a\n9,/b\n5,/c\n');
    const trace = (over = {}, clients = [group()]) => workload({ clients, objects: { popularity: 'trace', file: f, format: 'csv', ...over } });
    expect(() => all(trace())).toThrow(`${f}: line 4: time 5 ms comes before the previous record's 9 ms: replaying a trace's times needs its records in time order`);
    // With the groups' arrivals, the order of the trace is only the order of objects.
    expect(all(trace({ timing: 'clients' })).map((r) => r.target)).toEqual(['/a', '/b', '/c']);
    expect(() => all(trace({}, [group({ startMs: 500 })]))).toThrow("expected workload.clients[0].startMs to be 0 when the trace's own times say when requests come");
    expect(() => all(trace({}, [group({ stopMs: 500 })]))).toThrow('expected workload.clients[0].stopMs to be unset');
    expect(() => all(trace({ speedup: 0 }))).toThrow('expected workload.objects.speedup to be a positive number, got 0');
    expect(() => all(trace({ timing: 'clients', speedup: 2 }))).toThrow('expected workload.objects.speedup to be unset with timing: clients');
  });

  it('takes an injected reader (no I/O)', () => {
    const got = all(workload({ objects: { popularity: 'trace', file: 'virtual', format: 'csv' } }), {
      readTrace: () => [{ timeMs: 0, key: '/v', sizeBytes: undefined }],
    });
    expect(got.map((r) => r.target)).toEqual(['/v']);
  });
});

describe('planWorkload: validation', () => {
  const bad = (w: Partial<Workload>, message: string) => expect(() => all(workload(w))).toThrow(message);
  it('names the field that is wrong', () => {
    bad({ durationMs: undefined, requests: undefined }, 'expected workload.durationMs or workload.requests to be set');
    bad({ clients: [group({ rate: -1 })] }, 'expected workload.clients[0].rate to be a positive number, got -1');
    bad({ clients: [group({ arrival: 'burst' })] }, 'expected workload.clients[0].burst to be set for arrival: burst');
    bad({ clients: [group({ count: 10_000_001 })] }, 'expected workload.clients[0].count to be at most 10,000,000 clients per group, got 10000001');
    bad({ objects: { popularity: 'zipf', alpha: 1, count: 2 ** 31, path: '/x/{n}' } }, 'expected workload.objects.count to be below 2^31, got 2147483648');
    bad({ objects: { popularity: 'zipf', alpha: 1, count: 0, path: '/x/{n}' } }, 'expected workload.objects.count to be a positive integer, got 0');
    bad({ objects: { popularity: 'uniform', count: 5, path: '/x' } }, 'expected workload.objects.path to be a path template');
    bad({ objects: { popularity: 'hot', keys: ['x'] } }, 'expected workload.objects.keys[0] to be a path starting with "/", got "x"');
    bad({ methods: { GET: 0, HEAD: 0, conditional: 0, POST: 0 } }, 'expected workload.methods to be weights with a positive sum, got 0');
    bad({ sizes: { distribution: 'uniform', minBytes: 10, maxBytes: 5 } }, 'expected workload.sizes.maxBytes to be at least minBytes (10), got 5');
  });
});
