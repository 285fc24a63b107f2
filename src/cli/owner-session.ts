/**
 * Owner sessions without a daemon: `unlock` proves the passphrase once and writes its
 * passphrase key, sealed under a fresh session secret, to a session file in a private
 * runtime directory; the session string (`AGENT_VAULT_SESSION`) carries the secret. A
 * later owner command opens the file with the string, and checks, from what is on disk
 * and in /proc rather than from anything the caller says, that the session is for this
 * store, not expired, not locked (its file removed) and bound to this terminal.
 */
import { AuthError, UsageError } from '../core/errors.js';
import { FormatError } from '../format/format-error.js';
import { encodeSessionFile, newSessionString, openSessionFile, parseSessionString, sessionDigest, type SessionFacts, type SessionString } from '../format/session-file.js';
import type { OwnerSessionSource } from '../app/session.js';
import { readSessionFile, removeSessionFile, removeSessionFiles, sessionDir, writeSessionFile, type SessionDir } from '../store/session-dir.js';
import type { IO } from './io.js';

/** The longest `--ttl`: a day, so a forgotten session does not outlive the next morning. */
export const MAX_SESSION_TTL_MS = 24 * 3_600_000;

/** How a store's session files are named: the first 16 hex digits of its location's SHA-256. */
function storeTag(location: string): string {
  return sessionDigest(location).toString('hex').slice(0, 16);
}

const UNLOCK_AGAIN = 'unlock again: eval "$(agent-vault unlock --sh)"';

/**
 * The owner session AGENT_VAULT_SESSION names, checked when the owner is first proved;
 * undefined when the variable is not set. Every way a session can fail to open is exit 4.
 */
export function sessionFromEnvironment(io: IO, storeLocation: string): OwnerSessionSource | undefined {
  const text = io.sessionFromEnv;
  if (text === undefined || text === '') return undefined;
  const parsed = parseSessionString(text);
  return { id: parsed?.id ?? 'malformed', passphraseKey: async () => (await checkSession(io, storeLocation, parsed)).passphraseKey };
}

/** Opens and checks the session file of `parsed`: this store, not expired, this terminal. */
async function checkSession(io: IO, storeLocation: string, parsed: SessionString | undefined): Promise<{ facts: SessionFacts; passphraseKey: Buffer }> {
  if (!parsed) throw new AuthError('AGENT_VAULT_SESSION is not a session string', `session strings look like avs_<id>_<43 characters>; ${UNLOCK_AGAIN}`);
  const dir = sessionDir(io.env, undefined, { create: false });
  const tag = storeTag(storeLocation);
  const ended = new AuthError(`owner session ${parsed.id} has ended (locked, expired, or not opened with this session directory)`, UNLOCK_AGAIN);
  let opened: ReturnType<typeof openSessionFile>;
  try {
    const bytes = readSessionFile(dir, tag, parsed.id);
    if (!bytes) throw ended;
    opened = openSessionFile(bytes, parsed);
  } catch (err) {
    if (err instanceof FormatError) throw ended;
    throw err;
  }
  if (!opened) throw new AuthError(`AGENT_VAULT_SESSION does not open owner session ${parsed.id}: the string was altered or forged`, UNLOCK_AGAIN);
  const { facts } = opened;
  if (!facts.store.equals(sessionDigest(storeLocation))) throw new AuthError(`owner session ${parsed.id} was opened for another store`, UNLOCK_AGAIN);
  if (Date.parse(facts.expires) <= io.now().getTime()) {
    // Expired is ended: the file goes, so its sealed key does not linger on disk.
    removeSessionFile(dir, tag, parsed.id);
    throw new AuthError(`owner session ${parsed.id} expired at ${facts.expires}`, UNLOCK_AGAIN);
  }
  const binding = io.sessionBinding();
  if (binding === undefined || !facts.binding.equals(sessionDigest(binding))) {
    throw new AuthError(`owner session ${parsed.id} was opened on another terminal or login session`, 'a session works only where unlock ran; unlock here too');
  }
  return opened;
}

/** What `unlock` made: the string to hand the user, its short id and its expiry. */
export interface OpenedSession {
  session: string;
  id: string;
  expires: string;
  dir: SessionDir;
}

/** Writes a new session file holding `passphraseKey`, good for `ttlMs` on this terminal. */
export function openOwnerSession(io: IO, storeLocation: string, givenDir: string | undefined, passphraseKey: Buffer, ttlMs: number): OpenedSession {
  const binding = io.sessionBinding();
  if (binding === undefined) throw new UsageError('cannot tell which terminal or login session this is (no /proc here), so a session could not be bound to it', 'give the passphrase to each command instead');
  const dir = sessionDir(io.env, givenDir, { create: true });
  const { text, parsed } = newSessionString();
  const now = io.now();
  const expires = new Date(now.getTime() + ttlMs).toISOString();
  const facts = { id: parsed.id, store: sessionDigest(storeLocation), binding: sessionDigest(binding), created: now.toISOString(), expires };
  writeSessionFile(dir, storeTag(storeLocation), parsed.id, encodeSessionFile(facts, parsed, passphraseKey));
  return { session: text, id: parsed.id, expires, dir };
}

/** Ends the one session `opened` (its audit line could not be written). */
export function closeOwnerSession(storeLocation: string, opened: OpenedSession): void {
  removeSessionFile(opened.dir, storeTag(storeLocation), opened.id);
}

/** Ends every session of the store whose files are in the session directory; returns how many. */
export function lockOwnerSessions(io: IO, storeLocation: string, givenDir: string | undefined): number {
  return removeSessionFiles(sessionDir(io.env, givenDir, { create: false }), storeTag(storeLocation));
}

/** The session AGENT_VAULT_SESSION names, for `status`: its id, and its expiry or why it is not live. */
export async function describeSession(io: IO, storeLocation: string): Promise<{ id: string; live: boolean; expires?: string; reason?: string } | undefined> {
  const text = io.sessionFromEnv;
  if (text === undefined || text === '') return undefined;
  const parsed = parseSessionString(text);
  try {
    const { facts } = await checkSession(io, storeLocation, parsed);
    return { id: facts.id, live: true, expires: facts.expires };
  } catch (err) {
    if (err instanceof AuthError || err instanceof UsageError) return { id: parsed?.id ?? 'malformed', live: false, reason: err.message };
    throw err;
  }
}
