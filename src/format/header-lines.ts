/**
 * The line grammar shared by the text headers of vault and grant files: printable
 * ASCII lines ending in `\n`, `name: value` lines, `prefix field field…` lines and
 * millisecond UTC timestamps. Every deviation is a {@link FormatError}.
 */
import { FormatError } from './format-error.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The first `count` lines of `bytes` and the offset just past them (where the body starts). */
export function readHeaderLines(bytes: Buffer, count: number, maxBytes: number, what: string): { lines: string[]; end: number } {
  const lines: string[] = [];
  let offset = 0;
  while (lines.length < count) {
    const end = bytes.indexOf(0x0a, offset);
    if (end < 0 || end > maxBytes) throw new FormatError(bytes.length === 0 ? `${what} is empty` : `${what} header is truncated`);
    const line = bytes.subarray(offset, end).toString('latin1');
    if (!/^[\x20-\x7e]*$/.test(line)) throw new FormatError(`${what} header has a non-printable byte`);
    lines.push(line);
    offset = end + 1;
  }
  return { lines, end: offset };
}

/** The value of a `name: value` line. */
export function lineValue(line: string, name: string, what: string): string {
  if (!line.startsWith(`${name}: `)) throw new FormatError(`expected a "${name}:" line in the ${what}`);
  return line.slice(name.length + 2);
}

/** The `count` space-separated fields of a `prefix f1 f2…` line. */
export function lineFields(line: string, prefix: string, count: number, what: string): string[] {
  const parts = line.startsWith(`${prefix} `) ? line.slice(prefix.length + 1).split(' ') : [];
  if (parts.length !== count) throw new FormatError(`expected a "${prefix}" line in the ${what}`);
  return parts;
}

/** Checks a canonical ISO 8601 UTC timestamp with milliseconds, as toISOString writes it. */
export function checkTimestamp(text: string, what: string): string {
  if (!TIMESTAMP.test(text) || Number.isNaN(Date.parse(text)) || new Date(text).toISOString() !== text) {
    throw new FormatError(`${what} is not an ISO 8601 UTC timestamp`);
  }
  return text;
}
