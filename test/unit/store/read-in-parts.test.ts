/**
 * Reads in parts (StorageBackend.readInParts, store/file-bytes.ts): the directory
 * backend hands out the bytes of the one version it opened, whatever a writer renames
 * into place meanwhile, with the generation a whole read gives; it holds a bounded
 * number of files open and closes them all at the end of a command, and a file given
 * up is opened again only while it is the same version (else exit 7, never the parts of
 * another version); and it checks the file as a whole read does (a planted link is
 * refused, a missing file is undefined).
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusyError, IntegrityError } from '../../../src/core/errors.js';
import { objectIds } from '../../../src/store/backend.js';
import { DirectoryBackend } from '../../../src/store/directory-backend.js';
import { closeOpenStores } from '../../../src/store/closing.js';

/** The descriptors this process has open now. */
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe('DirectoryBackend.readInParts', () => {
  let root: string;
  let store: DirectoryBackend;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'agent-vault-parts-'));
    store = new DirectoryBackend(join(root, 'store'), 1000);
    await store.prepare();
  });
  afterEach(async () => {
    await closeOpenStores();
    rmSync(root, { recursive: true, force: true });
  });

  const vault = objectIds.vault('bot');
  const content = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));

  it('gives every range of the bytes a whole read gives, and the same generation', async () => {
    await store.create(vault, content);
    const whole = await store.read(vault);
    const parts = await store.readInParts(vault);
    expect(parts?.generation).toBe(whole?.generation);
    expect(parts?.bytes.length).toBe(content.length);
    for (const [start, end] of [[0, 10], [4096, 70_000], [99_990, 100_000], [0, 100_000]] as const) {
      expect(parts!.bytes.subarray(start, end).equals(content.subarray(start, end))).toBe(true);
    }
    // Past the end: only what there is, as Buffer.subarray does.
    expect(parts!.bytes.subarray(99_995, 200_000).equals(content.subarray(99_995))).toBe(true);
    expect(parts!.bytes.subarray(200_000, 300_000).length).toBe(0);
  });

  it('keeps answering from the version it opened after a writer replaced the file', async () => {
    const first = await store.create(vault, content);
    const parts = await store.readInParts(vault);
    const replaced = Buffer.alloc(content.length, 0x41);
    await store.replace(vault, replaced, first, { keepPrevious: true });
    expect(parts!.bytes.subarray(50_000, 50_010).equals(content.subarray(50_000, 50_010))).toBe(true);
    expect((await store.readInParts(vault))!.bytes.subarray(50_000, 50_010).equals(replaced.subarray(0, 10))).toBe(true);
  });

  it('holds at most 8 files open, and one given up reads the same version again', async () => {
    await store.create(vault, content);
    const before = openDescriptors();
    const opened = [];
    for (let i = 0; i < 20; i++) opened.push(await store.readInParts(vault));
    expect(openDescriptors() - before).toBe(8);
    for (const parts of opened) expect(parts!.bytes.subarray(1000, 1010).equals(content.subarray(1000, 1010))).toBe(true);
    expect(openDescriptors() - before).toBe(8);
  });

  it('closes every file at the end of the command; a part asked for after it comes from the same version or is exit 7', async () => {
    const first = await store.create(vault, content);
    const before = openDescriptors();
    const kept = await store.readInParts(vault);
    const replacedLater = await store.readInParts(vault);
    expect(openDescriptors()).toBe(before + 2);
    await closeOpenStores();
    expect(openDescriptors()).toBe(before);
    // The file is still the version it opened: read again by name.
    expect(kept!.bytes.subarray(0, 10).equals(content.subarray(0, 10))).toBe(true);
    await closeOpenStores();
    // A writer renamed another version into place: no part of it is handed out as this one's.
    await store.replace(vault, Buffer.alloc(content.length, 0x41), first);
    expect(() => replacedLater!.bytes.subarray(0, 10)).toThrow(BusyError);
    expect(openDescriptors()).toBe(before);
  });

  it('is undefined for a missing object and refuses a planted link as a whole read does', async () => {
    expect(await store.readInParts(vault)).toBeUndefined();
    const elsewhere = join(root, 'elsewhere');
    writeFileSync(elsewhere, content);
    symlinkSync(elsewhere, join(root, 'store', 'vaults', 'bot.vault'));
    await expect(store.readInParts(vault)).rejects.toBeInstanceOf(IntegrityError);
    await expect(store.read(vault)).rejects.toBeInstanceOf(IntegrityError);
  });
});
