/**
 * A token written to a file (`provision --token-file`, `token rotate --token-file`,
 * `rekey --tokens --token-dir`) is issued before the file is written: when that write
 * meets a full disk, the new token is on stdout instead, and works, so no agent is left
 * with neither its old token nor a new one.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWithFault, TempStore } from '../helpers/cli.js';

let store: TempStore;
beforeEach(async () => {
  store = new TempStore();
  await store.init();
});
afterEach(() => store.cleanup());

/** The 1-based write point at which `args` writes `file`, found by a traced run on a copy of the store (with `file` moved into the copy's folder). */
async function writePointOf(args: string[], file: string): Promise<number> {
  const scratch = mkdtempSync(join(store.root, 'trace-'));
  const copy = join(scratch, 'store');
  cpSync(store.dir, copy, { recursive: true });
  const moved = (path: string): string => path.replace(store.root, scratch);
  const trace = join(scratch, 'trace');
  const result = await runWithFault(args.map(moved), 'trace', { baseEnv: { ...store.env, AGENT_VAULT_HOME: copy }, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile }, trace });
  expect(result.code, result.stderr).toBe(0);
  const at = readFileSync(trace, 'utf8').split('\n').indexOf(`write ${moved(file)}`);
  expect(at, `no write of ${moved(file)} in the trace`).toBeGreaterThanOrEqual(0);
  return at + 1;
}

describe('a full disk at the write of a token file', () => {
  it('provision --token-file: the token is on stdout, works, and no file is left', async () => {
    await store.provision('other');
    const file = join(store.root, 'bot.token');
    const args = ['provision', 'bot', '--token-file', file];
    const n = await writePointOf(args, file);
    const result = await runWithFault(args, `enospc:${n}`, { baseEnv: store.env, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not write .*bot\.token: the new token of agent bot is on stdout instead/);
    expect(existsSync(file)).toBe(false);
    const token = result.stdout.trim();
    expect(token).toMatch(/^avt_/);
    expect((await store.agent(token, ['credential', 'list'])).code).toBe(0);
  });

  it('rekey --tokens --token-dir: the agent whose file failed gets its token on stdout; the others keep a working token', async () => {
    const tokens = { bot: await store.provision('bot'), other: await store.provision('other') };
    const dir = join(store.root, 'tokens');
    const args = ['rekey', '--tokens', '--token-dir', dir, '--json'];
    const failing = join(dir, 'other.token');
    const n = await writePointOf(args, failing);
    const result = await runWithFault(args, `enospc:${n}`, { baseEnv: store.env, env: { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile } });
    expect(result.code).toBe(1);
    expect(existsSync(failing)).toBe(false);
    const printed = JSON.parse(result.stdout) as { agent: string; token: string };
    expect(printed.agent).toBe('other');
    expect((await store.agent(printed.token, ['credential', 'list'])).code).toBe(0);
    // bot was rotated before other (its file written) or after (its old token still works).
    const botFile = join(dir, 'bot.token');
    const botToken = existsSync(botFile) ? readFileSync(botFile, 'utf8').trim() : tokens.bot;
    expect((await store.agent(botToken, ['credential', 'list'])).code).toBe(0);
  });
});
