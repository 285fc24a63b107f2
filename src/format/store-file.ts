/**
 * The store file (`<store>/store`), format v2: the owner's Argon2id parameters, the
 * passphrase slot that wraps the random root key, and a sealed body that holds the
 * store log's retired audit keys.
 *
 *   agent-vault-store/v2
 *   kdf: $argon2id$v=19$m=65536,t=3,p=4$<salt>
 *   passphrase <nonce> <wrapped root key>
 *   keys <nonce>
 *   <AES-256-GCM(store keys key, nonce, retired audit keys, AAD = the header)>
 *
 * The passphrase slot seals the root key under the passphrase key with the version and
 * kdf lines as additional data, so the KDF parameters cannot be changed without the
 * slot failing (a wrong passphrase and a changed cost are both exit 4 there, as before).
 * The body is sealed under a key derived from the root key with the whole header as
 * additional data: opening it proves the root key (an owner session brings the
 * passphrase key, not the passphrase) and authenticates every header byte.
 *
 * Because the passphrase only wraps the root key, `passwd` rewrites this one file; a
 * rekey writes a new root key here last, as its commit.
 */
import { KEY_LENGTH, NONCE_LENGTH, open, seal, sealWithNonce, TAG_LENGTH } from './aead.js';
import { randomBytes } from 'node:crypto';
import { FormatError } from './format-error.js';
import { base64Line, encodeHeader, headerGrammar, parseHeader, valueLine } from './header-lines.js';
import { encodeKdf, parseKdf, type KdfParams } from './kdf.js';
import { deriveStoreKeysKey } from './keys.js';

export const STORE_VERSION = 'agent-vault-store/v2';
/** The format before the root key; never released, so refused rather than migrated. */
const RETIRED_STORE_VERSION = 'agent-vault-store/v1';

/** The most retired audit keys a body may hold (one per rekey): a bound on what a file can make us read. */
export const MAX_RETIRED_KEYS = 1024;

/** The lines the passphrase slot binds: the version and kdf lines. */
const SLOT_BOUND_LINES = [valueLine('kdf', { decode: (text) => parseKdf(text), encode: encodeKdf })] as const;

const STORE_HEADER = headerGrammar({
  kind: 'store file',
  version: STORE_VERSION,
  lines: [...SLOT_BOUND_LINES, base64Line('passphrase', [['nonce', NONCE_LENGTH], ['wrapped root key', KEY_LENGTH + TAG_LENGTH]]), base64Line('keys', [['nonce', NONCE_LENGTH]])],
  maxBytes: 1024,
  body: 'sealed',
});

const SLOT_HEADER = headerGrammar({ ...STORE_HEADER, lines: SLOT_BOUND_LINES, body: 'none' });

/** A parsed store file. */
export interface StoreFile {
  kdf: KdfParams;
  /** The root key sealed under the passphrase key. */
  slot: { nonce: Buffer; wrapped: Buffer };
  keysNonce: Buffer;
  /** The sealed body: the retired store audit keys. */
  sealedKeys: Buffer;
}

function slotAad(kdf: KdfParams): Buffer {
  return encodeHeader(SLOT_HEADER, { kdf });
}

function headerOf(file: Omit<StoreFile, 'sealedKeys'>): Buffer {
  return encodeHeader(STORE_HEADER, { kdf: file.kdf, passphrase: [file.slot.nonce, file.slot.wrapped], keys: [file.keysNonce] });
}

/**
 * A new store file: `rootKey` wrapped under `passphraseKey` (derived with `kdf`), and
 * the store log's `retired` audit keys (oldest first) sealed under the root key.
 */
export function createStoreFile(passphraseKey: Buffer, kdf: KdfParams, rootKey: Buffer, retired: readonly Buffer[]): StoreFile {
  if (retired.length > MAX_RETIRED_KEYS || retired.some((key) => key.length !== KEY_LENGTH)) throw new FormatError('too many or malformed retired audit keys');
  const sealedSlot = seal(passphraseKey, rootKey, slotAad(kdf));
  const head = { kdf, slot: { nonce: sealedSlot.nonce, wrapped: sealedSlot.sealed }, keysNonce: randomBytes(NONCE_LENGTH) };
  return { ...head, sealedKeys: sealWithNonce(deriveStoreKeysKey(rootKey), head.keysNonce, Buffer.concat(retired), headerOf(head)) };
}

/** The root key, if `passphraseKey` opens the passphrase slot; undefined for a wrong passphrase. */
export function openPassphraseSlot(file: StoreFile, passphraseKey: Buffer): Buffer | undefined {
  const rootKey = open(passphraseKey, file.slot.nonce, file.slot.wrapped, slotAad(file.kdf));
  return rootKey?.length === KEY_LENGTH ? rootKey : undefined;
}

/**
 * The store log's retired audit keys, oldest first, if `rootKey` is the store's: an
 * undefined answer means another root key (or a file altered after the slot opened).
 */
export function openStoreKeys(file: StoreFile, rootKey: Buffer): Buffer[] | undefined {
  const body = open(deriveStoreKeysKey(rootKey), file.keysNonce, file.sealedKeys, headerOf(file));
  if (!body || body.length % KEY_LENGTH !== 0 || body.length / KEY_LENGTH > MAX_RETIRED_KEYS) return undefined;
  return Array.from({ length: body.length / KEY_LENGTH }, (_, i) => body.subarray(i * KEY_LENGTH, (i + 1) * KEY_LENGTH));
}

/** The store file's bytes. */
export function encodeStoreFile(file: StoreFile): Buffer {
  return Buffer.concat([headerOf(file), file.sealedKeys]);
}

/**
 * Parses a store file strictly; anything off the grammar is a FormatError (exit 6). A
 * v1 store file (the passphrase was the key itself) is refused by name: that format was
 * never released, and is not migrated.
 */
export function parseStoreFile(bytes: Buffer): StoreFile {
  if (bytes.subarray(0, RETIRED_STORE_VERSION.length + 1).equals(Buffer.from(`${RETIRED_STORE_VERSION}\n`))) {
    throw new FormatError(
      `the store file is format ${RETIRED_STORE_VERSION}, which this version of agent-vault does not read (it needs ${STORE_VERSION})`,
      'that format was never released: run the agent-vault that made it to export each vault, then init a new store and import them',
    );
  }
  const { values, end } = parseHeader(STORE_HEADER, bytes);
  const sealedKeys = bytes.subarray(end);
  if (sealedKeys.length > MAX_RETIRED_KEYS * KEY_LENGTH + TAG_LENGTH) throw new FormatError('store file body is longer than any agent-vault writes');
  return { kdf: values.kdf, slot: { nonce: values.passphrase[0], wrapped: values.passphrase[1] }, keysNonce: values.keys[0], sealedKeys: Buffer.from(sealedKeys) };
}
