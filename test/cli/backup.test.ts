/**
 * `backup`, `backup verify` and `restore` through the CLI: an age file (passphrase or
 * recipients) of the whole store, 0600 and never overwritten; a changed byte is exit 6
 * and a restore then writes nothing; a wrong passphrase is exit 4; after a restore into
 * an empty store the same owner passphrase and tokens work and `audit verify` passes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTar } from '../../src/format/tar.js';
import { restoreBackup } from '../../src/app/backup.js';
import { DirectoryBackend } from '../../src/store/directory-backend.js';
import { PASSPHRASE, TempStore } from '../helpers/in-process.js';
import { skipWithout } from '../helpers/tools.js';

let store: TempStore;
let bot1: string;
let bot2: string;
let identityFile: string;
let recipient: string;
let identity: string;
let backupPassphraseFile: string;

beforeAll(async () => {
  store = new TempStore();
  await store.init();
  bot1 = await store.provision('bot1');
  bot2 = await store.provision('bot2');
  expect((await store.owner(['credential', 'set', 'API_KEY=sk-one', '--agent', 'bot1'])).code).toBe(0);
  expect((await store.owner(['credential', 'set', 'OTHER=two', '--agent', 'bot2'])).code).toBe(0);
  expect((await store.owner(['grant', 'API_KEY', '--to', 'bot2', '--agent', 'bot1'])).code).toBe(0);
  expect((await store.agent(bot1, ['credential', 'get', 'API_KEY'])).stdout).toBe('sk-one\n');
  expect((await store.agent(bot2, ['credential', 'get', 'API_KEY', '--agent', 'bot1'])).stdout).toBe('sk-one\n');
  await store.provision('gone');
  const deprovisioned = await store.owner(['deprovision', 'gone', '--yes']);
  expect(deprovisioned.code, deprovisioned.stderr).toBe(0);
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  identityFile = join(store.root, 'key.txt');
  writeFileSync(identityFile, `# created: test\n${identity}\n`, { mode: 0o600 });
  backupPassphraseFile = join(store.root, 'backup.pass');
  writeFileSync(backupPassphraseFile, 'correct horse battery staple\n', { mode: 0o600 });
});
afterAll(() => store.cleanup());

let counter = 0;
const fresh = (what: string): string => join(store.root, `${what}-${(counter += 1)}`);

async function recipientBackup(): Promise<string> {
  const file = fresh('backup.age');
  const result = await store.owner(['backup', file, '--recipient', recipient]);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return file;
}

/** The restored store still serves the old tokens, the owner passphrase and the grant, and its audit chains verify. */
async function expectWorkingRestore(dir: string): Promise<void> {
  expect(await store.agent(bot1, ['credential', 'get', 'API_KEY', '--store', dir])).toMatchObject({ code: 0, stdout: 'sk-one\n' });
  expect(await store.agent(bot2, ['credential', 'get', 'API_KEY', '--agent', 'bot1', '--store', dir])).toMatchObject({ code: 0, stdout: 'sk-one\n' });
  expect(await store.owner(['credential', 'get', 'OTHER', '--agent', 'bot2', '--store', dir])).toMatchObject({ code: 0, stdout: 'two\n' });
  const verify = await store.owner(['audit', 'verify', '--store', dir]);
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  const actions = (await store.owner(['audit', '--json', '--store', dir])).stdout;
  expect(actions).toContain('store.restore');
}

describe('backup and restore', () => {
  it('round trips with a recipient: 0600, the same tokens and passphrase work, audit verify passes', async () => {
    const file = await recipientBackup();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(readFileSync(file).includes('sk-one')).toBe(false);
    expect(await store.run(['backup', 'verify', file, '--identity', identityFile])).toMatchObject({ code: 0 });
    const dir = fresh('restored');
    const restored = await store.owner(['restore', file, '--store', dir, '--identity', identityFile]);
    expect(restored.code, restored.stderr).toBe(0);
    await expectWorkingRestore(dir);
    expect((await store.owner(['audit', '--json'])).stdout).toContain('store.backup');
  });

  it('backs up a log caught one line past its head (an append between its two writes, read head first) and verifies it', async () => {
    const live = new TempStore();
    try {
      await live.init();
      const token = await live.provision('bot');
      expect((await live.agent(token, ['credential', 'set', 'K=v'])).code).toBe(0);
      const head = join(live.dir, 'vaults', 'bot.audit.head');
      const before = readFileSync(head);
      expect((await live.agent(token, ['credential', 'get', 'K'])).code).toBe(0);
      writeFileSync(head, before);
      const file = join(live.root, 'live.age');
      expect((await live.owner(['backup', file, '--backup-passphrase-file', backupPassphraseFile])).code).toBe(0);
      const verified = await live.run(['backup', 'verify', file, '--backup-passphrase-file', backupPassphraseFile]);
      expect(verified.code, verified.stderr).toBe(0);
    } finally {
      live.cleanup();
    }
  });

  it('round trips with a backup passphrase; a wrong one is exit 4', async () => {
    const file = fresh('backup.age');
    expect((await store.owner(['backup', file, '--backup-passphrase-file', backupPassphraseFile])).code).toBe(0);
    const wrong = join(store.root, 'wrong.pass');
    writeFileSync(wrong, 'not it\n', { mode: 0o600 });
    const denied = await store.run(['backup', 'verify', file, '--backup-passphrase-file', wrong]);
    expect(denied.code, denied.stderr).toBe(4);
    const dir = fresh('restored');
    expect(await store.owner(['restore', file, '--store', dir, '--backup-passphrase-file', wrong])).toMatchObject({ code: 4 });
    expect(existsSync(dir)).toBe(false);
    expect(await store.owner(['restore', file, '--store', dir, '--backup-passphrase-file', backupPassphraseFile])).toMatchObject({ code: 0 });
    await expectWorkingRestore(dir);
  });

  it('holds the store as a tar of its objects and logs', async () => {
    const file = await recipientBackup();
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    const names = parseTar(Buffer.from(await decrypter.decrypt(readFileSync(file)))).map((e) => e.name);
    expect(names.some((n) => /^logs\/retired\/gone\..+\.audit\.jsonl$/.test(n))).toBe(true);
    expect(names).toEqual(expect.arrayContaining(['store', 'vaults/bot1', 'vaults/bot2', 'keys/bot1', 'grants/bot2/bot1.API_KEY', 'logs/audit.jsonl', 'heads/audit.jsonl', 'logs/vaults/bot1.audit.jsonl']));
  });

  it('a changed byte is exit 6 for verify and restore, and restore writes nothing', async () => {
    const file = await recipientBackup();
    const bytes = readFileSync(file);
    for (const at of [bytes.length - 20, bytes.indexOf('\n---') + 10]) {
      const changed = Buffer.from(bytes);
      changed[at] ^= 0x01;
      const damaged = fresh('damaged.age');
      writeFileSync(damaged, changed);
      expect(await store.run(['backup', 'verify', damaged, '--identity', identityFile]), `byte ${at}`).toMatchObject({ code: 6 });
      const dir = fresh('restored');
      expect(await store.owner(['restore', damaged, '--store', dir, '--identity', identityFile]), `byte ${at}`).toMatchObject({ code: 6 });
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    }
  });

  it('restores only into an empty store', async () => {
    const file = await recipientBackup();
    const before = readFileSync(join(store.dir, 'vaults', 'bot1.vault'));
    expect(await store.owner(['restore', file, '--store', store.dir, '--identity', identityFile])).toMatchObject({ code: 2 });
    expect(readFileSync(join(store.dir, 'vaults', 'bot1.vault')).equals(before)).toBe(true);
  });

  it('never overwrites an existing file', async () => {
    const file = fresh('existing');
    writeFileSync(file, 'keep me', { mode: 0o600 });
    expect(await store.owner(['backup', file, '--recipient', recipient])).toMatchObject({ code: 2 });
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('asks for no passphrase off a terminal: exit 2 without a backup passphrase file', async () => {
    const file = fresh('backup.age');
    expect(await store.owner(['backup', file])).toMatchObject({ code: 2 });
    expect(existsSync(file)).toBe(false);
  });

  it.skipIf(skipWithout('age', 'tar'))('the age tool decrypts a recipient backup to a tar of the store', async () => {
    const file = await recipientBackup();
    const tarFile = fresh('backup.tar');
    expect(spawnSync('age', ['-d', '-i', identityFile, '-o', tarFile, file]).status).toBe(0);
    const listing = spawnSync('tar', ['-tf', tarFile], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    expect(listing.stdout.split('\n')).toEqual(expect.arrayContaining(['store', 'vaults/bot1', 'vaults/bot2', 'logs/audit.jsonl']));
  });
});

describe('a restore that fails part-way', () => {
  it('takes back what it wrote, so the target stays empty and the restore can run again', async () => {
    const file = await recipientBackup();
    const dir = fresh('restored');
    const inner = new DirectoryBackend(dir, 2000);
    let restores = 0;
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const audit = new Proxy(inner.audit, {
      get: (o, n, r) => (n === 'restore' ? async (...args: Parameters<typeof o.restore>) => ((restores += 1) > 1 ? Promise.reject(full) : o.restore(...args)) : Reflect.get(o, n, r)),
    });
    const failing = new Proxy(inner, { get: (o, n, r) => (n === 'audit' ? audit : Reflect.get(o, n, r)) });
    await expect(restoreBackup(failing, readFileSync(file), { identities: [identity] }, async () => PASSPHRASE)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(existsSync(join(dir, 'store'))).toBe(false);
    expect(readdirSync(join(dir, 'vaults'))).toEqual([]);
    const again = await store.owner(['restore', file, '--store', dir, '--identity', identityFile]);
    expect(again.code, again.stderr).toBe(0);
    await expectWorkingRestore(dir);
  });
});
