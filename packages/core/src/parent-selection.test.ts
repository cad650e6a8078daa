import { PARENT_PENALTY_MS, preferHealthy, rankParents } from './parent-selection';

const parents = [{ id: 'r1' }, { id: 'r2' }, { id: 'r3' }, { id: 'r4' }];

describe('rendezvous parent selection', () => {
  it('ranks the same key the same way every time and lists every parent once', () => {
    const a = rankParents('http://h/x', parents).map((p) => p.id);
    expect(rankParents('http://h/x', parents).map((p) => p.id)).toEqual(a);
    expect([...a].sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('spreads keys about evenly', () => {
    const owners = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const id = rankParents(`http://h/obj/${i}`, parents)[0].id;
      owners.set(id, (owners.get(id) ?? 0) + 1);
    }
    for (const n of owners.values()) expect(Math.abs(n - 5000)).toBeLessThan(500);
  });

  it('moves only the failed parent\'s keys when one is removed', () => {
    let moved = 0, owned = 0;
    for (let i = 0; i < 5000; i++) {
      const key = `http://h/obj/${i}`;
      const before = rankParents(key, parents);
      const after = rankParents(key, parents.filter((p) => p.id !== 'r2'));
      if (before[0].id === 'r2') { owned++; expect(after[0].id).toBe(before[1].id); } else if (after[0].id !== before[0].id) moved++;
    }
    expect(owned).toBeGreaterThan(1000);
    expect(moved).toBe(0);
  });

  it('gives a heavier parent proportionally more keys', () => {
    const weighted = [{ id: 'a', weight: 3 }, { id: 'b', weight: 1 }];
    let a = 0;
    for (let i = 0; i < 20_000; i++) if (rankParents(`k${i}`, weighted)[0].id === 'a') a++;
    expect(a / 20_000).toBeGreaterThan(0.72);
    expect(a / 20_000).toBeLessThan(0.78);
    expect(() => rankParents('k', [{ id: 'x', weight: 0 }, { id: 'y' }])).toThrow('expected parent x weight to be a positive number, got 0');
  });

  it('tries the parents that failed within the penalty after the others, each group in rendezvous order', () => {
    const ranked = ['a', 'b', 'c', 'd'];
    const failedAt: Record<string, number> = { a: 1000, b: -Infinity, c: 2500, d: -Infinity };
    const at = (p: string) => failedAt[p];
    expect(preferHealthy(ranked, at, 3000)).toEqual(['b', 'd', 'a', 'c']);
    // A failure exactly PARENT_PENALTY_MS ago still counts; a millisecond later it does not.
    expect(PARENT_PENALTY_MS).toBe(2000);
    expect(preferHealthy(ranked, at, 1000 + PARENT_PENALTY_MS)).toEqual(['b', 'd', 'a', 'c']);
    expect(preferHealthy(ranked, at, 1001 + PARENT_PENALTY_MS)).toEqual(['a', 'b', 'd', 'c']);
    expect(preferHealthy(ranked, at, 10_000)).toEqual(ranked);
    expect(preferHealthy(ranked, at, 3000, 100)).toEqual(ranked);
    // Every parent failed lately: the rendezvous order as it was.
    expect(preferHealthy(ranked, () => 2900, 3000)).toEqual(ranked);
  });
});
