// Bundles the CLI into one CommonJS file, dist/cli.cjs. Node 20 resolves and compiles
// every ES module file separately, and compiles ES modules more slowly than CommonJS;
// one CommonJS bundle starts `credential get` about 40 ms sooner than dist/main.js.
// Heavy or native packages stay external and are imported lazily where they are used.
// `node scripts/bundle.mjs [outfile]`: the outfile defaults to dist/cli.cjs.
import { build } from 'esbuild';
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

await build({
  entryPoints: ['src/main.ts'],
  outfile: process.argv[2] ?? 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['argon2', '@inquirer/prompts', 'cli-table3', 'conf', 'dotenv', 'csv-parse', 'kdbxweb'],
  // The sources are ES modules; in the bundle, import.meta.url is the bundle's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcess],
  logLevel: 'warning',
});
