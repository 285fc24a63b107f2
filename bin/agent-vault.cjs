#!/usr/bin/env node
'use strict';
// CommonJS on purpose: Node 20 starts a CommonJS entry faster than an ES module one.
// The bundle is loaded with its V8 code cache (see load-bundle.cjs).
require('./load-bundle.cjs')
  .loadBundle(require('node:path').join(__dirname, '../dist/cli.cjs'))
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
