/**
 * A minimal POSIX ustar archive: regular files only, written and read strictly. A name
 * ustar's 155 + 100 byte fields cannot hold (a grant of two long agent ids and a long
 * key) goes in a pax extended header (`path=`) before its entry, as POSIX.1-2001 has
 * it and GNU tar and bsdtar read it. The reader refuses anything it would not have
 * written itself (a bad checksum, another entry type, a name with `..`, a duplicate,
 * bytes after the end), so a backup either parses whole or is refused.
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

/** Splits a name into ustar's prefix (155 bytes) and name (100 bytes) at a slash; undefined when no split fits. */
function splitName(name: string): [prefix: string, rest: string] | undefined {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest];
  }
  return undefined;
}

/** A pax record `<length> path=<name>\n`, whose length counts its own digits. */
function paxPath(name: string): Buffer {
  const body = ` path=${name}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
  return Buffer.from(`${length}${body}`, 'utf8');
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

/** Encodes `entries` as a ustar archive (files 0600, owned by uid 0, dated `mtime`). */
export function encodeTar(entries: TarEntry[], mtime: Date): Buffer {
  const blocks: Buffer[] = [];
  const header = (prefix: string, rest: string, size: number, type: string): Buffer => {
    const block = Buffer.alloc(BLOCK);
    block.write(rest, 0, 100, 'utf8');
    block.write(octal(0o600, 8), 100, 'ascii');
    block.write(octal(0, 8), 108, 'ascii');
    block.write(octal(0, 8), 116, 'ascii');
    block.write(octal(size, 12), 124, 'ascii');
    block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
    block.write(type, 156, 'ascii');
    block.write('ustar\0', 257, 'ascii');
    block.write('00', 263, 'ascii');
    block.write(prefix, 345, 155, 'utf8');
    block.write(`${checksum(block).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    return block;
  };
  const pad = (length: number): Buffer => Buffer.alloc((BLOCK - (length % BLOCK)) % BLOCK);
  for (const { name, bytes } of entries) {
    let split = splitName(name);
    if (!split) {
      const record = paxPath(name);
      blocks.push(header('', 'PaxHeader', record.length, 'x'), record, pad(record.length));
      // Names are ids, ASCII: the cut name is only what a reader without pax would show.
      split = ['', name.slice(0, 100)];
    }
    blocks.push(header(split[0], split[1], bytes.length, '0'), bytes, pad(bytes.length));
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
  let longName: string | undefined;
  for (;;) {
    if (offset + BLOCK > archive.length) throw new FormatError('the tar archive ends without its end marker');
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (octalField(header, 148, 8, 'checksum') !== checksum(header)) throw new FormatError(`the tar archive has a bad checksum at byte ${offset}`);
    if (field(header, 257, 6) !== 'ustar' || header.subarray(263, 265).toString('ascii') !== '00') throw new FormatError('the archive is not a ustar archive');
    const size = octalField(header, 124, 12, 'size');
    const start = offset + BLOCK;
    if (size > MAX_SIZE || start + size > archive.length) throw new FormatError(`the tar archive is cut short at byte ${offset}`);
    const data = archive.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (header[156] === 0x78) {
      if (longName !== undefined) throw new FormatError('the tar archive has two pax headers in a row');
      const record = /^(\d+) path=([^\n]+)\n$/.exec(data.toString('utf8'));
      if (!record || Number(record[1]) !== size) throw new FormatError('the tar archive has a pax header other than one path');
      longName = record[2]!;
      continue;
    }
    if (header[156] !== 0x30) throw new FormatError('the tar archive holds something other than a regular file');
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    longName = undefined;
    if (name === '' || name.startsWith('/') || name.split('/').some((part) => part === '' || part === '.' || part === '..')) throw new FormatError(`the tar archive holds a bad name: ${JSON.stringify(name)}`);
    if (names.has(name)) throw new FormatError(`the tar archive holds ${name} twice`);
    names.add(name);
    entries.push({ name, bytes: Buffer.from(data) });
  }
  if (longName !== undefined) throw new FormatError('the tar archive ends in a pax header');
  if (!archive.subarray(offset).every((b) => b === 0) || archive.length < offset + 2 * BLOCK) throw new FormatError('the tar archive has bytes after its end marker');
  return entries;
}
