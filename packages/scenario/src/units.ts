/**
 * Durations and sizes as people write them in topology and scenario files
 * ("15ms", "2s", "64MiB", "1.5GB"), turned into plain numbers (ms, bytes)
 * once, at load time, so nothing downstream ever parses a unit again.
 *
 * The regular expressions below are the single definition of the syntax:
 * the JSON Schemas use their `source` as `pattern` (so editors flag a bad
 * value as you type) and the parsers below use the same expressions, so the
 * two cannot disagree.
 */

/** Milliseconds per duration unit. */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Bytes per size unit. SI prefixes are powers of 1000 and IEC prefixes powers
 * of 1024 (IEC 80000-13), so "1GB" and "1GiB" differ, as they do on a disk label.
 */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

const NUMBER = '(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?';

/** A non-negative decimal followed by one unit, no space: `500ms`, `1.5s`, `2m`, `1h`, `7d`. */
export const DURATION_RE = new RegExp(`^(${NUMBER})(ms|s|m|h|d)$`);
/** A non-negative decimal followed by one unit, no space: `512B`, `10KiB`, `1.5GB`. */
export const SIZE_RE = new RegExp(`^(${NUMBER})(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`);

export const DURATION_HINT = 'expected a number with a unit ms, s, m, h or d (e.g. 500ms, 2s, 1m) or a number of ms';
export const SIZE_HINT = 'expected a number with a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. 512B, 10KiB, 64MiB, 1.5GB) or a number of bytes';

/** Raised by the parsers; the loaders turn it into a positioned FileError. */
export class UnitError extends Error {
  readonly code = 'ERR_CDNLAB_UNIT';
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * "15ms" | "2s" | "1m" | "1.5h" | "7d" | a plain number of milliseconds → ms.
 * Fractions of a millisecond are kept (a jitter of "0.5ms" is meaningful).
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UnitError(`bad duration ${show(input)}; ${DURATION_HINT}`);
  }
  const m = typeof input === 'string' ? DURATION_RE.exec(input) : null;
  if (!m) throw new UnitError(`bad duration ${show(input)}; ${DURATION_HINT}`);
  // Multiply in integer space when possible so "0.1s" is exactly 100, not 100.00000000000001.
  return scale(m[1], DURATION_UNITS[m[2]]);
}

/**
 * "512B" | "10KiB" | "64MiB" | "1.5GB" | a plain number of bytes → bytes.
 * The result must be a whole number of bytes ("0.5B" is rejected).
 */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new UnitError(`bad size ${show(input)}; ${SIZE_HINT}`);
  }
  const m = typeof input === 'string' ? SIZE_RE.exec(input) : null;
  if (!m) throw new UnitError(`bad size ${show(input)}; ${SIZE_HINT}`);
  const bytes = scale(m[1], SIZE_UNITS[m[2]]);
  if (!Number.isSafeInteger(bytes)) {
    throw new UnitError(`bad size ${show(input)}; it is not a whole number of bytes (${bytes})`);
  }
  return bytes;
}

/** digits × factor, exact for short decimals: "1.5" × 1000 = 15 × 1000 / 10. */
function scale(decimal: string, factor: number): number {
  const dot = decimal.indexOf('.');
  if (dot < 0) return Number(decimal) * factor;
  const places = decimal.length - dot - 1;
  const whole = Number(decimal.slice(0, dot) + decimal.slice(dot + 1));
  return (whole * factor) / 10 ** places;
}

/** The shortest exact spelling of a duration: 1500 → "1500ms", 60000 → "1m", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const f = DURATION_UNITS[unit];
    if (ms % f === 0) return `${ms / f}${unit}`;
  }
  return `${ms}ms`;
}

/** The largest IEC unit that divides a size exactly: 65536 → "64KiB", 1000 → "1000B". */
export function formatSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const f = SIZE_UNITS[unit];
    if (bytes !== 0 && bytes % f === 0) return `${bytes / f}${unit}`;
  }
  return `${bytes}B`;
}
