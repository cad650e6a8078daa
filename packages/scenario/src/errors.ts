/**
 * Errors in the files a user writes. Each one names the file, the 1-based line
 * and column, the field (as a path a reader can find: `workload.clients[0].region`)
 * and what was expected, in the one-line form compilers use so editors and
 * terminals turn it into a link:
 *
 *   scenarios/x.yaml:12:7: workload.clients[0].region: unknown region "apac2"; known: na, eu, apac
 */

/** A path into a parsed document: map keys and sequence indexes. */
export type DocPath = ReadonlyArray<string | number>;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['workload', 'clients', 0, 'region']` → `workload.clients[0].region`; odd keys are quoted: `headers["Cache Control"]`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export class FileError extends Error {
  readonly code = 'ERR_CDNLAB_FILE';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    /** The field, formatted (`nodes[2].cache.capacity`); empty for whole-file errors such as YAML syntax. */
    readonly path: string,
    /** What is wrong and what was expected, without the location prefix. */
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'FileError';
  }

  /** The one-line `file:line:col: path: message` form. */
  format(): string {
    return this.message;
  }
}

/**
 * What the loaders throw: every problem found in one pass, in file order, so
 * a user fixes them all in one go rather than one per run.
 */
export class FileErrors extends Error {
  readonly code = 'ERR_CDNLAB_FILES';

  constructor(readonly errors: readonly FileError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'FileErrors';
  }

  format(): string {
    return this.message;
  }
}

/** Sort by file, then line, then column; drop exact duplicates (one mistake can trip two checks). */
export function sortErrors(errors: readonly FileError[]): FileError[] {
  const seen = new Set<string>();
  return [...errors]
    .sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1))
    .filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}
