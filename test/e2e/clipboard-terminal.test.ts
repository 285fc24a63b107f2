/**
 * `--clip` on a real terminal with no clipboard tool: the value goes to the terminal as
 * an OSC 52 sequence (which the terminal, even over SSH, puts on its clipboard), not as
 * text, and the message says it is not cleared.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TempStore } from '../helpers/cli.js';
import { runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

const VALUE = 'osc52-clip-value-d41e';

describe('--clip on a terminal', () => {
  let store: TempStore;
  let token: string;
  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent());
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot'], { input: VALUE });
  });
  afterAll(() => store.cleanup());

  // The pty helper is a Python script.
  it.skipIf(skipWithout('python3') || process.platform === 'darwin')('sends OSC 52 with the value, prints no plain value, and says it is not cleared', () => {
    // No DISPLAY or WAYLAND_DISPLAY reaches it, so no clipboard tool applies (xsel may be installed).
    const result = runInPty(['credential', 'get', 'API_KEY', '--clip'], [{ expect: 'not cleared' }], { ...store.env, AGENT_VAULT_TOKEN: token });
    expect(result.timeout).toBe(false);
    expect(result.code).toBe(0);
    expect(result.output).toContain(`\x1b]52;c;${Buffer.from(VALUE).toString('base64')}\x07`);
    expect(result.output.replace(`\x1b]52;c;${Buffer.from(VALUE).toString('base64')}\x07`, '')).not.toContain(VALUE);
    expect(result.output).toContain('copied the value of API_KEY to the clipboard (OSC 52)');
  });

  it.skipIf(skipWithout('python3') || process.platform === 'darwin')('with stdout captured by $(…), sends OSC 52 to /dev/tty and nothing to stdout', () => {
    const out = join(store.root, 'captured');
    const command = `"${process.execPath}" "${BIN}" credential get API_KEY --clip > "${out}"; echo "exit=$?"`;
    const result = spawnSync('python3', [resolve(import.meta.dirname, '../helpers/pty_session.py'), JSON.stringify([{ expect: 'exit=' }]), '--', 'sh', '-c', command], {
      env: { PATH: process.env.PATH, TERM: 'xterm', ...store.env, AGENT_VAULT_TOKEN: token },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const session = JSON.parse(result.stdout) as { output: string; code: number; timeout: boolean };
    expect(session.timeout).toBe(false);
    expect(session.output).toContain('exit=0');
    expect(session.output).toContain(`\x1b]52;c;${Buffer.from(VALUE).toString('base64')}\x07`);
    expect(readFileSync(out, 'utf8')).toBe('');
  });
});
