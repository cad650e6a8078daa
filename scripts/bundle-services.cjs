#!/usr/bin/env node
/**
 * Bundles each service entrypoint into one self-contained file under dist/,
 * so container images need no package install (and so no network): only
 * `node`, dist/<svc>.js and proto/ (found through CDNLAB_PROTO_DIR).
 *
 *   node scripts/bundle-services.cjs [--out dist] [--minify]
 *
 * esbuild is the one tsx already depends on, resolved through tsx, so the
 * repository needs no extra dependency for this.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const SERVICES = ['edge', 'regional', 'shield', 'origin', 'control', 'dns'];

function loadEsbuild() {
  const fromTsx = createRequire(require.resolve('tsx/package.json', { paths: [ROOT] }));
  return fromTsx('esbuild');
}

/**
 * grpc-health-check loads its health.proto at run time from
 * `${__dirname}/../../proto`; inside a bundle __dirname is dist/, so that
 * path would point outside it. Rewrite it to dist/grpc-health-check-proto,
 * which main() fills, and fail loudly if a new version moved the line.
 */
const HEALTH_PROTO_NEEDLE = '`${__dirname}/../../proto`';
const healthProtoPlugin = {
  name: 'grpc-health-check-proto',
  setup(build) {
    build.onLoad({ filter: /grpc-health-check[\\/]build[\\/]src[\\/]health\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes(HEALTH_PROTO_NEEDLE)) throw new Error(`${args.path} no longer loads its proto from ${HEALTH_PROTO_NEEDLE}; update scripts/bundle-services.cjs`);
      return { contents: text.replace(HEALTH_PROTO_NEEDLE, "require('node:path').join(__dirname, 'grpc-health-check-proto')"), loader: 'js' };
    });
  },
};

function healthProtoSource() {
  const fromRpc = createRequire(path.join(ROOT, 'packages', 'rpc', 'package.json'));
  return path.join(path.dirname(fromRpc.resolve('grpc-health-check/package.json')), 'proto');
}

function parseArgs(argv) {
  const opts = { out: path.join(ROOT, 'dist'), minify: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') {
      const v = argv[++i];
      if (!v) throw new Error('--out needs a directory');
      opts.out = path.resolve(v);
    } else if (a === '--minify') opts.minify = true;
    else throw new Error(`unknown option ${a} (expected --out <dir> or --minify)`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const esbuild = loadEsbuild();
  fs.mkdirSync(opts.out, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: opts.minify,
    // Keeps error stacks readable: names and line structure survive.
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: ROOT,
    metafile: true,
    plugins: [healthProtoPlugin],
  };
  const jobs = SERVICES.map((svc) => ({ name: svc, options: { ...common, entryPoints: [path.join(ROOT, 'packages', svc, 'src', 'main.ts')], outfile: path.join(opts.out, `${svc}.js`) } }));
  // The HEALTHCHECK command: a two-line entry around the launcher's probe.
  jobs.push({
    name: 'healthcheck',
    options: {
      ...common,
      stdin: {
        contents: "require('./packages/launcher/src/compose-healthcheck').runHealthcheck().then((code) => process.exit(code));",
        resolveDir: ROOT,
        loader: 'js',
        sourcefile: 'healthcheck-entry.js',
      },
      outfile: path.join(opts.out, 'healthcheck.js'),
    },
  });
  const started = Date.now();
  // Protos beside the bundles: dist/ alone is everything an image needs.
  fs.rmSync(path.join(opts.out, 'proto'), { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'proto'), path.join(opts.out, 'proto'), { recursive: true });
  fs.rmSync(path.join(opts.out, 'grpc-health-check-proto'), { recursive: true, force: true });
  fs.cpSync(healthProtoSource(), path.join(opts.out, 'grpc-health-check-proto'), { recursive: true });
  const results = await Promise.all(jobs.map((j) => esbuild.build(j.options)));
  jobs.forEach((j, i) => {
    const out = Object.entries(results[i].metafile.outputs)[0];
    const native = Object.keys(results[i].metafile.inputs).filter((f) => f.endsWith('.node'));
    if (native.length) throw new Error(`${j.name}: native addons cannot be bundled: ${native.join(', ')}`);
    process.stdout.write(`bundle ${j.name.padEnd(11)} ${(out[1].bytes / 1024).toFixed(0).padStart(6)} KiB  ${path.relative(ROOT, path.resolve(ROOT, out[0]))}\n`);
  });
  process.stdout.write(`bundled ${jobs.length} entrypoints in ${Date.now() - started} ms\n`);
}

main().catch((err) => {
  process.stderr.write(`bundle-services: ${err.message}\n`);
  process.exit(1);
});
