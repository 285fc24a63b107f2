/**
 * What a fast form (cli/fast-path.ts) evaluates: from the entry point and from the
 * actions it runs, the static imports esbuild bundles (type-only imports are gone by
 * then) must not reach commander, chalk, cli-table3, the prompts or the command tree.
 * Those load through import() alone, which in the bundle evaluates a module only when
 * called. A static import of any of them would put it back on every `credential get`.
 */
import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The files and packages the fast path may never import statically. */
const HEAVY = [/node_modules\/commander\//, /^commander$/, /node_modules\/chalk\//, /^chalk$/, /^cli-table3$/, /^@inquirer\//, /^src\/cli\/program\.ts$/, /^src\/cli\/help-topics\.ts$/];

/** Every input `from` reaches through static imports (import statements and require calls), itself included. */
function staticClosure(metafile: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const dependency of metafile.inputs[path]?.imports ?? []) if (dependency.kind !== 'dynamic-import') visit(dependency.path);
  };
  visit(from);
  return seen;
}

describe('the fast path', () => {
  it.each(['src/main.ts', 'src/cli/commands/credential/get.ts', 'src/cli/commands/totp.ts', 'src/cli/commands/generate-run.ts', 'src/cli/context.ts'])('%s imports nothing heavy statically', async (entry) => {
    const { metafile } = await build({ entryPoints: [entry], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, outfile: 'out.cjs', external: ['argon2', '@inquirer/prompts', 'cli-table3', 'conf', 'pg', 'age-encryption'], logLevel: 'silent' });
    const reached = [...staticClosure(metafile, entry)];
    expect(reached.length).toBeGreaterThan(10);
    expect(reached.filter((path) => HEAVY.some((heavy) => heavy.test(path)))).toEqual([]);
  });

  it('src/cli/generate-main.ts (dist/generate.cjs) reaches no backend, vault format, session or other fast form, through import() either', async () => {
    const { metafile } = await build({ entryPoints: ['src/cli/generate-main.ts'], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, outfile: 'out.cjs', packages: 'external', logLevel: 'silent' });
    const reached = Object.keys(metafile.inputs);
    expect(reached).toContain('src/core/generator.ts');
    expect(reached.filter((path) => /^src\/format\/|^src\/store\/(open|directory-backend|postgres-backend|backend)\.ts$|^src\/app\/(session|open-session|credentials)\.ts$|^src\/cli\/(context|fast-path)\.ts$/.test(path))).toEqual([]);
  });

  it('would notice a static import of commander', async () => {
    const { metafile } = await build({ entryPoints: ['src/cli/program.ts'], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, outfile: 'out.cjs', packages: 'external', logLevel: 'silent' });
    expect([...staticClosure(metafile, 'src/cli/program.ts')].filter((path) => HEAVY.some((heavy) => heavy.test(path))).length).toBeGreaterThan(0);
  });
});
