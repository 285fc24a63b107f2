/**
 * Editing on a terminal (a pseudo-terminal): `credential edit` and `credential update`
 * without flags run the editor on the terminal; an invalid document is offered for
 * editing again; Ctrl-C or SIGTERM while the editor runs leave nothing behind (exit 8).
 * `KEY=-` on a terminal asks at a masked prompt, so what is typed never shows.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { KEY, runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

/** The pty helper is a Python script. */
const NO_PTY = skipWithout('python3');

let store: TempStore;
let token: string;
let runtime: string;
let log: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  ({ store, token } = await TempStore.withAgent());
  runtime = join(store.root, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  log = join(store.root, 'editor.log');
  env = { ...store.env, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile, XDG_RUNTIME_DIR: runtime };
  expect((await store.owner(['credential', 'add', 'NOTES', '--type', 'secure_note', '--notes-stdin', '-a', 'bot'], { input: 'first line\nsecond line' })).code).toBe(0);
});
afterEach(() => store.cleanup());

/** An editor script that says it runs (on the terminal), logs the file's path and modes, then runs `body`. */
function editor(name: string, body: string): string {
  const path = join(store.root, name);
  writeFileSync(path, ['#!/bin/sh', `echo "$1" >> '${log}'`, `stat -c '%a' "$1" "$(dirname "$1")" >> '${log}'`, 'echo EDITOR-RUNNING', body, ''].join('\n'));
  chmodSync(path, 0o700);
  return path;
}

/** The file the editor was given (first line of the log), and the modes logged while it was open. */
function logged(): { file: string; modes: string[] } {
  const [file, ...modes] = readFileSync(log, 'utf8').trim().split('\n');
  return { file: file!, modes: modes.slice(0, 2) };
}

const notes = async () => (await store.agent(token, ['credential', 'get', 'NOTES'])).stdout;

describe.skipIf(NO_PTY)('credential edit on a terminal', () => {
  it('runs the editor on the terminal, applies the edit, and the 0600 file and 0700 directory are gone', async () => {
    const script = editor('edit.sh', `sed -i -e 's/^second line$/changed line/' "$1"`);
    const result = runInPty(['credential', 'edit', 'NOTES', '-a', 'bot'], [{ expect: 'EDITOR-RUNNING' }], { ...env, EDITOR: script });
    expect(result.timeout).toBe(false);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('updated NOTES in the vault of bot');
    expect(result.output).not.toContain('first line');
    expect(await notes()).toBe('first line\nchanged line\n');
    const { file, modes } = logged();
    expect(modes).toEqual(['600', '700']);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('credential update without flags opens the same editor', async () => {
    const script = editor('edit.sh', `sed -i -e 's/^name:.*/name: My notes/' "$1"`);
    const result = runInPty(['credential', 'update', 'NOTES', '-a', 'bot'], [{ expect: 'EDITOR-RUNNING' }], { ...env, EDITOR: script });
    expect(result.code, result.output).toBe(0);
    expect(JSON.parse((await store.agent(token, ['credential', 'get', 'NOTES', '--json'])).stdout)).toMatchObject({ name: 'My notes' });
  });

  it('offers an invalid document for editing again, with the problem on top, and applies the corrected one', async () => {
    // The first run breaks the document; the second sees the problem line and fixes it.
    const script = editor(
      'twice.sh',
      `if grep -q '^#! Not applied: line' "$1"; then sed -i -e '/^colour:/d' -e 's/^second line$/fixed/' "$1"; else echo 'colour: red' >> "$1"; fi`,
    );
    const result = runInPty(['credential', 'edit', 'NOTES', '-a', 'bot'], [{ expect: 'Edit the document again?' }, { send: `y${KEY.enter}` }, { expect: 'updated NOTES' }], { ...env, EDITOR: script });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/a secure_note has no field colour/);
    expect(await notes()).toBe('first line\nfixed\n');
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('declining to edit again is exit 2 and changes nothing', async () => {
    const script = editor('bad.sh', `echo 'colour: red' >> "$1"`);
    const result = runInPty(['credential', 'edit', 'NOTES', '-a', 'bot'], [{ expect: 'Edit the document again?' }, { send: `n${KEY.enter}` }], { ...env, EDITOR: script });
    expect(result.code).toBe(2);
    expect(await notes()).toBe('first line\nsecond line\n');
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('an editor that fails is exit 8, and one killed is too; nothing changes and nothing is left', async () => {
    for (const [name, body] of [['fail.sh', `sed -i -e 's/^second line$/lost/' "$1"; exit 1`], ['killed.sh', `sed -i -e 's/^second line$/lost/' "$1"; kill -TERM $$`]] as const) {
      const result = runInPty(['credential', 'edit', 'NOTES', '-a', 'bot'], [{ expect: 'EDITOR-RUNNING' }], { ...env, EDITOR: editor(name, body) });
      expect(result.code, `${name}: ${result.output}`).toBe(8);
      expect(result.output).toMatch(/nothing was changed/);
      expect(existsSync(logged().file)).toBe(false);
      expect(readdirSync(runtime)).toEqual([]);
    }
    expect(await notes()).toBe('first line\nsecond line\n');
  });

  it('Ctrl-C while the editor runs is exit 8; the file and its directory are gone', async () => {
    const script = editor('wait.sh', `sed -i -e 's/^second line$/lost/' "$1"; exec sleep 60`);
    const result = runInPty(['credential', 'edit', 'NOTES', '-a', 'bot'], [{ expect: 'EDITOR-RUNNING' }, { send: KEY.ctrlC }], { ...env, EDITOR: script });
    expect(result.timeout).toBe(false);
    expect(result.code, result.output).toBe(8);
    expect(existsSync(logged().file)).toBe(false);
    expect(readdirSync(runtime)).toEqual([]);
    expect(await notes()).toBe('first line\nsecond line\n');
  });
});

describe('credential edit and signals', () => {
  it('SIGTERM to agent-vault while the editor runs ends the editor, removes the directory and exits 8', async () => {
    const ready = join(store.root, 'ready');
    const script = editor('wait.sh', `sed -i -e 's/^second line$/lost/' "$1"; : > '${ready}'; exec sleep 60`);
    const editing = store.start(['credential', 'edit', 'NOTES', '-a', 'bot'], { env: { ...env, EDITOR: script } });
    // Wait for the editor to have the file open (an event, not a sleep).
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (existsSync(ready)) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - started > 30_000) {
          clearInterval(poll);
          reject(new Error('the editor never started'));
        }
      }, 20);
    });
    expect(readdirSync(runtime)).toHaveLength(1);
    editing.child.kill('SIGTERM');
    const ended = await editing.done;
    expect(ended.code).toBe(8);
    expect(ended.stderr).toMatch(/cancelled \(SIGTERM\), nothing was changed/);
    expect(readdirSync(runtime)).toEqual([]);
    expect(await notes()).toBe('first line\nsecond line\n');
  }, 60_000);
});

describe.skipIf(NO_PTY)('KEY=- on a terminal', () => {
  it('asks at a masked prompt: what is typed never appears, and is stored', async () => {
    const result = runInPty(['credential', 'set', 'TYPED=-', '-a', 'bot'], [{ expect: 'Value of TYPED' }, { send: `typed-secret-42${KEY.enter}` }, { expect: 'added TYPED' }], env);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain('typed-secret-42');
    expect((await store.agent(token, ['credential', 'get', 'TYPED'])).stdout).toBe('typed-secret-42\n');
  });

  it('--password-stdin on a terminal is masked the same way', async () => {
    const result = runInPty(['credential', 'add', 'LOGIN', '--type', 'login', '--username', 'ada', '--password-stdin', '-a', 'bot'], [{ expect: 'Password' }, { send: `hidden-pw${KEY.enter}` }, { expect: 'added' }], env);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain('hidden-pw');
    expect((await store.agent(token, ['credential', 'get', 'LOGIN', '--field', 'password'])).stdout).toBe('hidden-pw\n');
  });

  it('an empty answer is refused (exit 2) unless --allow-empty', async () => {
    const refused = runInPty(['credential', 'set', 'BLANK=-', '-a', 'bot'], [{ expect: 'Value of BLANK' }, { send: KEY.enter }], env);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('--allow-empty');
    const allowed = runInPty(['credential', 'set', 'BLANK=-', '--allow-empty', '-a', 'bot'], [{ expect: 'Value of BLANK' }, { send: KEY.enter }], env);
    expect(allowed.code, allowed.output).toBe(0);
  });
});

describe.skipIf(NO_PTY)('credential add on a terminal', () => {
  it('writes a secure note\'s notes in the editor, several lines kept, the file gone afterwards', async () => {
    const script = editor('write.sh', `printf 'line one\\n\\n  line three\\n' > "$1"`);
    const result = runInPty(['credential', 'add', 'LONG_NOTE', '--type', 'secure_note', '-a', 'bot'], [
      { expect: 'Display name' },
      { send: KEY.enter },
      { expect: 'Write the notes in your editor' },
      { send: KEY.enter },
      { expect: 'Tags' },
      { send: KEY.enter },
    ], { ...env, EDITOR: script });
    expect(result).toMatchObject({ code: 0, timeout: false });
    expect(result.output).not.toContain('line three');
    expect((await store.agent(token, ['credential', 'get', 'LONG_NOTE'])).stdout).toBe('line one\n\n  line three\n');
    const { file, modes } = logged();
    expect(modes).toEqual(['600', '700']);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(runtime)).toEqual([]);
  });
});
