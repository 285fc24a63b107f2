/**
 * The owner's lifecycle where the process is the point: a mistyped passphrase at a real
 * terminal is asked again (three tries), passwd asks for the new one twice, masked; a
 * session is refused from a `setsid` process (another session id, no terminal); and no
 * child of exec receives AGENT_VAULT_SESSION, in its environment or in /proc.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore } from '../helpers/cli.js';
import { KEY, runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

const NEW_PASSPHRASE = 'tomato kiwi raven ocean violin 77';

let store: TempStore;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  ({ store } = await TempStore.withAgent());
  expect((await store.owner(['credential', 'set', 'KEY=-', '-a', 'bot'], { input: 'the-value' })).code).toBe(0);
  const runtime = join(store.root, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  env = { ...store.env, XDG_RUNTIME_DIR: runtime };
});
afterEach(() => store.cleanup());

describe.skipIf(skipWithout('python3'))('at a terminal', () => {
  it('a mistyped passphrase is asked for again, and the right one then works', () => {
    const result = runInPty(['credential', 'get', 'KEY', '-a', 'bot'], [
      { expect: 'Owner passphrase' },
      { send: `not the passphrase${KEY.enter}` },
      { expect: 'try again' },
      { expect: 'Owner passphrase' },
      { send: `${PASSPHRASE}${KEY.enter}` },
    ], env);
    expect(result).toMatchObject({ timeout: false, code: 0 });
    expect(result.output).toContain('the-value');
    expect(result.output).not.toContain('not the passphrase');
  });

  it('three wrong tries are exit 4, the hint naming the prompt', () => {
    const steps = ['2 more tries', '1 more try', 'error'].flatMap((next) => [{ expect: 'Owner passphrase' }, { send: `wrong${KEY.enter}` }, { expect: next }]);
    const result = runInPty(['credential', 'get', 'KEY', '-a', 'bot'], steps, env);
    expect(result).toMatchObject({ timeout: false, code: 4 });
    expect(result.output).toMatch(/3 tries at the prompt/);
    expect(result.output).toMatch(/typed at the prompt/);
    expect(result.output).not.toContain('the-value');
  });

  it('passwd asks for the new passphrase twice, masked, and only it works afterwards', async () => {
    const result = runInPty(['passwd'], [
      { expect: 'Owner passphrase' },
      { send: `${PASSPHRASE}${KEY.enter}` },
      { expect: 'New owner passphrase' },
      { send: `${NEW_PASSPHRASE}${KEY.enter}` },
      { expect: 'Repeat the new passphrase' },
      { send: `${NEW_PASSPHRASE}${KEY.enter}` },
    ], env);
    expect(result).toMatchObject({ timeout: false, code: 0 });
    expect(result.output).not.toContain(NEW_PASSPHRASE);
    expect((await store.run(['credential', 'list', '-a', 'bot'], { env: { AGENT_VAULT_PASSPHRASE: PASSPHRASE } })).code).toBe(4);
    expect((await store.run(['credential', 'get', 'KEY', '-a', 'bot'], { env: { AGENT_VAULT_PASSPHRASE: NEW_PASSPHRASE } })).stdout).toBe('the-value\n');
  });

  it('a session opened at one terminal is refused at another', () => {
    const opened = runInPty(['unlock', '--sh', '--passphrase-file', store.passphraseFile], [], env);
    expect(opened.code).toBe(0);
    const session = /AGENT_VAULT_SESSION=(avs_\S+)/.exec(opened.output)![1]!;
    const other = runInPty(['credential', 'get', 'KEY', '-a', 'bot'], [], { ...env, AGENT_VAULT_SESSION: session });
    expect(other.code).toBe(4);
    expect(other.output).toMatch(/another terminal/);
  });
});

describe('off a terminal', () => {
  it('a session works in the login session it was opened in, not from a setsid process', async () => {
    const unlock = await store.run(['unlock', '--passphrase-file', store.passphraseFile], { env });
    expect(unlock.code, unlock.stderr).toBe(0);
    const session = unlock.stdout.trim();
    expect(await store.run(['credential', 'get', 'KEY', '-a', 'bot'], { env: { ...env, AGENT_VAULT_SESSION: session } })).toMatchObject({ code: 0, stdout: 'the-value\n' });
    if (skipWithout('setsid')) return;
    const { spawnSync } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const detached = spawnSync('setsid', ['-w', process.execPath, BIN, 'credential', 'get', 'KEY', '-a', 'bot'], { env: { PATH: process.env.PATH, ...env, AGENT_VAULT_SESSION: session }, encoding: 'utf8' });
    expect(detached.status).toBe(4);
    expect(detached.stdout).toBe('');
  });

  it("no exec child receives AGENT_VAULT_SESSION: not in its environment, not in agent-vault's /proc environ", async () => {
    const session = (await store.run(['unlock', '--passphrase-file', store.passphraseFile], { env })).stdout.trim();
    const script = 'printenv AGENT_VAULT_SESSION; tr "\\0" "\\n" < /proc/$PPID/environ | grep -c AGENT_VAULT_SESSION; printenv KEY';
    const result = await store.run(['exec', '-a', 'bot', '--', 'sh', '-c', script], { env: { ...env, AGENT_VAULT_SESSION: session } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(session);
    expect(result.stdout).toContain('the-value');
    const [count] = result.stdout.trim().split('\n');
    // Where Node can re-execute itself (22.15+), even /proc no longer shows it.
    if ((process as { execve?: unknown }).execve !== undefined) expect(count).toBe('0');
  });
});
