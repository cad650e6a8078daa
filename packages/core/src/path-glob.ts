/** The path of a request target: what path globs match, without its query or fragment. */
export function pathOfTarget(target: string): string {
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}

/**
 * Longest glob accepted. Globs are written by people (topology and site
 * files, admin calls); the cap also bounds what one match costs, which is
 * proportional to the glob's length times the path's.
 */
export const MAX_PATH_GLOB_LENGTH = 1024;

/** A compiled path glob. `test` has RegExp's shape, so callers read the same either way. */
export interface PathGlob {
  /** The glob as written. */
  readonly glob: string;
  test(path: string): boolean;
}

// One step of a compiled glob: a literal character code, or a wildcard.
const STAR = -1; // `*`: any run of characters other than `/`
const GLOBSTAR = -2; // `**`: any run of characters
const SLASH = 0x2f;

/**
 * Path globs as every file and command of cdnlab reads them (origin path
 * rules, TTL overrides, faults, client groups of a trace): `*` matches
 * within one path segment, `**` across segments, everything else literally.
 *
 * Matching runs the glob as a set of positions stepped once per character
 * of the path, so it costs at most glob length x path length whatever the
 * two hold. A backtracking RegExp (`^/.*a.*a.*b$`) is exponential in the
 * number of wildcards: one glob with a few `**` in a TTL override or a site
 * rule and a long path from any client blocked a node for seconds.
 */
export function pathGlob(glob: string): PathGlob {
  if (typeof glob !== 'string' || !glob.startsWith('/')) throw new TypeError(`expected a path glob starting with "/", got ${describeGlob(glob)}`);
  if (glob.length > MAX_PATH_GLOB_LENGTH) throw new TypeError(`expected a path glob of at most ${MAX_PATH_GLOB_LENGTH} characters, got ${glob.length}`);
  const steps: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charCodeAt(i);
    if (c !== 0x2a /* * */) {
      steps.push(c);
    } else if (glob.charCodeAt(i + 1) === 0x2a) {
      steps.push(GLOBSTAR);
      i++;
    } else {
      steps.push(STAR);
    }
  }
  const wildcards = steps.filter((s) => s < 0).length;
  // The shapes most globs have get a direct test; the general matcher is for the rest.
  if (wildcards === 0) return { glob, test: (path) => path === glob };
  if (wildcards === 1 && steps[steps.length - 1] === GLOBSTAR) {
    const prefix = glob.slice(0, -2);
    return { glob, test: (path) => path.startsWith(prefix) };
  }
  return { glob, test: (path) => runSteps(steps, path) };
}

function describeGlob(glob: unknown): string {
  if (typeof glob !== 'string') return String(glob);
  return JSON.stringify(glob.length > 60 ? `${glob.slice(0, 57)}...` : glob);
}

/**
 * Whether `path` matches `steps`. `live[i]` says the first i steps can match
 * the characters read so far; a wildcard may also match nothing, so a live
 * position before one makes the position after it live too.
 */
function runSteps(steps: readonly number[], path: string): boolean {
  const n = steps.length;
  // Two rows reused across calls (matching is synchronous): an origin or a
  // simulated one tests a glob per request, and should not allocate for it.
  if (rowA.length < n + 1) {
    rowA = new Uint8Array(n + 1);
    rowB = new Uint8Array(n + 1);
  }
  let live = rowA;
  let next = rowB;
  live.fill(0, 0, n + 1);
  live[0] = 1;
  closeOverEmpty(steps, live);
  for (let p = 0; p < path.length; p++) {
    const c = path.charCodeAt(p);
    next.fill(0, 0, n + 1);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!live[i]) continue;
      const s = steps[i];
      if (s === GLOBSTAR || (s === STAR && c !== SLASH)) {
        next[i] = 1; // the wildcard takes this character and may take more
        any = true;
      } else if (s === c) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    closeOverEmpty(steps, next);
    const t = live;
    live = next;
    next = t;
  }
  return live[n] === 1;
}

let rowA = new Uint8Array(64);
let rowB = new Uint8Array(64);

function closeOverEmpty(steps: readonly number[], live: Uint8Array): void {
  for (let i = 0; i < steps.length; i++) if (live[i] && steps[i] < 0) live[i + 1] = 1;
}
