/**
 * The one grammar of the text headers of every agent-vault file (vault, grant and
 * store files, key certificates; see man/agent-vault.5, ENCODING): printable ASCII
 * lines, each ended by one line feed; the exact version line first; then the lines of
 * the file's grammar, each exactly once and in order, either `name: value` or
 * `name field field…` with each field canonical unpadded base64 of a fixed length.
 * A file kind declares its lines once, with {@link headerGrammar}, and both
 * {@link parseHeader} and {@link encodeHeader} follow that declaration, so a file has
 * one spelling and the writer never writes what the reader would refuse. Every
 * deviation is a {@link FormatError}, worded the same way for every kind.
 *
 * The one timestamp rule of every format lives here too: {@link checkTimestamp}.
 */
import { isAgentId } from '../core/ids.js';
import { TAG_LENGTH } from './aead.js';
import { decodeBase64, encodeBase64 } from './encoding.js';
import { FormatError } from './format-error.js';

/**
 * How one value of a `name: value` line is read and written. `decode` throws a
 * {@link FormatError} naming `what` for a value off the grammar.
 */
export interface ValueRule<T> {
  decode(text: string, what: string): T;
  encode(value: T): string;
}

/** One header line of a grammar: its name, its form, and how its value is read and written. */
export interface LineRule<N extends string, T> {
  name: N;
  /** `': '` for a `name: value` line, `' '` for a `name field…` line. */
  separator: ': ' | ' ';
  rule: ValueRule<T>;
}

/** Any line rule: {@link ValueRule}'s methods make a rule of any value type one of these. */
type AnyLine = LineRule<string, unknown>;

/** The declared header of one file kind. */
export interface HeaderGrammar<L extends readonly AnyLine[]> {
  /** The file kind, as error messages name it: `vault file`, `key certificate`… */
  kind: string;
  /** The exact first line, e.g. `agent-vault/v1`. */
  version: string;
  lines: L;
  /** The most bytes the header may take, its last line feed included. */
  maxBytes: number;
  /** `none`: the header is the whole file; `sealed`: an AES-GCM sealed box (at least a tag) follows it. */
  body: 'none' | 'sealed';
}

/** A header's values by line name, each of its line's type. */
export type HeaderValues<L extends readonly AnyLine[]> = {
  [R in L[number] as R['name']]: R extends LineRule<string, infer T> ? T : never;
};

/** Declares the header of one file kind. */
export function headerGrammar<const L extends readonly AnyLine[]>(grammar: HeaderGrammar<L>): HeaderGrammar<L> {
  return grammar;
}

/** A `name: value` line whose value follows `rule`. */
export function valueLine<const N extends string, T>(name: N, rule: ValueRule<T>): LineRule<N, T> {
  return { name, separator: ': ', rule };
}

/** The decoded fields of a {@link base64Line}: one buffer per declared field. */
export type Base64Fields<F extends ReadonlyArray<readonly [string, number]>> = { -readonly [K in keyof F]: Buffer };

/**
 * A `name field field…` line of base64 fields, each with the decoded length given
 * beside its description (`[['nonce', 12], ['wrapped key', 48]]`).
 */
export function base64Line<const N extends string, const F extends ReadonlyArray<readonly [what: string, length: number]>>(
  name: N,
  fields: F,
): LineRule<N, Base64Fields<F>> {
  return {
    name,
    separator: ' ',
    rule: {
      decode(text, what) {
        const parts = text.split(' ');
        if (parts.length !== fields.length) throw new FormatError(`${what} has ${parts.length} field(s), expected ${fields.length}`);
        return parts.map((part, i) => decodeBase64(part, `${what} ${fields[i]![0]}`, fields[i]![1])) as Base64Fields<F>;
      },
      encode: (values) => values.map((value: Buffer) => encodeBase64(value)).join(' '),
    },
  };
}

/** A value that is accepted as it is spelled when `test` holds, else named as not `expected`. */
export function checkedText(test: (text: string) => boolean, expected: string): ValueRule<string> {
  return {
    decode(text, what) {
      if (!test(text)) throw new FormatError(`${what} is not ${expected}`);
      return text;
    },
    encode: (value) => value,
  };
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The one timestamp rule of every format: ISO 8601 in UTC with milliseconds, exactly as
 * `Date.prototype.toISOString` writes it, and a real instant (no 25th hour, no 30 February).
 */
function isTimestamp(text: string): boolean {
  return TIMESTAMP.test(text) && !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text;
}

/** A timestamp value ({@link isTimestamp}). */
export const TIMESTAMP_VALUE = checkedText(isTimestamp, 'an ISO 8601 UTC timestamp with milliseconds');

/** Returns `text` if it is a timestamp ({@link isTimestamp}), else throws a {@link FormatError} naming `what`. */
export function checkTimestamp(text: string, what: string): string {
  return TIMESTAMP_VALUE.decode(text, what);
}

/** An agent id value, with the syntax of `core/ids`. */
export const AGENT_ID_VALUE = checkedText(isAgentId, 'a valid agent id');

/** How a found version is shown in a message: short, and quoted when it is text. */
function shown(found: unknown): string {
  const text = JSON.stringify(found) ?? String(found);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The one version check of every format. `expected` is a header's version line
 * (`agent-vault/v1`: another version of its family is `agent-vault/v2`) or a JSON
 * format's version number (any other whole number is another version). Another
 * version is "unsupported"; anything else is "not an agent-vault <kind>".
 */
export function checkVersion(kind: string, expected: string | number, found: unknown): void {
  if (found === expected) return;
  const ofFamily =
    typeof expected === 'string'
      ? typeof found === 'string' && found.startsWith(expected.slice(0, expected.lastIndexOf('/') + 1))
      : Number.isSafeInteger(found);
  throw new FormatError(ofFamily ? `unsupported ${kind} version ${shown(found)}` : `not an agent-vault ${kind}`);
}

/** The name a line starts with, for a message about a line the grammar does not know. */
function nameOf(line: string): string {
  return shown(/^[^: ]*/.exec(line)![0]);
}

/** Whether `line` starts with the name of `rule`, in either form (so a malformed line is told from an unknown one). */
function isLineOf(line: string, rule: AnyLine): boolean {
  return line === rule.name || line.startsWith(`${rule.name} `) || line.startsWith(`${rule.name}:`);
}

/** A parsed header: its values and the offset just past its last line (where a body starts). */
export interface ParsedHeader<L extends readonly AnyLine[]> {
  values: HeaderValues<L>;
  end: number;
}

/** Reads one line starting at `offset`, or throws for a truncated, oversized or non-printable header. */
function readLine(bytes: Buffer, offset: number, grammar: HeaderGrammar<readonly AnyLine[]>): { line: string; next: number } {
  const { kind, maxBytes } = grammar;
  const newline = bytes.subarray(0, maxBytes).indexOf(0x0a, offset);
  if (newline < 0) throw new FormatError(bytes.length > maxBytes ? `${kind} header is longer than ${maxBytes} bytes` : `${kind} is truncated`);
  const line = bytes.subarray(offset, newline).toString('latin1');
  if (!/^[\x20-\x7e]*$/.test(line)) throw new FormatError(`${kind} has a non-printable byte in its header`);
  return { line, next: newline + 1 };
}

/**
 * Parses the header at the start of `bytes` strictly by `grammar`: the exact version
 * line, then every declared line once, in order, and nothing else (for a `none` body,
 * not a byte more; for a `sealed` one, at least a tag's worth).
 */
export function parseHeader<L extends readonly AnyLine[]>(grammar: HeaderGrammar<L>, bytes: Buffer): ParsedHeader<L> {
  const { kind, lines: rules } = grammar;
  if (bytes.length === 0) throw new FormatError(`${kind} is empty`);
  let { line, next } = readLine(bytes, 0, grammar);
  checkVersion(kind, grammar.version, line);
  const values: Record<string, unknown> = {};
  rules.forEach((rule, index) => {
    ({ line, next } = readLine(bytes, next, grammar));
    if (!isLineOf(line, rule)) {
      const known = rules.findIndex((other) => isLineOf(line, other));
      if (known < 0) throw new FormatError(`${kind} has an unknown field ${nameOf(line)} in its header`);
      throw new FormatError(known < index ? `${kind} has a duplicate "${rules[known]!.name}" line` : `${kind} has no "${rule.name}" line`);
    }
    const what = `${kind} "${rule.name}"`;
    if (!line.startsWith(`${rule.name}${rule.separator}`)) throw new FormatError(`${what} line is malformed`);
    values[rule.name] = rule.rule.decode(line.slice(rule.name.length + rule.separator.length), what);
  });
  if (grammar.body === 'none' && next !== bytes.length) throw new FormatError(`${kind} has bytes after its last line`);
  if (grammar.body === 'sealed' && bytes.length - next < TAG_LENGTH) throw new FormatError(`${kind} payload is truncated`);
  return { values: values as HeaderValues<L>, end: next };
}

/**
 * Encodes a header by `grammar`, each line in its order and ended by a line feed.
 * Every value is checked by the rule the parser applies, so what is written parses.
 */
export function encodeHeader<L extends readonly AnyLine[]>(grammar: HeaderGrammar<L>, values: HeaderValues<L>): Buffer {
  const byName = values as Record<string, unknown>;
  const lines = [grammar.version];
  for (const { name, separator, rule } of grammar.lines) {
    const text = rule.encode(byName[name]);
    rule.decode(text, `${grammar.kind} "${name}"`);
    if (!/^[\x20-\x7e]*$/.test(text)) throw new FormatError(`${grammar.kind} "${name}" has a non-printable character`);
    lines.push(`${name}${separator}${text}`);
  }
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
  if (bytes.length > grammar.maxBytes) throw new FormatError(`${grammar.kind} header is longer than ${grammar.maxBytes} bytes`);
  return bytes;
}
