// Preloaded (`node --require`) into a node the launcher starts from a bundle
// (bundle.ts). The command line still names the service's TypeScript
// entrypoint, so `ps`, the state file and `cdnlab status` show which service
// a process is; CDNLAB_BUNDLES maps that entrypoint to the CommonJS bundle
// built from it, and this hook runs the bundle in its place. No TypeScript
// is compiled in the child.
'use strict';

const Module = require('node:module');
const { readFileSync } = require('node:fs');

const bundles = JSON.parse(process.env.CDNLAB_BUNDLES || '{}');
// The services start no Node children of their own; do not hand the map on.
delete process.env.CDNLAB_BUNDLES;

Module._extensions['.ts'] = function loadBundled(module, filename) {
  const bundle = bundles[filename];
  if (bundle === undefined) {
    throw new Error(`cdnlab: ${filename} was started from a bundle, and no bundle was built for it (bundled: ${Object.keys(bundles).join(', ') || 'none'})`);
  }
  // Compiled under the bundle's own name: its source map sits next to it.
  module._compile(readFileSync(bundle, 'utf8'), bundle);
};
