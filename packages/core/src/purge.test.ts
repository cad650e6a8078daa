import fc from 'fast-check';
import { createPurgeIndex, parseSurrogateKeys, type PurgeCommand, type PurgeKind, type PurgeMode } from './purge';

const U = 'https://cdn.test';

function seeded() {
  const idx = createPurgeIndex({ retentionMs: 10_000 });
  idx.indexEntry('k1', { url: `${U}/img/a.png`, tags: ['img', 'product-1'] });
  idx.indexEntry('k1#br', { url: `${U}/img/a.png`, tags: ['img', 'product-1'] }); // a Vary variant
  idx.indexEntry('k2', { url: `${U}/img/b.png`, tags: ['img'] });
  idx.indexEntry('k3', { url: `${U}/css/site.css`, tags: ['css'] });
  return idx;
}

describe('apply: every kind × mode', () => {
  const cases: Array<[PurgeKind, string, string[]]> = [
    ['url', `${U}/img/a.png`, ['k1', 'k1#br']],
    ['tag', 'img', ['k1', 'k1#br', 'k2']],
    ['tag', 'product-1', ['k1', 'k1#br']],
    ['prefix', `${U}/img/`, ['k1', 'k1#br', 'k2']],
    ['all', '', ['k1', 'k1#br', 'k2', 'k3']],
    ['url', `${U}/nothing`, []],
  ];
  for (const mode of ['hard', 'soft'] as const) {
    it.each(cases)(`${mode} %s %s`, (kind, value, want) => {
      const idx = seeded();
      expect(idx.apply({ kind, value, mode, at: 100 }).sort()).toEqual(want);
      // Matching content fetched before the purge is rejected with that mode.
      const verdict = mode === 'hard' ? 'purged-hard' : 'purged-soft';
      if (want.includes('k2')) expect(idx.check(`${U}/img/b.png`, ['img'], 99)).toBe(verdict);
      if (want.includes('k1')) expect(idx.check(`${U}/img/a.png`, ['img', 'product-1'], 99)).toBe(verdict);
      // Non-matching content is not.
      if (!want.includes('k3')) expect(idx.check(`${U}/css/site.css`, ['css'], 99)).toBe('ok');
      expect(idx.notBefore(`${U}/img/a.png`, ['img', 'product-1'])).toBe(mode === 'hard' && want.includes('k1') ? 100 : undefined);
    });
  }

  it('hard wins over soft when both are newer', () => {
    const idx = seeded();
    idx.apply({ kind: 'tag', value: 'img', mode: 'soft', at: 50 });
    idx.apply({ kind: 'url', value: `${U}/img/a.png`, mode: 'hard', at: 40 });
    expect(idx.check(`${U}/img/a.png`, ['img'], 30)).toBe('purged-hard');
    expect(idx.check(`${U}/img/a.png`, ['img'], 45)).toBe('purged-soft');
    expect(idx.check(`${U}/img/a.png`, ['img'], 50)).toBe('ok');
  });

  it('unindexed entries are no longer returned; re-indexing replaces tags', () => {
    const idx = seeded();
    idx.unindexEntry('k1');
    idx.unindexEntry('never-there');
    expect(idx.apply({ kind: 'tag', value: 'product-1', mode: 'hard', at: 1 })).toEqual(['k1#br']);
    idx.indexEntry('k2', { url: `${U}/img/b.png`, tags: ['other'] });
    expect(idx.apply({ kind: 'tag', value: 'img', mode: 'hard', at: 2 }).sort()).toEqual(['k1#br']);
    expect(idx.entryCount).toBe(3);
  });

  it('a late-arriving purge does not delete content fetched after it was issued', () => {
    const idx = createPurgeIndex({ retentionMs: 1000 });
    idx.indexEntry('old', { url: '/a', tags: [], fetchedAt: 5 });
    idx.indexEntry('fresh', { url: '/a', tags: [], fetchedAt: 20 });
    expect(idx.apply({ kind: 'url', value: '/a', mode: 'hard', at: 10 })).toEqual(['old']);
  });

  it('rejects malformed commands, naming the field', () => {
    const idx = seeded();
    expect(() => idx.apply({ kind: 'regex', value: '.*', mode: 'hard', at: 1 } as never)).toThrow(/cmd\.kind/);
    expect(() => idx.apply({ kind: 'url', value: '/a', mode: 'medium', at: 1 } as never)).toThrow(/cmd\.mode/);
    expect(() => idx.apply({ kind: 'tag', value: '', mode: 'hard', at: 1 })).toThrow(/cmd\.value to be a non-empty string for a tag purge/);
    expect(() => idx.apply({ kind: 'all', value: '', mode: 'hard', at: NaN })).toThrow(/cmd\.at/);
    expect(() => idx.check('/a', [], NaN)).toThrow(/originFetchedAt/);
    expect(() => createPurgeIndex({ retentionMs: 0 })).toThrow('expected opts.retentionMs to be a positive finite number, got 0');
  });
});

describe('the purge-time rule (race between tiers)', () => {
  it('a parent copy fetched before the purge cannot come back into a child purged first', () => {
    const edge = createPurgeIndex({ retentionMs: 60_000 });
    const regional = createPurgeIndex({ retentionMs: 60_000 });
    const url = `${U}/news`;
    // t=3: the regional fetched /news from origin; t=4: the edge got it from the regional.
    regional.indexEntry('r1', { url, tags: ['news'], fetchedAt: 3 });
    edge.indexEntry('e1', { url, tags: ['news'], fetchedAt: 3 });
    // t=10: the purge (issued at 10) reaches the edge; the regional only hears of it at t=12.
    const cmd: PurgeCommand = { kind: 'tag', value: 'news', mode: 'hard', at: 10 };
    expect(edge.apply(cmd)).toEqual(['e1']);
    edge.unindexEntry('e1');
    // t=11: an edge miss asks the regional, which still has its t=3 copy.
    const nb = edge.notBefore(url, ['news']);
    expect(nb).toBe(10);
    expect(3 < nb!).toBe(true); // the regional, told notBefore=10, treats its copy as a miss
    // and even if it answered, the edge rejects the copy when it arrives:
    expect(edge.check(url, ['news'], 3)).toBe('purged-hard');
    // A copy fetched from origin at or after the purge instant is accepted.
    expect(edge.check(url, ['news'], 10)).toBe('ok');
    expect(edge.check(url, ['news'], 11)).toBe('ok');
    // t=12: the regional applies the same command, same `at`.
    expect(regional.apply(cmd)).toEqual(['r1']);
  });

  it('the origin fetch time decides, not the time the tier stored it', () => {
    const idx = createPurgeIndex({ retentionMs: 60_000 });
    idx.apply({ kind: 'url', value: '/x', mode: 'soft', at: 100 });
    // Stored at t=150 but fetched from origin at t=90 (it sat in a parent): still purged.
    expect(idx.check('/x', [], 90)).toBe('purged-soft');
  });
});

describe('retention', () => {
  it('compact drops records older than retentionMs, keeping the newest', () => {
    const idx = createPurgeIndex({ retentionMs: 100 });
    idx.apply({ kind: 'url', value: '/a', mode: 'hard', at: 10 });
    idx.apply({ kind: 'url', value: '/a', mode: 'hard', at: 50 }); // dominates the one at 10
    idx.apply({ kind: 'tag', value: 't', mode: 'soft', at: 20 });
    idx.apply({ kind: 'prefix', value: '/p', mode: 'hard', at: 120 });
    idx.apply({ kind: 'all', value: '', mode: 'soft', at: 30 });
    expect(idx.recordCount).toBe(4);
    expect(idx.compact(131)).toBe(2); // tag@20 and all@30 are older than 131 - 100
    expect(idx.recordCount).toBe(2);
    expect(idx.check('/a', ['t'], 0)).toBe('purged-hard');
    expect(idx.check('/b', ['t'], 0)).toBe('ok');
    expect(idx.compact(151)).toBe(1);
    expect(idx.notBefore('/a', [])).toBeUndefined();
    expect(idx.check('/p/x', [], 0)).toBe('purged-hard');
  });
});

describe('parseSurrogateKeys', () => {
  it('reads Surrogate-Key (spaces) and Cache-Tag (commas), combined and deduplicated', () => {
    expect(
      parseSurrogateKeys([
        ['surrogate-key', ' product-1  img\tHome '],
        ['cache-tag', 'img, css,,  Product-1'],
        ['surrogate-key', 'product-1'],
        ['x-other', 'no'],
      ]),
    ).toEqual(['product-1', 'img', 'Home', 'css', 'Product-1']);
    expect(parseSurrogateKeys([])).toEqual([]);
  });
});

describe('property: no entry fetched before a matching purge survives check', () => {
  type Op =
    | { op: 'store'; url: number; tags: number[]; dt: number }
    | { op: 'purge'; kind: PurgeKind; target: number; mode: PurgeMode; late: number; dt: number };
  const urls = ['/a/1', '/a/2', '/b/1', '/b/22'];
  const prefixes = ['/a/', '/b/2', '/'];
  const tags = ['t0', 't1', 't2'];
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('store' as const), url: fc.nat(urls.length - 1), tags: fc.subarray([0, 1, 2]), dt: fc.nat(3) }),
    fc.record({
      op: fc.constant('purge' as const),
      kind: fc.constantFrom<PurgeKind>('url', 'tag', 'prefix', 'all'),
      target: fc.nat(3),
      mode: fc.constantFrom<PurgeMode>('hard', 'soft'),
      late: fc.nat(5), // commands may arrive after the instant they were issued
      dt: fc.nat(3),
    }),
  );

  it('holds for random interleavings (checked against a brute-force model)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60, size: 'max' }), (ops) => {
        const idx = createPurgeIndex({ retentionMs: 1e9 });
        const stored: Array<{ key: string; url: string; tags: string[]; fetchedAt: number; live: boolean }> = [];
        const purges: Array<{ kind: PurgeKind; value: string; mode: PurgeMode; at: number }> = [];
        const matches = (p: (typeof purges)[number], url: string, t: string[]) =>
          p.kind === 'all' || (p.kind === 'url' && p.value === url) || (p.kind === 'tag' && t.includes(p.value)) || (p.kind === 'prefix' && url.startsWith(p.value));
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.op === 'store') {
            const s = { key: `s${stored.length}`, url: urls[o.url], tags: o.tags.map((i) => tags[i]), fetchedAt: now, live: true };
            stored.push(s);
            idx.indexEntry(s.key, s);
          } else {
            const value = o.kind === 'url' ? urls[o.target] : o.kind === 'tag' ? tags[o.target % 3] : o.kind === 'prefix' ? prefixes[o.target % 3] : '';
            const p = { kind: o.kind, value, mode: o.mode, at: now - o.late };
            purges.push(p);
            const hit = new Set(idx.apply(p));
            for (const s of stored) {
              if (!s.live) continue;
              // apply returns exactly the live entries it matches that were fetched before it.
              expect(hit.has(s.key)).toBe(matches(p, s.url, s.tags) && s.fetchedAt < p.at);
              if (hit.has(s.key) && p.mode === 'hard') {
                s.live = false;
                idx.unindexEntry(s.key);
              }
            }
          }
        }
        for (const s of stored) {
          const later = purges.filter((p) => matches(p, s.url, s.tags) && p.at > s.fetchedAt);
          const want = later.some((p) => p.mode === 'hard') ? 'purged-hard' : later.length > 0 ? 'purged-soft' : 'ok';
          expect(idx.check(s.url, s.tags, s.fetchedAt)).toBe(want);
          const hardAts = purges.filter((p) => p.mode === 'hard' && matches(p, s.url, s.tags)).map((p) => p.at);
          expect(idx.notBefore(s.url, s.tags)).toBe(hardAts.length ? Math.max(...hardAts) : undefined);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compaction never forgets a purge a servable copy still needs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ target: fc.nat(3), at: fc.nat(1000), mode: fc.constantFrom<PurgeMode>('hard', 'soft') }), { maxLength: 30, size: 'max' }),
        fc.nat(1000),
        fc.nat(2000),
        (cmds, fetchedAt, now) => {
          const retentionMs = 300;
          const idx = createPurgeIndex({ retentionMs });
          for (const c of cmds) idx.apply({ kind: 'url', value: urls[c.target], mode: c.mode, at: c.at });
          const before = urls.map((u) => idx.check(u, [], fetchedAt));
          idx.compact(now);
          // A copy is servable only while now - fetchedAt <= retentionMs; for those, nothing changed.
          if (now - fetchedAt <= retentionMs) expect(urls.map((u) => idx.check(u, [], fetchedAt))).toEqual(before);
        },
      ),
    );
  });
});
