/**
 * Owner-sealed objects: small JSON documents only the owner may read or write (the
 * hooks and their secrets, the hooks' delivery cursor; man/agent-vault.5, HOOKS).
 *
 *   <version line>                 agent-vault-hooks/v1 or agent-vault-hook-cursor/v1
 *   <nonce> <sealed>               base64: AES-256-GCM of the JSON under the hooks key
 *
 * The additional data is the version line with its newline, so one kind of object
 * cannot be passed off as the other. The key is derived from the owner key
 * (format/keys.ts), so no agent's token opens it and no agent can forge it.
 */
import { NONCE_LENGTH, open, seal, TAG_LENGTH } from './aead.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';

/** The kinds of owner-sealed object, by version line. */
export const OWNER_SEALED = { hooks: 'agent-vault-hooks/v1', hookCursor: 'agent-vault-hook-cursor/v1' } as const;

export type OwnerSealedKind = keyof typeof OWNER_SEALED;

/** Seals `data` as JSON under `key`. */
export function sealOwnerObject(kind: OwnerSealedKind, key: Buffer, data: unknown): Buffer {
  const version = `${OWNER_SEALED[kind]}\n`;
  const { nonce, sealed } = seal(key, Buffer.from(JSON.stringify(data)), Buffer.from(version));
  return Buffer.from(`${version}${encodeBase64(nonce)} ${encodeBase64(sealed)}\n`);
}

/** Opens an owner-sealed object; anything changed, truncated or sealed under another key is exit 6. */
export function openOwnerObject(kind: OwnerSealedKind, key: Buffer, bytes: Buffer, what: string): unknown {
  const text = bytes.toString('utf8');
  const version = `${OWNER_SEALED[kind]}\n`;
  const match = /^([A-Za-z0-9+/]+) ([A-Za-z0-9+/]+)\n$/.exec(text.startsWith(version) ? text.slice(version.length) : '');
  if (!match) throw new FormatError(`${what} is not an ${OWNER_SEALED[kind]} file`);
  const nonce = decodeBase64(match[1]!, `${what} nonce`, NONCE_LENGTH);
  const sealed = decodeBase64(match[2]!, `${what} body`);
  const plaintext = sealed.length >= TAG_LENGTH ? open(key, nonce, sealed, Buffer.from(version)) : undefined;
  if (!plaintext) throw new FormatError(`${what} does not open: it was altered, or not written by this store's owner`);
  try {
    return JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new FormatError(`${what} is not valid JSON`);
  }
}
