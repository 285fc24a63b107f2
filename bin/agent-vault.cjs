#!/usr/bin/env node
'use strict';
// CommonJS on purpose: Node 20 starts a CommonJS entry faster than an ES module one.
require('../dist/cli.cjs')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
