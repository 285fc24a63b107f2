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
import { IntegrityError } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { KEY_LENGTH, NONCE_LENGTH, open, seal, sealWithNonce, TAG_LENGTH } from './aead.js';
import { AGENT_ID_VALUE, base64Line, encodeHeader, headerGrammar, parseHeader, TIMESTAMP_VALUE, valueLine } from './header-lines.js';
import { derivePayloadKey, deriveTokenSlotKey } from './keys.js';

export const VAULT_VERSION = 'agent-vault/v1';
const SLOT_SALT_LENGTH = 16;
const WRAPPED_LENGTH = KEY_LENGTH + TAG_LENGTH;
const PUBLIC_KEY_LENGTH = 32;

const VAULT_HEADER = headerGrammar({
  kind: 'vault file',
  version: VAULT_VERSION,
  lines: [
    valueLine('agent', AGENT_ID_VALUE),
    valueLine('created', TIMESTAMP_VALUE),
    valueLine('updated', TIMESTAMP_VALUE),
    base64Line('slot owner', [['nonce', NONCE_LENGTH], ['wrapped key', WRAPPED_LENGTH]]),
    base64Line('slot token', [['salt', SLOT_SALT_LENGTH], ['nonce', NONCE_LENGTH], ['wrapped key', WRAPPED_LENGTH]]),
    base64Line('pub', [['public key', PUBLIC_KEY_LENGTH]]),
    base64Line('---', [['payload nonce', NONCE_LENGTH]]),
  ],
  maxBytes: 4096,
  body: 'sealed',
});

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

/** The slots' additional data: the agent id, so a slot copied to another agent's vault does not open. */
function slotAad(kind: 'owner' | 'token', agent: string): Buffer {
  return Buffer.from(`${VAULT_VERSION} slot ${kind} ${agent}`);
}

/** Wraps the vault key under the owner key, bound to `agent`. */
export function wrapOwnerSlot(ownerKey: Buffer, agent: string, vaultKey: Buffer): OwnerSlot {
  const { nonce, sealed } = seal(ownerKey, vaultKey, slotAad('owner', agent));
  return { nonce, wrapped: sealed };
}

/** The vault key, or `undefined` when the owner key does not open the slot. */
export function unwrapOwnerSlot(ownerKey: Buffer, agent: string, slot: OwnerSlot): Buffer | undefined {
  return open(ownerKey, slot.nonce, slot.wrapped, slotAad('owner', agent));
}

/** Wraps the vault key under the key of a token secret and a fresh slot salt, bound to `agent`. */
export function wrapTokenSlot(tokenSecret: Buffer, agent: string, vaultKey: Buffer): TokenSlot {
  const slotSalt = randomBytes(SLOT_SALT_LENGTH);
  const { nonce, sealed } = seal(deriveTokenSlotKey(tokenSecret, agent, slotSalt), vaultKey, slotAad('token', agent));
  return { salt: slotSalt, nonce, wrapped: sealed };
}

/** The vault key, or `undefined` when the token does not open the slot. */
export function unwrapTokenSlot(tokenSecret: Buffer, agent: string, slot: TokenSlot): Buffer | undefined {
  return open(deriveTokenSlotKey(tokenSecret, agent, slot.salt), slot.nonce, slot.wrapped, slotAad('token', agent));
}

/** The header's bytes, `--- <payload nonce>` line included: the payload's additional data. */
export function encodeVaultHeader(header: VaultHeader, payloadNonce: Buffer): Buffer {
  return encodeHeader(VAULT_HEADER, {
    agent: header.agent,
    created: header.created,
    updated: header.updated,
    'slot owner': [header.owner.nonce, header.owner.wrapped],
    'slot token': [header.token.salt, header.token.nonce, header.token.wrapped],
    pub: [header.publicKey],
    '---': [payloadNonce],
  });
}

/** Seals `plaintext` under the vault key and returns the whole file. */
export function encodeVaultFile(header: VaultHeader, vaultKey: Buffer, plaintext: Uint8Array): Buffer {
  const key = derivePayloadKey(vaultKey);
  // The nonce is part of the additional data, so it is drawn before sealing.
  const payloadNonce = randomBytes(NONCE_LENGTH);
  const headerBytes = encodeVaultHeader(header, payloadNonce);
  return Buffer.concat([headerBytes, sealWithNonce(key, payloadNonce, plaintext, headerBytes)]);
}

/** Opens the payload, throwing an integrity error if any byte of the file changed. */
export function openVaultPayload(file: ParsedVaultFile, vaultKey: Buffer): Buffer {
  const plaintext = open(derivePayloadKey(vaultKey), file.payloadNonce, file.payload, file.headerBytes);
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
  const { values, end } = parseHeader(VAULT_HEADER, bytes);
  const [ownerNonce, ownerWrapped] = values['slot owner'];
  const [tokenSalt, tokenNonce, tokenWrapped] = values['slot token'];
  return {
    header: {
      agent: values.agent,
      created: values.created,
      updated: values.updated,
      owner: { nonce: ownerNonce, wrapped: ownerWrapped },
      token: { salt: tokenSalt, nonce: tokenNonce, wrapped: tokenWrapped },
      publicKey: values.pub[0],
    },
    headerBytes: bytes.subarray(0, end),
    payloadNonce: values['---'][0],
    payload: bytes.subarray(end),
  };
}
