/**
 * The store file (`<store>/store`): the owner's Argon2id parameters and a check value
 * that tells a wrong passphrase (exit 4) apart from a damaged vault (exit 6).
 *
 *   agent-vault-store/v1
 *   kdf: $argon2id$v=19$m=65536,t=3,p=4$<salt>
 *   check <nonce> <sealed>
 *
 * `check` seals a constant under the owner key with the two lines above as additional
 * data, so the KDF parameters cannot be changed without the passphrase noticing.
 */
import { NONCE_LENGTH, open, seal, TAG_LENGTH } from './aead.js';
import { base64Line, encodeHeader, headerGrammar, parseHeader, valueLine } from './header-lines.js';
import { encodeKdf, parseKdf, type KdfParams } from './kdf.js';

export const STORE_VERSION = 'agent-vault-store/v1';
const CHECK_PLAINTEXT = Buffer.from('agent-vault owner key check');

/** The lines the check value binds: the version and kdf lines. */
const CHECKED_LINES = [valueLine('kdf', { decode: (text) => parseKdf(text), encode: encodeKdf })] as const;

const STORE_HEADER = headerGrammar({
  kind: 'store file',
  version: STORE_VERSION,
  lines: [...CHECKED_LINES, base64Line('check', [['nonce', NONCE_LENGTH], ['sealed value', CHECK_PLAINTEXT.length + TAG_LENGTH]])],
  maxBytes: 1024,
  body: 'none',
});

const CHECKED_HEADER = headerGrammar({ ...STORE_HEADER, lines: CHECKED_LINES });

/** A parsed store file. */
export interface StoreFile {
  kdf: KdfParams;
  check: { nonce: Buffer; sealed: Buffer };
}

function checkAad(kdf: KdfParams): Buffer {
  return encodeHeader(CHECKED_HEADER, { kdf });
}

/** A new store file for an owner key derived with `kdf`. */
export function createStoreFile(ownerKey: Buffer, kdf: KdfParams): StoreFile {
  return { kdf, check: seal(ownerKey, CHECK_PLAINTEXT, checkAad(kdf)) };
}

/** True when `ownerKey` is the one the store was created with. */
export function verifyOwnerKey(file: StoreFile, ownerKey: Buffer): boolean {
  const plaintext = open(ownerKey, file.check.nonce, file.check.sealed, checkAad(file.kdf));
  return plaintext !== undefined && plaintext.equals(CHECK_PLAINTEXT);
}

/** The store file's bytes. */
export function encodeStoreFile(file: StoreFile): Buffer {
  return encodeHeader(STORE_HEADER, { kdf: file.kdf, check: [file.check.nonce, file.check.sealed] });
}

/** Parses a store file strictly; anything off the grammar is a FormatError (exit 6). */
export function parseStoreFile(bytes: Buffer): StoreFile {
  const { kdf, check } = parseHeader(STORE_HEADER, bytes).values;
  return { kdf, check: { nonce: check[0], sealed: check[1] } };
}
