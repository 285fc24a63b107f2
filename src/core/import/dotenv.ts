/**
 * `.env` files, both ways. Reading: `dotenv`'s own `parse` gives each value, one
 * assignment at a time, so a line it would silently drop is found and named instead.
 * Writing (`export --format dotenv`): each value quoted so that `parse` reads it back
 * exactly, newlines and carriage returns included.
 */
import dotenv from 'dotenv';
import { ImportInputError, keyFromName, malformed, type ImportEntry, type ParsedImport } from './entry.js';

/** A variable assignment as dotenv reads one: an optional `export`, a name, `=` (or `: `). */
const ASSIGNMENT = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=|:\s)/;
const QUOTES = new Set(['"', "'", '`']);

/**
 * The index of the line that closes a quoted value opened on line `first` at `column`:
 * the first later quote of the same kind after which the line holds at most blanks and
 * a comment, as dotenv requires; -1 if none.
 */
function closingLine(lines: readonly string[], first: number, column: number, quote: string): number {
  let from = column + 1;
  for (let i = first; i < lines.length; i += 1, from = 0) {
    const line = lines[i]!;
    for (let at = line.indexOf(quote, from); at >= 0; at = line.indexOf(quote, at + 1)) {
      if (/^\s*(?:#.*)?$/.test(line.slice(at + 1))) return i;
    }
  }
  return -1;
}

/** One assignment of a `.env` file, as dotenv's `parse` reads it, and the line it starts on. */
export interface DotenvAssignment {
  name: string;
  value: string;
  line: number;
}

/**
 * Every assignment of a `.env` file in order, repeated names included, each value read
 * by dotenv's `parse` one assignment at a time. A line that dotenv would silently drop
 * is `fail(where, problem)` instead; `where` is `line N`, and neither quotes the text.
 */
export function readDotenvAssignments(text: string, fail: (where: string, problem: string) => Error): DotenvAssignment[] {
  // dotenv reads CR and CRLF as LF too; line numbers are counted the same way.
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const assignments: DotenvAssignment[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (/^\s*(?:#.*)?$/.test(line)) continue;
    const where = `line ${i + 1}`;
    const match = ASSIGNMENT.exec(line);
    if (!match) throw fail(where, 'is not a NAME=value assignment');
    const name = match[1]!;
    const valueStart = match[0].length + (line.slice(match[0].length).length - line.slice(match[0].length).trimStart().length);
    const quote = line[valueStart] ?? '';
    const last = QUOTES.has(quote) ? closingLine(lines, i, valueStart, quote) : i;
    if (last < 0) throw fail(where, `the ${quote} quote of ${name} is not closed`);
    const parsed = dotenv.parse(lines.slice(i, last + 1).join('\n'));
    const names = Object.keys(parsed);
    if (names.length !== 1 || names[0] !== name) throw fail(where, `the value of ${name} cannot be read`);
    assignments.push({ name, value: parsed[name]!, line: i + 1 });
    i = last;
  }
  return assignments;
}

/** Reads a `.env` file: one `api_key` per variable, its key derived from the name (the last of a name repeated wins, as in dotenv). */
export function parseDotenvImport(text: string): ParsedImport {
  const byName = new Map<string, ImportEntry>();
  for (const { name, value, line } of readDotenvAssignments(text, (where, problem) => malformed('dotenv', where, problem))) {
    byName.delete(name);
    // An empty value is no secret to keep: agent-vault stores none.
    if (value !== '') byName.set(name, { source: `line ${line}`, name: '', key: keyFromName(name), type: 'api_key', fields: { value }, uris: [], tags: [] });
  }
  return { entries: [...byName.values()], warnings: [] };
}

/**
 * One `NAME=value` line that dotenv's `parse` reads back as exactly `value`, alone or
 * among other lines, or `undefined` when no quoting can. In dotenv's grammar a backslash
 * before the closing quote escapes it, so no quoted value may end in a backslash;
 * besides, single quotes take anything but `'` and CR (dotenv turns CR into LF before
 * parsing), backticks anything but `` ` `` and CR, and double quotes, in which `\n` and
 * `\r` are the only escapes, anything but `"` and a literal backslash before `n` or `r`.
 * A value ending in a backslash may still go unquoted: one line, no `#`, no quote first,
 * no blank at either end (dotenv trims), no Unicode line separator (its quote-stripping
 * reads one as a line end).
 */
export function dotenvLine(name: string, value: string): string | undefined {
  if (!value.endsWith('\\')) {
    if (!value.includes("'") && !value.includes('\r')) return `${name}='${value}'`;
    if (!value.includes('`') && !value.includes('\r')) return `${name}=\`${value}\``;
    if (!value.includes('"') && !/\\[nr]/.test(value)) return `${name}="${value.replaceAll('\r', '\\r')}"`;
  }
  if (/^[^\s'"`#][^\r\n#\u2028\u2029]*$/.test(value) && !/\s$/.test(value)) return `${name}=${value}`;
  return undefined;
}

/** A `.env` file of `[name, value]` pairs; a value no quoting carries back is an error naming it. */
export function encodeDotenv(pairs: ReadonlyArray<readonly [string, string]>, header: string): string {
  const seen = new Set<string>();
  const lines = [`# ${header}`];
  const unwritable: string[] = [];
  for (const [name, value] of pairs) {
    if (seen.has(name)) throw new ImportInputError(`two credentials give the variable ${name}`, 'rename one, or use --format json');
    seen.add(name);
    const line = dotenvLine(name, value);
    if (line === undefined) unwritable.push(name);
    else lines.push(line);
  }
  if (unwritable.length > 0) {
    throw new ImportInputError(`the value of ${unwritable.join(', ')} cannot be written as a dotenv line that reads back the same`, 'use --format json, which keeps every value');
  }
  return `${lines.join('\n')}\n`;
}
