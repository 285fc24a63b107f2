/**
 * Durable file replacement: write a temp file beside the target (0600), fsync it,
 * rename it over the target, fsync the directory. A crash at any point leaves the old
 * file or the new one, never a mix. The previous generation is kept as `<file>.bak`.
 * Temporary names are random and created with `O_EXCL`, so nobody can plant a link
 * at one in advance.
 */
import { closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { checkReplaceable, openStoreFile, type FileRole } from './fs-guard.js';
import { createFile, fsync, fsyncDir, link, removeFile, rename, writeAll } from './fs-ops.js';

export { DIR_MODE, FILE_MODE } from './fs-ops.js';
/** For a caller that must refuse a planted output before it does the work to fill it (`inject -o … --force`). */
export { checkReplaceable };

/** A name beside `path` that nobody can guess, for a file that exists only during a write. */
export function tempNameBeside(path: string, kind: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.${kind}`);
}

/** Writes all of `data` to a new 0600 file `path` that must not exist yet, and flushes it. */
export function writeNewFile(path: string, data: Uint8Array): void {
  reserveNewFile(path).write(data);
}

/**
 * Writes a new 0600 file `path` whole or not at all: the data goes to a temp file beside
 * it, which is then hard-linked to `path` (failing with EEXIST if something is there by
 * then, so nothing is ever replaced). A crash or a full disk leaves at most a temp file
 * with an unguessable name, never a file cut short at `path`.
 */
export function createFileWhole(path: string, data: Uint8Array): void {
  const temp = tempNameBeside(path, 'tmp');
  try {
    writeNewFile(temp, data);
    link(temp, path);
  } finally {
    removeFile(temp);
  }
  fsyncDir(dirname(path));
}

/** A new, empty 0600 file, created now and filled (or removed) later. */
export interface ReservedFile {
  /** Fills and flushes the file; if that fails, the file is removed. */
  write(data: Uint8Array): void;
  /** Removes the file, written or not. */
  discard(): void;
}

/**
 * Creates `path` (which must not exist) before the data for it exists: for a token
 * that must not be issued unless it can be written.
 */
export function reserveNewFile(path: string): ReservedFile {
  const fd = createFile(path);
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write(data) {
      try {
        writeAll(fd, path, data);
        fsync(fd, path);
      } catch (err) {
        // A file cut short (a full disk) is never left where the whole one was expected.
        close();
        removeFile(path);
        throw err;
      }
      close();
    },
    discard() {
      close();
      removeFile(path);
    },
  };
}

/**
 * Replaces `path` with `data` atomically and durably. With `backup`, the file being
 * replaced is kept as `<path>.bak` (a hard link, so the target is never missing for
 * readers). Anything but a regular file at `path` is refused (exit 6), not replaced.
 */
export function replaceFile(path: string, data: Uint8Array, options: { backup: boolean; role?: FileRole }): void {
  checkReplaceable(path, options.role);
  const dir = dirname(path);
  const temp = tempNameBeside(path, 'tmp');
  try {
    writeNewFile(temp, data);
    if (options.backup) keepBackup(path, options.role);
    rename(temp, path);
  } catch (err) {
    removeFile(temp);
    throw err;
  }
  fsyncDir(dir);
}

function keepBackup(path: string, role: FileRole | undefined): void {
  // Opening the file checks it (a link is refused) and sets a loose mode back to 0600,
  // which the backup then keeps: it is the same inode.
  const current = openStoreFile(path, role);
  if (!current) return;
  closeSync(current.fd);
  const staged = tempNameBeside(`${path}.bak`, 'tmp');
  try {
    link(path, staged);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    rename(staged, `${path}.bak`);
  } catch (err) {
    removeFile(staged);
    throw err;
  }
}
