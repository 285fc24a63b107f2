/**
 * `agent-vault --version` is answered by bin/agent-vault.cjs without loading the bundle:
 * it must print what the CLI itself prints, on either of its paths, and survive a
 * reader that is already gone.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { testIO } from '../../src/cli/io.js';
import { BIN } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

async function inProcess(fastPath: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = testIO();
  const code = await main(['node', 'agent-vault', '--version'], io, { fastPath });
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe('--version', () => {
  it("prints package.json's version, as the fast path and commander do", async () => {
    const result = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect({ code: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(await inProcess(true)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(await inProcess(false)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('with anything more goes to the bundle, which prints the same', () => {
    const result = spawnSync(process.execPath, [BIN, '--json', '--version'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect({ code: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('does not crash on a reader that has gone', () => {
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" --version | true; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(result.stderr).not.toMatch(/EPIPE|Error|    at /);
    expect(result.stdout).toBe('status=0\n');
  });
});
