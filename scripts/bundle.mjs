// Bundles the CLI into one CommonJS file, dist/cli.cjs. Node 20 resolves and compiles
// every ES module file separately, and compiles ES modules more slowly than CommonJS;
// one CommonJS bundle starts `credential get` about 40 ms sooner than dist/main.js.
// Heavy or native packages stay external and are imported lazily where they are used.
//
// `node scripts/bundle.mjs` writes dist/cli.cjs, the shipped CLI, and the test-only
// dist/test/cli-faults.cjs (not in the package: see `files` in package.json), the same
// CLI with the fault injection of src/store/fault.ts compiled in and run when executed.
// `node scripts/bundle.mjs <outfile>` writes only the shipped CLI, to outfile.
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

/** The CLI bundle, with fault injection compiled in or (for the shipped one) out. */
function bundle(outfile, faults) {
  return build({
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['argon2', '@inquirer/prompts', 'cli-table3', 'conf'],
    // The sources are ES modules; in the bundle, import.meta.url is the bundle's own URL.
    // `false` makes faultPoint empty, and esbuild drops the injection code it guarded.
    define: { 'import.meta.url': '__bundleUrl', __AGENT_VAULT_FAULTS__: String(faults) },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // The test bundle is run directly: `node dist/test/cli-faults.cjs <args>`.
    ...(faults ? { footer: { js: 'if (require.main === module) module.exports.main(process.argv).then((code) => { process.exitCode = code; });' } } : {}),
    plugins: [lazyChildProcess],
    logLevel: 'warning',
  });
}

if (process.argv[2]) {
  await bundle(process.argv[2], false);
} else {
  await Promise.all([bundle('dist/cli.cjs', false), bundle('dist/test/cli-faults.cjs', true)]);
}
