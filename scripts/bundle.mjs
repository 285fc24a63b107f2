// Bundles the CLI into one CommonJS file, dist/cli.cjs. Node 20 resolves and compiles
// every ES module file separately, and compiles ES modules more slowly than CommonJS;
// one CommonJS bundle starts `credential get` about 40 ms sooner than dist/main.js.
// Heavy or native packages stay external and are imported lazily where they are used;
// heavy or rarely used modules of ours go to chunks beside each CLI bundle (CHUNKS).
//
// `node scripts/bundle.mjs` writes dist/cli.cjs, the shipped CLI, and the test-only
// dist/test/cli-faults.cjs (not in the package: see `files` in package.json), the same
// CLI with the fault injection of src/store/fault.ts compiled in and run when executed.
// `node scripts/bundle.mjs <outfile>` writes only the shipped CLI, to outfile, without a
// code cache (its training runs load the packages from the node_modules beside it).
//
// Beside the shipped CLI go the bundles the bin loads first (FAST_BUNDLES):
// dist/fast.cjs, the fast forms of src/cli/fast-path.ts alone (entry
// src/cli/fast-main.ts), so a `credential get` loads about a third of the code, without
// the command tree; and dist/generate.cjs, a bare `generate` alone (entry
// src/cli/generate-main.ts), without the store and vault code. The test bundle has no such
// twins: it is the whole CLI, which runs the fast forms too.
//
// Every shipped bundle gets a V8 code cache, <bundle>.cache, made by
// scripts/code-cache.cjs for the Node running the build and loaded by bin/load-bundle.cjs.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** commander's start-up import of node:child_process, deferred (see lazy-child-process.cjs). */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(bundle) {
    bundle.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: fileURLToPath(new URL('./lazy-child-process.cjs', import.meta.url)) } : undefined,
    );
  },
};

/** The bundles the bin loads first, by the command line's first word (bin/agent-vault.cjs): each runs its fast forms or nothing. */
const FAST_BUNDLES = [
  { entry: 'src/cli/fast-main.ts', file: 'fast.cjs' },
  { entry: 'src/cli/generate-main.ts', file: 'generate.cjs' },
];

/**
 * The modules bundled apart, each in a chunk of its own beside each CLI bundle and
 * imported from there only on the paths that use it: its source (`entry`), its file, the
 * import it replaces (`filter`, and `importer`, a path part the importing file must have,
 * where the name alone is ambiguous), globals replaced in it (`define`), and why it is apart.
 */
const CHUNKS = [
  // In dist/cli.cjs their code alone cost `credential get` about 2 ms of start-up; only `import`, `export` and `exec --env-file` load them.
  { entry: 'src/core/import/parsers.ts', file: 'import-parsers.cjs', filter: /\/core\/import\/parsers\.js$/ },
  // The broker's certificate code, over @peculiar/x509: only `exec --broker` and `proxy`.
  { entry: 'src/app/broker/certificates.ts', file: 'broker-certificates.cjs', filter: /(^|\/)certificates\.js$/, importer: '/app/broker/' },
  // The pg driver: as one file it loads in about half the time pg's own files take; only a postgres:// store.
  // pg asks at load whether it runs on Cloudflare Workers by making a fetch Response,
  // which on Node 20 (no global navigator) loads undici, about 20 ms: never on Workers,
  // the bundle has no Response (`define`), and the question is answered by navigator or no.
  { entry: 'src/store/pg-driver.ts', file: 'pg-driver.cjs', filter: /(^|\/)pg-driver\.js$/, external: ['pg-native', 'pg-cloudflare'], define: { Response: 'undefined' } },
  // The MCP SDK and zod, about 270 ms to load: only `agent-vault mcp`. The server's own
  // code stays in the CLI bundle, so the app/ classes it uses (errors, the session) are the CLI's own.
  { entry: 'src/cli/mcp/sdk.ts', file: 'mcp-sdk.cjs', filter: /(^|\/)mcp\/sdk\.js$/, importer: '/src/cli/' },
  // The passphrase strength estimator with zxcvbn's dictionaries, several megabytes: only `init` and `passwd`.
  { entry: 'src/core/strength.ts', file: 'strength.cjs', filter: /\/core\/strength\.js$/ },
];

/** The plugin that leaves every chunk's module out of a CLI bundle, imported from the file beside it. */
const separateChunks = {
  name: 'separate-chunks',
  setup(bundle) {
    for (const chunk of CHUNKS) {
      bundle.onResolve({ filter: chunk.filter }, (args) => (chunk.importer === undefined || args.importer.includes(chunk.importer) ? { path: `./${chunk.file}`, external: true } : undefined));
    }
  },
};

/** What every bundle shares: CommonJS for Node 20, and the packages loaded at run time left out. */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['argon2', '@inquirer/prompts', 'cli-table3', 'conf', 'dotenv', 'csv-parse', 'kdbxweb', 'age-encryption', '@peculiar/x509', 'reflect-metadata', 'pg', 'uqr'],
  logLevel: 'warning',
};

/** `__bundle.url`, the bundle's own file URL, which stands for import.meta.url in it (see `define` below). */
const BUNDLE_URL = "let __bundleUrl; const __bundle = { get url() { return (__bundleUrl ??= require('node:url').pathToFileURL(__filename).href); } };";

/**
 * The bundle's lazy imports, `import("x")`, sent through `__agentVaultLazyImport` (defined in the
 * banner). Our own chunks beside the bundle (`./x.cjs`, CHUNKS) are CommonJS and come
 * through require(): import() of a CommonJS file first has the ES module loader scan all
 * of it for its export names (about 20 ms for dist/pg-driver.cjs), and the chunks'
 * users only read named exports, which require() gives as well. Packages come through
 * import(): under bin/load-bundle.cjs, which compiles the bundle with vm.Script for its
 * code cache, import() itself fails, and the loader it passes in is used instead.
 * Other relative specifiers become URLs first, as the loader lives in another directory.
 */
const IMPORT_ROUTER =
  "const __agentVaultLazyImport = (specifier) => { if (/^\\.\\/[\\w-]+\\.cjs$/.test(specifier)) return Promise.resolve().then(() => require(specifier)); const url = specifier.startsWith('.') ? new URL(specifier, __bundle.url).href : specifier; return typeof __agentVaultImport === 'function' ? __agentVaultImport(url) : import(url); };";

/**
 * A character outside ASCII in a comment line, written as `\u{…}`: esbuild escapes
 * them in code (charset ascii) but keeps some comments as they are, and one such
 * character makes V8 hold the whole source as two bytes a character, twice the memory
 * to read, hash and scan at every start.
 */
function asciiComments(text) {
  return text.replace(/^([ \t]*(?:\/\/|\/\*|\*).*)$/gm, (line) => line.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`));
}

/**
 * Rewrites the bundle at `file`: its lazy imports through `__agentVaultLazyImport`, its comments in
 * ASCII, and a first line naming this build (the SHA-256 of the rest), which a code cache
 * must have been made for.
 */
function finishBundle(file) {
  const dynamicImport = /(?<![\w$.])import\((?=["'])/g;
  const text = asciiComments(readFileSync(file, 'utf8')).replace(dynamicImport, '__agentVaultLazyImport(');
  // bin/load-bundle.cjs reads the bundle as latin1, which is exact only for ASCII.
  const wide = /[^\x00-\x7f]/.exec(text);
  if (wide) throw new Error(`${file}: a character outside ASCII at offset ${wide.index}, which bin/load-bundle.cjs would not read back`);
  // Only the banner's own import() may be left: any other would fail under the code cache.
  const left = text.match(/(?<![\w$.])import\(/g) ?? [];
  if (left.length !== 1) throw new Error(`${file}: an import() that is not of a string literal cannot be routed through __agentVaultLazyImport`);
  writeFileSync(file, `// agent-vault bundle ${createHash('sha256').update(text).digest('hex')}\n${text}`);
}

/** Writes each `<file>.cache` (scripts/code-cache.cjs) in a clean process: no NODE_OPTIONS, whose V8 flags would make the cache unfit for a plain `node`. */
function writeCodeCaches(files) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('./code-cache.cjs', import.meta.url)), ...files], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the code caches of ${files.join(', ')} were not made:\n${result.stderr}`);
}

/** How both CLI bundles (the whole CLI, and the fast forms alone) are built, with fault injection compiled in or out. */
function cliBuild(faults) {
  return {
    ...common,
    // The sources are ES modules; in the bundle, import.meta.url is the bundle's own URL,
    // worked out on first use (a `credential get` never needs it).
    // `false` makes faultPoint empty, and esbuild drops the injection code it guarded.
    define: { 'import.meta.url': '__bundle.url', __AGENT_VAULT_FAULTS__: String(faults) },
    banner: { js: `${BUNDLE_URL}\n${IMPORT_ROUTER}` },
    plugins: [lazyChildProcess, separateChunks],
  };
}

/**
 * The CLI bundle and its parsers beside it, with fault injection compiled in or (for the
 * shipped one) out, and for `cache` the shipped one's code cache.
 */
async function bundle(outfile, faults, cache) {
  await build({
    ...cliBuild(faults),
    entryPoints: ['src/main.ts'],
    outfile,
    // The test bundle is run directly: `node dist/test/cli-faults.cjs <args>`.
    ...(faults ? { footer: { js: 'if (require.main === module) module.exports.main(process.argv).then((code) => { process.exitCode = code; });' } } : {}),
  });
  finishBundle(outfile);
  // pg-native (never installed) and pg-cloudflare (Workers only) are required by pg only where they exist.
  for (const chunk of CHUNKS) {
    await build({ ...common, ...(chunk.external ? { external: chunk.external } : {}), ...(chunk.define ? { define: chunk.define } : {}), entryPoints: [chunk.entry], outfile: join(dirname(outfile), chunk.file) });
  }
  // The fast forms' own bundles, which the bin loads first; the test bundle has none, as
  // it is run directly.
  const fast = faults ? [] : FAST_BUNDLES.map(({ entry, file }) => ({ entry, file: join(dirname(outfile), file) }));
  for (const { entry, file } of fast) {
    await build({ ...cliBuild(faults), entryPoints: [entry], outfile: file });
    finishBundle(file);
  }
  // Last: the training runs of the code cache load the chunks beside the bundle.
  if (cache) writeCodeCaches([outfile, ...fast.map(({ file }) => file)]);
}

if (process.argv[2]) {
  await bundle(process.argv[2], false, false);
} else {
  await Promise.all([bundle('dist/cli.cjs', false, true), bundle('dist/test/cli-faults.cjs', true, false)]);
}
