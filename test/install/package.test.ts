/**
 * What `npm pack` ships and what it declares. An install of the tarball gets only
 * `dependencies`, so they must be exactly what the CLI bundle and the API load at run
 * time: a missing one breaks the installed tool, a bundled-only one is dead weight.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

const isBuiltin = (specifier: string): boolean => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

/** A specifier that names a package: not relative, not absolute, not a Node built-in. */
const isPackage = (specifier: string): boolean => !/^[./]/.test(specifier) && !isBuiltin(specifier);

/** The CLI's bundles: the CLI, and the parsers of import and export, the broker's certificate code, the MCP SDK and the strength estimator it loads from beside it. */
const BUNDLES = ['dist/cli.cjs', 'dist/fast.cjs', 'dist/generate.cjs', 'dist/import-parsers.cjs', 'dist/broker-certificates.cjs', 'dist/mcp-sdk.cjs', 'dist/strength.cjs'];

/**
 * Packages the bundles load: they inline the rest, so only their require()/import() of bare specifiers remain.
 * A `require("…")` written inside a string or template (ajv's code generation, in the MCP SDK) is text, not a load.
 * The CLI bundle's lazy imports are `__agentVaultLazyImport("…")` (scripts/bundle.mjs routes them through the bin's loader).
 */
function bundlePackages(): string[] {
  const bundles = BUNDLES.map((file) => readFileSync(resolve(ROOT, file), 'utf8')).join('\n');
  return [...bundles.matchAll(/(?<![`'])\b(?:require|import|__agentVaultLazyImport)\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!).filter(isPackage).map(packageOf);
}

/**
 * The files the API reaches from src/index.ts, as the dist/ paths tsc writes them to,
 * and the packages they import. Read from the sources, which need no build to be current.
 */
async function apiGraph(): Promise<{ files: string[]; packages: string[] }> {
  const result = await build({ entryPoints: [resolve(ROOT, 'src/index.ts')], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, outfile: 'api.js', logLevel: 'silent' });
  const inputs = Object.entries(result.metafile.inputs);
  const packages = inputs.flatMap(([, input]) => input.imports.filter((i) => i.external && isPackage(i.path)).map((i) => packageOf(i.path)));
  return { files: inputs.map(([file]) => file.replace(/^src\/(.*)\.ts$/, 'dist/$1.js')), packages };
}

/** The paths `npm pack` would put in the tarball. */
function packedFiles(): string[] {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

describe('the package', () => {
  it('declares as dependencies exactly the packages the CLI bundle and the API load at run time', async () => {
    const api = await apiGraph();
    const runtime = new Set([...bundlePackages(), ...api.packages]);
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...runtime].sort());
  });

  it('ships the bundle, the API with every file it imports, the docs and data, and not the unbundled CLI', async () => {
    const files = packedFiles();
    // dist/pg-driver.cjs inlines pg; its optional requires (pg-native, pg-cloudflare) run only where those exist.
    for (const file of ['LICENSE', 'README.md', 'bin/agent-vault.cjs', 'bin/load-bundle.cjs', ...BUNDLES, 'dist/cli.cjs.cache', 'dist/fast.cjs.cache', 'dist/generate.cjs.cache', 'dist/pg-driver.cjs', 'dist/index.js', 'dist/index.d.ts', 'man/agent-vault.1', 'man/agent-vault.5', 'completions/agent-vault.bash', 'data/eff-large-wordlist.txt']) {
      expect(files, file).toContain(file);
    }
    for (const file of (await apiGraph()).files) expect(files, file).toContain(file);
    expect(files.filter((f) => f.startsWith('dist/cli/') || f.startsWith('dist/main.'))).toEqual([]);
  });
});
