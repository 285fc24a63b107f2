/**
 * The grant file, byte-exact (see man/agent-vault.5, GRANTS): one credential sealed by
 * one agent's X25519 key to another's, as age's X25519 recipient stanza does it, plus a
 * static-static exchange that authenticates the granter.
 *
 *   agent-vault-grant/v1
 *   from: <granter agent id>
 *   to: <grantee agent id>
 *   key: <CREDENTIAL_KEY>
 *   created: <ISO 8601 UTC>
 *   expires: <ISO 8601 UTC, or "never">
 *   eph <ephemeral X25519 public key>
 *   --- <nonce>
 *   <AES-256-GCM ciphertext and tag of the credential as JSON>
 *
 * The file key is derived from X25519(ephemeral, grantee) and X25519(granter, grantee)
 * (see keys.ts). The ephemeral share keeps each file's key fresh; the static share means only
 * the holder of the granter's private key (or the grantee's) can make a file that
 * opens, so whoever merely knows the grantee's public key cannot forge a grant. The
 * additional data is every header byte, so granter, grantee, key and expiry cannot be
 * changed without failing the tag.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { isCredentialKey } from '../core/ids.js';
import { NONCE_LENGTH, open, sealWithNonce } from './aead.js';
import { FormatError } from './format-error.js';
import { AGENT_ID_VALUE, base64Line, checkedText, encodeHeader, headerGrammar, parseHeader, TIMESTAMP_VALUE, valueLine, type ValueRule } from './header-lines.js';
import { deriveGrantFileKey } from './keys.js';

export const GRANT_VERSION = 'agent-vault-grant/v1';
export const X25519_KEY_LENGTH = 32;

/** An expiry: a timestamp, or `never` for a grant without one. */
const EXPIRY_VALUE: ValueRule<string | undefined> = {
  decode: (text, what) => (text === 'never' ? undefined : TIMESTAMP_VALUE.decode(text, what)),
  encode: (value) => value ?? 'never',
};

const GRANT_HEADER = headerGrammar({
  kind: 'grant file',
  version: GRANT_VERSION,
  lines: [
    valueLine('from', AGENT_ID_VALUE),
    valueLine('to', AGENT_ID_VALUE),
    valueLine('key', checkedText(isCredentialKey, 'a valid credential key')),
    valueLine('created', TIMESTAMP_VALUE),
    valueLine('expires', EXPIRY_VALUE),
    base64Line('eph', [['ephemeral key', X25519_KEY_LENGTH]]),
    base64Line('---', [['nonce', NONCE_LENGTH]]),
  ],
  maxBytes: 1024,
  body: 'sealed',
});

/** The DER prefix that turns 32 raw bytes into an X25519 SubjectPublicKeyInfo. */
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** What the header of a grant says; authenticated once the file is opened. */
export interface GrantMeta {
  from: string;
  to: string;
  key: string;
  created: string;
  /** Absent for a grant without expiry. */
  expires?: string;
}

/** A grant file split into its parts; the credential is still sealed. */
export interface ParsedGrantFile {
  meta: GrantMeta;
  ephemeral: Buffer;
  headerBytes: Buffer;
  nonce: Buffer;
  sealed: Buffer;
}

/** A fresh X25519 key pair: the raw 32-byte public key and the PKCS#8 DER private key (base64). */
export function generateAgentKeyPair(): { publicKey: Buffer; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-X25519_KEY_LENGTH),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

function publicKeyObject(raw: Buffer): KeyObject {
  if (raw.length !== X25519_KEY_LENGTH) throw new FormatError('an X25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** X25519(private, public), or `undefined` for a point OpenSSL refuses or a low-order one. */
function sharedSecret(privateKey: KeyObject, publicKey: Buffer): Buffer | undefined {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: publicKeyObject(publicKey) });
  } catch {
    // OpenSSL refuses a low-order point itself (the secret would be all zeros).
    return undefined;
  }
  // A low-order public key gives an all-zero secret that anyone can compute: refuse it, as age does.
  return shared.every((b) => b === 0) ? undefined : shared;
}

/** The file key from both shares; `undefined` if either is refused. */
function fileKey(ephemeralShare: Buffer | undefined, staticShare: Buffer | undefined, ephemeral: Buffer, grantee: Buffer, granter: Buffer): Buffer | undefined {
  if (!ephemeralShare || !staticShare) return undefined;
  return deriveGrantFileKey({ ephemeralShare, staticShare, ephemeral, grantee, granter });
}

function privateKeyObject(pkcs8Base64: string): { privateKey: KeyObject; publicKey: Buffer } {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8Base64, 'base64'), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-X25519_KEY_LENGTH) };
}

function encodeGrantHeader(meta: GrantMeta, ephemeral: Buffer, nonce: Buffer): Buffer {
  return encodeHeader(GRANT_HEADER, { ...meta, expires: meta.expires, eph: [ephemeral], '---': [nonce] });
}

/**
 * Seals `plaintext` from the granter (its private key, PKCS#8 DER base64) to the
 * grantee's raw X25519 public key, which the caller took from a verified certificate,
 * and returns the whole file.
 */
export function sealGrant(meta: GrantMeta, granterPrivateKey: string, granteePublic: Buffer, plaintext: Uint8Array): Buffer {
  const granter = privateKeyObject(granterPrivateKey);
  const ephemeralPair = generateKeyPairSync('x25519');
  const ephemeral = ephemeralPair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-X25519_KEY_LENGTH);
  const key = fileKey(
    sharedSecret(ephemeralPair.privateKey, granteePublic),
    sharedSecret(granter.privateKey, granteePublic),
    ephemeral,
    granteePublic,
    granter.publicKey,
  );
  if (!key) throw new FormatError("the grantee's public key is invalid");
  const nonce = randomBytes(NONCE_LENGTH);
  const headerBytes = encodeGrantHeader(meta, ephemeral, nonce);
  return Buffer.concat([headerBytes, sealWithNonce(key, nonce, plaintext, headerBytes)]);
}

/**
 * Opens a grant with the grantee's private key (PKCS#8 DER, base64) and the granter's
 * raw public key, taken from its verified certificate. Returns `undefined` when the
 * file was not sealed by that granter to that grantee, or any byte of it changed.
 */
export function openGrant(file: ParsedGrantFile, granteePrivateKey: string, granterPublic: Buffer): Buffer | undefined {
  const grantee = privateKeyObject(granteePrivateKey);
  const key = fileKey(
    sharedSecret(grantee.privateKey, file.ephemeral),
    sharedSecret(grantee.privateKey, granterPublic),
    file.ephemeral,
    grantee.publicKey,
    granterPublic,
  );
  if (!key) return undefined;
  return open(key, file.nonce, file.sealed, file.headerBytes);
}

/** Parses a grant file strictly; anything off the grammar is a {@link FormatError} (exit 6). */
export function parseGrantFile(bytes: Buffer): ParsedGrantFile {
  const { values, end } = parseHeader(GRANT_HEADER, bytes);
  const { from, to, key, created, expires } = values;
  return {
    meta: { from, to, key, created, ...(expires === undefined ? {} : { expires }) },
    ephemeral: values.eph[0],
    headerBytes: bytes.subarray(0, end),
    nonce: values['---'][0],
    sealed: bytes.subarray(end),
  };
}
