/**
 * Owner sessions (`unlock`): the session string the user holds and the session file
 * kept in a private runtime directory (man/agent-vault.5, SESSION FILES).
 *
 *   session string: avs_<id>_<secret>   (id: 12 hex digits; secret: 32 random bytes, base64url)
 *
 *   agent-vault-session/v1
 *   id: <id>
 *   store <SHA-256 of the store's location>
 *   binding <SHA-256 of the terminal binding>
 *   created: <ISO 8601 UTC>
 *   expires: <ISO 8601 UTC>
 *   key <nonce>
 *   <AES-256-GCM(session key, nonce, passphrase key, AAD = the header)>
 *
 * The file holds the passphrase key sealed under a key derived from the string's
 * secret, so neither the string alone nor the file alone yields anything: both, and the
 * store file, are needed to reach the root key. The header is the AAD, so its expiry,
 * store and binding cannot be edited without the seal failing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { KEY_LENGTH, NONCE_LENGTH, open, sealWithNonce, TAG_LENGTH } from './aead.js';
import { FormatError } from './format-error.js';
import { base64Line, checkedText, encodeHeader, headerGrammar, parseHeader, TIMESTAMP_VALUE, valueLine } from './header-lines.js';
import { deriveSessionKey } from './keys.js';

export const SESSION_VERSION = 'agent-vault-session/v1';
const ID = /^[0-9a-f]{12}$/;
const STRING = /^avs_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const DIGEST_LENGTH = 32;

const SESSION_HEADER = headerGrammar({
  kind: 'session file',
  version: SESSION_VERSION,
  lines: [
    valueLine('id', checkedText((text) => ID.test(text), 'a session id')),
    base64Line('store', [['store digest', DIGEST_LENGTH]]),
    base64Line('binding', [['binding digest', DIGEST_LENGTH]]),
    valueLine('created', TIMESTAMP_VALUE),
    valueLine('expires', TIMESTAMP_VALUE),
    base64Line('key', [['nonce', NONCE_LENGTH]]),
  ],
  maxBytes: 512,
  body: 'sealed',
});

/** A parsed session string: the file's id and the secret that opens it. */
export interface SessionString {
  id: string;
  secret: Buffer;
}

/** What a session file says, besides its sealed key. */
export interface SessionFacts {
  id: string;
  /** SHA-256 of the store's location: a session opens one store only. */
  store: Buffer;
  /** SHA-256 of the terminal binding it was opened under. */
  binding: Buffer;
  created: string;
  expires: string;
}

/** A SHA-256 digest, as the session file records a store location or a binding. */
export function sessionDigest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A new session: its string (to print) and its id and secret. */
export function newSessionString(): { text: string; parsed: SessionString } {
  const parsed = { id: randomBytes(6).toString('hex'), secret: randomBytes(32) };
  return { text: `avs_${parsed.id}_${parsed.secret.toString('base64url')}`, parsed };
}

/** Parses a session string; anything else is undefined (the caller says exit 4). */
export function parseSessionString(text: string): SessionString | undefined {
  const match = STRING.exec(text.trim());
  if (!match) return undefined;
  const secret = Buffer.from(match[2]!, 'base64url');
  // Canonical only: one string per secret.
  return secret.length === 32 && secret.toString('base64url') === match[2] ? { id: match[1]!, secret } : undefined;
}

/** The bytes of a session file holding `passphraseKey` for `session`. */
export function encodeSessionFile(facts: SessionFacts, session: SessionString, passphraseKey: Buffer): Buffer {
  if (facts.id !== session.id) throw new FormatError('session file id differs from its string');
  const nonce = randomBytes(NONCE_LENGTH);
  const header = encodeHeader(SESSION_HEADER, { id: facts.id, store: [facts.store], binding: [facts.binding], created: facts.created, expires: facts.expires, key: [nonce] });
  return Buffer.concat([header, sealWithNonce(deriveSessionKey(session.secret), nonce, passphraseKey, header)]);
}

/**
 * Opens a session file with its string: its facts and the passphrase key, or undefined
 * when the secret does not open it (a forged or mistyped string). A file off the
 * grammar is a FormatError.
 */
export function openSessionFile(bytes: Buffer, session: SessionString): { facts: SessionFacts; passphraseKey: Buffer } | undefined {
  const { values, end } = parseHeader(SESSION_HEADER, bytes);
  const sealed = bytes.subarray(end);
  if (sealed.length !== KEY_LENGTH + TAG_LENGTH || values.id !== session.id) return undefined;
  const passphraseKey = open(deriveSessionKey(session.secret), values.key[0], sealed, bytes.subarray(0, end));
  if (!passphraseKey) return undefined;
  return { facts: { id: values.id, store: values.store[0], binding: values.binding[0], created: values.created, expires: values.expires }, passphraseKey };
}
