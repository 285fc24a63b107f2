// Bundles the CLI into one file, dist/cli.js. Node 20 resolves and compiles every ES
// module file separately; one bundle saves about a third of `credential get`'s start-up.
// Heavy or native packages stay external and are imported lazily where they are used.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['argon2', '@inquirer/prompts', 'cli-table3', 'conf'],
  // commander is CommonJS: give the bundle a require() for its built-in imports.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
