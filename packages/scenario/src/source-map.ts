/**
 * From a path in the parsed value (`['nodes', 2, 'cache', 'capacity']`) back to
 * the line and column in the YAML text it came from, so every error, whether
 * the schema's or our own semantic checks', points at the character to fix.
 *
 * The `yaml` package keeps the document as a tree of nodes with source
 * offsets; a LineCounter records where lines start so an offset becomes a
 * 1-based line and column.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node } from 'yaml';
import { FileError, FileErrors, type DocPath } from './errors';

export interface Position {
  file: string;
  line: number;
  col: number;
  /** The path in *that* file (it differs from the asked path when an override supplied the value). */
  path: DocPath;
  /** True when the value is a quoted scalar: its text starts one column later. */
  quoted: boolean;
}

/**
 * `'key'` asks for the key of the last path segment (for "unknown field"),
 * `'value'` for its value (for "wrong type").
 */
export type LocateAt = 'key' | 'value';

/** Finds where a path of a (possibly merged) value was written. */
export type Locator = (path: DocPath, at?: LocateAt) => Position;

export interface ParsedYaml {
  file: string;
  value: unknown;
  locate: Locator;
}

/** yaml's messages end in " at line 3, column 8:" and a code frame; we give the position ourselves. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses one YAML document. Syntax errors (including duplicate keys, which
 * YAML 1.2 forbids and which would otherwise silently keep the last value)
 * become FileErrors with the parser's position.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new FileErrors(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        return new FileError(file, pos.line, pos.col, '', `YAML syntax error: ${firstLine(e.message)}`);
      }),
    );
  }
  let value: unknown;
  try {
    // A small alias budget: a "billion laughs" file fails here instead of eating memory.
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new FileErrors([new FileError(file, 1, 1, '', `YAML error: ${(err as Error).message}`)]);
  }
  return { file, value, locate: createLocator(doc, lineCounter, file) };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function isQuoted(node: unknown): boolean {
  return isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE);
}

/**
 * Walks as far along `path` as the document goes and reports the position of
 * the deepest node reached: a missing field is reported at the mapping that
 * should have held it.
 */
export function createLocator(doc: Document, lineCounter: LineCounter, file: string): Locator {
  const at = (node: Node | null | undefined, path: DocPath, quoted = false): Position => {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, path, quoted };
  };
  return (path, where = 'value') => {
    let node: unknown = doc.contents;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(doc);
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(seg));
        if (!pair) return at(node, path);
        if (last && where === 'key') return at(pair.key as Node, path);
        if (pair.value === null || pair.value === undefined) return at(pair.key as Node, path);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
      } else {
        return at(node as Node, path);
      }
    }
    if (isAlias(node)) node = node.resolve(doc);
    return at(node as Node, path, isQuoted(node));
  };
}

/** A locator for a value found at `prefix` inside another file (an inline topology in a scenario). */
export function prefixLocator(locate: Locator, prefix: DocPath): Locator {
  return (path, where) => locate([...prefix, ...path], where);
}
