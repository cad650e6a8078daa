import { parseTtlOverride, settingsRequest } from './cache';
import { parseWeight } from './dns';
import { linkRows } from './link';
import { durationOption, fractionOption, sizeOption, switchOption } from '../admin-options';

describe('cache settings options', () => {
  it('sends only the options given, under the proto names', () => {
    expect(settingsRequest({})).toEqual({});
    expect(settingsRequest({ collapsing: 'off', swr: false, maxTtl: 60_000, capacity: 1024, ttlOverride: ['/static/**=60s', '/a=1500ms'], clearTtlOverrides: true })).toEqual({
      collapsing: 'off',
      staleWhileRevalidate: false,
      maxTtlMs: 60_000,
      capacityBytes: 1024,
      clearTtlOverrides: true,
      ttlOverrides: [
        { match: '/static/**', ttlMs: 60_000 },
        { match: '/a', ttlMs: 1500 },
      ],
    });
  });

  it('names what is wrong', () => {
    expect(() => settingsRequest({ collapsing: 'sometimes' })).toThrow('expected --collapsing to be one of off, wait, lock-timeout, got "sometimes"');
    expect(() => parseTtlOverride('/static/**')).toThrow(/expected --ttl-override as <glob>=<duration>/);
    expect(() => parseTtlOverride('/x=soon')).toThrow(/^--ttl-override: bad duration/);
  });
});

describe('option parsers', () => {
  it('read durations, sizes, fractions and switches, naming the option on error', () => {
    expect(durationOption('--latency')('40ms')).toBe(40);
    expect(durationOption('--latency')('250')).toBe(250);
    expect(() => durationOption('--latency')('fast')).toThrow(/^--latency: bad duration/);
    expect(sizeOption('--capacity')('64MiB')).toBe(64 * 1024 * 1024);
    expect(() => sizeOption('--capacity')('big')).toThrow(/^--capacity: bad size/);
    expect(fractionOption('--loss', 0, 1)('0.01')).toBe(0.01);
    expect(() => fractionOption('--loss', 0, 1)('1')).toThrow('expected --loss to be a number in [0, 1), got "1"');
    expect(fractionOption('--heuristic', 0, 1, true)('1')).toBe(1);
    expect(switchOption('--swr')('off')).toBe(false);
    expect(() => switchOption('--swr')('maybe')).toThrow('expected --swr to be on or off, got "maybe"');
  });
});

describe('dns policy options', () => {
  it('reads edge=weight', () => {
    expect(parseWeight('edge-na-1=3')).toEqual({ edgeId: 'edge-na-1', weight: 3 });
    expect(() => parseWeight('edge-na-1')).toThrow(/expected --weight as <edge>=<number >= 0>/);
    expect(() => parseWeight('edge-na-1=-1')).toThrow(/expected --weight/);
  });
});

describe('link table', () => {
  it('has one row per node and parent', () => {
    expect(linkRows([{ nodeId: 'e1', role: 'edge', cache: null, ttlOverrides: [], storeRebuilt: false, appliedAtMs: 0, links: [{ parentId: 'r1', latencyMs: 40, jitterMs: 5, loss: 0, down: false, cut: false }, { parentId: 'r2', latencyMs: 0, jitterMs: 0, loss: 0, down: true, cut: false }, { parentId: 's1', latencyMs: 0, jitterMs: 0, loss: 0, down: false, cut: true }] }])).toEqual([
      ['e1', 'r1', 40, 5, 0, 'up'],
      ['e1', 'r2', 0, 0, 0, 'down'],
      ['e1', 's1', 0, 0, 0, 'cut'],
    ]);
  });
});
