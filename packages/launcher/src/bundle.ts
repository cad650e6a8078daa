/**
 * The service entrypoints built once per launcher into one CommonJS file
 * each, so a node starts without compiling TypeScript. Under the tsx loader
 * every node compiled its ~100 source files itself at start: 0.8 s of CPU
 * for an edge, against 0.4 s from a bundle, and a topology starts 13 of them
 * on a machine that may have two cores. esbuild builds the six entrypoints
 * in about 0.2 s.
 *
 * Only our own code (`@cdnlab/*` and relative imports) goes into a bundle.
 * Every other package stays where pnpm installed it: its import is rewritten
 * to the absolute file Node would have loaded from the importing source
 * file, so it loads exactly as under tsx, files next to it included
 * (grpc-health-check reads its .proto from its own directory).
 *
 * The files land in `<home>/bundles/<hash of their content>/`: launchers
 * running at once (tests, `cdnlab up` beside a scenario run) share one
 * directory when the code is the same and never see a half-written one
 * (written to a temporary directory, then renamed). Source maps go with
 * them; children do not run with --enable-source-maps (it puts the map
 * lookup on the path of every stack a failed call formats), so a node's
 * stack trace names the bundle, with our function names and a line its map
 * translates. CDNLAB_BUNDLE=0 runs the TypeScript under tsx instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** A bundle directory not used for this long is removed by the next build. */
const KEEP_UNUSED_MS = 7 * 24 * 3600_000;

/** Resolves every import that is not ours to the absolute file it names, and leaves it out of the bundle. */
function keepPackagesInstalled(): Plugin {
  return {
    name: 'cdnlab-keep-packages-installed',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@cdnlab/')) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        try {
          return { path: require.resolve(args.path, { paths: [args.resolveDir] }), external: true };
        } catch (err) {
          return { errors: [{ text: `cannot resolve "${args.path}" from ${args.importer}: ${(err as Error).message.split('\n')[0]}` }] };
        }
      });
    },
  };
}

/**
 * Gives each of our modules its own `__dirname` and `__filename`: the
 * directory and file of its source, as under tsx, not the bundle's. Code
 * finds files next to its source this way (the repository root, the .proto
 * files, the launcher's preload scripts).
 */
function sourceDirnames(): Plugin {
  return {
    name: 'cdnlab-source-dirnames',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        // Read once here: what this returns, esbuild does not read again.
        const source = readFileSync(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(source)) return { contents: source, loader: 'ts' };
        // On the first line, so every other line keeps its number in the source map.
        const names = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)}; `;
        return { contents: names + source, loader: 'ts' };
      });
    },
  };
}

export class BundleError extends Error {
  readonly code = 'ERR_CDNLAB_BUNDLE';
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/**
 * Builds `entries` (name → TypeScript entrypoint) into `<root>/<hash>/<name>.cjs`
 * and returns name → bundle file. Throws BundleError naming the file and line
 * of a compile error.
 */
export async function bundleEntrypoints<K extends string>(entries: Readonly<Record<K, string>>, root: string, workingDir: string): Promise<Record<K, string>> {
  const names = Object.keys(entries) as K[];
  let out;
  try {
    out = await build({
      entryPoints: Object.fromEntries(names.map((n) => [n, entries[n]])),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      outdir: path.join(root, 'out'),
      outExtension: { '.js': '.cjs' },
      sourcemap: 'linked',
      // Code splitting is ESM-only; each bundle holds its own copy of what the services share.
      write: false,
      absWorkingDir: workingDir,
      logLevel: 'silent',
      plugins: [keepPackagesInstalled(), sourceDirnames()],
    });
  } catch (err) {
    const e = err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> };
    const lines = (e.errors ?? []).map((x) => (x.location ? `${x.location.file}:${x.location.line}:${x.location.column}: ${x.text}` : x.text));
    throw new BundleError(`could not bundle ${names.map((n) => path.relative(workingDir, entries[n])).join(', ')}:\n  ${lines.length ? lines.join('\n  ') : (err as Error).message}`);
  }
  const hash = createHash('sha256');
  const files = out.outputFiles.map((f) => ({ name: path.basename(f.path), contents: f.contents }));
  files.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const f of files) hash.update(f.name).update('\0').update(f.contents);
  const dir = path.join(root, hash.digest('hex').slice(0, 16));
  const result = Object.fromEntries(names.map((n) => [n, path.join(dir, `${n}.cjs`)])) as Record<K, string>;
  mkdirSync(root, { recursive: true });
  if (!names.every((n) => existsSync(result[n]))) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    for (const f of files) writeFileSync(path.join(tmp, f.name), f.contents);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another launcher renamed the same content into place first: use theirs.
      rmSync(tmp, { recursive: true, force: true });
      if (!names.every((n) => existsSync(result[n]))) throw err;
    }
  } else {
    const now = new Date();
    utimesSync(dir, now, now);
  }
  pruneOld(root, dir);
  return result;
}

/** Removes bundle directories (and stray temporary ones) unused for a week. */
function pruneOld(root: string, keep: string): void {
  const cutoff = Date.now() - KEEP_UNUSED_MS;
  for (const name of readdirSync(root)) {
    const p = path.join(root, name);
    if (p === keep) continue;
    try {
      if (statSync(p).mtimeMs < cutoff) rmSync(p, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another launcher.
    }
  }
}
