import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, EXIT_CODES } from '../../../src/cli/help-topics.js';
import * as errors from '../../../src/core/errors.js';

const SRC = resolve(import.meta.dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('help topics', () => {
  it('lists every exit code once, in order, as errors.ts defines them', () => {
    expect(EXIT_CODES.map((row) => row.code)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(Object.values(errors.ExitCode))).toEqual(new Set(EXIT_CODES.map((row) => row.code)));
  });

  it('names each exit code as the code field of a --json error with that exit', () => {
    const errorClasses = Object.values(errors).filter(
      (value): value is typeof errors.VaultError => typeof value === 'function' && value.prototype instanceof errors.VaultError,
    );
    expect(errorClasses.length).toBe(7);
    for (const ErrorClass of errorClasses) {
      const error = new ErrorClass('x');
      expect(EXIT_CODES.find((row) => row.code === error.exitCode)?.name).toBe(error.code);
    }
  });

  it('names every environment variable the source reads', () => {
    const read = new Set<string>();
    // store/fault.ts reads the test-only AGENT_VAULT_FAULT*, compiled out of the shipped CLI.
    for (const file of sources(SRC).filter((f) => !f.endsWith(join('store', 'fault.ts')))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)|'([A-Z][A-Z0-9_]*)' in [a-z.]*env\b/g)) read.add(match[1] ?? match[2]!);
    }
    expect(read.size).toBeGreaterThan(8);
    const documented = ENVIRONMENT.map((row) => row.name);
    for (const name of read) expect(documented, name).toContain(name);
    expect(new Set(documented).size).toBe(documented.length);
  });
});
