/**
 * Building blocks shared by the topology and scenario schemas.
 *
 * The schemas are TypeBox values: one definition gives both the JSON Schema
 * (emitted to `schemas/*.schema.json` for editors, and compiled by Ajv in the
 * loaders) and the TypeScript type of a file as written (`Static<typeof X>`).
 * A few shapes are written as raw JSON Schema through `Type.Unsafe` where the
 * JSON Schema we want (an `enum`, a `oneOf` with a discriminator) gives
 * clearer editor hints and error messages than TypeBox's default spelling.
 */
import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';
import { DURATION_HINT, DURATION_RE, SIZE_HINT, SIZE_RE } from './units';

/** A string from a fixed list, emitted as `enum` (one clear error, one completion list). */
export function StringEnum<const T extends readonly string[]>(values: T, opts: SchemaOptions = {}) {
  return Type.Unsafe<T[number]>({ ...opts, type: 'string', enum: [...values] });
}

/** "15ms", "2s", "1m" or a number of milliseconds. */
export function Duration(opts: SchemaOptions = {}) {
  return Type.Unsafe<string | number>({
    ...opts,
    type: ['string', 'number'],
    pattern: DURATION_RE.source,
    minimum: 0,
    description: opts.description ? `${opts.description} (${DURATION_HINT.replace(/^expected /, '')})` : DURATION_HINT,
  });
}

/** "10KiB", "64MiB", "1.5GB" or a number of bytes. */
export function Size(opts: SchemaOptions = {}) {
  return Type.Unsafe<string | number>({
    ...opts,
    type: ['string', 'integer'],
    pattern: SIZE_RE.source,
    minimum: 0,
    description: opts.description ? `${opts.description} (${SIZE_HINT.replace(/^expected /, '')})` : SIZE_HINT,
  });
}

/** Is this Ajv `pattern` the duration or the size pattern? Lets the loaders say "bad duration" rather than quote a regex. */
export function unitOfPattern(pattern: unknown): 'duration' | 'size' | undefined {
  if (pattern === DURATION_RE.source) return 'duration';
  if (pattern === SIZE_RE.source) return 'size';
  return undefined;
}

/**
 * One of several object shapes told apart by a `const` field (`action: purge`).
 * Emitted as `oneOf` + `discriminator`, which Ajv (option `discriminator`)
 * validates against the one branch the tag selects, so an error in a purge
 * event talks about purge fields only.
 */
export function Discriminated<const T extends TSchema[]>(propertyName: string, variants: [...T], opts: SchemaOptions = {}) {
  return Type.Unsafe<Static<T[number]>>({ ...opts, type: 'object', discriminator: { propertyName }, oneOf: variants });
}

/** Plain JSON (no TypeBox symbols), ready for Ajv or a file. */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/**
 * The same schema with every `required` dropped: what an override may look
 * like (any subset of fields, at any depth). Used for editor hints on
 * `overrides` and `quick`; the loader validates the merged result in full.
 */
export function deepPartial(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(deepPartial);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'required' && Array.isArray(v)) continue;
    // `discriminator` needs its tag to be required; an override need not name it.
    if (k === 'discriminator') continue;
    out[k] = deepPartial(v);
  }
  // Without its discriminator a `oneOf` of partial shapes would match several branches; `anyOf` keeps the hints.
  if ('oneOf' in out) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  return out;
}

export const NAME_PATTERN = '^[a-z][a-z0-9-]*$';
/** An HTTP field name (RFC 9110 §5.1: a token). */
export const HEADER_NAME_PATTERN = '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$';
/** A field value a client can send (RFC 9110 §5.5): no control characters but tab, so no CR, LF or NUL. */
export const FIELD_VALUE_PATTERN = '^[^\\x00-\\x08\\x0a-\\x1f\\x7f]*$';
/** The same, with `{n}` in it. */
export const FIELD_TEMPLATE_PATTERN = '^[^\\x00-\\x08\\x0a-\\x1f\\x7f]*\\{n\\}[^\\x00-\\x08\\x0a-\\x1f\\x7f]*$';
/** Node ids become DNS labels (`<id>.<zone>`), so they follow RFC 1035 §2.3.1 label rules, lower case. */
export const ID_PATTERN = '^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$';
