/**
 * A store file read in parts: the bytes of one version of the file (the inode opened),
 * read with pread when asked for, so a read of one credential from a vault of 100,000
 * reads its header, its index and one block instead of 37 MB. The descriptor stays
 * open while the parts may be asked for: a writer renames a new file into place, and
 * the inode opened keeps the version whose index was authenticated (reopening by name
 * could mix blocks of two versions).
 *
 * At most {@link MAX_OPEN} files are held open in a process (the MCP server and the
 * library may read many vaults): opening one more reads the oldest whole into memory
 * and closes it, so it still answers. At the end of every command
 * (store/closing.ts's closeOpenStores) every one is closed.
 */
import { closeSync, readSync } from 'node:fs';
import type { ObjectBytes } from './backend.js';
import { closeAtEnd } from './closing.js';

/** How many files may stay open for later parts; beyond it the oldest is read whole. */
const MAX_OPEN = 8;

/** The files open now, oldest first. */
const open: FileBytes[] = [];

/** The bytes of the open file `fd`, `length` long (its size when opened). */
class FileBytes implements ObjectBytes {
  private fd: number | undefined;
  private whole: Buffer | undefined;

  constructor(
    fd: number,
    readonly length: number,
  ) {
    this.fd = fd;
  }

  subarray(start: number, end: number): Buffer {
    const from = Math.max(0, Math.min(start, this.length));
    const to = Math.max(from, Math.min(end, this.length));
    if (this.whole) return this.whole.subarray(from, to);
    if (this.fd === undefined) throw new Error('a store file was read after the command ended');
    return readAt(this.fd, from, to - from);
  }

  /** Reads the rest into memory and closes the descriptor: the parts are then answered from memory. */
  keepInMemory(): void {
    if (this.fd === undefined) return;
    this.whole = readAt(this.fd, 0, this.length);
    this.close();
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    open.splice(open.indexOf(this), 1);
    closeSync(fd);
  }
}

/** `length` bytes at `position` of `fd`, fewer if the file ends sooner (cut since it was opened). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return read === length ? buffer : buffer.subarray(0, read);
}

/** The bytes of the file open at `fd` (of `size` bytes), which this now owns and closes. */
export function fileBytes(fd: number, size: number): ObjectBytes {
  if (open.length >= MAX_OPEN) open[0]!.keepInMemory();
  const bytes = new FileBytes(fd, size);
  open.push(bytes);
  closeAtEnd(closeAll);
  return bytes;
}

/** Closes every file still open for parts (the end of a command). */
function closeAll(): void {
  for (const bytes of [...open]) bytes.close();
}
