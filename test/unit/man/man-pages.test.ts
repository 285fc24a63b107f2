/**
 * The man pages render without a single groff warning, and the format page states the
 * constants the code uses (so a format change cannot leave the page behind).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KDF_BOUNDS } from '../../../src/format/kdf.js';
import { STORE_VERSION } from '../../../src/format/store-file.js';
import { VAULT_VERSION } from '../../../src/format/vault-file.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../../../src/store/lock.js';

const MAN = resolve(import.meta.dirname, '../../../man');
const hasGroff = spawnSync('groff', ['--version']).status === 0;
const pages = readdirSync(MAN).filter((name) => /\.[1-8]$/.test(name));

function groff(args: string[], page: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('groff', [...args, join(MAN, page)], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!hasGroff)('man pages', () => {
  it('include the format page', () => {
    expect(pages).toContain('agent-vault.5');
  });

  it.each(pages)('%s renders with every groff warning enabled and none raised', (page) => {
    const result = groff(['-man', '-ww', '-z'], page);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('agent-vault.5 states the versions, info strings and bounds the code uses', () => {
    // One long line per paragraph and no hyphenation, so phrases can be searched for.
    const text = groff(['-man', '-Tutf8', '-P-cbou', '-rLL=1000n', '-rHY=0'], 'agent-vault.5').stdout.replace(/\s+/g, ' ');
    const phrases = [
      STORE_VERSION,
      VAULT_VERSION,
      `"${VAULT_VERSION} token agent"`,
      `"${VAULT_VERSION} payload"`,
      `"${VAULT_VERSION} audit"`,
      `"${VAULT_VERSION} slot owner agent"`,
      `"${VAULT_VERSION} slot token agent"`,
      '"agent-vault owner key check"',
      `${KDF_BOUNDS.memoryKiB.min}..${KDF_BOUNDS.memoryKiB.max}`,
      `passes in ${KDF_BOUNDS.iterations.min}..${KDF_BOUNDS.iterations.max}`,
      `lanes in ${KDF_BOUNDS.parallelism.min}..${KDF_BOUNDS.parallelism.max}`,
      `(default ${DEFAULT_LOCK_TIMEOUT_MS / 1000})`,
      'AUDIT LOG',
      'GRANTS',
    ];
    for (const phrase of phrases) expect(text, phrase).toContain(phrase);
  });
});
