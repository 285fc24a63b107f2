/**
 * An exclusive lock file per vault (`<vault>.lock`, created with O_EXCL), holding the
 * owner's pid and host. A lock whose process is gone is stale and broken; otherwise a
 * waiter retries with jittered backoff up to a bound, then gives up with exit 7.
 */
import { closeSync, lstatSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusyError } from '../core/errors.js';
import { readStoreFile, type FileRole } from './fs-guard.js';
import { tempNameBeside } from './atomic.js';
import { createFile, link, removeFile, rename, writeAll } from './fs-ops.js';

/** How long to wait for a lock unless `AGENT_VAULT_LOCK_TIMEOUT` (seconds) says otherwise. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const EMPTY_LOCK_GRACE_MS = 5_000;

export function lockTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.AGENT_VAULT_LOCK_TIMEOUT);
  return env.AGENT_VAULT_LOCK_TIMEOUT !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_LOCK_TIMEOUT_MS;
}

const LOCK: FileRole = { name: 'a lock file', hint: 'no agent-vault process made it: move it away' };

/** The locks this process holds now: a lock naming this process but not held here was left by a release that failed. */
const held = new Set<string>();

/**
 * Takes the lock: the pid line is written to a temp file first, which is then hard
 * linked to the lock's name (failing if it is taken), so a lock file is never seen
 * empty, even after a crash mid-way: a killed taker leaves a temp file, not a lock
 * that others must wait out.
 */
function tryAcquire(path: string): boolean {
  const temp = tempNameBeside(path, 'lock.tmp');
  const fd = createFile(temp);
  try {
    try {
      writeAll(fd, temp, Buffer.from(`${process.pid} ${hostname()}\n`));
    } finally {
      closeSync(fd);
    }
    link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    removeFile(temp);
  }
}

/** A lock file's text; anything but a regular file there (a FIFO would block a read forever) is exit 6. */
function readLock(path: string): string | undefined {
  try {
    return readStoreFile(path, LOCK, { permissions: false })?.toString('utf8');
  } catch (err) {
    // Unreadable (a lock left 0000 by an old umask): not ours to judge, wait it out.
    if (typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall) return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock if its holder is a dead process on this host. The lock is renamed
 * away first so that two waiters breaking the same stale lock cannot remove a fresh
 * one taken in between.
 */
function breakIfStale(path: string): void {
  const content = readLock(path);
  if (content === undefined) return;
  const [pidText, host] = content.trim().split(' ');
  const pid = Number(pidText);
  // An empty file is a holder between creating and writing it, or one that died there.
  const ours = pid === process.pid && !held.has(path);
  const stale = content === '' ? isOlderThan(path, EMPTY_LOCK_GRACE_MS) : host === hostname() && Number.isInteger(pid) && pid > 0 && (ours || !isAlive(pid));
  if (!stale) return;
  const aside = `${path}.${process.pid}.stale`;
  try {
    rename(path, aside);
  } catch {
    return;
  }
  // Another waiter may have broken it first and a live process taken a fresh lock:
  // then put that one back (link fails if yet another process holds it by now).
  if (readLock(aside) !== content) {
    try {
      link(aside, path);
    } catch {
      // The path is taken again; the fresh holder keeps it.
    }
  }
  removeFile(aside);
}

function isOlderThan(path: string, ms: number): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat !== undefined && Date.now() - stat.mtimeMs > ms;
}

/** Runs `fn` holding the lock at `path`; waits at most `timeoutMs` for it, then exit 7 naming `what`. */
export async function withLock<T>(path: string, timeoutMs: number, what: string, fn: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (!tryAcquire(path)) {
    breakIfStale(path);
    if (Date.now() >= deadline) {
      throw new BusyError(`${what} is locked by another agent-vault process`, 'try again; if no other process runs, remove the lock file ' + path);
    }
    await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 100);
  }
  held.add(path);
  try {
    return await fn();
  } finally {
    held.delete(path);
    removeFile(path);
  }
}
