/**
 * What exec's child can read of agent-vault, its parent, in /proc: the environment the
 * parent was started with (/proc/$PPID/environ) and its command line. A token in
 * AGENT_VAULT_TOKEN stays in that environment for as long as agent-vault runs, unless
 * this Node can re-execute agent-vault without it (process.execve, Node 22.15+); a
 * token file never puts the token there.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, PASSPHRASE, TempStore } from '../helpers/cli.js';
import { skipWithout } from '../helpers/tools.js';

const VALUE = 'environ-value-8d2f';
/** The child prints its parent's initial environment and command line, then the value it was given. */
const READ_PARENT = ['exec', '--', 'sh', '-c', 'cat /proc/$PPID/environ /proc/$PPID/cmdline; printf "\\nvalue=%s\\n" "$API_KEY"'];
const canReexecute = typeof (process as { execve?: unknown }).execve === 'function' && process.platform === 'linux';

describe.skipIf(process.platform !== 'linux')("exec's child reading /proc/$PPID", () => {
  let store: TempStore;
  let token: string;
  let tokenFile: string;

  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot'], { input: VALUE });
    tokenFile = join(store.root, 'bot.token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  });
  afterEach(() => store.cleanup());

  it.skipIf(canReexecute)('sees AGENT_VAULT_TOKEN on a Node without process.execve: the gap the token file closes there', async () => {
    const result = await store.agent(token, READ_PARENT);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`value=${VALUE}\n`);
    expect(result.stdout).toContain(`AGENT_VAULT_TOKEN=${token}`);
    expect(result.stderr).toBe('');
  });

  it.skipIf(!canReexecute)('sees no token or passphrase on a Node that re-executes agent-vault without them', async () => {
    const asAgent = await store.agent(token, READ_PARENT);
    expect(asAgent.code).toBe(0);
    expect(asAgent.stdout).toContain(`value=${VALUE}\n`);
    expect(asAgent.stdout).not.toContain(token.slice(-43));
    const asOwner = await store.run([...READ_PARENT.slice(0, 1), '--agent', 'bot', ...READ_PARENT.slice(1)], { env: { AGENT_VAULT_PASSPHRASE: PASSPHRASE } });
    expect(asOwner.code).toBe(0);
    expect(asOwner.stdout).toContain(`value=${VALUE}\n`);
    expect(asOwner.stdout).not.toContain(PASSPHRASE);
  });

  it.skipIf(canReexecute)('re-executes through a stand-in for process.execve on this Node, and then holds no token either', () => {
    const fake = resolve(import.meta.dirname, '../helpers/fake-execve.mjs');
    for (const env of [{ AGENT_VAULT_TOKEN: token }, { AGENT_VAULT_PASSPHRASE: PASSPHRASE, AGENT_VAULT_AGENT: 'bot' }]) {
      const result = spawnSync(process.execPath, ['--import', fake, BIN, ...READ_PARENT], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, ...store.env, ...env } });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(`value=${VALUE}\n`);
      expect(result.stdout).toMatch(/AGENT_VAULT_HANDOVER=agent-vault-handover-[0-9a-f]{32}/);
      expect(result.stdout).not.toContain(token.slice(-43));
      expect(result.stdout).not.toContain(PASSPHRASE);
    }
  });

  it.each([
    ['--token-file', (file: string) => ({ args: ['--token-file', file], env: {} })],
    ['AGENT_VAULT_TOKEN_FILE', (file: string) => ({ args: [], env: { AGENT_VAULT_TOKEN_FILE: file } })],
  ])('sees no token with %s, on every Node, and the child is not told the file', async (_, how) => {
    const { args, env } = how(tokenFile);
    const result = await store.run([...args, ...READ_PARENT], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`value=${VALUE}\n`);
    expect(result.stdout).not.toContain(token.slice(-43));
    const childEnv = await store.run([...args, 'exec', '--', 'env'], { env });
    expect(childEnv.stdout).not.toMatch(/AGENT_VAULT_TOKEN/);
  });

  // The child finds the file on its parent's command line and reads it, as its parent's and
  // as its own descriptor, without waiting (dd iflag=nonblock): the pipe is empty by then.
  it.skipIf(skipWithout('bash', 'dd'))('sees no token at all when the token file is a pipe, which the child cannot read again', () => {
    // The token reaches bash in T, which bash keeps to itself: agent-vault is not given it.
    const script = `t=$T; unset T; "${process.execPath}" "${BIN}" --token-file <(printf %s "$t") exec -- sh -c 'cat /proc/$PPID/environ /proc/$PPID/cmdline; f=$(tr "\\0" "\\n" < /proc/$PPID/cmdline | sed -n "/^--token-file$/{n;p;}"); echo "file=$f"; dd if=/proc/$PPID/fd/\${f##*/} iflag=nonblock status=none; dd if="$f" iflag=nonblock status=none; printf "\\nvalue=%s\\n" "$API_KEY"'`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, ...store.env, T: token } });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/file=\/dev\/fd\/\d+\n/);
    expect(result.stdout).toContain(`value=${VALUE}\n`);
    expect(result.stdout).not.toContain(token.slice(-43));
  });
});
