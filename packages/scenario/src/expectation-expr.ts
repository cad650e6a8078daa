/**
 * Expectations are one comparison each, in a small Prometheus-like syntax:
 *
 *   origin.requests{path="/hot"} == 1
 *   edge.hit_ratio >= 0.9
 *   client.latency_p99{region="apac"} < 250ms
 *   origin.requests{path!="/api/*"} <= 5%
 *   requests.group_hit_ratio{group=~"reloaders-.*"} < 0.2
 *
 *   expectation := metric selector? op number
 *   metric      := ident ("." ident)*          ident := [A-Za-z_][A-Za-z0-9_]*
 *   selector    := "{" (matcher ("," matcher)* ","?)? "}"
 *   matcher     := ident ("=" | "!=" | "=~" | "!~") string   string := '"' chars with \" and \\ escapes '"'
 *   op          := "==" | "!=" | "<=" | ">=" | "<" | ">"
 *   number      := "-"? digits ("." digits)? (("e"|"E") ("+"|"-")? digits)? unit?
 *   unit        := "ms" | "s" | "%"            (s becomes ms; % becomes a fraction)
 *
 * `=~` and `!~` match a JavaScript regular expression against the whole
 * label value (anchored at both ends, as Prometheus does).
 *
 * Parsed once at load time, so a typo fails before a run starts; the runner
 * evaluates the parsed form with {@link compare} and {@link matchesLabels}.
 */

export const COMPARISONS = ['==', '!=', '<=', '>=', '<', '>'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface LabelMatcher {
  name: string;
  op: LabelOp;
  /** The text to compare with, or the regular expression's source (=~, !~). */
  value: string;
}

export type LabelOp = '=' | '!=' | '=~' | '!~';

export interface Expectation {
  /** The source text, trimmed. */
  text: string;
  metric: string;
  labels: LabelMatcher[];
  op: Comparison;
  /** Normalised: a duration in ms, a percentage as a fraction. */
  value: number;
  /** The unit the value was written in, if any. */
  unit?: 'ms' | 's' | '%';
}

export class ExpressionError extends Error {
  readonly code = 'ERR_CDNLAB_EXPECTATION';
  /** 0-based offset into the source text where the problem is. */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const UNIT = /(ms|s|%)(?![A-Za-z0-9_])/y;
const OPS = 'a comparison operator (==, !=, <, <=, >, >=)';

/** Parses one expectation; throws ExpressionError with the offset of the problem. */
export function parseExpectation(source: string): Expectation {
  let i = 0;
  const s = source;

  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const near = () => (i >= s.length ? 'end of text' : JSON.stringify(s.slice(i, i + 8)));
  const fail = (expected: string): never => {
    throw new ExpressionError(`expected ${expected}, got ${near()}`, i);
  };
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const ident = (what: string): string => sticky(IDENT) ?? fail(what);

  skipSpace();
  const start = i;
  let metric = ident('a metric name (e.g. origin.requests)');
  while (s[i] === '.') {
    i++;
    metric += `.${ident('a name after "."')}`;
  }

  const labels: LabelMatcher[] = [];
  skipSpace();
  if (s[i] === '{') {
    i++;
    skipSpace();
    while (s[i] !== '}') {
      const nameAt = i;
      const name = ident('a label name or "}"');
      if (labels.some((l) => l.name === name)) {
        throw new ExpressionError(`label "${name}" is given twice`, nameAt);
      }
      skipSpace();
      const op = (['=~', '!~', '!='] as const).find((o) => s.startsWith(o, i)) ?? (s[i] === '=' && s[i + 1] !== '=' ? '=' : undefined);
      if (op === undefined) return fail('"=", "!=", "=~" or "!~" after the label name');
      i += op.length;
      skipSpace();
      const valueAt = i;
      const value = quoted();
      if (op === '=~' || op === '!~') {
        try {
          labelRegExp(value);
        } catch (e) {
          throw new ExpressionError(`label "${name}": not a regular expression: ${(e as Error).message}`, valueAt);
        }
      }
      labels.push({ name, op, value });
      skipSpace();
      if (s[i] === ',') {
        i++;
        skipSpace();
      } else if (s[i] !== '}') fail('"," or "}"');
    }
    i++;
    skipSpace();
  }

  const op = COMPARISONS.find((o) => s.startsWith(o, i));
  // "=>" and "=<" are common slips; "=" alone is assignment, not comparison.
  if (!op || (op === '<' && s[i + 1] === '>')) return fail(OPS);
  i += op.length;
  skipSpace();

  const numText = sticky(NUMBER) ?? fail('a number');
  let value = Number(numText);
  const unit = sticky(UNIT) as Expectation['unit'] | undefined;
  if (unit === 's') value *= 1000;
  else if (unit === '%') value /= 100;
  skipSpace();
  if (i < s.length) fail('end of expectation');

  const out: Expectation = { text: s.slice(start).trim(), metric, labels, op, value };
  if (unit) out.unit = unit;
  return out;

  function quoted(): string {
    if (s[i] !== '"') return fail('a double-quoted label value');
    const open = i;
    i++;
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    if (i >= s.length) throw new ExpressionError('unterminated label value (missing closing ")', open);
    i++;
    return v;
  }
}

/** `actual <op> expected`. */
export function compare(op: Comparison, actual: number, expected: number): boolean {
  switch (op) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}

/** Does a series with these labels match the expectation's selector? A missing label counts as "". */
export function matchesLabels(e: Pick<Expectation, 'labels'>, labels: Readonly<Record<string, string>>): boolean {
  return e.labels.every((m) => {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return labelRegExp(m.value).test(v);
      case '!~':
        return !labelRegExp(m.value).test(v);
    }
  });
}

const REGEXPS = new Map<string, RegExp>();

/** The anchored regular expression of a `=~` / `!~` matcher (compiled once per source). */
function labelRegExp(source: string): RegExp {
  let re = REGEXPS.get(source);
  if (re === undefined) {
    re = new RegExp(`^(?:${source})$`);
    REGEXPS.set(source, re);
  }
  return re;
}

/** Canonical text for reports: `metric{a="x"} op value` (value normalised: ms, fractions). */
export function formatExpectation(e: Expectation): string {
  const sel = e.labels.length ? `{${e.labels.map((l) => `${l.name}${l.op}"${l.value.replace(/[\\"]/g, '\\$&')}"`).join(',')}}` : '';
  return `${e.metric}${sel} ${e.op} ${e.value}`;
}
