import { purgeAckTable, purgeFollowUp, type PurgeReport } from './purge';
import { formatAge, purgeListTable, purgeReportText } from './purges';

const report = (over: Partial<PurgeReport> = {}): PurgeReport => ({
  purgeId: 'V1StGXR8_Z5jdHi6B-myT',
  purgeAtMs: 1_000_000,
  kind: 'url',
  value: '/static/app.js',
  mode: 'hard',
  fanout: 'direct',
  durationMs: 12,
  applied: 1,
  failed: 1,
  redelivering: 1,
  acks: [
    { nodeId: 'edge-na-1', role: 'edge', delayMs: 4, objectsAffected: 1, error: '', via: 'control', fallback: false, attempts: 1 },
    { nodeId: 'edge-eu-2', role: 'edge', delayMs: 0, objectsAffected: 0, error: 'UPSTREAM_UNAVAILABLE: connection refused', via: 'control', fallback: false, attempts: 1 },
  ],
  ...over,
});

describe('cdnlab purge output', () => {
  it('has an ATTEMPTS column before the error', () => {
    const lines = purgeAckTable(report()).split('\n');
    expect(lines[0]).toMatch(/^NODE +ROLE +DELAY MS +OBJECTS +VIA +ATTEMPTS +ERROR$/);
    expect(lines[1]).toMatch(/^edge-na-1 +edge +4 +1 +control +1$/);
    expect(lines[2]).toMatch(/^edge-eu-2 +edge +- +- +control +1 +UPSTREAM_UNAVAILABLE: connection refused$/);
  });

  it('says a node that failed is called again, and where to look', () => {
    expect(purgeFollowUp(report())).toBe(
      '1 node did not acknowledge the purge yet: the control plane calls it again until it takes it or the purge is 10 minutes old. See how it goes: cdnlab purges V1StGXR8_Z5jdHi6B-myT',
    );
    expect(purgeFollowUp(report({ failed: 2, redelivering: 2 }))).toMatch(/^2 nodes did not acknowledge the purge yet: the control plane calls them again until they take it/);
  });

  it('says when a failed node will not be called again (--no-redeliver), and nothing when every node took it', () => {
    expect(purgeFollowUp(report({ redelivering: 0 }))).toBe(
      '1 node did not acknowledge the purge and will not be called again (redelivery off, or given up). cdnlab purges V1StGXR8_Z5jdHi6B-myT shows the report',
    );
    expect(purgeFollowUp(report({ applied: 2, failed: 0, redelivering: 0 }))).toBe('');
  });
});

describe('cdnlab purges output', () => {
  it('writes ages short', () => {
    expect([0, 850, 42_000, 185_000, 7_800_000].map(formatAge)).toEqual(['0ms', '850ms', '42s', '3m05s', '2h10m']);
  });

  it('lists purges one a line, with a long value cut short', () => {
    const long = report({ purgeId: 'b', kind: 'prefix', value: `/${'x'.repeat(100)}`, applied: 2, failed: 0, redelivering: 0, fanout: 'tree' });
    const lines = purgeListTable([long, report({ purgeId: 'a', kind: 'all', value: '', mode: 'soft' })], 1_065_000).split('\n');
    expect(lines[0]).toMatch(/^ID +AGE +PURGE +MODE +FANOUT +APPLIED +FAILED +REDELIVERING$/);
    expect(lines[1]).toMatch(/^b +1m05s +prefix "\/x+\.\.\. +hard +tree +2 +0 +0$/);
    expect(lines[1]).not.toContain('x'.repeat(60));
    expect(lines[2]).toMatch(/^a +1m05s +everything +soft +direct +1 +1 +1$/);
  });

  it('shows one purge as cdnlab purge does, with its age and what is still to come', () => {
    const text = purgeReportText(report(), 1_004_000);
    expect(text).toMatch(/^purge V1StGXR8_Z5jdHi6B-myT: url "\/static\/app\.js", hard, direct fan-out, issued 4s ago: 1 applied, 1 failed, 1 to be called again\n\nNODE +ROLE/);
    expect(text).toContain('the control plane calls it again');
  });
});
