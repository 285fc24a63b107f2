/**
 * The directory store's write points: every file-system mutation it makes is one of
 * these functions, one system call each, and each first calls {@link faultPoint}, so a
 * test can kill the process or fail the call at any of them (fault.ts). atomic.ts,
 * lock.ts, fs-guard.ts and directory-backend.ts change the disk through nothing else
 * (test/unit/store/fs-ops.test.ts checks their imports).
 *
 * A file is opened for writing only with `O_NOFOLLOW`, and created only with `O_EXCL`
 * (which follows no link either), so a link planted at a store path is never written
 * through. Every file created is set to 0600 and every directory to 0700 with an
 * explicit chmod, because the mode given to open and mkdir is filtered by the umask:
 * a umask of 0277 would make the audit log read-only, and one of 0777 a store nobody
 * can read.
 */
import { closeSync, constants, fchmodSync, fsyncSync, ftruncateSync, linkSync, mkdirSync, openSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { faultAfterPart, faultPoint } from './fault.js';

/** The mode of every file of a store. */
export const FILE_MODE = 0o600;
/** The mode of every directory of a store. */
export const DIR_MODE = 0o700;

const { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

/**
 * Creates `path`, which must not exist (`O_EXCL`: not even as a dangling link), opens
 * it for writing (appending, with `append`) and sets it to 0600; the descriptor is the
 * caller's to close.
 */
export function createFile(path: string, options: { append?: boolean } = {}): number {
  faultPoint('open', path);
  const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | (options.append ? O_APPEND : 0), FILE_MODE);
  try {
    fchmod(fd, path, FILE_MODE);
  } catch (err) {
    closeSync(fd);
    removeFile(path);
    throw err;
  }
  return fd;
}

/** Opens the existing file `path` to append to it, through no link and without blocking on a FIFO. */
export function openAppend(path: string): number {
  faultPoint('open', path);
  return openSync(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK);
}

/** Writes all of `data` at the descriptor's position (the end, in append mode). */
export function writeAll(fd: number, path: string, data: Uint8Array): void {
  const partial = faultPoint('write', path, data.length);
  const end = partial?.bytes ?? data.length;
  let offset = 0;
  while (offset < end) offset += writeSync(fd, data, offset, end - offset);
  if (partial !== undefined) faultAfterPart(partial, 'write', path);
}

/** Cuts the file behind `fd` back to `length` bytes (it takes no space: it works on a full disk). */
export function truncate(fd: number, path: string, length: number): void {
  faultPoint('ftruncate', path);
  ftruncateSync(fd, length);
}

/** Flushes the file behind `fd` to the disk. */
export function fsync(fd: number, path: string): void {
  faultPoint('fsync', path);
  fsyncSync(fd);
}

/** Sets the mode of the file or directory behind `fd`. */
export function fchmod(fd: number, path: string, mode: number): void {
  faultPoint('fchmod', path);
  fchmodSync(fd, mode);
}

/** Renames `from` to `to`, replacing `to` (a link there is replaced, not followed). */
export function rename(from: string, to: string): void {
  faultPoint('rename', to);
  renameSync(from, to);
}

/** Makes `to` a second name of the file `from` (which must not be a link: callers check). */
export function link(from: string, to: string): void {
  faultPoint('link', to);
  linkSync(from, to);
}

/** Removes the name `path` (a link itself, never its target); false when it did not exist. */
export function removeFile(path: string): boolean {
  faultPoint('unlink', path);
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Removes the empty directory `path`; false when it did not exist. */
export function removeDir(path: string): boolean {
  faultPoint('rmdir', path);
  try {
    rmdirSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Creates the directory `path` (its parent must exist) and sets it to 0700. */
export function makeDir(path: string): void {
  faultPoint('mkdir', path);
  mkdirSync(path, { mode: DIR_MODE });
  chmodDir(path, DIR_MODE, { follow: false });
}

/** Creates `path` and its missing parents, for the directories above a store that the user named. */
export function makeParents(path: string): void {
  faultPoint('mkdir', path);
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
}

/**
 * Sets a directory's mode through a descriptor of the directory itself, so a link in
 * its place fails (`O_NOFOLLOW`) instead of having its target changed; only the store
 * root, which the user may have made a link, is followed.
 */
export function chmodDir(path: string, mode: number, options: { follow: boolean }): void {
  const fd = openSync(path, O_RDONLY | O_DIRECTORY | (options.follow ? 0 : O_NOFOLLOW));
  try {
    fchmod(fd, path, mode);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flushes a directory, which makes the creation, rename or removal of a name in it
 * durable. The directories below the store root were checked with lstat by the caller.
 */
export function fsyncDir(path: string): void {
  const fd = openSync(path, O_RDONLY | O_DIRECTORY);
  try {
    fsync(fd, path);
  } finally {
    closeSync(fd);
  }
}
