/**
 * A store file read in parts: the bytes of one version of the file (the inode opened),
 * read with pread when asked for, so a read of one credential from a vault of 100,000
 * reads its header, its index and one block instead of 40 MB. The descriptor stays
 * open while the parts may be asked for: a writer renames a new file into place, and
 * the inode opened keeps the version whose index was authenticated (reopening by name
 * could mix parts of two versions).
 *
 * At most {@link MAX_OPEN} files are held open in a process (the MCP server and the
 * library read many vaults and close nothing between calls): opening one more closes
 * the oldest, which then reopens its file by name if a part is still asked for, and
 * only if the file there is still the version it opened (else BusyError, exit 7: the
 * vault changed while it was being read). At the end of every command
 * (store/closing.ts's closeOpenStores) every one is closed the same way.
 */
import { closeSync, readSync } from 'node:fs';
import type { VaultFileBytes } from '../format/vault-file.js';
import { closeAtEnd } from './closing.js';

/** How many files may stay open for later parts; beyond it the oldest is closed. */
const MAX_OPEN = 8;

/**
 * The first bytes of a file, read at the first part asked for and kept: a vault's
 * header, the start of its index and (for a small vault) all of it, in one read
 * instead of one per part.
 */
const FIRST_READ = 64 * 1024;

/** The files open now, oldest first. */
const open: FileBytes[] = [];

/** The bytes of one version of a file, `length` long (its size when opened). */
class FileBytes implements VaultFileBytes {
  private fd: number | undefined;
  private first: Buffer | undefined;

  constructor(
    fd: number,
    readonly length: number,
    /** A descriptor of the same version of the file, opened again by name; throws if the file there is another version. */
    private readonly reopen: () => number,
  ) {
    this.fd = fd;
    hold(this);
  }

  subarray(start: number, end: number): Buffer {
    const from = Math.max(0, Math.min(start, this.length));
    const to = Math.max(from, Math.min(end, this.length));
    this.first ??= this.read(0, Math.min(this.length, FIRST_READ));
    if (to <= this.first.length) return this.first.subarray(from, to);
    return this.read(from, to - from);
  }

  copy(target: Buffer, targetStart: number, sourceStart: number, sourceEnd: number): number {
    const from = Math.max(0, Math.min(sourceStart, this.length));
    const to = Math.max(from, Math.min(sourceEnd, this.length));
    if (this.first && to <= this.first.length) return this.first.copy(target, targetStart, from, to);
    if (this.fd === undefined) {
      this.fd = this.reopen();
      hold(this);
    }
    return readInto(this.fd, target, targetStart, from, to - from);
  }

  /** `length` bytes at `position`, from the descriptor (opened again if it was given up). */
  private read(position: number, length: number): Buffer {
    if (this.fd === undefined) {
      this.fd = this.reopen();
      hold(this);
    }
    return readAt(this.fd, position, length);
  }

  /** Closes the descriptor; a later part opens the file again (see {@link subarray}). */
  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    open.splice(open.indexOf(this), 1);
    closeSync(fd);
  }
}

/** Counts `bytes` among the open files, closing the oldest beyond {@link MAX_OPEN}. */
function hold(bytes: FileBytes): void {
  if (open.length >= MAX_OPEN) open[0]!.release();
  open.push(bytes);
  closeAtEnd(releaseAll);
}

/** `length` bytes at `position` of `fd`, fewer if the file ends sooner (cut since it was opened). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const read = readInto(fd, buffer, 0, position, length);
  return read === length ? buffer : buffer.subarray(0, read);
}

/** Reads `length` bytes at `position` of `fd` into `target` at `at`; returns how many (fewer if the file ends sooner). */
function readInto(fd: number, target: Buffer, at: number, position: number, length: number): number {
  let read = 0;
  while (read < length) {
    const n = readSync(fd, target, at + read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return read;
}

/**
 * The bytes of the file open at `fd` (of `size` bytes), which this now owns and
 * closes; `reopen` opens the same version again after the descriptor was given up.
 */
export function fileBytes(fd: number, size: number, reopen: () => number): VaultFileBytes {
  return new FileBytes(fd, size, reopen);
}

/** Closes every file still open for parts (the end of a command). */
function releaseAll(): void {
  for (const bytes of [...open]) bytes.release();
}
