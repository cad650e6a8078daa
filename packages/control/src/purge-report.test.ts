import { MAX_RECENT_PURGES, RecentPurges, type PurgeReportEntry } from './purge-report';

const report = (purgeId: string): PurgeReportEntry => ({
  purgeId,
  purgeAtMs: 0,
  kind: 'all',
  value: '',
  mode: 'hard',
  fanout: 'direct',
  durationMs: 0,
  applied: 0,
  failed: 0,
  redelivering: 0,
  acks: [],
});

describe('recent purges', () => {
  it('keeps the last 1,000 by id, lists them newest first, and drops the oldest', () => {
    const recent = new RecentPurges();
    recent.add(report('p0'));
    for (let i = 1; i <= MAX_RECENT_PURGES; i++) recent.add(report(`p${i}`));
    expect(recent.size).toBe(MAX_RECENT_PURGES);
    expect(recent.get('p0')).toBeUndefined();
    expect(recent.get('p1')?.purgeId).toBe('p1');
    const list = recent.list();
    expect(list[0].purgeId).toBe(`p${MAX_RECENT_PURGES}`);
    expect(list.at(-1)?.purgeId).toBe('p1');
  });

  it('hands out the kept object, so later updates show', () => {
    const recent = new RecentPurges(2);
    const r = report('a');
    recent.add(r);
    r.redelivering = 3;
    expect(recent.get('a')?.redelivering).toBe(3);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new RecentPurges(0)).toThrow('expected max to be a positive integer, got 0');
  });
});
