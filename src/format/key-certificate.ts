/**
 * The agent key certificate, byte-exact (see man/agent-vault.5, GRANTS): the owner's
 * Ed25519 signature over an agent id and that agent's X25519 public key.
 *
 *   agent-vault-key/v1
 *   agent: <agent id>
 *   pub <X25519 public key>
 *   sig <Ed25519 signature of the three lines above, line feeds included>
 *
 * Grants are sealed to, and accepted from, the key a certificate names, never the
 * vault header's `pub`: any process of the store's user can rewrite a header, but only
 * the owner key signs. The signing key derives from the owner key, so nothing new is
 * stored; each vault payload pins its public half at provisioning, which is how an
 * agent, holding only its token, knows which signatures to trust.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { isAgentId } from '../core/ids.js';
import { deriveSubkey } from './aead.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';
import { X25519_KEY_LENGTH } from './grant-file.js';

export const KEY_CERTIFICATE_VERSION = 'agent-vault-key/v1';
export const ED25519_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;
const SIGNING_KEY_INFO = 'agent-vault/v1 owner signing key';
const MAX_BYTES = 512;
/** DER prefixes that turn 32 raw bytes into an Ed25519 PKCS#8 private key / SPKI public key (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The owner's signing key pair: the private key object and the raw 32-byte public key. */
export interface OwnerSigningKey {
  privateKey: KeyObject;
  publicKey: Buffer;
}

/** A parsed certificate; its signature is not yet checked. */
export interface ParsedKeyCertificate {
  agent: string;
  publicKey: Buffer;
  signedBytes: Buffer;
  signature: Buffer;
}

/** The owner's Ed25519 key: its seed is HKDF-SHA256(owner key, empty salt, "agent-vault/v1 owner signing key"). */
export function deriveOwnerSigningKey(ownerKey: Buffer): OwnerSigningKey {
  const seed = deriveSubkey(ownerKey, Buffer.alloc(0), SIGNING_KEY_INFO);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-ED25519_KEY_LENGTH) };
}

function statement(agent: string, publicKey: Buffer): Buffer {
  return Buffer.from(`${KEY_CERTIFICATE_VERSION}\nagent: ${agent}\npub ${encodeBase64(publicKey)}\n`);
}

/** Signs `agent`'s X25519 public key with the owner's signing key and returns the whole file. */
export function encodeKeyCertificate(agent: string, publicKey: Buffer, signer: OwnerSigningKey): Buffer {
  if (!isAgentId(agent)) throw new FormatError('key certificate names an invalid agent id');
  if (publicKey.length !== X25519_KEY_LENGTH) throw new FormatError('an X25519 public key has 32 bytes');
  const signed = statement(agent, publicKey);
  return Buffer.concat([signed, Buffer.from(`sig ${encodeBase64(sign(null, signed, signer.privateKey))}\n`)]);
}

/** Parses a certificate strictly; anything off the grammar is a {@link FormatError} (exit 6). */
export function parseKeyCertificate(bytes: Buffer): ParsedKeyCertificate {
  const text = bytes.length <= MAX_BYTES ? bytes.toString('latin1') : '';
  if (!/^[\x20-\x7e\n]+$/.test(text) || !text.endsWith('\n')) throw new FormatError('key certificate is truncated or has a non-printable byte');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== KEY_CERTIFICATE_VERSION) {
    throw new FormatError(lines[0]!.startsWith('agent-vault-key/') ? `unsupported key certificate version ${JSON.stringify(lines[0])}` : 'not an agent-vault key certificate');
  }
  const match = lines.length === 4 ? /^agent: (\S+)\npub (\S+)\nsig (\S+)$/.exec(lines.slice(1).join('\n')) : null;
  if (!match) throw new FormatError('key certificate does not have exactly its four lines');
  const [, agent, pub, sig] = match as unknown as [string, string, string, string];
  if (!isAgentId(agent)) throw new FormatError('key certificate names an invalid agent id');
  const publicKey = decodeBase64(pub, 'certified public key', X25519_KEY_LENGTH);
  return { agent, publicKey, signedBytes: statement(agent, publicKey), signature: decodeBase64(sig, 'certificate signature', SIGNATURE_LENGTH) };
}

/** Whether the owner key whose raw Ed25519 public key is `verifyKey` signed this certificate. */
export function verifyKeyCertificate(certificate: ParsedKeyCertificate, verifyKey: Buffer): boolean {
  if (verifyKey.length !== ED25519_KEY_LENGTH) return false;
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, verifyKey]), format: 'der', type: 'spki' });
  return verify(null, certificate.signedBytes, key, certificate.signature);
}
