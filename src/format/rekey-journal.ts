/**
 * The rekey journal (`journals/_rekey`, man/agent-vault.5, JOURNAL): written before a
 * rekey changes anything and removed after its last write, it holds the two root keys
 * of the change, each sealed under a key derived from the other:
 *
 *   {"v":1,"op":"rekey","at":"<ISO 8601>","next":"<nonce+sealed new root key>","previous":"<nonce+sealed old root key>"}
 *
 * Whichever root key the store file holds when a crash stops the rekey (the old one
 * before its commit, the new one after), it opens one half and yields the other, so
 * the next owner command can finish the change. Nobody without a root key of this
 * store can read or forge an entry: a planted one opens under neither and is refused.
 */
import { KEY_LENGTH, NONCE_LENGTH, open, seal, TAG_LENGTH } from './aead.js';
import { FormatError } from './format-error.js';
import { checkTimestamp } from './header-lines.js';
import { deriveRekeyJournalKey } from './keys.js';

export const REKEY_JOURNAL_VERSION = 1;
const SEALED = /^[A-Za-z0-9_-]{80}$/;

function aad(half: 'next' | 'previous', at: string): Buffer {
  return Buffer.from(`agent-vault rekey journal v${REKEY_JOURNAL_VERSION} ${half} ${at}`);
}

function sealHalf(key: Buffer, secret: Buffer, half: 'next' | 'previous', at: string): string {
  const { nonce, sealed } = seal(deriveRekeyJournalKey(key), secret, aad(half, at));
  return Buffer.concat([nonce, sealed]).toString('base64url');
}

function openHalf(key: Buffer, text: string, half: 'next' | 'previous', at: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== NONCE_LENGTH + KEY_LENGTH + TAG_LENGTH) return undefined;
  return open(deriveRekeyJournalKey(key), bytes.subarray(0, NONCE_LENGTH), bytes.subarray(NONCE_LENGTH), aad(half, at));
}

/** The entry's bytes for a rekey from `previous` to `next` begun at `at`. */
export function encodeRekeyJournal(at: string, previous: Buffer, next: Buffer): Buffer {
  checkTimestamp(at, 'rekey journal time');
  const entry = { v: REKEY_JOURNAL_VERSION, op: 'rekey', at, next: sealHalf(previous, next, 'next', at), previous: sealHalf(next, previous, 'previous', at) };
  return Buffer.from(`${JSON.stringify(entry)}\n`);
}

/** A rekey under way, as its journal tells it: when it began and both root keys. */
export interface RekeyInProgress {
  at: string;
  previous: Buffer;
  next: Buffer;
}

/**
 * Opens an entry with the root key the store file holds now, whichever of the two that
 * is. Anything off the format, or an entry neither half of which opens, is a FormatError.
 */
export function openRekeyJournal(bytes: Buffer, rootKey: Buffer): RekeyInProgress {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new FormatError('rekey journal is not JSON');
  }
  const d = data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || d.v !== REKEY_JOURNAL_VERSION || d.op !== 'rekey') throw new FormatError('rekey journal has an unsupported version');
  if (typeof d.at !== 'string' || typeof d.next !== 'string' || typeof d.previous !== 'string' || !SEALED.test(d.next) || !SEALED.test(d.previous)) {
    throw new FormatError('rekey journal has an invalid field');
  }
  checkTimestamp(d.at, 'rekey journal time');
  if (`${JSON.stringify({ v: d.v, op: d.op, at: d.at, next: d.next, previous: d.previous })}\n` !== bytes.toString('utf8')) throw new FormatError('rekey journal is not in canonical form');
  const next = openHalf(rootKey, d.next, 'next', d.at);
  if (next) return { at: d.at, previous: rootKey, next };
  const previous = openHalf(rootKey, d.previous, 'previous', d.at);
  if (previous) return { at: d.at, previous, next: rootKey };
  throw new FormatError("rekey journal does not open under the store's root key: it was altered or not written by this store's owner");
}
