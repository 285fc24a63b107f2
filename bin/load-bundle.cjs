'use strict';
// Loads the CLI bundle (dist/cli.cjs) through node:vm with the V8 code cache that
// `npm run build` wrote beside it (dist/cli.cjs.cache, scripts/code-cache.cjs), so
// Node deserialises compiled code instead of parsing and compiling the bundle again on
// every run. Without a usable cache the bundle compiles as it would under require():
// a missing file, a cache from another Node, V8, architecture or build, or one V8
// rejects (other V8 flags: `script.cachedDataRejected`) is never an error and never a
// warning.
//
// Security: the cache is compiled code that V8 runs without checking it against the
// source. It is read-only data shipped in the package beside the bundle, as
// trustworthy as the bundle itself, and nothing ever writes it at run time: a cache
// written by the running CLI (or kept in a directory another user could write) would
// let whoever can write it run code as every user of agent-vault.
//
// The bundle runs in a CommonJS wrapper of its own, like the one require() uses, with
// `require` resolving from the bundle's path. Code compiled by vm.Script cannot call
// import() (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING on Node 20), so the wrapper also
// passes `__agentVaultImport`, an import() made here, in an ordinary module; the bundle
// sends its lazy imports through it (scripts/bundle.mjs rewrites them).
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');

/** The wrapper's parameters, in the order loadBundle passes them. */
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname', '__agentVaultImport'];

/** The bundle's source as the cache was made from it: on one line with the first, so line numbers stay those of the file. */
function wrap(source) {
  return `(function (${PARAMETERS.join(', ')}) {${source}\n})`;
}

/** The bundle's first line names its build: `// agent-vault bundle <sha256 of the rest>` (scripts/bundle.mjs). */
function bundleId(source) {
  const match = /^\/\/ agent-vault bundle ([0-9a-f]{64})\n/.exec(source.slice(0, 100));
  return match === null ? undefined : match[1];
}

/** The cache file's first line: what it was made for. Any difference means it is not used. */
function cacheHeader(id) {
  return JSON.stringify({ format: 1, bundle: id, node: process.version, v8: process.versions.v8, arch: process.arch, platform: process.platform });
}

/** The cached data for this bundle from `<file>.cache`, or undefined when there is none made for this build and this Node. */
function cachedDataFor(file, source) {
  const id = bundleId(source);
  if (id === undefined) return undefined;
  let data;
  try {
    data = readFileSync(`${file}.cache`);
  } catch {
    return undefined;
  }
  const end = data.indexOf(10);
  if (end < 0 || data.toString('utf8', 0, end) !== cacheHeader(id)) return undefined;
  return data.subarray(end + 1);
}

/** The bundle compiled, with its cache where there is a usable one; `script.cachedDataRejected` says whether V8 took it. */
function compileBundle(file) {
  // The bundle is ASCII (scripts/bundle.mjs makes sure), so latin1 decodes it exactly,
  // from one read: Node 20 reads a file decoded as utf8 8 KiB at a time.
  const source = readFileSync(file, 'latin1');
  const cachedData = cachedDataFor(file, source);
  return new vm.Script(wrap(source), { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
}

/** Runs a compiled bundle's top level and returns its exports. */
function runBundle(script, file) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), (specifier) => import(specifier));
  return module.exports;
}

/** Loads the bundle at `file` (an absolute path) and returns its exports. */
function loadBundle(file) {
  return runBundle(compileBundle(file), file);
}

module.exports = { loadBundle, compileBundle, runBundle, bundleId, cacheHeader };
