#!/usr/bin/env node
'use strict';
// CommonJS on purpose: Node 20 starts a CommonJS entry faster than an ES module one.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

if (process.argv.length === 3 && process.argv[2] === '--version') {
  // The one command line that needs nothing of the bundle: package.json's version, as
  // src/cli/version.ts reads it, without the cost of loading the CLI. A reader gone
  // early is not an error, as in cli/io.ts.
  process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
  process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')).version}\n`);
} else {
  // A fast forms' bundle first, which runs the command line if it is one of its forms;
  // else the whole CLI. `generate` has one of its own, without the store and vault code; the
  // others are in dist/fast.cjs (scripts/bundle.mjs). Each is loaded with its V8 code
  // cache (see load-bundle.cjs).
  const { loadBundle } = require('./load-bundle.cjs');
  const dist = join(__dirname, '../dist');
  loadBundle(join(dist, process.argv[2] === 'generate' ? 'generate.cjs' : 'fast.cjs'))
    .fastMain(process.argv)
    .then((code) => code ?? loadBundle(join(dist, 'cli.cjs')).main(process.argv))
    .then((code) => {
      process.exitCode = code;
    });
}
