/**
 * The vault file, byte-exact (see man/agent-vault.5). A short text header, then the
 * AES-256-GCM sealed JSON payload:
 *
 *   agent-vault/v1
 *   agent: <agent-id>
 *   created: <ISO 8601 UTC>
 *   updated: <ISO 8601 UTC>
 *   slot owner <nonce> <wrapped vault key>
 *   slot token <salt> <nonce> <wrapped vault key>
 *   pub <x25519 public key>
 *   --- <payload nonce>
 *   <ciphertext and tag of the payload>
 *
 * The payload's additional data is every header byte, so a change anywhere in the
 * file fails the tag. Each key slot wraps the random vault key and binds the agent id.
 */
import { isAgentId } from '../core/ids.js';
import { IntegrityError } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { deriveSubkey, KEY_LENGTH, NONCE_LENGTH, open, seal, sealWithNonce, TAG_LENGTH } from './aead.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';
import { checkTimestamp, lineFields, lineValue, readHeaderLines } from './header-lines.js';

export const VAULT_VERSION = 'agent-vault/v1';
const SLOT_SALT_LENGTH = 16;
const WRAPPED_LENGTH = KEY_LENGTH + TAG_LENGTH;
const PUBLIC_KEY_LENGTH = 32;
const MAX_HEADER_BYTES = 4096;
const WHAT = 'vault file';

/** The vault key wrapped by the owner key (from the store's Argon2id passphrase KDF). */
export interface OwnerSlot {
  nonce: Buffer;
  wrapped: Buffer;
}

/** The vault key wrapped by a key that HKDF derives from the agent token and `salt`. */
export interface TokenSlot {
  salt: Buffer;
  nonce: Buffer;
  wrapped: Buffer;
}

/** Everything in the header: public, but authenticated by the payload's tag. */
export interface VaultHeader {
  agent: string;
  created: string;
  updated: string;
  owner: OwnerSlot;
  token: TokenSlot;
  /** The vault's X25519 public key, to which grants are sealed. */
  publicKey: Buffer;
}

/** A vault file split into its parts; the payload is still sealed. */
export interface ParsedVaultFile {
  header: VaultHeader;
  /** The exact header bytes, `--- <nonce>` line included: the payload's additional data. */
  headerBytes: Buffer;
  payloadNonce: Buffer;
  payload: Buffer;
}

/**
 * The payload key: a subkey of the vault key, so the vault key itself seals nothing but
 * can root other keys later. (Audit keys are random and kept in the payload instead:
 * they must outlive a token rotation, which replaces the vault key.)
 */
function payloadKey(vaultKey: Buffer): Buffer {
  return deriveSubkey(vaultKey, Buffer.alloc(0), `${VAULT_VERSION} payload`);
}

function slotAad(kind: 'owner' | 'token', agent: string): Buffer {
  return Buffer.from(`${VAULT_VERSION} slot ${kind} ${agent}`);
}

function tokenSlotKey(tokenSecret: Buffer, agent: string, salt: Buffer): Buffer {
  return deriveSubkey(tokenSecret, salt, `${VAULT_VERSION} token ${agent}`);
}

export function wrapOwnerSlot(ownerKey: Buffer, agent: string, vaultKey: Buffer): OwnerSlot {
  const { nonce, sealed } = seal(ownerKey, vaultKey, slotAad('owner', agent));
  return { nonce, wrapped: sealed };
}

/** The vault key, or `undefined` when the owner key does not open the slot. */
export function unwrapOwnerSlot(ownerKey: Buffer, agent: string, slot: OwnerSlot): Buffer | undefined {
  return open(ownerKey, slot.nonce, slot.wrapped, slotAad('owner', agent));
}

export function wrapTokenSlot(tokenSecret: Buffer, agent: string, vaultKey: Buffer): TokenSlot {
  const slotSalt = randomBytes(SLOT_SALT_LENGTH);
  const { nonce, sealed } = seal(tokenSlotKey(tokenSecret, agent, slotSalt), vaultKey, slotAad('token', agent));
  return { salt: slotSalt, nonce, wrapped: sealed };
}

/** The vault key, or `undefined` when the token does not open the slot. */
export function unwrapTokenSlot(tokenSecret: Buffer, agent: string, slot: TokenSlot): Buffer | undefined {
  return open(tokenSlotKey(tokenSecret, agent, slot.salt), slot.nonce, slot.wrapped, slotAad('token', agent));
}

export function encodeVaultHeader(header: VaultHeader, payloadNonce: Buffer): Buffer {
  const b = encodeBase64;
  return Buffer.from(
    [
      VAULT_VERSION,
      `agent: ${header.agent}`,
      `created: ${header.created}`,
      `updated: ${header.updated}`,
      `slot owner ${b(header.owner.nonce)} ${b(header.owner.wrapped)}`,
      `slot token ${b(header.token.salt)} ${b(header.token.nonce)} ${b(header.token.wrapped)}`,
      `pub ${b(header.publicKey)}`,
      `--- ${b(payloadNonce)}`,
      '',
    ].join('\n'),
  );
}

/** Seals `plaintext` under the vault key and returns the whole file. */
export function encodeVaultFile(header: VaultHeader, vaultKey: Buffer, plaintext: Uint8Array): Buffer {
  const key = payloadKey(vaultKey);
  // The nonce is part of the additional data, so it is drawn before sealing.
  const payloadNonce = randomBytes(NONCE_LENGTH);
  const headerBytes = encodeVaultHeader(header, payloadNonce);
  return Buffer.concat([headerBytes, sealWithNonce(key, payloadNonce, plaintext, headerBytes)]);
}

/** Opens the payload, throwing an integrity error if any byte of the file changed. */
export function openVaultPayload(file: ParsedVaultFile, vaultKey: Buffer): Buffer {
  const plaintext = open(payloadKey(vaultKey), file.payloadNonce, file.payload, file.headerBytes);
  if (!plaintext) {
    throw new IntegrityError(`vault file of agent ${file.header.agent} failed authentication: it was altered or is corrupt`, 'restore it from the .bak beside it or from a backup');
  }
  return plaintext;
}




/**
 * Parses a vault file strictly: the exact version line, every header line in order,
 * canonical base64 of the right lengths. Anything else is a {@link FormatError} (exit 6).
 */
export function parseVaultFile(bytes: Buffer): ParsedVaultFile {
  const { lines, end: offset } = readHeaderLines(bytes, 8, MAX_HEADER_BYTES, 'vault file');
  const [version, agentLine, createdLine, updatedLine, ownerLine, tokenLine, pubLine, payloadLine] = lines as [
    string, string, string, string, string, string, string, string,
  ];
  if (version !== VAULT_VERSION) {
    throw new FormatError(version.startsWith('agent-vault/') ? `unsupported vault version ${JSON.stringify(version)}` : 'not an agent-vault vault file');
  }
  const agent = lineValue(agentLine, 'agent', WHAT);
  if (!isAgentId(agent)) throw new FormatError('vault file names an invalid agent id');
  const [ownerNonce, ownerWrapped] = lineFields(ownerLine, 'slot owner', 2, WHAT) as [string, string];
  const [tokenSalt, tokenNonce, tokenWrapped] = lineFields(tokenLine, 'slot token', 3, WHAT) as [string, string, string];
  const [pub] = lineFields(pubLine, 'pub', 1, WHAT) as [string];
  const [nonce] = lineFields(payloadLine, '---', 1, WHAT) as [string];
  const payload = bytes.subarray(offset);
  if (payload.length < TAG_LENGTH) throw new FormatError('vault payload is truncated');
  return {
    header: {
      agent,
      created: checkTimestamp(lineValue(createdLine, 'created', WHAT), 'created'),
      updated: checkTimestamp(lineValue(updatedLine, 'updated', WHAT), 'updated'),
      owner: {
        nonce: decodeBase64(ownerNonce, 'owner slot nonce', NONCE_LENGTH),
        wrapped: decodeBase64(ownerWrapped, 'owner slot', WRAPPED_LENGTH),
      },
      token: {
        salt: decodeBase64(tokenSalt, 'token slot salt', SLOT_SALT_LENGTH),
        nonce: decodeBase64(tokenNonce, 'token slot nonce', NONCE_LENGTH),
        wrapped: decodeBase64(tokenWrapped, 'token slot', WRAPPED_LENGTH),
      },
      publicKey: decodeBase64(pub, 'public key', PUBLIC_KEY_LENGTH),
    },
    headerBytes: bytes.subarray(0, offset),
    payloadNonce: decodeBase64(nonce, 'payload nonce', NONCE_LENGTH),
    payload,
  };
}
