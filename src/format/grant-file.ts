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
 * The file key is HKDF-SHA256(X25519(ephemeral, grantee) || X25519(granter, grantee),
 * salt = ephemeral public || grantee public || granter public, info = "agent-vault/v1
 * grant"). The ephemeral share keeps each file's key fresh; the static share means only
 * the holder of the granter's private key (or the grantee's) can make a file that
 * opens, so whoever merely knows the grantee's public key cannot forge a grant. The
 * additional data is every header byte, so granter, grantee, key and expiry cannot be
 * changed without failing the tag.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { isAgentId, isCredentialKey } from '../core/ids.js';
import { deriveSubkey, NONCE_LENGTH, open, sealWithNonce, TAG_LENGTH } from './aead.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';
import { checkTimestamp, lineFields, lineValue, readHeaderLines } from './header-lines.js';

export const GRANT_VERSION = 'agent-vault-grant/v1';
export const X25519_KEY_LENGTH = 32;
const HKDF_INFO = 'agent-vault/v1 grant';
const MAX_HEADER_BYTES = 1024;
const WHAT = 'grant file';
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
  return deriveSubkey(Buffer.concat([ephemeralShare, staticShare]), Buffer.concat([ephemeral, grantee, granter]), HKDF_INFO);
}

function privateKeyObject(pkcs8Base64: string): { privateKey: KeyObject; publicKey: Buffer } {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8Base64, 'base64'), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-X25519_KEY_LENGTH) };
}

function encodeHeader(meta: GrantMeta, ephemeral: Buffer, nonce: Buffer): Buffer {
  return Buffer.from(
    [
      GRANT_VERSION,
      `from: ${meta.from}`,
      `to: ${meta.to}`,
      `key: ${meta.key}`,
      `created: ${meta.created}`,
      `expires: ${meta.expires ?? 'never'}`,
      `eph ${encodeBase64(ephemeral)}`,
      `--- ${encodeBase64(nonce)}`,
      '',
    ].join('\n'),
  );
}

/**
 * Seals `plaintext` from the granter (its private key, PKCS#8 DER base64) to the
 * grantee's raw X25519 public key, which the caller took from a verified certificate,
 * and returns the whole file.
 */
export function sealGrant(meta: GrantMeta, granterPrivateKey: string, granteePublic: Buffer, plaintext: Uint8Array): Buffer {
  checkMeta(meta);
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
  const headerBytes = encodeHeader(meta, ephemeral, nonce);
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

function checkMeta(meta: GrantMeta): void {
  if (!isAgentId(meta.from) || !isAgentId(meta.to)) throw new FormatError('grant names an invalid agent id');
  if (!isCredentialKey(meta.key)) throw new FormatError('grant names an invalid credential key');
  checkTimestamp(meta.created, 'grant created');
  if (meta.expires !== undefined) checkTimestamp(meta.expires, 'grant expires');
}




/** Parses a grant file strictly; anything off the grammar is a {@link FormatError} (exit 6). */
export function parseGrantFile(bytes: Buffer): ParsedGrantFile {
  const { lines, end: offset } = readHeaderLines(bytes, 8, MAX_HEADER_BYTES, WHAT);
  const [version, fromLine, toLine, keyLine, createdLine, expiresLine, ephLine, nonceLine] = lines as [
    string, string, string, string, string, string, string, string,
  ];
  if (version !== GRANT_VERSION) {
    throw new FormatError(version.startsWith('agent-vault-grant/') ? `unsupported grant version ${JSON.stringify(version)}` : 'not an agent-vault grant file');
  }
  const expires = lineValue(expiresLine, 'expires', WHAT);
  const meta: GrantMeta = {
    from: lineValue(fromLine, 'from', WHAT),
    to: lineValue(toLine, 'to', WHAT),
    key: lineValue(keyLine, 'key', WHAT),
    created: lineValue(createdLine, 'created', WHAT),
    ...(expires === 'never' ? {} : { expires }),
  };
  checkMeta(meta);
  const sealed = bytes.subarray(offset);
  if (sealed.length < TAG_LENGTH) throw new FormatError('grant payload is truncated');
  return {
    meta,
    ephemeral: decodeBase64(lineFields(ephLine, 'eph', 1, WHAT)[0]!, 'grant ephemeral key', X25519_KEY_LENGTH),
    headerBytes: bytes.subarray(0, offset),
    nonce: decodeBase64(lineFields(nonceLine, '---', 1, WHAT)[0]!, 'grant nonce', NONCE_LENGTH),
    sealed,
  };
}
