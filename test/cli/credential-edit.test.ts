/**
 * `credential edit` with editors that are scripts (off a terminal, so VISUAL/EDITOR is
 * required): what a document changes is written once, with history and grants; no
 * change writes nothing; an invalid document, a failing editor or a change made
 * meanwhile change nothing; the private directory is gone afterwards; the editor gets
 * neither the caller's secrets in its environment nor a value on its command line.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let token: string;
let readerToken: string;
let runtime: string;
let log: string;

beforeEach(async () => {
  ({ store, token } = await TempStore.withAgent());
  readerToken = await store.provision('reader');
  runtime = join(store.root, 'runtime');
  log = join(store.root, 'editor.log');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(runtime, { mode: 0o700 });
  expect((await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'ada', '--uri', 'https://github.com', '--password-stdin', '-a', 'bot'], { input: 'pw-1' })).code).toBe(0);
});
afterEach(() => store.cleanup());

/** An editor script: logs its arguments, the file's and directory's modes and its environment, then runs `body` on "$1". */
function editor(name: string, body: string): string {
  const path = join(store.root, name);
  writeFileSync(
    path,
    ['#!/bin/sh', `echo "args: $*" >> '${log}'`, `stat -c 'modes: %a' "$1" "$(dirname "$1")" >> '${log}'`, `env >> '${log}'`, body, ''].join('\n'),
  );
  chmodSync(path, 0o700);
  return path;
}

const edit = (editorPath: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) =>
  store.owner(['credential', 'edit', 'GITHUB', '-a', 'bot', ...args], { env: { EDITOR: editorPath, XDG_RUNTIME_DIR: runtime, ...extra } });

const get = async (field: string) => (await store.agent(token, ['credential', 'get', 'GITHUB', '--field', field])).stdout;
const history = async () => JSON.parse((await store.owner(['credential', 'history', 'GITHUB', '-a', 'bot', '--json'])).stdout) as unknown[];

describe('credential edit', () => {
  it('applies what the editor changed, in a 0600 file in a 0700 directory of XDG_RUNTIME_DIR that is gone afterwards', async () => {
    const before = (await history()).length;
    const result = await edit(editor('edit.sh', `sed -i -e 's/^password: .*/password: pw-2/' -e 's/^username: .*/username: grace/' -e 's/^tag:.*/tag: ci/' "$1"`));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('updated GITHUB in the vault of bot');
    expect(await get('password')).toBe('pw-2\n');
    expect(await get('username')).toBe('grace\n');
    expect((await history()).length).toBe(before + 1);
    const logged = readFileSync(log, 'utf8');
    const file = /^args: (.*)$/m.exec(logged)![1]!;
    expect(file.startsWith(`${runtime}/agent-vault-edit-`)).toBe(true);
    expect(logged).toMatch(/^modes: 600\nmodes: 700$/m);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('gives the editor only the file path as its argument, and none of the caller\'s secrets in its environment', async () => {
    const result = await store.agent(token, ['credential', 'edit', 'GITHUB'], { env: { EDITOR: editor('look.sh', 'true'), XDG_RUNTIME_DIR: runtime, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile } });
    expect(result.code, result.stderr).toBe(0);
    const logged = readFileSync(log, 'utf8');
    expect(/^args: (.*)$/m.exec(logged)![1]).toMatch(/^\/\S+\/GITHUB\.txt$/);
    expect(logged).not.toContain('pw-1');
    expect(logged).not.toContain(token);
    expect(logged).not.toMatch(/^AGENT_VAULT_(TOKEN|PASSPHRASE|SESSION)/m);
  });

  it('uses the temp directory when XDG_RUNTIME_DIR is not there', async () => {
    const result = await edit(editor('elsewhere.sh', `sed -i -e 's/^password: .*/password: pw-2/' "$1"`), [], { XDG_RUNTIME_DIR: join(store.root, 'no-such-dir') });
    expect(result.code, result.stderr).toBe(0);
    const file = /^args: (.*)$/m.exec(readFileSync(log, 'utf8'))![1]!;
    expect(file.startsWith(join(tmpdir(), 'agent-vault-edit-'))).toBe(true);
    expect(existsSync(dirname(file))).toBe(false);
    expect(await get('password')).toBe('pw-2\n');
  });

  it('splits the editor command as a shell would (EDITOR="sed -i …")', async () => {
    const result = await edit(`sed -i -e 's/^password: .*/password: from sed/'`);
    expect(result.code, result.stderr).toBe(0);
    expect(await get('password')).toBe('from sed\n');
  });

  it('an unchanged document is "no changes": no write, no history entry, no update event', async () => {
    const updated = async () => (JSON.parse((await store.agent(token, ['credential', 'get', 'GITHUB', '--json'])).stdout) as { updated: string }).updated;
    store.clock.advance(60_000);
    const before = { history: (await history()).length, updated: await updated() };
    const result = await edit(editor('same.sh', 'true'), ['--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ key: 'GITHUB', changed: false });
    expect((await history()).length).toBe(before.history);
    expect(await updated()).toBe(before.updated);
    const updates = JSON.parse((await store.owner(['audit', '--json', '--action', 'credential.update', '-a', 'bot'])).stdout) as unknown[];
    expect(updates).toEqual([]);
  });

  it('an emptied document changes nothing', async () => {
    const result = await edit(editor('empty.sh', ': > "$1"'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/empty: nothing was changed/);
    expect(await get('password')).toBe('pw-1\n');
  });

  it('an invalid document off a terminal is exit 2, naming the line; nothing changes and the directory is gone', async () => {
    const result = await edit(editor('bad.sh', `sed -i -e 's/^password: .*/password: pw-2/' "$1"; echo 'colour: red' >> "$1"`));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line \d+: a login has no field colour/);
    expect(result.stderr).not.toContain('pw-2');
    expect(await get('password')).toBe('pw-1\n');
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('an editor that exits non-zero (vi\'s :cq) is exit 8 and changes nothing', async () => {
    const result = await edit(editor('fail.sh', `sed -i -e 's/^password: .*/password: pw-2/' "$1"; exit 3`));
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/editor exited with status 3, nothing was changed/);
    expect(await get('password')).toBe('pw-1\n');
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('an editor killed by a signal is exit 8 and changes nothing', async () => {
    const result = await edit(editor('killed.sh', `sed -i -e 's/^password: .*/password: pw-2/' "$1"; kill -KILL $$`));
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/status 137/);
    expect(await get('password')).toBe('pw-1\n');
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('an editor that cannot be found is exit 2 naming VISUAL and EDITOR', async () => {
    const result = await edit(join(store.root, 'no-such-editor'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot start the editor .*not found/);
    expect(result.stderr).toMatch(/VISUAL or EDITOR/);
    expect(readdirSync(runtime)).toEqual([]);
  });

  it('VISUAL comes before EDITOR', async () => {
    const result = await edit(editor('not-this.sh', 'exit 9'), [], { VISUAL: `sed -i -e 's/^username: .*/username: visual/'` });
    expect(result.code, result.stderr).toBe(0);
    expect(await get('username')).toBe('visual\n');
  });

  it('refuses (exit 7) when the credential changed while the editor was open, keeping the other change', async () => {
    const other = `'${process.execPath}' '${BIN}' --store '${store.location}' --passphrase-file '${store.passphraseFile}' credential update GITHUB --username eve -a bot`;
    const result = await edit(editor('race.sh', `${other} || exit 1; sed -i -e 's/^password: .*/password: pw-2/' "$1"`));
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toMatch(/GITHUB changed while it was being edited, nothing was changed/);
    expect(await get('username')).toBe('eve\n');
    expect(await get('password')).toBe('pw-1\n');
  });

  it('renames, and re-seals the grants of the credential with the new values', async () => {
    expect((await store.owner(['grant', 'GITHUB', '--to', 'reader', '-a', 'bot'])).code).toBe(0);
    const result = await edit(editor('rename.sh', `sed -i -e 's/^key: .*/key: GITHUB_BOT/' -e 's/^password: .*/password: pw-3/' "$1"`));
    expect(result.code, result.stderr).toBe(0);
    expect((await store.agent(token, ['credential', 'get', 'GITHUB'])).code).toBe(3);
    expect((await store.agent(token, ['credential', 'get', 'GITHUB_BOT'])).stdout).toBe('pw-3\n');
    expect((await store.agent(readerToken, ['credential', 'get', 'GITHUB_BOT', '--agent', 'bot'])).stdout).toBe('pw-3\n');
  });

  it('a new key that is taken is exit 2, and neither credential changes', async () => {
    expect((await store.owner(['credential', 'set', 'TAKEN=-', '-a', 'bot'], { input: 'taken-value' })).code).toBe(0);
    const result = await edit(editor('clash.sh', `sed -i -e 's/^key: .*/key: TAKEN/' -e 's/^password: .*/password: pw-2/' "$1"`));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/credential TAKEN already exists/);
    expect(await get('password')).toBe('pw-1\n');
    expect((await store.agent(token, ['credential', 'get', 'TAKEN'])).stdout).toBe('taken-value\n');
  });

  it('off a terminal without VISUAL or EDITOR is exit 2 (vi needs a terminal), asking nothing', async () => {
    const result = await store.owner(['credential', 'edit', 'GITHUB', '-a', 'bot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a terminal for the editor/);
  });

  it('an agent cannot edit another agent\'s credential through a grant (exit 5)', async () => {
    expect((await store.owner(['grant', 'GITHUB', '--to', 'reader', '-a', 'bot'])).code).toBe(0);
    const result = await store.agent(readerToken, ['credential', 'edit', 'GITHUB', '--agent', 'bot'], { env: { EDITOR: editor('never.sh', 'true') } });
    expect(result.code).toBe(5);
    expect(existsSync(log)).toBe(false);
  });

  it('an agent\'s key-only edit of a credential it was granted is exit 3: no editor, no reveal in the granter\'s log', async () => {
    expect((await store.owner(['grant', 'GITHUB', '--to', 'reader', '-a', 'bot'])).code).toBe(0);
    const reveals = async () => (JSON.parse((await store.owner(['audit', '--json', '--action', 'credential.reveal', '-a', 'bot'])).stdout) as unknown[]).length;
    const before = await reveals();
    const result = await store.agent(readerToken, ['credential', 'edit', 'GITHUB'], { env: { EDITOR: editor('never.sh', 'true') } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no credential "GITHUB" in the vault of agent reader/);
    expect(existsSync(log)).toBe(false);
    expect(await reveals()).toBe(before);
  });

  it('a missing credential is exit 3 before any editor starts', async () => {
    const result = await store.owner(['credential', 'edit', 'NOPE', '-a', 'bot'], { env: { EDITOR: editor('never.sh', 'true') } });
    expect(result.code).toBe(3);
    expect(existsSync(log)).toBe(false);
  });
});

describe('credential update without flags', () => {
  it('off a terminal is still "nothing to change" (exit 2), naming credential edit', async () => {
    const result = await store.owner(['credential', 'update', 'GITHUB', '-a', 'bot'], { env: { EDITOR: editor('never.sh', 'true') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing to change/);
    expect(result.stderr).toContain('credential edit');
    expect(existsSync(log)).toBe(false);
  });
});
