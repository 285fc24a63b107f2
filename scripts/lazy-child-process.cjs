// Stands in for node:child_process inside commander, which loads it at start-up only to
// support executable subcommands (which agent-vault does not use). Node's module is
// loaded on first use instead; that saves about 7 ms on every run.
'use strict';
let real;
module.exports = new Proxy({}, {
  get(_target, name) {
    real ??= require('node:child_process');
    return real[name];
  },
});
