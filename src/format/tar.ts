/**
 * A minimal POSIX ustar archive: regular files only, written and read strictly. The
 * reader refuses anything it would not have written itself (a bad checksum, another
 * entry type, a name with `..`, a duplicate, bytes after the end), so a backup either
 * parses whole or is refused.
 */
import { FormatError } from './format-error.js';

/** One file of an archive. */
export interface TarEntry {
  name: string;
  bytes: Buffer;
}

const BLOCK = 512;
/** The biggest size an 11-digit octal field holds. */
const MAX_SIZE = 0o77777777777;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** Splits a name into ustar's prefix (155 bytes) and name (100 bytes) at a slash. */
function splitName(name: string): [prefix: string, rest: string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest];
  }
  throw new FormatError(`the name ${name} is too long for a tar archive`);
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

/** Encodes `entries` as a ustar archive (files 0600, owned by uid 0, dated `mtime`). */
export function encodeTar(entries: TarEntry[], mtime: Date): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, bytes } of entries) {
    const [prefix, rest] = splitName(name);
    const header = Buffer.alloc(BLOCK);
    header.write(rest, 0, 100, 'utf8');
    header.write(octal(0o600, 8), 100, 'ascii');
    header.write(octal(0, 8), 108, 'ascii');
    header.write(octal(0, 8), 116, 'ascii');
    header.write(octal(bytes.length, 12), 124, 'ascii');
    header.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    header.write(prefix, 345, 155, 'utf8');
    header.write(`${checksum(header).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header, bytes, Buffer.alloc((BLOCK - (bytes.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(blocks);
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octalField(header: Buffer, start: number, length: number, what: string): number {
  const text = field(header, start, length).trim();
  if (!/^[0-7]{1,12}$/.test(text)) throw new FormatError(`the tar archive has a bad ${what} field`);
  return parseInt(text, 8);
}

/** Parses a ustar archive as {@link encodeTar} writes it; any other archive is a {@link FormatError}. */
export function parseTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > archive.length) throw new FormatError('the tar archive ends without its end marker');
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (octalField(header, 148, 8, 'checksum') !== checksum(header)) throw new FormatError(`the tar archive has a bad checksum at byte ${offset}`);
    if (field(header, 257, 6) !== 'ustar' || header.subarray(263, 265).toString('ascii') !== '00') throw new FormatError('the archive is not a ustar archive');
    if (header[156] !== 0x30) throw new FormatError('the tar archive holds something other than a regular file');
    const prefix = field(header, 345, 155);
    const name = prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`;
    if (name === '' || name.startsWith('/') || name.split('/').some((part) => part === '' || part === '.' || part === '..')) throw new FormatError(`the tar archive holds a bad name: ${JSON.stringify(name)}`);
    if (names.has(name)) throw new FormatError(`the tar archive holds ${name} twice`);
    const size = octalField(header, 124, 12, 'size');
    if (size > MAX_SIZE) throw new FormatError('the tar archive has a bad size field');
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new FormatError(`the tar archive is cut short in ${name}`);
    names.add(name);
    entries.push({ name, bytes: Buffer.from(archive.subarray(start, start + size)) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (!archive.subarray(offset).every((b) => b === 0) || archive.length < offset + 2 * BLOCK) throw new FormatError('the tar archive has bytes after its end marker');
  return entries;
}
