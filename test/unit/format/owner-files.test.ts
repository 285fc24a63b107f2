/**
 * The files of the owner's lifecycle: the v2 store file (the root key wrapped by the
 * passphrase key, the retired audit keys sealed under the root key; a v1 file refused by
 * name), the session file and string, and the rekey journal.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../src/format/format-error.js';
import { encodeRekeyJournal, openRekeyJournal } from '../../../src/format/rekey-journal.js';
import { encodeSessionFile, newSessionString, openSessionFile, parseSessionString, sessionDigest } from '../../../src/format/session-file.js';
import { createStoreFile, encodeStoreFile, openPassphraseSlot, openStoreKeys, parseStoreFile } from '../../../src/format/store-file.js';

const KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1, salt: randomBytes(16) };
const key = (): Buffer => randomBytes(32);

function thrown(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('did not throw');
}

describe('the store file, v2', () => {
  const passphraseKey = key();
  const rootKey = key();
  const retired = [key(), key()];
  const bytes = encodeStoreFile(createStoreFile(passphraseKey, KDF, rootKey, retired));

  it('gives the root key to the passphrase key, and the retired keys, in order, to the root key', () => {
    const file = parseStoreFile(bytes);
    expect(openPassphraseSlot(file, passphraseKey)).toEqual(rootKey);
    expect(openStoreKeys(file, rootKey)).toEqual(retired);
    expect(encodeStoreFile(file).equals(bytes)).toBe(true);
  });

  it('gives nothing to another passphrase key or another root key', () => {
    const file = parseStoreFile(bytes);
    expect(openPassphraseSlot(file, key())).toBeUndefined();
    expect(openStoreKeys(file, key())).toBeUndefined();
  });

  it('binds the kdf line to the slot and every header line to the body', () => {
    const other = encodeStoreFile({ ...parseStoreFile(bytes), kdf: { ...KDF, iterations: 2 } });
    expect(openPassphraseSlot(parseStoreFile(other), passphraseKey)).toBeUndefined();
    expect(openStoreKeys(parseStoreFile(other), rootKey)).toBeUndefined();
  });

  it('refuses a v1 store file by name (exit 6), saying what to do', () => {
    const v1 = Buffer.from('agent-vault-store/v1\nkdf: $argon2id$v=19$m=1024,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA\ncheck AAAAAAAAAAAAAAAA AAAA\n');
    const err = thrown(() => parseStoreFile(v1));
    expect(err.exitCode).toBe(6);
    expect(err.message).toMatch(/agent-vault-store\/v1.*agent-vault-store\/v2/);
    expect(err.hint).toMatch(/export .* import/);
  });

  it('never crashes on a damaged file: it parses or throws a FormatError (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const damaged = Buffer.from(bytes);
        damaged[at]! ^= flip;
        try {
          const file = parseStoreFile(damaged);
          const root = openPassphraseSlot(file, passphraseKey);
          // Whatever still parses does not open whole to another root key.
          if (root) expect(openStoreKeys(file, root) === undefined || root.equals(rootKey)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(FormatError);
        }
      }),
    );
  });
});

describe('the session file and string', () => {
  const passphraseKey = key();
  const { text, parsed } = newSessionString();
  const facts = { id: parsed.id, store: sessionDigest('/a/store'), binding: sessionDigest('tty=1'), created: '2026-01-01T00:00:00.000Z', expires: '2026-01-01T00:15:00.000Z' };
  const bytes = encodeSessionFile(facts, parsed, passphraseKey);

  it('parses only its own canonical string', () => {
    expect(parseSessionString(text)).toEqual(parsed);
    expect(parseSessionString(`${text}x`)).toBeUndefined();
    expect(parseSessionString(text.replace('avs_', 'avt_'))).toBeUndefined();
    // The last character of 43 carries 2 unused bits: only one spelling is accepted.
    const last = text.at(-1)!;
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last) ^ 1]!;
    expect(parseSessionString(text.slice(0, -1) + sibling)).toBeUndefined();
  });

  it('opens with its string to the passphrase key and its facts', () => {
    expect(openSessionFile(bytes, parsed)).toEqual({ facts, passphraseKey });
  });

  it('does not open with another secret, and holds neither the string nor the key in clear', () => {
    expect(openSessionFile(bytes, { id: parsed.id, secret: key() })).toBeUndefined();
    expect(bytes.includes(parsed.secret)).toBe(false);
    expect(bytes.includes(passphraseKey)).toBe(false);
    expect(bytes.toString('latin1')).not.toContain(text.slice(-43));
  });

  it('cannot have its expiry or binding edited: the header is the seal\'s additional data', () => {
    const later = Buffer.from(bytes.toString('latin1').replace('00:15:00.000Z', '23:15:00.000Z'), 'latin1');
    expect(openSessionFile(later, parsed)).toBeUndefined();
    const elsewhere = Buffer.from(bytes.toString('latin1').replace(/^binding .*$/m, `binding ${sessionDigest('tty=2').toString('base64').replace(/=+$/, '')}`), 'latin1');
    expect(openSessionFile(elsewhere, parsed)).toBeUndefined();
  });
});

describe('the rekey journal', () => {
  const previous = key();
  const next = key();
  const at = '2026-01-01T00:00:00.000Z';
  const bytes = encodeRekeyJournal(at, previous, next);

  it('gives both root keys to either of them', () => {
    expect(openRekeyJournal(bytes, previous)).toEqual({ at, previous, next });
    expect(openRekeyJournal(bytes, next)).toEqual({ at, previous, next });
    expect(bytes.includes(next) || bytes.includes(previous)).toBe(false);
  });

  it('refuses an entry neither root key opens, an altered time and a non-canonical form', () => {
    expect(thrown(() => openRekeyJournal(bytes, key())).message).toMatch(/does not open/);
    expect(() => openRekeyJournal(Buffer.from(bytes.toString().replace(at, '2026-01-02T00:00:00.000Z')), previous)).toThrow(FormatError);
    expect(() => openRekeyJournal(Buffer.from(bytes.toString().replace('{"v":1', '{ "v":1')), previous)).toThrow(FormatError);
    expect(() => openRekeyJournal(Buffer.from('not json'), previous)).toThrow(FormatError);
  });
});
