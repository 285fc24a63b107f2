/**
 * The integrity promise of the indexed vault file (man/agent-vault.5, VAULT FILE): which
 * reads notice which damage. The header and the index are authenticated on every open;
 * a record only when it is read, and by every full read (list, search, every write).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredential } from '../../../src/core/credential.js';
import { IntegrityError } from '../../../src/core/errors.js';
import { emptyPayload, encodeRecord, findCredential, requireCredential, setMainSecret, type VaultPayload } from '../../../src/core/vault.js';
import { FormatError } from '../../../src/format/format-error.js';
import { encodeVaultFile, openVault, parseVaultFile, unwrapOwnerSlot, wrapOwnerSlot, wrapTokenSlot, type VaultHeader } from '../../../src/format/vault-file.js';

const OWNER_KEY = randomBytes(32);
const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-02-01T00:00:00.000Z';

function header(agent: string, vaultKey: Buffer): VaultHeader {
  return { agent, created: T0, updated: T0, owner: wrapOwnerSlot(OWNER_KEY, agent, vaultKey), token: wrapTokenSlot(randomBytes(32), agent, vaultKey), publicKey: randomBytes(32) };
}

/** A vault of KEY_0…KEY_{n-1}, values of equal length, so records can be swapped byte for byte. */
function vault(n = 3, agent = 'bot', vaultKey = randomBytes(32)): { bytes: Buffer; payload: VaultPayload; vaultKey: Buffer; head: VaultHeader } {
  const payload = emptyPayload(agent, 'PRIVATE', 'OWNER', 'AUDIT');
  // Pushed rather than set one by one: setMainSecret looks each key up, quadratic at 100,000.
  for (let i = 0; i < n; i++) payload.credentials.push(createCredential(`KEY_${i}`, 'api_key', { fields: { value: `value-${i}` } }, T0));
  const head = header(agent, vaultKey);
  return { bytes: encodeVaultFile(head, vaultKey, payload), payload, vaultKey, head };
}

function openAs(bytes: Buffer, agent = 'bot'): VaultPayload {
  const file = parseVaultFile(bytes);
  const vaultKey = unwrapOwnerSlot(OWNER_KEY, agent, file.header.owner);
  if (!vaultKey) throw new IntegrityError('owner slot does not open');
  return openVault(file, vaultKey);
}

/** Where each part of a vault file is: the header, the sealed index, each record. */
function layout(bytes: Buffer, payload: VaultPayload): { headerEnd: number; indexEnd: number; records: Array<{ key: string; start: number; end: number }> } {
  const file = parseVaultFile(bytes);
  const headerEnd = file.headerBytes.length;
  const indexEnd = headerEnd + file.index.length;
  let start = indexEnd;
  const records = payload.credentials.map((c) => {
    const length = Buffer.byteLength(encodeRecord(c, payload.history?.[c.id])) + 16;
    const record = { key: c.key, start, end: start + length };
    start += length;
    return record;
  });
  expect(start).toBe(bytes.length);
  return { headerEnd, indexEnd, records };
}

const flip = (bytes: Buffer, at: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
};
const valueOf = (bytes: Buffer, key: string): string | undefined => requireCredential(openAs(bytes), key).fields.value;
const readAll = (bytes: Buffer): unknown => JSON.parse(JSON.stringify(openAs(bytes)));
const expectDamaged = (fn: () => unknown): void => expect(fn).toThrow(IntegrityError);

describe('a flipped byte in each region of a vault file', () => {
  const { bytes, payload } = vault(3);
  const { headerEnd, indexEnd, records } = layout(bytes, payload);

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
    for (const key of ['KEY_0', 'KEY_1', 'KEY_2']) expectDamaged(() => valueOf(damaged, key));
    expectDamaged(() => readAll(damaged));
  });

  it.each([0, 1, 2])('record %i (first byte, middle, tag): the read of its key and every full read fail; the other keys read', (i) => {
    const { start, end } = records[i]!;
    for (const at of [start, Math.floor((start + end) / 2), end - 1]) {
      const damaged = flip(bytes, at);
      expectDamaged(() => valueOf(damaged, `KEY_${i}`));
      expectDamaged(() => findCredential(openAs(damaged), payload.credentials[i]!.id));
      expectDamaged(() => readAll(damaged));
      for (const other of [0, 1, 2].filter((j) => j !== i)) expect(valueOf(damaged, `KEY_${other}`)).toBe(`value-${other}`);
    }
  });

  it('a write over a damaged record fails before writing anything (exit 6)', () => {
    const damaged = flip(bytes, records[1]!.start);
    const p = openAs(damaged);
    expectDamaged(() => setMainSecret(p, 'KEY_0', 'changed', T1));
  });
});

describe('records moved, mixed or cut', () => {
  it('two records swapped in place: neither reads, nor does a full read', () => {
    const { bytes, payload } = vault(3);
    const [a, b] = layout(bytes, payload).records;
    const swapped = Buffer.concat([bytes.subarray(0, a!.start), bytes.subarray(b!.start, b!.end), bytes.subarray(a!.start, a!.end), bytes.subarray(b!.end)]);
    expect(swapped.length).toBe(bytes.length);
    expectDamaged(() => valueOf(swapped, 'KEY_0'));
    expectDamaged(() => valueOf(swapped, 'KEY_1'));
    expect(valueOf(swapped, 'KEY_2')).toBe('value-2');
    expectDamaged(() => readAll(swapped));
  });

  it("a record of another vault (another agent's, or the same agent's in another store) in a record's place does not read", () => {
    const mine = vault(2);
    const place = layout(mine.bytes, mine.payload).records[0]!;
    for (const other of [vault(2, 'bot2'), vault(2, 'bot')]) {
      // The same credential id and key, so only the vault key and agent tell them apart.
      other.payload.credentials[0]!.id = mine.payload.credentials[0]!.id;
      const bytes = encodeVaultFile(other.head, other.vaultKey, other.payload);
      const theirs = layout(bytes, other.payload).records[0]!;
      const mixed = Buffer.concat([mine.bytes.subarray(0, place.start), bytes.subarray(theirs.start, theirs.end), mine.bytes.subarray(place.end)]);
      expectDamaged(() => valueOf(mixed, 'KEY_0'));
      expect(valueOf(mixed, 'KEY_1')).toBe('value-1');
      expectDamaged(() => readAll(mixed));
    }
  });

  it("an older copy of one record, or an older file's index over the new records, does not read", () => {
    const { bytes: older, payload, vaultKey, head } = vault(2);
    const p = openAs(older);
    setMainSecret(p, 'KEY_0', 'value-9', T1);
    const newer = encodeVaultFile(head, vaultKey, p);
    const oldPlace = layout(older, payload).records[0]!;
    const newPlace = layout(newer, openAs(newer)).records[0]!;
    expect(newPlace.end - newPlace.start).toBe(oldPlace.end - oldPlace.start);
    const rolledBack = Buffer.concat([newer.subarray(0, newPlace.start), older.subarray(oldPlace.start, oldPlace.end), newer.subarray(newPlace.end)]);
    expectDamaged(() => valueOf(rolledBack, 'KEY_0'));
    expectDamaged(() => readAll(rolledBack));
    const oldIndex = Buffer.concat([older.subarray(0, oldPlace.start), newer.subarray(newPlace.start)]);
    expectDamaged(() => readAll(oldIndex));
    // A whole older file is a consistent file: the format cannot tell it (man 5 says who can).
    expect(valueOf(older, 'KEY_0')).toBe('value-0');
  });

  it('a file cut anywhere, or with bytes after its last record, fails every read', () => {
    const { bytes } = vault(3);
    for (let at = 0; at < bytes.length; at++) {
      const cut = bytes.subarray(0, at);
      expect(() => valueOf(cut, 'KEY_2'), `cut at ${at}`).toThrow(IntegrityError);
    }
    expectDamaged(() => valueOf(Buffer.concat([bytes, Buffer.from('x')]), 'KEY_0'));
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
  const recordBytes = (bytes: Buffer): Buffer[] => {
    const p = openAs(bytes);
    return layout(bytes, p).records.map((r) => bytes.subarray(r.start, r.end));
  };

  it('keep unchanged records byte for byte and seal a changed one anew, read one at a time or all', () => {
    const { bytes, vaultKey, head } = vault(3);
    const before = recordBytes(bytes);
    // Changed through a lookup of one record only.
    const one = openAs(bytes);
    requireCredential(one, 'KEY_1').fields.value = 'changed';
    const afterOne = encodeVaultFile(head, vaultKey, one);
    const records = recordBytes(afterOne);
    expect(records[0]!.equals(before[0]!)).toBe(true);
    expect(records[1]!.equals(before[1]!)).toBe(false);
    expect(records[2]!.equals(before[2]!)).toBe(true);
    expect(valueOf(afterOne, 'KEY_1')).toBe('changed');
    // Changed after a full read: a new credential, one removed, one changed.
    const all = openAs(afterOne);
    setMainSecret(all, 'KEY_2', 'again', T1);
    setMainSecret(all, 'KEY_3', 'new', T1);
    all.credentials = all.credentials.filter((c) => c.key !== 'KEY_0');
    const afterAll = encodeVaultFile(head, vaultKey, all);
    const next = recordBytes(afterAll);
    expect(next[0]!.equals(records[1]!)).toBe(true);
    expect(next[1]!.equals(records[2]!)).toBe(false);
    expect(readAll(afterAll)).toMatchObject({ credentials: [{ key: 'KEY_1' }, { key: 'KEY_2', fields: { value: 'again' } }, { key: 'KEY_3', fields: { value: 'new' } }] });
    // Nothing read: every record as it was, under a new index nonce.
    const untouched = encodeVaultFile(head, vaultKey, openAs(afterAll));
    expect(recordBytes(untouched).every((r, i) => r.equals(next[i]!))).toBe(true);
    expect(untouched.equals(afterAll)).toBe(false);
  });

  it('under a new vault key (token rotate) seal every record anew', () => {
    const { bytes, head } = vault(2);
    const newKey = randomBytes(32);
    const rotated = encodeVaultFile({ ...head, owner: wrapOwnerSlot(OWNER_KEY, 'bot', newKey) }, newKey, openAs(bytes));
    const before = recordBytes(bytes);
    expect(recordBytes(rotated).some((r) => before.some((b) => b.equals(r)))).toBe(false);
    expect(valueOf(rotated, 'KEY_1')).toBe('value-1');
  });
});

describe('100,000 credentials', () => {
  it('read one, read all, change one and read back', { timeout: 120_000 }, () => {
    const { bytes, vaultKey, head } = vault(100_000);
    expect(valueOf(bytes, 'KEY_99999')).toBe('value-99999');
    expect(valueOf(bytes, 'KEY_0')).toBe('value-0');
    expect(findCredential(openAs(bytes), 'KEY_100000')).toBeUndefined();
    const all = openAs(bytes);
    expect(all.credentials).toHaveLength(100_000);
    setMainSecret(all, 'KEY_50000', 'changed', T1);
    setMainSecret(all, 'NEW', 'added', T1);
    const written = encodeVaultFile(head, vaultKey, all);
    expect(valueOf(written, 'KEY_50000')).toBe('changed');
    expect(valueOf(written, 'NEW')).toBe('added');
    expect(valueOf(written, 'KEY_49999')).toBe('value-49999');
    expect(openAs(written).credentials).toHaveLength(100_001);
  });
});
