/**
 * Schema validation with errors people can act on. Ajv finds what is wrong;
 * this module says it in the file's terms: the field as a path, the line and
 * column from the YAML source, and what was expected, with a "did you mean"
 * for misspelt field names.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { FileError, formatPath, type DocPath } from './errors';
import { FIELD_TEMPLATE_PATTERN, FIELD_VALUE_PATTERN, HEADER_NAME_PATTERN, ID_PATTERN, NAME_PATTERN, toJsonSchema, unitOfPattern } from './schema-common';
import type { Locator } from './source-map';
import { DURATION_HINT, SIZE_HINT } from './units';

const ajv = new Ajv({
  allErrors: true,
  verbose: true,
  discriminator: true,
  strict: true,
  // Durations are `type: [string, number]` with a string pattern: allowed on purpose.
  allowUnionTypes: true,
  strictTypes: false,
});

const VALUE_KEYWORDS = new Set(['type', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'enum', 'const', 'minLength']);

export type Validator = (value: unknown, locate: Locator, prefix?: DocPath) => FileError[];

/**
 * Compiles a TypeBox schema once, when it first validates something (a
 * quarter of a second for all of ours: a process that loads this package
 * and never reads a file, such as a simulator thread, does not pay it);
 * the result reports every error with its position.
 */
export function compileValidator(schema: TSchema): Validator {
  let compiled: ValidateFunction | undefined;
  return (value, locate, prefix = []) => {
    const validate = (compiled ??= ajv.compile(toJsonSchema(schema)));
    if (validate(value)) return [];
    // A wrong value also trips sibling keywords of the same field (type and pattern, or
    // minimum): report the first per field.
    const seen = new Set<string>();
    const errors = fittingBranches(validate.errors ?? []).filter((e) => {
      if (!VALUE_KEYWORDS.has(e.keyword)) return true;
      if (seen.has(e.instancePath)) return false;
      seen.add(e.instancePath);
      return true;
    });
    return errors.flatMap((e) => convert(e, value, locate, prefix));
  };
}

/**
 * A value that fails every branch of an anyOf trips errors in all of them,
 * most saying only "not this shape". Branches whose shape does not fit (a
 * type error, or a field they do not have, at the value itself) are dropped
 * when another one fits; when exactly one fits, its errors are the whole
 * story and the "does not match any of the allowed forms" line goes too.
 */
function fittingBranches(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  for (const any of errors) {
    if (any.keyword !== 'anyOf') continue;
    const base = `${any.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (e === any || !e.schemaPath.startsWith(base)) continue;
      const b = e.schemaPath.slice(base.length).split('/')[0];
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    const misfit = (es: ErrorObject[]) => es.some((e) => e.instancePath === any.instancePath && (e.keyword === 'type' || e.keyword === 'additionalProperties'));
    const fits = [...branches.values()].filter((es) => !misfit(es));
    if (fits.length === 0 || fits.length === branches.size) continue;
    for (const es of branches.values()) if (misfit(es)) for (const e of es) drop.add(e);
    if (fits.length === 1) drop.add(any);
  }
  return drop.size === 0 ? errors : errors.filter((e) => !drop.has(e));
}

/** JSON Pointer → path segments, numbers where the data is a list. */
function pointerToPath(pointer: string, root: unknown): Array<string | number> {
  if (!pointer) return [];
  const out: Array<string | number> = [];
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function typeWords(t: unknown): string {
  const types = Array.isArray(t) ? t : [t];
  return types.map((x) => TYPE_WORDS[String(x)] ?? String(x)).join(' or ');
}

const PATTERN_WORDS: Record<string, string> = {
  [NAME_PATTERN]: 'a lower-case name (a-z, 0-9 and -, starting with a letter)',
  [ID_PATTERN]: 'a lower-case DNS label (a-z, 0-9 and -, at most 63 characters)',
  '^/': 'a path starting with "/"',
  '^https?://': 'an http:// or https:// URL',
  '^/.*\\{n\\}': 'a path starting with "/" that contains {n}',
  [HEADER_NAME_PATTERN]: 'an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)',
  [FIELD_VALUE_PATTERN]: 'a header value without control characters (no CR, LF or NUL)',
  [FIELD_TEMPLATE_PATTERN]: 'a header value containing {n}, without control characters',
};

/**
 * Edit distance counting an adjacent swap as one edit (optimal string
 * alignment), since "cahce" for "cache" is the commonest typo. Case-insensitive.
 * Small inputs only (field and value names).
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function unitMessage(unit: 'duration' | 'size', data: unknown): string {
  return `bad ${unit} ${typeof data === 'string' ? JSON.stringify(data) : String(data)}; ${unit === 'duration' ? DURATION_HINT : SIZE_HINT}`;
}

function convert(e: ErrorObject, root: unknown, locate: Locator, prefix: DocPath): FileError[] {
  const path = pointerToPath(e.instancePath, root);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const make = (p: DocPath, detail: string, at: 'key' | 'value' = 'value'): FileError[] => {
    const full = [...prefix, ...p];
    const pos = locate(full, at);
    return [new FileError(pos.file, pos.line, pos.col, formatPath(pos.path), detail)];
  };
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const known = Object.keys((parent.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
      const namePatterns = Object.keys((parent.patternProperties as object | undefined) ?? {});
      if (known.length === 0 && namePatterns.length > 0) {
        // A map with free names (headers, regions): the name itself is wrong.
        const words = namePatterns.map((p) => PATTERN_WORDS[p] ?? `a name matching /${p}/`).join(' or ');
        return make([...path, field], `"${field}" is not a valid name here: expected ${words}`, 'key');
      }
      const guess = nearest(field, known);
      const hint = guess ? `did you mean "${guess}"?` : `expected one of: ${known.join(', ')}`;
      return make([...path, field], `unknown field "${field}"; ${hint}`, 'key');
    }
    case 'required':
      return make(path, `missing required field "${String(e.params.missingProperty)}"`);
    case 'type': {
      const unit = unitOfPattern(parent.pattern);
      if (unit) return make(path, unitMessage(unit, e.data));
      return make(path, `expected ${typeWords(e.params.type)}, got ${describeValue(e.data)}`);
    }
    case 'pattern': {
      const unit = unitOfPattern(e.params.pattern);
      if (unit) return make(path, unitMessage(unit, e.data));
      const words = PATTERN_WORDS[String(e.params.pattern)] ?? `a string matching /${String(e.params.pattern)}/`;
      return make(path, `expected ${words}, got ${describeValue(e.data)}`);
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? nearest(e.data, allowed) : undefined;
      return make(path, `unknown value ${describeValue(e.data)}; expected one of: ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
    case 'const':
      return make(path, `expected ${JSON.stringify(e.params.allowedValue)}, got ${describeValue(e.data)}`);
    case 'discriminator': {
      const tag = String(e.params.tag);
      const tagValue = (e.data as Record<string, unknown> | undefined)?.[tag];
      if (tagValue === undefined) return make(path, `missing required field "${tag}"`);
      const allowed = ((parent.oneOf as Array<{ properties: Record<string, { const: string }> }>) ?? []).map((b) => b.properties[tag].const);
      const guess = typeof tagValue === 'string' ? nearest(tagValue, allowed) : undefined;
      return make(
        [...path, tag],
        `unknown ${tag} ${describeValue(tagValue)}; expected one of: ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const unit = unitOfPattern(parent.pattern);
      if (unit) return make(path, unitMessage(unit, e.data));
      return make(path, `expected a number ${String(e.params.comparison)} ${String(e.params.limit)}, got ${describeValue(e.data)}`);
    }
    case 'minItems':
      return make(path, `expected at least ${String(e.params.limit)} item(s), got ${(e.data as unknown[]).length}`);
    case 'minLength':
      return make(path, e.params.limit === 1 ? 'expected a non-empty string' : `expected at least ${String(e.params.limit)} characters`);
    case 'if':
    case 'anyOf':
      // `if` only says "the then-branch failed", and that branch's own errors are reported.
      return e.keyword === 'if' ? [] : make(path, 'does not match any of the allowed forms');
    default:
      return make(path, e.message ?? `failed ${e.keyword}`);
  }
}
