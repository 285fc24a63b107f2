/**
 * The directory backend keeps the storage interface's contract: compare-and-swap and
 * create-only writes that lose against a concurrent writer, ids that cannot name a
 * place outside their folder, and types checked on read.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import { objectIds, WriteConflictError } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';

describe('DirectoryBackend', () => {
  let root: string;
  let store: DirectoryBackend;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'agent-vault-backend-'));
    store = new DirectoryBackend(join(root, 'store'), 1000);
    await store.prepare();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const vault = objectIds.vault('bot');
  const bytes = (text: string) => Buffer.from(text);

  it('creates once: a second create of the same id is a conflict and changes nothing', async () => {
    await store.create(vault, bytes('one'));
    await expect(store.create(vault, bytes('two'))).rejects.toBeInstanceOf(WriteConflictError);
    expect((await store.read(vault))?.bytes.toString()).toBe('one');
    expect(statSync(join(root, 'store', 'vaults', 'bot.vault')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'store', 'vaults')).mode & 0o777).toBe(0o700);
  });

  it('replaces only at the generation it was read at, keeping the previous one as .bak', async () => {
    const first = await store.create(vault, bytes('one'));
    const second = await store.replace(vault, bytes('two'), first, { keepPrevious: true });
    expect(second).not.toBe(first);
    await expect(store.replace(vault, bytes('lost'), first)).rejects.toBeInstanceOf(WriteConflictError);
    expect((await store.read(vault))).toMatchObject({ bytes: bytes('two'), generation: second });
    expect(readdirSync(join(root, 'store', 'vaults')).sort()).toEqual(['bot.vault', 'bot.vault.bak']);
    await store.forgetPrevious(vault);
    expect(readdirSync(join(root, 'store', 'vaults'))).toEqual(['bot.vault']);
  });

  it('puts the kept previous generation back by a rename, only at the generation it names', async () => {
    const first = await store.create(vault, bytes('one'));
    const second = await store.replace(vault, bytes('two'), first, { keepPrevious: true });
    await expect(store.restorePrevious(vault, first)).rejects.toBeInstanceOf(WriteConflictError);
    await store.restorePrevious(vault, second);
    expect((await store.read(vault))?.bytes.toString()).toBe('one');
    expect(readdirSync(join(root, 'store', 'vaults'))).toEqual(['bot.vault']);
  });

  it('sees a write by another process as a new generation, even of the same size', async () => {
    const generation = await store.create(vault, bytes('aaaa'));
    // Another writer replaces the file behind this backend's back (a new inode, as a rename makes).
    writeFileSync(join(root, 'store', 'vaults', 'bot.vault.new'), 'bbbb');
    const { renameSync } = await import('node:fs');
    renameSync(join(root, 'store', 'vaults', 'bot.vault.new'), join(root, 'store', 'vaults', 'bot.vault'));
    await expect(store.replace(vault, bytes('cccc'), generation)).rejects.toBeInstanceOf(WriteConflictError);
  });

  it('lets the holder of exclusive() write without waiting for itself, and makes others wait', async () => {
    const generation = await store.create(vault, bytes('one'));
    const order: string[] = [];
    let other: Promise<unknown> = Promise.resolve();
    await store.exclusive(vault, async () => {
      other = store.exclusive(vault, async () => order.push('other'));
      await store.replace(vault, bytes('two'), generation);
      order.push('holder');
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push('holder done');
    });
    await other;
    expect(order).toEqual(['holder', 'holder done', 'other']);
  });

  it('lists only names that are valid ids, and grants by grantee', async () => {
    await store.put(objectIds.grant('bob', 'alice', 'API_KEY'), bytes('g1'));
    await store.put(objectIds.grant('carol', 'alice', 'OTHER'), bytes('g2'));
    writeFileSync(join(root, 'store', 'grants', 'bob', 'not-a-grant.txt'), '');
    writeFileSync(join(root, 'store', 'vaults', 'Bad Name.vault'), '');
    await store.create(vault, bytes('v'));
    expect(await store.list('vaults/')).toEqual(['vaults/bot']);
    expect(await store.list(objectIds.grantsTo('bob'))).toEqual(['grants/bob/alice.API_KEY']);
    expect(await store.list('grants/')).toEqual(['grants/bob/alice.API_KEY', 'grants/carol/alice.OTHER']);
    await store.removeAll(objectIds.grantsTo('bob'));
    expect(await store.list('grants/')).toEqual(['grants/carol/alice.OTHER']);
  });

  it('refuses ids that would leave their folder', () => {
    expect(() => objectIds.vault('../x')).toThrow(/invalid agent id/);
    expect(() => objectIds.grant('bob', 'alice', '../../store')).toThrow(/invalid credential key/);
  });

  it('reports a directory where an object belongs as exit 6 naming it', async () => {
    mkdirSync(join(root, 'store', 'keys', 'bot.pub'), { recursive: true });
    const error = await store.read(objectIds.keyCertificate('bot')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as IntegrityError).message).toBe(`${join(root, 'store', 'keys', 'bot.pub')} is not a key certificate file: it is a directory`);
  });
});
