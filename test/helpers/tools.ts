/**
 * System tools that some tests drive (oathtool, zsh, fish, python3 for the pty helper…).
 * A test that needs one skips where it is missing and says so, so a machine with only
 * Node and npm runs the rest of the suite green and shows what it left out.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `name` is an executable file in a directory of $PATH; looked up on disk, nothing is spawned. */
export function hasTool(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

const warned = new Set<string>();

/**
 * True when a tool in `tools` is missing, for `describe.skipIf` / `it.skipIf`. It then
 * prints `skipped: <tool> not installed` once per test file: vitest's default reporter
 * counts skipped tests but does not name them, and prints a file's console output.
 */
export function skipWithout(...tools: string[]): boolean {
  const missing = tools.filter((tool) => !hasTool(tool));
  for (const tool of missing) {
    if (warned.has(tool)) continue;
    warned.add(tool);
    console.warn(`skipped: ${tool} not installed`);
  }
  return missing.length > 0;
}
