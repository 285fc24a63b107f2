/**
 * The integrity promise of the indexed vault file (man/agent-vault.5, VAULT FILE): which
 * reads notice which damage. The header and the index are authenticated on every open,
 * and the listing's tag compared with the index's; the listing's bytes by a list and by
 * every full read; a block of records only when one of its records is read, and by
 * every full read (export, history, every write).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredential, summarize } from '../../../src/core/credential.js';
import { IntegrityError, UsageError } from '../../../src/core/errors.js';
import {
  addCredential,
  changeCredential,
  emptyPayload,
  findCredential,
  listCredentials,
  listSummaries,
  removeCredential,
  requireCredential,
  setMainSecret,
  untouchedSource,
  type VaultPayload,
} from '../../../src/core/vault.js';
import { open, seal, sealWithNonce } from '../../../src/format/aead.js';
import { derivePayloadKey } from '../../../src/format/keys.js';
import { FormatError } from '../../../src/format/format-error.js';
import { encodeVaultFile, openVault, parseVaultFile, unwrapOwnerSlot, wrapOwnerSlot, wrapTokenSlot, type VaultHeader } from '../../../src/format/vault-file.js';

const OWNER_KEY = randomBytes(32);
const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-02-01T00:00:00.000Z';

function header(agent: string, vaultKey: Buffer): VaultHeader {
  return { agent, created: T0, updated: T0, owner: wrapOwnerSlot(OWNER_KEY, agent, vaultKey), token: wrapTokenSlot(randomBytes(32), agent, vaultKey), publicKey: randomBytes(32) };
}

const key = (i: number): string => `KEY_${String(i).padStart(6, '0')}`;
const value = (i: number): string => `value-${String(i).padStart(6, '0')}`;

/**
 * A vault of `n` credentials, keys, ids and values of equal lengths, so blocks (64
 * records each) can be swapped byte for byte.
 */
function vault(n = 130, agent = 'bot', vaultKey: Buffer = randomBytes(32)): { bytes: Buffer; payload: VaultPayload; vaultKey: Buffer; head: VaultHeader } {
  const payload = emptyPayload(agent, 'PRIVATE', 'OWNER', 'AUDIT');
  // Pushed rather than set one by one: setMainSecret looks each key up, quadratic at 100,000.
  for (let i = 0; i < n; i++) payload.credentials.push(createCredential(key(i), 'api_key', { fields: { value: value(i) } }, T0));
  const head = header(agent, vaultKey);
  return { bytes: encodeVaultFile(head, vaultKey, payload), payload, vaultKey, head };
}

function openAs(bytes: Buffer, agent = 'bot'): VaultPayload {
  const file = parseVaultFile(bytes);
  const vaultKey = unwrapOwnerSlot(OWNER_KEY, agent, file.header.owner);
  if (!vaultKey) throw new IntegrityError('owner slot does not open');
  return openVault(file, vaultKey);
}

type Region = { start: number; end: number };

/** Where each part of a vault file is: the header, the sealed index, the listing, each block (read from the index). */
function layout(bytes: Buffer, vaultKey: Buffer): { headerEnd: number; indexEnd: number; listing: Region; blocks: Region[] } {
  const file = parseVaultFile(bytes);
  const headerEnd = file.headerBytes.length;
  const indexEnd = headerEnd + file.index.length;
  const index = open(derivePayloadKey(vaultKey), file.indexNonce, file.index, file.headerBytes)!;
  let p = 4 + index.readUInt32BE(0);
  const listing = { start: indexEnd, end: indexEnd + index.readUInt32BE(p) };
  p += 32;
  const count = index.readUInt32BE(p);
  let start = listing.end;
  const blocks = Array.from({ length: count }, (_, b) => {
    const length = index.readUInt32BE(p + 4 + b * 32);
    const block = { start, end: start + length };
    start += length;
    return block;
  });
  expect(start).toBe(bytes.length);
  return { headerEnd, indexEnd, listing, blocks };
}

/** `bytes` with its listing replaced by `text`, sealed under the right key and named by a re-sealed index: damage only a bug could make. */
function withListing(bytes: Buffer, vaultKey: Buffer, agent: string, text: string): Buffer {
  const file = parseVaultFile(bytes);
  const payloadKey = derivePayloadKey(vaultKey);
  const index = open(payloadKey, file.indexNonce, file.index, file.headerBytes)!;
  const at = 4 + index.readUInt32BE(0);
  const blocksStart = file.headerBytes.length + file.index.length + index.readUInt32BE(at);
  const listing = seal(payloadKey, Buffer.from(text), Buffer.from(`agent-vault/v2 listing ${agent}`));
  index.writeUInt32BE(listing.sealed.length, at);
  listing.nonce.copy(index, at + 4);
  listing.sealed.subarray(-16).copy(index, at + 16);
  return Buffer.concat([file.headerBytes, sealWithNonce(payloadKey, file.indexNonce, index, file.headerBytes), listing.sealed, bytes.subarray(blocksStart)]);
}

const flip = (bytes: Buffer, at: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
};
const valueOf = (bytes: Buffer, key: string): string | undefined => requireCredential(openAs(bytes), key).fields.value;
const readAll = (bytes: Buffer): unknown => JSON.parse(JSON.stringify(openAs(bytes)));
/** What `credential list` reads: the listing's summaries, sorted by key. */
const listOf = (bytes: Buffer): unknown[] => listSummaries(openAs(bytes));
/** The summaries a full read of the records gives, for comparison with {@link listOf}. */
const summariesOfRecords = (bytes: Buffer): unknown[] => listCredentials(openAs(bytes)).map(summarize);
const expectDamaged = (fn: () => unknown): void => expect(fn).toThrow(IntegrityError);

/** Which of keys 0…n-1 read and which fail, as [reads, fails]. */
function outcome(bytes: Buffer, n: number): [number[], number[]] {
  const reads: number[] = [];
  const fails: number[] = [];
  for (let i = 0; i < n; i++) {
    try {
      expect(valueOf(bytes, key(i))).toBe(value(i));
      reads.push(i);
    } catch (err) {
      expect(err).toBeInstanceOf(IntegrityError);
      fails.push(i);
    }
  }
  return [reads, fails];
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('a flipped byte in each region of a vault file', () => {
  const { bytes, payload, vaultKey } = vault(130);
  const { headerEnd, indexEnd, blocks } = layout(bytes, vaultKey);

  it('lays 130 credentials out in blocks of 64, 64 and 2', () => {
    expect(blocks).toHaveLength(3);
    expect(outcome(bytes, 130)).toEqual([range(0, 130), []]);
  });

  it.each([
    ['the version line', 5],
    ['the agent line', 'agent-vault/v2\nagent: b'.length],
    ['the index line', bytes.indexOf('index: ') + 'index: '.length],
    ['the index nonce', bytes.indexOf('--- ') + 6],
    ['the first byte of the index', headerEnd],
    ['the middle of the index', Math.floor((headerEnd + indexEnd) / 2)],
    ['the index tag', indexEnd - 1],
  ])('%s: every read fails (exit 6), of any key', (_what, at) => {
    const damaged = flip(bytes, at);
    for (const i of [0, 64, 129]) expectDamaged(() => valueOf(damaged, key(i)));
    expectDamaged(() => readAll(damaged));
  });

  it.each([0, 1, 2])('block %i (first byte, middle, tag): reads of its keys and every full read fail; keys of other blocks read', (b) => {
    const { start, end } = blocks[b]!;
    const mine = range(64 * b, Math.min(64 * (b + 1), 130));
    for (const at of [start, Math.floor((start + end) / 2), end - 1]) {
      const damaged = flip(bytes, at);
      expect(outcome(damaged, 130)).toEqual([range(0, 130).filter((i) => !mine.includes(i)), mine]);
      expectDamaged(() => findCredential(openAs(damaged), payload.credentials[mine[0]!]!.id));
      expectDamaged(() => readAll(damaged));
    }
  });

  it('a block: a list still shows every credential, as the records give it', () => {
    const damaged = flip(bytes, blocks[1]!.start);
    expect(listOf(damaged)).toEqual(summariesOfRecords(bytes));
    expect(listOf(damaged)).toHaveLength(130);
  });

  it('the listing (first byte, middle): a list and every full read fail; a read of any one key does not notice', () => {
    const { start, end } = layout(bytes, vaultKey).listing;
    for (const at of [start, Math.floor((start + end) / 2), end - 17]) {
      const damaged = flip(bytes, at);
      expectDamaged(() => listOf(damaged));
      expectDamaged(() => readAll(damaged));
      expect(outcome(damaged, 130)).toEqual([range(0, 130), []]);
    }
  });

  it('the listing tag: every read fails, of any key', () => {
    const damaged = flip(bytes, layout(bytes, vaultKey).listing.end - 1);
    for (const i of [0, 64, 129]) expectDamaged(() => valueOf(damaged, key(i)));
    expectDamaged(() => listOf(damaged));
    expectDamaged(() => readAll(damaged));
  });

  /** Sets key `i` in `bytes` through the lazy write path, and returns the file written. */
  const written = (bytes: Buffer, i: number): Buffer => {
    const payload = openAs(bytes);
    setMainSecret(payload, key(i), 'changed', T1);
    return encodeVaultFile(parseVaultFile(bytes).header, vaultKey, payload);
  };

  it('a write of a credential of a block whose ciphertext changed fails (exit 6)', () => {
    expectDamaged(() => written(flip(bytes, blocks[1]!.start), 64));
  });

  it('a write of a credential of another block keeps a block whose ciphertext changed as it is: its reads still fail', () => {
    const damaged = flip(bytes, blocks[1]!.start);
    const after = written(damaged, 0);
    expect(valueOf(after, key(0))).toBe('changed');
    for (const i of [1, 63, 128, 129]) expect(valueOf(after, key(i))).toBe(value(i));
    for (const i of [64, 100, 127]) expectDamaged(() => valueOf(after, key(i)));
    expectDamaged(() => readAll(after));
  });

  it('a write of any credential fails when a block it does not read has another tag than the index names (exit 6)', () => {
    expectDamaged(() => written(flip(bytes, blocks[1]!.end - 1), 0));
    expectDamaged(() => written(flip(bytes, blocks[2]!.end - 1), 0));
  });
});

describe('an index whose entries are not block by block', () => {
  it('is refused on open (exit 6), though it is sealed under the right key', () => {
    const { bytes, vaultKey } = vault(130);
    const file = parseVaultFile(bytes);
    const payloadKey = derivePayloadKey(vaultKey);
    const index = open(payloadKey, file.indexNonce, file.index, file.headerBytes)!;
    let p = 4 + index.readUInt32BE(0) + 32;
    p += 4 + index.readUInt32BE(p) * 32 + 4;
    // Every entry is as long as the first: equal keys' and ids' lengths.
    const size = 1 + index[p]! + 1 + index[p + 1 + index[p]!]! + 12;
    const first = Buffer.from(index.subarray(p, p + size));
    index.copy(index, p, p + 64 * size, p + 65 * size);
    first.copy(index, p + 64 * size);
    const swapped = Buffer.concat([file.headerBytes, sealWithNonce(payloadKey, file.indexNonce, index, file.headerBytes), bytes.subarray(file.headerBytes.length + file.index.length)]);
    expectDamaged(() => openAs(swapped));
  });
});

describe('blocks moved, mixed or cut', () => {
  it('two blocks swapped in place: neither reads, nor does a full read', () => {
    const { bytes, vaultKey } = vault(130);
    const [a, b] = layout(bytes, vaultKey).blocks;
    const swapped = Buffer.concat([bytes.subarray(0, a!.start), bytes.subarray(b!.start, b!.end), bytes.subarray(a!.start, a!.end), bytes.subarray(b!.end)]);
    expect(swapped.length).toBe(bytes.length);
    expect(outcome(swapped, 130)).toEqual([range(128, 130), range(0, 128)]);
    expectDamaged(() => readAll(swapped));
  });

  it("a block of another vault (another agent's, or the same agent's in another store) in a block's place does not read", () => {
    const mine = vault(130);
    const place = layout(mine.bytes, mine.vaultKey).blocks[0]!;
    for (const other of [vault(130, 'bot2'), vault(130, 'bot'), vault(130, 'bot2', mine.vaultKey)]) {
      // The same credential ids, so only the vault key or the agent tells them apart.
      other.payload.credentials.forEach((c, i) => (c.id = mine.payload.credentials[i]!.id));
      const bytes = encodeVaultFile(other.head, other.vaultKey, other.payload);
      const theirs = layout(bytes, other.vaultKey).blocks[0]!;
      expect(theirs.end - theirs.start).toBe(place.end - place.start);
      const mixed = Buffer.concat([mine.bytes.subarray(0, place.start), bytes.subarray(theirs.start, theirs.end), mine.bytes.subarray(place.end)]);
      expect(outcome(mixed, 130)).toEqual([range(64, 130), range(0, 64)]);
      expectDamaged(() => readAll(mixed));
    }
  });

  it("an older copy of one block, or an older file's index over the new blocks, does not read", () => {
    const { bytes: older, vaultKey, head } = vault(130);
    const p = openAs(older);
    setMainSecret(p, key(1), value(9), T1);
    const newer = encodeVaultFile(head, vaultKey, p);
    const oldPlace = layout(older, vaultKey).blocks[0]!;
    const newPlace = layout(newer, vaultKey).blocks[0]!;
    expect(newPlace.end - newPlace.start).toBe(oldPlace.end - oldPlace.start);
    const rolledBack = Buffer.concat([newer.subarray(0, newPlace.start), older.subarray(oldPlace.start, oldPlace.end), newer.subarray(newPlace.end)]);
    expect(outcome(rolledBack, 130)).toEqual([range(64, 130), range(0, 64)]);
    expectDamaged(() => readAll(rolledBack));
    // The blocks it did not change are the same bytes, so only the changed one is refused.
    const oldIndex = Buffer.concat([older.subarray(0, oldPlace.start), newer.subarray(newPlace.start)]);
    expect(outcome(oldIndex, 130)).toEqual([range(64, 130), range(0, 64)]);
    expectDamaged(() => readAll(oldIndex));
    // A whole older file is a consistent file: the format cannot tell it (man 5 says who can).
    expect(valueOf(older, key(1))).toBe(value(1));
  });

  it("an older file's listing over the new index and blocks fails every read", () => {
    const { bytes: older, vaultKey, head } = vault(3);
    const p = openAs(older);
    requireCredential(p, key(1)).name = 'renamed';
    const newer = encodeVaultFile(head, vaultKey, p);
    const newListing = layout(newer, vaultKey).listing;
    // A listing of the same length, so only the tag tells them apart: another file's, where the name differs in case.
    const q = openAs(older);
    requireCredential(q, key(1)).name = 'RENAMED';
    const other = encodeVaultFile(head, vaultKey, q);
    const otherListing = layout(other, vaultKey).listing;
    const mixed = Buffer.concat([newer.subarray(0, newListing.start), other.subarray(otherListing.start, otherListing.end), newer.subarray(newListing.end)]);
    expect(mixed.length).toBe(newer.length);
    for (const i of [0, 1, 2]) expectDamaged(() => valueOf(mixed, key(i)));
    expectDamaged(() => listOf(mixed));
  });

  it('a file cut anywhere, or with bytes after its last block, fails every read', () => {
    const { bytes } = vault(3);
    for (let at = 0; at < bytes.length; at++) {
      const cut = bytes.subarray(0, at);
      expect(() => valueOf(cut, key(2)), `cut at ${at}`).toThrow(IntegrityError);
    }
    expectDamaged(() => valueOf(Buffer.concat([bytes, Buffer.from('x')]), key(0)));
  });

  it('refuses a v1 vault file by name, with the way out', () => {
    const v1 = Buffer.from('agent-vault/v1\nagent: bot\n');
    expect(() => parseVaultFile(v1)).toThrow(FormatError);
    expect(() => parseVaultFile(v1)).toThrow(/agent-vault\/v1.*agent-vault\/v2/);
    try {
      parseVaultFile(v1);
    } catch (err) {
      expect((err as FormatError).hint).toMatch(/export .* import/);
    }
  });
});

describe('writes', () => {
  const blockBytes = (bytes: Buffer, vaultKey: Buffer): Buffer[] => layout(bytes, vaultKey).blocks.map((r) => bytes.subarray(r.start, r.end));

  it('keep unchanged blocks byte for byte and seal a changed one anew, read one at a time or all', () => {
    const { bytes, vaultKey, head } = vault(130);
    const before = blockBytes(bytes, vaultKey);
    // Changed through a lookup of one record only.
    const one = openAs(bytes);
    requireCredential(one, key(70)).fields.value = 'changed';
    expect(requireCredential(one, key(3)).fields.value).toBe(value(3));
    const afterOne = encodeVaultFile(head, vaultKey, one);
    const blocks = blockBytes(afterOne, vaultKey);
    expect(blocks.map((b, i) => b.equals(before[i]!))).toEqual([true, false, true]);
    expect(valueOf(afterOne, key(70))).toBe('changed');
    // Changed after a full read: a new credential (joins the last block), one of the first block removed.
    const all = openAs(afterOne);
    setMainSecret(all, 'NEW', 'new', T1);
    all.credentials = all.credentials.filter((c) => c.key !== key(0));
    const afterAll = encodeVaultFile(head, vaultKey, all);
    const next = blockBytes(afterAll, vaultKey);
    expect(next).toHaveLength(3);
    expect(next.map((b, i) => b.equals(blocks[i]!))).toEqual([false, true, false]);
    expect(readAll(afterAll)).toMatchObject({ credentials: expect.arrayContaining([expect.objectContaining({ key: 'NEW', fields: { value: 'new' } })]) });
    expect(openAs(afterAll).credentials).toHaveLength(130);
    expect(findCredential(openAs(afterAll), key(0))).toBeUndefined();
    // Nothing read: every block as it was, under a new index nonce.
    const untouched = encodeVaultFile(head, vaultKey, openAs(afterAll));
    expect(blockBytes(untouched, vaultKey).every((b, i) => b.equals(next[i]!))).toBe(true);
    expect(untouched.equals(afterAll)).toBe(false);
  });

  it('keep the listing equal to the records, whichever way the payload was read and changed', () => {
    const { bytes, vaultKey, head } = vault(130);
    const listing = (b: Buffer): Buffer => b.subarray(layout(b, vaultKey).listing.start, layout(b, vaultKey).listing.end);
    expect(listOf(bytes)).toEqual(summariesOfRecords(bytes));
    // Nothing read: the listing as it was, byte for byte.
    const untouched = encodeVaultFile(head, vaultKey, openAs(bytes));
    expect(listing(untouched).equals(listing(bytes))).toBe(true);
    // One record looked up and changed (name, tags, a non-secret field, its secret): the rest of the listing kept.
    const one = openAs(untouched);
    const c = requireCredential(one, key(70));
    Object.assign(c, { name: 'Seventy', tags: ['prod'], updated: T1 });
    c.fields.value = 'changed';
    const afterOne = encodeVaultFile(head, vaultKey, one);
    expect(listOf(afterOne)).toEqual(summariesOfRecords(afterOne));
    expect(listOf(afterOne)).toContainEqual(expect.objectContaining({ key: key(70), name: 'Seventy', tags: ['prod'], updated: T1, fields: {}, secretFields: ['value'] }));
    // A record looked up and not changed: the listing's text is the same, so are its bytes.
    const looked = openAs(afterOne);
    requireCredential(looked, key(3));
    expect(listing(encodeVaultFile(head, vaultKey, looked)).equals(listing(afterOne))).toBe(true);
    // A full read: one added, one removed, one renamed, a login with a username, and the order changed.
    const all = openAs(afterOne);
    setMainSecret(all, 'NEW', 'new', T1);
    all.credentials.push(createCredential('LOGIN', 'login', { fields: { username: 'alice', password: 'pw' }, uris: ['https://example.com'] }, T1));
    all.credentials = all.credentials.filter((x) => x.key !== key(0)).reverse();
    requireCredential(all, key(5)).key = 'FIVE';
    const afterAll = encodeVaultFile(head, vaultKey, all);
    expect(listOf(afterAll)).toEqual(summariesOfRecords(afterAll));
    expect(listOf(afterAll)).toContainEqual(expect.objectContaining({ key: 'LOGIN', fields: { username: 'alice' }, secretFields: ['password'], uris: ['https://example.com'] }));
    expect(JSON.stringify(listOf(afterAll))).not.toContain('"pw"');
    // A vault emptied, and a new one.
    const emptied = openAs(afterAll);
    emptied.credentials = [];
    expect(listOf(encodeVaultFile(head, vaultKey, emptied))).toEqual([]);
    expect(listOf(encodeVaultFile(head, vaultKey, emptyPayload('bot', 'PRIVATE', 'OWNER', 'AUDIT')))).toEqual([]);
  });

  it('of a few credentials stay untouched: a find, a list and a full read see what was inserted, removed and renamed', () => {
    const { bytes, vaultKey, head } = vault(130);
    const before = blockBytes(bytes, vaultKey);
    const p = openAs(bytes);
    setMainSecret(p, 'NEW', 'new', T1);
    removeCredential(p, key(1));
    changeCredential(p, key(2), { rename: 'RENAMED' }, T1);
    setMainSecret(p, key(129), 'changed', T1);
    expect(untouchedSource(p)).toBeDefined();
    expect(findCredential(p, 'NEW')?.fields.value).toBe('new');
    expect(findCredential(p, key(1))).toBeUndefined();
    expect(findCredential(p, key(2))).toBeUndefined();
    expect(findCredential(p, 'RENAMED')?.fields.value).toBe(value(2));
    expect(() => addCredential(p, 'RENAMED', 'api_key', { fields: { value: 'x' } }, T1)).toThrow(UsageError);
    const expected = ['NEW', 'RENAMED', ...range(0, 130).filter((i) => i !== 1 && i !== 2).map(key)].sort();
    expect(listSummaries(p).map((c) => c.key)).toEqual(expected);
    const written = encodeVaultFile(head, vaultKey, p);
    // Block 0 (a removal, a rename) and block 2 (a change, the new record) sealed anew, block 1 kept.
    expect(blockBytes(written, vaultKey).map((b, i) => b.equals(before[i]!))).toEqual([false, true, false]);
    expect(listOf(written).map((c) => (c as { key: string }).key)).toEqual(expected);
    expect(listOf(written)).toEqual(summariesOfRecords(written));
    // The payload's own list before the write, member for member and in order, is the written one's.
    expect(JSON.stringify(listSummaries(p))).toBe(JSON.stringify(listOf(written)));
    expect(valueOf(written, key(129))).toBe('changed');
    expect(valueOf(written, 'NEW')).toBe('new');
    // The same payload read whole afterwards holds the same credentials, the new one last.
    expect(p.credentials.map((c) => c.key)).toEqual([key(0), 'RENAMED', ...range(3, 130).map(key), 'NEW']);
  });

  it('of a new credential into a full last block start a block; emptying a block drops it', () => {
    const { bytes, vaultKey, head } = vault(128);
    const p = openAs(bytes);
    setMainSecret(p, 'NEW', 'new', T1);
    const grown = encodeVaultFile(head, vaultKey, p);
    const blocks = blockBytes(grown, vaultKey);
    expect(blocks).toHaveLength(3);
    expect(blocks.slice(0, 2).every((b, i) => b.equals(blockBytes(bytes, vaultKey)[i]!))).toBe(true);
    const q = openAs(grown);
    removeCredential(q, 'NEW');
    const shrunk = encodeVaultFile(head, vaultKey, q);
    expect(blockBytes(shrunk, vaultKey)).toHaveLength(2);
    expect(listOf(shrunk)).toEqual(summariesOfRecords(shrunk));
    expect(openAs(shrunk).credentials).toHaveLength(128);
    // Block 0 emptied through the overlay: the blocks after it are kept, renumbered.
    const t = openAs(bytes);
    for (let i = 0; i < 64; i++) removeCredential(t, key(i));
    const dropped = encodeVaultFile(head, vaultKey, t);
    expect(blockBytes(dropped, vaultKey).map((b) => b.equals(blockBytes(bytes, vaultKey)[1]!))).toEqual([true]);
    for (const i of [64, 100, 127]) expect(valueOf(dropped, key(i))).toBe(value(i));
    for (const i of [0, 63]) expect(findCredential(openAs(dropped), key(i))).toBeUndefined();
    expect(openAs(dropped).credentials).toHaveLength(64);
    expect(listOf(dropped)).toEqual(summariesOfRecords(dropped));
    // The only credential of a vault deleted, then one set again.
    const one = vault(1);
    const r = openAs(one.bytes);
    removeCredential(r, key(0));
    const emptied = encodeVaultFile(one.head, one.vaultKey, r);
    expect(blockBytes(emptied, one.vaultKey)).toHaveLength(0);
    expect(listOf(emptied)).toEqual([]);
    const s = openAs(emptied);
    setMainSecret(s, 'AGAIN', 'again', T1);
    const refilled = encodeVaultFile(one.head, one.vaultKey, s);
    expect(listOf(refilled)).toEqual(summariesOfRecords(refilled));
    expect(valueOf(refilled, 'AGAIN')).toBe('again');
  });

  it('refuse a listing of another number of entries than the index has records (exit 6), and a list fails on it', () => {
    const { bytes, vaultKey, head } = vault(130);
    // One entry short; 130 entries but as one line (a JSON array); 130 lines joined by newlines alone.
    const entries = (n: number): string[] => range(0, n).map(() => '{"created":"x"}');
    for (const text of [entries(129).join(',\n'), `[${entries(130).join(',')}]`, entries(130).join('\n')]) {
      const damaged = withListing(bytes, vaultKey, 'bot', text);
      expectDamaged(() => listOf(damaged));
      const p = openAs(damaged);
      setMainSecret(p, key(0), 'changed', T1);
      expectDamaged(() => encodeVaultFile(head, vaultKey, p));
    }
  });

  it('under a new vault key (token rotate) seal every block anew', () => {
    const { bytes, vaultKey, head } = vault(130);
    const newKey = randomBytes(32);
    const rotated = encodeVaultFile({ ...head, owner: wrapOwnerSlot(OWNER_KEY, 'bot', newKey) }, newKey, openAs(bytes));
    const before = blockBytes(bytes, vaultKey);
    expect(blockBytes(rotated, newKey).some((r) => before.some((b) => b.equals(r)))).toBe(false);
    expect(valueOf(rotated, key(129))).toBe(value(129));
  });
});

describe('100,000 credentials', () => {
  it('read one, read all, change one and read back', { timeout: 120_000 }, () => {
    const { bytes, vaultKey, head } = vault(100_000);
    expect(valueOf(bytes, key(99_999))).toBe(value(99_999));
    expect(valueOf(bytes, key(0))).toBe(value(0));
    expect(findCredential(openAs(bytes), key(100_000))).toBeUndefined();
    const all = openAs(bytes);
    expect(all.credentials).toHaveLength(100_000);
    setMainSecret(all, key(50_000), 'changed', T1);
    setMainSecret(all, 'NEW', 'added', T1);
    const written = encodeVaultFile(head, vaultKey, all);
    expect(valueOf(written, key(50_000))).toBe('changed');
    expect(valueOf(written, 'NEW')).toBe('added');
    expect(valueOf(written, key(49_999))).toBe(value(49_999));
    expect(openAs(written).credentials).toHaveLength(100_001);
    expect(layout(written, vaultKey).blocks.length).toBe(Math.ceil(100_000 / 64));
  });
});
