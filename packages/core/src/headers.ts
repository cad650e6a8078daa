/**
 * Helpers over a {@link HeaderList}: reading repeated fields, building new
 * lists (the input is never mutated), splitting list-based values, HTTP
 * dates, and hop-by-hop fields.
 *
 * Every function takes names in any case and compares them lower-cased,
 * because a HeaderList stores lower-case names (see `types.ts`).
 */
import type { HeaderList } from './types';

/**
 * `name` lower-cased: the very string when it has no upper-case letter, as
 * field names nearly always have none (String.prototype.toLowerCase makes
 * a new string every time, and these helpers run several times for every
 * response a cache stores). Other than ASCII, it is toLowerCase's answer.
 */
export function lowerCaseName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return name.toLowerCase();
  }
  return name;
}

/** Every value of `name`, one per field line, in wire order. */
export function getAll(headers: HeaderList, name: string): string[] {
  const n = lowerCaseName(name);
  const out: string[] = [];
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === n) out.push(headers[i][1]);
  return out;
}

/**
 * The combined value of `name`: repeated field lines joined with `", "`, as
 * RFC 9110 §5.3 allows for list-based fields. `undefined` when absent.
 * Do not use it for Set-Cookie (RFC 9110 §5.3 names it as the exception) or
 * for a date field, whose value contains a comma: use {@link getAll}.
 */
export function get(headers: HeaderList, name: string): string | undefined {
  const all = getAll(headers, name);
  return all.length === 0 ? undefined : all.join(', ');
}

/** The first field line of `name` only: for singleton fields (Date, Expires, ETag …). */
export function getFirst(headers: HeaderList, name: string): string | undefined {
  const n = lowerCaseName(name);
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === n) return headers[i][1];
  return undefined;
}

/** Whether any field line is called `name`. */
export function has(headers: HeaderList, name: string): boolean {
  const n = lowerCaseName(name);
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === n) return true;
  return false;
}

/**
 * A new list where `name` has exactly the one line `value`: it takes the
 * place of the first existing line (so order is kept) and the other lines
 * of that name are dropped; appended when absent.
 */
export function setHeader(headers: HeaderList, name: string, value: string): HeaderList {
  const n = lowerCaseName(name);
  const out: HeaderList = [];
  let placed = false;
  for (const [k, v] of headers) {
    if (k !== n) out.push([k, v]);
    else if (!placed) {
      out.push([n, value]);
      placed = true;
    }
  }
  if (!placed) out.push([n, value]);
  return out;
}

/** A new list without any line whose name is one of `names`. */
export function removeHeader(headers: HeaderList, ...names: string[]): HeaderList {
  // A few names (nearly always one or two): compared in a loop, no Set per call.
  const drop = names.map((n) => n.toLowerCase());
  const out: HeaderList = [];
  for (let i = 0; i < headers.length; i++) if (!drop.includes(headers[i][0])) out.push(headers[i]);
  return out;
}

/**
 * Splits a list-based field value at top-level commas (RFC 9110 §5.6.1):
 * commas inside a quoted-string (with its `\` escapes) do not split.
 * Members are trimmed of optional whitespace; empty members are dropped, as
 * §5.6.1 requires recipients to ignore them. Quotes are kept: the member
 * `"a, b"` comes back as `"a, b"`.
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      pushTrimmed(out, value.slice(start, i));
      start = i + 1;
    }
  }
  pushTrimmed(out, value.slice(start));
  return out;
}

/**
 * Pushes `s` without its leading and trailing spaces and tabs (OWS), unless
 * that leaves nothing. A loop, not `/[ \t]+$/`: the regex retries from every
 * space of an inner run, and a 16 KiB field of spaces took half a second.
 */
function pushTrimmed(out: string[], s: string): void {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  if (end > start) out.push(start === 0 && end === s.length ? s : s.slice(start, end));
}

// ---------------------------------------------------------------- HTTP dates (RFC 9110 §5.6.7)

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = /^([A-Za-z]{3}), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE = /^([A-Za-z]{6,9}), (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// Sun Nov  6 08:49:37 1994
const ASCTIME_DATE = /^([A-Za-z]{3}) ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) into epoch milliseconds. Accepts the
 * preferred IMF-fixdate and, as §5.6.7 requires of recipients, the obsolete
 * rfc850-date and asctime-date forms. Names of days and months are matched
 * case-insensitively (we are lenient in what we read); the weekday must be a
 * real day name but is not checked against the date. Anything else,
 * including impossible dates (30 Feb, 25:00), gives `undefined`.
 *
 * Two-digit rfc850 years: §5.6.7 says a year that "appears to be more than
 * 50 years in the future" means the most recent past year with those
 * digits. That needs the current time; pass `nowMs` to apply the rule
 * exactly. Without it (the core reads no clock) the pivot is fixed: 00–69 →
 * 2000–2069, 70–99 → 1970–1999, which gives the same answer for any `now`
 * between 2020 and 2069.
 */
export function parseHttpDate(value: string | undefined, nowMs?: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  // Only the rfc850 form depends on nowMs; the rest is a pure function of the
  // text, and a cache reads the same Date and Last-Modified values again and
  // again (every response of one second has the same Date).
  if (nowMs !== undefined) return parseHttpDateText(value, nowMs);
  let v = dateMemo.get(value);
  if (v === undefined && !dateMemo.has(value)) {
    v = parseHttpDateText(value, undefined);
    if (dateMemo.size >= 1024) dateMemo.clear();
    dateMemo.set(value, v);
  }
  return v;
}

/**
 * Whether a response's Last-Modified is a strong validator as a cache can
 * tell (RFC 9110 §8.8.2.2): it has a Date and Last-Modified is at least
 * 60 s before it (a change within the same second cannot hide). If-Range by
 * date (byte-range.ts) and 304 selection (validation.ts) both ask.
 */
export function lastModifiedIsStrong(headers: HeaderList): boolean {
  const lm = parseHttpDate(getFirst(headers, 'last-modified'));
  const date = parseHttpDate(getFirst(headers, 'date'));
  return lm !== undefined && date !== undefined && date - lm >= 60_000;
}

const dateMemo = new Map<string, number | undefined>();

function parseHttpDateText(value: string, nowMs: number | undefined): number | undefined {
  const s = value.trim();
  let m = IMF_FIXDATE.exec(s);
  if (m) {
    if (dayIndex(m[1], DAY_NAMES) < 0) return undefined;
    return utc(Number(m[4]), m[3], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m = RFC850_DATE.exec(s);
  if (m) {
    if (dayIndex(m[1], LONG_DAY_NAMES) < 0) return undefined;
    const yy = Number(m[4]);
    let year: number;
    if (nowMs !== undefined && Number.isFinite(nowMs)) {
      const nowYear = new Date(nowMs).getUTCFullYear();
      year = Math.floor(nowYear / 100) * 100 + yy;
      if (year > nowYear + 50) year -= 100;
    } else {
      year = yy < 70 ? 2000 + yy : 1900 + yy;
    }
    return utc(year, m[3], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m = ASCTIME_DATE.exec(s);
  if (m) {
    if (dayIndex(m[1], DAY_NAMES) < 0) return undefined;
    return utc(Number(m[7]), m[2], Number(m[3].trim()), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  return undefined;
}

function dayIndex(name: string, names: readonly string[]): number {
  const lower = name.toLowerCase();
  return names.findIndex((d) => d.toLowerCase() === lower);
}

function utc(year: number, monthName: string, day: number, h: number, min: number, sec: number): number | undefined {
  const month = dayIndex(monthName, MONTHS);
  // Second 60 is a leap second (RFC 9110 §5.6.7 allows it); we count it as 59.
  if (month < 0 || day < 1 || h > 23 || min > 59 || sec > 60) return undefined;
  const ms = Date.UTC(year, month, day, h, min, Math.min(sec, 59));
  // Date.UTC rolls 31 Apr over into 1 May: reject what does not round-trip.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

/**
 * Formats epoch milliseconds as an IMF-fixdate (RFC 9110 §5.6.7), the only
 * form a sender may generate. Milliseconds are truncated toward the past.
 *
 * @throws TypeError when `ms` is not a finite time within years 0–9999.
 */
export function formatHttpDate(ms: number): string {
  const d = new Date(typeof ms === 'number' ? Math.floor(ms) : NaN);
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 0 || year > 9999) {
    throw new TypeError(`expected ms to be a finite epoch time in years 0-9999, got ${String(ms)}`);
  }
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAY_NAMES[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(year).padStart(4, '0')} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`
  );
}

// ---------------------------------------------------------------- hop-by-hop (RFC 9110 §7.6.1)

/**
 * Fields that describe one connection, not the message, and so are never
 * forwarded nor stored (RFC 9111 §3.1).
 *
 * - RFC 9110 §7.6.1 names Connection, Proxy-Connection, Keep-Alive, TE,
 *   Transfer-Encoding and Upgrade.
 * - Proxy-Authenticate / Proxy-Authorization (RFC 9110 §11.7.1, §11.7.2)
 *   are meant for the next hop only.
 * - Trailer announces trailer fields of a chunked body; every tier re-frames
 *   the body, so the announcement is the framing's business, not content.
 */
export const HOP_BY_HOP_FIELDS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'trailer',
]);

/**
 * The hop-by-hop field names of a message: the fixed set plus every name
 * listed in its Connection field(s) (RFC 9110 §7.6.1), lower-cased.
 */
export function hopByHopNames(headers: HeaderList): Set<string> {
  const names = new Set(HOP_BY_HOP_FIELDS);
  for (const v of getAll(headers, 'connection')) {
    for (const member of splitList(v)) names.add(member.toLowerCase());
  }
  return names;
}

/** A new list without hop-by-hop fields (RFC 9110 §7.6.1), for forwarding or storing. */
export function stripHopByHop(headers: HeaderList): HeaderList {
  // Hot path: no Connection field means only the fixed set can be present.
  if (!headers.some(([k]) => k === 'connection')) {
    return headers.some(([k]) => HOP_BY_HOP_FIELDS.has(k)) ? headers.filter(([k]) => !HOP_BY_HOP_FIELDS.has(k)) : headers;
  }
  const drop = hopByHopNames(headers);
  return headers.filter(([k]) => !drop.has(k));
}
