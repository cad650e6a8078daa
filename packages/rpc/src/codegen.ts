/**
 * Generates src/generated/ from proto/ with proto-loader-gen-types, using
 * flags derived from LOADER_OPTIONS so the types match what the loader
 * produces at run time (STYLE 8), and checks that the committed copy is
 * current.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOADER_OPTIONS, PROTO_FILES, protoDir } from './loader';

/** Where the committed generated files live. */
export const GENERATED_DIR = path.resolve(__dirname, 'generated');

/** proto-loader-gen-types flags equivalent to LOADER_OPTIONS. */
export function generatorFlags(): string[] {
  const flags = [`--longs=${LOADER_OPTIONS.longs.name}`, `--enums=${LOADER_OPTIONS.enums.name}`];
  if (LOADER_OPTIONS.keepCase) flags.push('--keepCase');
  if (LOADER_OPTIONS.defaults) flags.push('--defaults');
  if (LOADER_OPTIONS.oneofs) flags.push('--oneofs');
  // Comments only: they change no type, and they carry the proto docs into editors.
  flags.push('--includeComments', '--grpcLib=@grpc/grpc-js');
  return flags;
}

function generatorBin(): string {
  const pkg = require.resolve('@grpc/proto-loader/package.json');
  return path.join(path.dirname(pkg), 'build', 'bin', 'proto-loader-gen-types.js');
}

/** Write generated types for every proto file into outDir (replacing its content). */
export function generateTypes(outDir: string): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  // Run from the proto root with relative names, so the "Original file:"
  // comments in the output do not depend on where the repository lives.
  const root = protoDir();
  execFileSync(process.execPath, [generatorBin(), ...generatorFlags(), '-I', '.', '-O', outDir, ...PROTO_FILES], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

export interface StaleFile {
  file: string;
  reason: 'differs' | 'missing' | 'extra';
}

/**
 * Regenerate into a temporary directory and compare with `committedDir`.
 * Returns the files that differ (empty when the committed copy is current).
 */
export function findStaleGenerated(committedDir: string = GENERATED_DIR): StaleFile[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdnlab-rpc-gen-'));
  try {
    generateTypes(tmp);
    const fresh = listFiles(tmp);
    const committed = new Set(listFiles(committedDir));
    const stale: StaleFile[] = [];
    for (const file of fresh) {
      if (!committed.has(file)) stale.push({ file, reason: 'missing' });
      else if (!fs.readFileSync(path.join(tmp, file)).equals(fs.readFileSync(path.join(committedDir, file)))) {
        stale.push({ file, reason: 'differs' });
      }
      committed.delete(file);
    }
    for (const file of committed) stale.push({ file, reason: 'extra' });
    return stale;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
