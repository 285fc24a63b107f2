/**
 * Where owner session files live: a 0700 directory of the user's, by default
 * `$XDG_RUNTIME_DIR/agent-vault` (a per-login tmpfs that systemd empties at logout), or
 * the one `--session-dir` / AGENT_VAULT_SESSION_DIR names. Never inside the store: a
 * session file must not travel with a backup or a copy of the store. Files are 0600,
 * written whole (a temp file linked into place), named `<store>-<id>.session` so that
 * `lock` finds every session of one store.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { createFileWhole } from './atomic.js';
import { readStoreFile } from './fs-guard.js';
import { fsyncDir, makeDir, makeParents, removeFile } from './fs-ops.js';

/** The directory the sessions of the given environment live in, and how it was chosen. */
export interface SessionDir {
  path: string;
  /** `--session-dir`, AGENT_VAULT_SESSION_DIR or XDG_RUNTIME_DIR, for messages. */
  origin: string;
}

const HINT = 'pass --session-dir DIR (or set AGENT_VAULT_SESSION_DIR) naming a private directory of yours, ideally on a tmpfs';
const ROLE = { name: 'a session file', hint: 'remove it; unlock again' };

function statIfExists(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Refuses a directory that is not a real directory of this user, closed to everyone
 * else: another user who could list or write it could swap or read session files.
 */
function checkPrivateDir(path: string, what: string): void {
  const stat = statIfExists(path);
  if (!stat) throw new UsageError(`${what} ${path} does not exist`, HINT);
  if (!stat.isDirectory()) throw new UsageError(`${what} ${path} is not a directory`, HINT);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new UsageError(`${what} ${path} belongs to another user`, HINT);
  if ((stat.mode & 0o077) !== 0) throw new UsageError(`${what} ${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`, HINT);
}

/**
 * The session directory: `given` (from `--session-dir`), else AGENT_VAULT_SESSION_DIR,
 * else `$XDG_RUNTIME_DIR/agent-vault`. With `create`, a missing directory is made 0700
 * (for a named one, with its parents); a runtime directory that is missing, or not
 * the user's alone, is refused (exit 2) rather than replaced by a guess such as /tmp.
 */
export function sessionDir(env: NodeJS.ProcessEnv, given: string | undefined, options: { create: boolean }): SessionDir {
  const named = given ?? env.AGENT_VAULT_SESSION_DIR;
  if (named) {
    const origin = given !== undefined ? '--session-dir' : 'AGENT_VAULT_SESSION_DIR';
    if (!statIfExists(named)) {
      // Nothing to read or end in a directory that is not there (lock, a session lookup).
      if (!options.create) return { path: named, origin };
      makeParents(named);
    }
    checkPrivateDir(named, `the session directory (${origin})`);
    return { path: named, origin };
  }
  const runtime = env.XDG_RUNTIME_DIR;
  if (!runtime) throw new UsageError('XDG_RUNTIME_DIR is not set, so there is no private runtime directory for owner sessions', HINT);
  checkPrivateDir(runtime, 'XDG_RUNTIME_DIR');
  const path = join(runtime, 'agent-vault');
  if (options.create && !statIfExists(path)) makeDir(path);
  if (statIfExists(path)) checkPrivateDir(path, 'the session directory');
  return { path, origin: 'XDG_RUNTIME_DIR' };
}

function fileName(storeTag: string, id: string): string {
  return `${storeTag}-${id}.session`;
}

/** Writes a new session file (0600, whole or not at all). */
export function writeSessionFile(dir: SessionDir, storeTag: string, id: string, bytes: Uint8Array): void {
  createFileWhole(join(dir.path, fileName(storeTag, id)), bytes);
}

/** A session file's bytes, checked as store files are (ours, 0600, no link); undefined when it is gone. */
export function readSessionFile(dir: SessionDir, storeTag: string, id: string): Buffer | undefined {
  return readStoreFile(join(dir.path, fileName(storeTag, id)), ROLE);
}

/** Removes one session file; true if it was there. */
export function removeSessionFile(dir: SessionDir, storeTag: string, id: string): boolean {
  const removed = removeFile(join(dir.path, fileName(storeTag, id)));
  // A removal that a power cut undid would bring a locked session back.
  if (removed) fsyncDir(dir.path);
  return removed;
}

/** Removes every session file of the store tagged `storeTag`; returns how many there were. */
export function removeSessionFiles(dir: SessionDir, storeTag: string): number {
  let names: string[];
  try {
    names = readdirSync(dir.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const ours = names.filter((name) => name.startsWith(`${storeTag}-`) && name.endsWith('.session'));
  for (const name of ours) removeFile(join(dir.path, name));
  if (ours.length > 0) fsyncDir(dir.path);
  return ours.length;
}
