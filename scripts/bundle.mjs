// Bundles the CLI into one CommonJS file, dist/cli.cjs. Node 20 resolves and compiles
// every ES module file separately, and compiles ES modules more slowly than CommonJS;
// one CommonJS bundle starts `credential get` about 40 ms sooner than dist/main.js.
// Heavy or native packages stay external and are imported lazily where they are used.
// The parsers of `import` and `export` (src/core/import/parsers.ts) go to a bundle of
// their own beside it, import-parsers.cjs, loaded only by those commands: in dist/cli.cjs
// their code alone cost `credential get` about 2 ms of start-up.
// `node scripts/bundle.mjs [outfile]`: the outfile defaults to dist/cli.cjs.
import { build } from 'esbuild';
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

const PARSERS_FILE = 'import-parsers.cjs';

/** The parsers module, left out of the CLI bundle and loaded from the file beside it. */
const separateParsers = {
  name: 'separate-parsers',
  setup(bundle) {
    bundle.onResolve({ filter: /\/core\/import\/parsers\.js$/ }, () => ({ path: `./${PARSERS_FILE}`, external: true }));
  },
};

const outfile = process.argv[2] ?? 'dist/cli.cjs';
/** What both bundles share: CommonJS for Node 20, and the packages loaded at run time left out. */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['argon2', '@inquirer/prompts', 'cli-table3', 'conf', 'dotenv', 'csv-parse', 'kdbxweb'],
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile,
  // The sources are ES modules; in the bundle, import.meta.url is the bundle's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcess, separateParsers],
});

await build({ ...common, entryPoints: ['src/core/import/parsers.ts'], outfile: join(dirname(outfile), PARSERS_FILE) });
