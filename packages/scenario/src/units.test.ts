import fc from 'fast-check';
import { DURATION_RE, formatDuration, formatSize, parseDuration, parseSize, SIZE_RE, UnitError } from './units';

describe('parseDuration', () => {
  it.each([
    ['15ms', 15],
    ['2s', 2000],
    ['1.5s', 1500],
    ['0.1s', 100],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['0s', 0],
    ['0.5ms', 0.5],
    [250, 250],
    [0, 0],
  ])('%p → %p ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['15', '15 ms', '1.s', '.5s', '-1s', '01s', '1w', '1S', '', 'ms', '1e3ms'])('rejects %p with the accepted forms', (bad) => {
    expect(() => parseDuration(bad)).toThrow(UnitError);
    expect(() => parseDuration(bad)).toThrow(`bad duration ${JSON.stringify(bad)}; expected a number with a unit ms, s, m, h or d (e.g. 500ms, 2s, 1m) or a number of ms`);
  });

  it.each([-1, NaN, Infinity])('rejects the number %p', (bad) => {
    expect(() => parseDuration(bad)).toThrow(`bad duration ${bad}`);
  });
});

describe('parseSize', () => {
  it.each([
    ['512B', 512],
    ['10KiB', 10_240],
    ['64MiB', 67_108_864],
    ['1GiB', 1_073_741_824],
    ['1.5GB', 1_500_000_000],
    ['1.5KiB', 1536],
    ['2KB', 2000],
    [4096, 4096],
  ])('%p → %p bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each(['64 MiB', '64mib', '64M', '1.5', 'KiB', '-1B'])('rejects %p', (bad) => {
    expect(() => parseSize(bad)).toThrow(`bad size ${JSON.stringify(bad)}; expected a number with a unit B`);
  });

  it('rejects fractions of a byte', () => {
    expect(() => parseSize('0.5B')).toThrow('bad size "0.5B"; it is not a whole number of bytes (0.5)');
    expect(() => parseSize(1.5)).toThrow(UnitError);
  });
});

describe('format ↔ parse', () => {
  it('formatDuration gives a string parseDuration reads back exactly', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => {
        const text = formatDuration(ms);
        expect(text).toMatch(DURATION_RE);
        expect(parseDuration(text)).toBe(ms);
      }),
    );
  });

  it('formatSize gives a string parseSize reads back exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 1e7 }), fc.nat({ max: 4096 }).map((n) => n * 1024), fc.nat({ max: 64 }).map((n) => n * 2 ** 30)), (bytes) => {
        const text = formatSize(bytes);
        expect(text).toMatch(SIZE_RE);
        expect(parseSize(text)).toBe(bytes);
      }),
    );
  });

  it('picks the largest exact unit', () => {
    expect([formatDuration(0), formatDuration(1500), formatDuration(60_000), formatDuration(90_000)]).toEqual(['0s', '1500ms', '1m', '90s']);
    expect([formatSize(65_536), formatSize(1000), formatSize(0)]).toEqual(['64KiB', '1000B', '0B']);
  });
});
