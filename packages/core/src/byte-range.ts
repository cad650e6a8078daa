/**
 * Byte ranges served from a whole stored body (RFC 9110 §14): what a cache
 * that keeps complete objects does with `Range`. One range is served as 206
 * with Content-Range; a range set of several is answered with the whole
 * representation (a server may ignore Range, §14.2), as is a Range that is
 * not valid bytes syntax or whose If-Range does not match (§13.1.5).
 */
import { getFirst, lastModifiedIsStrong } from './headers';
import type { HeaderList } from './types';

export type RangeDecision =
  /** Serve the whole representation (no Range, ignored, or If-Range did not match). */
  | { kind: 'whole' }
  /** 206 with bytes first..last (inclusive) of `length`. */
  | { kind: 'partial'; first: number; last: number; length: number }
  /** 416: no range of the set overlaps the representation (§15.5.17). */
  | { kind: 'unsatisfiable'; length: number };

const WHOLE: RangeDecision = { kind: 'whole' };

/**
 * Client fields a cache fill leaves out: the client's validators are answered
 * from the stored copy (the cache sends its own), and a Range is served from
 * the whole object, so the fill asks for all of it (a 206 could not be stored).
 */
export const FIELDS_NOT_FILLED: readonly string[] = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'];
// Applied to a trimmed spec: `\s*(\d*)\s*` with both ends open made a run of
// spaces cost quadratic time (the empty digits let the two runs trade places).
const SPEC = /^(\d*)\s*-\s*(\d*)$/;

/**
 * What to answer to `request` for a 200 representation of `length` bytes with
 * `response` fields (its ETag and Last-Modified for If-Range).
 */
export function decideRange(request: HeaderList, response: HeaderList, length: number): RangeDecision {
  const range = getFirst(request, 'range');
  if (range === undefined) return WHOLE;
  const eq = range.indexOf('=');
  if (eq < 0 || range.slice(0, eq).trim().toLowerCase() !== 'bytes') return WHOLE;
  const ifRange = getFirst(request, 'if-range');
  if (ifRange !== undefined && !ifRangeMatches(ifRange.trim(), response)) return WHOLE;
  const specs = range.slice(eq + 1).split(',');
  const ranges: Array<[number, number]> = [];
  for (const spec of specs) {
    if (spec.trim() === '') continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    const m = SPEC.exec(spec.trim());
    if (!m || (m[1] === '' && m[2] === '')) return WHOLE; // not bytes syntax: ignore the field
    if (m[1] === '') {
      // suffix-range: the last n bytes
      const n = Number(m[2]);
      if (n > 0 && length > 0) ranges.push([Math.max(0, length - n), length - 1]);
      continue;
    }
    const first = Number(m[1]);
    const last = m[2] === '' ? Infinity : Number(m[2]);
    if (last < first) return WHOLE; // invalid int-range: the whole field is invalid (§14.1.1)
    if (first < length) ranges.push([first, Math.min(last, length - 1)]);
  }
  if (ranges.length === 0) return specs.some((s) => s.trim() !== '') ? { kind: 'unsatisfiable', length } : WHOLE;
  if (ranges.length > 1) return WHOLE; // multipart/byteranges left out: the whole body is a valid answer
  return { kind: 'partial', first: ranges[0][0], last: ranges[0][1], length };
}

/**
 * If-Range (RFC 9110 §13.1.5): an entity-tag must match the current ETag
 * strongly (never a weak one); a date must equal Last-Modified exactly, and
 * only counts when that Last-Modified is a strong validator (step 1 of
 * §13.1.5's date evaluation): otherwise the condition is false and the
 * whole representation is sent.
 */
function ifRangeMatches(value: string, response: HeaderList): boolean {
  if (value.startsWith('"') || value.startsWith('W/')) {
    const etag = getFirst(response, 'etag');
    return etag !== undefined && !value.startsWith('W/') && !etag.startsWith('W/') && etag.trim() === value;
  }
  const lastModified = getFirst(response, 'last-modified');
  return lastModified !== undefined && lastModified.trim() === value && lastModifiedIsStrong(response);
}

/** Content-Range of a decision that is not `whole`. */
export function contentRangeOf(d: Exclude<RangeDecision, { kind: 'whole' }>): string {
  return d.kind === 'partial' ? `bytes ${d.first}-${d.last}/${d.length}` : `bytes */${d.length}`;
}
