/**
 * The e2e project's global setup: bundles the CLI from the sources before any test
 * spawns it, as `npm run build` does, so an end-to-end test never runs a stale
 * dist/cli.cjs. test/install/bundle.test.ts checks the result against a fresh bundle.
 *
 * completions/ is not regenerated here: those scripts are committed, and the tests that
 * compare them with the program would then pass whatever the program had become.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export default function setup(): void {
  const result = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bundling the CLI failed:\n${result.stderr}`);
}
