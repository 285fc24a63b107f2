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
import { X25519_KEY_LENGTH } from './grant-file.js';
import { AGENT_ID_VALUE, base64Line, encodeHeader, headerGrammar, parseHeader, valueLine } from './header-lines.js';
import { deriveOwnerSigningSeed } from './keys.js';

export const KEY_CERTIFICATE_VERSION = 'agent-vault-key/v1';
export const ED25519_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

/** The signed statement: the version, agent and pub lines. */
const STATEMENT_LINES = [valueLine('agent', AGENT_ID_VALUE), base64Line('pub', [['public key', X25519_KEY_LENGTH]])] as const;

const CERTIFICATE = headerGrammar({
  kind: 'key certificate',
  version: KEY_CERTIFICATE_VERSION,
  lines: [...STATEMENT_LINES, base64Line('sig', [['signature', SIGNATURE_LENGTH]])],
  maxBytes: 512,
  body: 'none',
});

const STATEMENT = headerGrammar({ ...CERTIFICATE, lines: STATEMENT_LINES });
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

/** The owner's Ed25519 key, from the seed keys.ts derives from the owner key. */
export function deriveOwnerSigningKey(ownerKey: Buffer): OwnerSigningKey {
  const seed = deriveOwnerSigningSeed(ownerKey);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-ED25519_KEY_LENGTH) };
}

function statement(agent: string, publicKey: Buffer): Buffer {
  return encodeHeader(STATEMENT, { agent, pub: [publicKey] });
}

/** Signs `agent`'s X25519 public key with the owner's signing key and returns the whole file. */
export function encodeKeyCertificate(agent: string, publicKey: Buffer, signer: OwnerSigningKey): Buffer {
  const signature = sign(null, statement(agent, publicKey), signer.privateKey);
  return encodeHeader(CERTIFICATE, { agent, pub: [publicKey], sig: [signature] });
}

/** Parses a certificate strictly; anything off the grammar is a {@link FormatError} (exit 6). */
export function parseKeyCertificate(bytes: Buffer): ParsedKeyCertificate {
  const { values } = parseHeader(CERTIFICATE, bytes);
  const [publicKey] = values.pub;
  // The strict grammar gives the statement one spelling, so these are the very bytes parsed.
  return { agent: values.agent, publicKey, signedBytes: statement(values.agent, publicKey), signature: values.sig[0] };
}

/** Whether the owner key whose raw Ed25519 public key is `verifyKey` signed this certificate. */
export function verifyKeyCertificate(certificate: ParsedKeyCertificate, verifyKey: Buffer): boolean {
  if (verifyKey.length !== ED25519_KEY_LENGTH) return false;
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, verifyKey]), format: 'der', type: 'spki' });
  return verify(null, certificate.signedBytes, key, certificate.signature);
}
