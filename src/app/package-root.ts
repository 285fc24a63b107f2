/**
 * The installed package's root directory, for files shipped beside the code (the word
 * list, package.json). Found by walking up from this module, because the same code runs
 * from src/ under tests, from dist/ as compiled, and from dist/cli.cjs as one bundle.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('agent-vault: cannot find its package.json');
    dir = parent;
  }
  cached = dir;
  return dir;
}
