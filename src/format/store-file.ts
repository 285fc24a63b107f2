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
import { open, seal, NONCE_LENGTH, TAG_LENGTH } from './aead.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';
import { encodeKdf, parseKdf, type KdfParams } from './kdf.js';

export const STORE_VERSION = 'agent-vault-store/v1';
const CHECK_PLAINTEXT = Buffer.from('agent-vault owner key check');

export interface StoreFile {
  kdf: KdfParams;
  check: { nonce: Buffer; sealed: Buffer };
}

function checkAad(kdf: KdfParams): Buffer {
  return Buffer.from(`${STORE_VERSION}\nkdf: ${encodeKdf(kdf)}\n`);
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

export function encodeStoreFile(file: StoreFile): Buffer {
  return Buffer.concat([checkAad(file.kdf), Buffer.from(`check ${encodeBase64(file.check.nonce)} ${encodeBase64(file.check.sealed)}\n`)]);
}

export function parseStoreFile(bytes: Buffer): StoreFile {
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '') throw new FormatError('store file is truncated or has extra lines');
  const [version, kdfLine, checkLine] = lines as [string, string, string];
  if (version !== STORE_VERSION) {
    throw new FormatError(version.startsWith('agent-vault-store/') ? `unsupported store version ${JSON.stringify(version)}` : 'not an agent-vault store file');
  }
  if (!kdfLine.startsWith('kdf: ')) throw new FormatError('store file has no kdf line');
  const check = /^check ([A-Za-z0-9+/]+) ([A-Za-z0-9+/]+)$/.exec(checkLine);
  if (!check) throw new FormatError('store file has no check line');
  const sealedLength = CHECK_PLAINTEXT.length + TAG_LENGTH;
  return {
    kdf: parseKdf(kdfLine.slice(5)),
    check: {
      nonce: decodeBase64(check[1]!, 'check nonce', NONCE_LENGTH),
      sealed: decodeBase64(check[2]!, 'check value', sealedLength),
    },
  };
}
