/**
 * Durable file replacement: write a temp file beside the target (0600), fsync it,
 * rename it over the target, fsync the directory. A crash at any point leaves the old
 * file or the new one, never a mix. The previous generation is kept as `<file>.bak`.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Creates `dir` (and parents) as 0700, tightening it if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `data` to a new file `path` that must not exist yet. */
export function writeNewFile(path: string, data: Uint8Array): void {
  reserveNewFile(path).write(data);
}

/** A new, empty 0600 file, created now and filled (or removed) later. */
export interface ReservedFile {
  write(data: Uint8Array): void;
  discard(): void;
}

/**
 * Creates `path` (which must not exist) before the data for it exists: for a token
 * that must not be issued unless it can be written.
 */
export function reserveNewFile(path: string): ReservedFile {
  const fd = openSync(path, 'wx', FILE_MODE);
  return {
    write(data) {
      try {
        let offset = 0;
        while (offset < data.length) offset += writeSync(fd, data, offset);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    discard() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

/**
 * Replaces `path` with `data` atomically. With `backup`, the file being replaced is
 * kept as `<path>.bak` (a hard link, so the target is never missing for readers).
 */
export function replaceFile(path: string, data: Uint8Array, options: { backup: boolean }): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeNewFile(temp, data);
    if (options.backup) keepBackup(path);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

function keepBackup(path: string): void {
  const staged = `${path}.bak.${process.pid}.tmp`;
  rmSync(staged, { force: true });
  try {
    linkSync(path, staged);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    renameSync(staged, `${path}.bak`);
  } catch (err) {
    rmSync(staged, { force: true });
    throw err;
  }
}
