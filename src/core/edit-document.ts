/**
 * The text document `credential edit` opens in an editor: a credential as `field: value`
 * lines, a value of several lines as a block, comments explaining both. Rendering it and
 * reading it back, and the change the edit makes. Pure.
 *
 * ```
 * key: GITHUB
 * name: GitHub
 * tag: work                  (one line per tag, and per URI)
 * uri: https://github.com
 * password: hunter2
 * notes: <<END               (a block: every line up to END, exactly)
 * first line
 * second line
 * END
 * ```
 *
 * Errors name the line, never its text: a line may hold a secret.
 */
import type { Credential, CredentialInput } from './credential.js';
import { TOTP_FIELD, typeSpec, type CredentialType } from './credential-types.js';
import { UsageError } from './errors.js';
import { checkCredentialKey } from './ids.js';
import { normaliseTotpSecret } from './totp.js';

/** What a document says a credential is. */
export interface EditedCredential {
  key: string;
  name: string;
  tags: string[];
  uris: string[];
  fields: Record<string, string>;
}

/** The lines that are not fields of any type. */
const KEY = 'key';
const NAME = 'name';
const TAG = 'tag';
const URI = 'uri';
const TYPE = 'type';

const LINE = /^([a-z][a-z0-9_]*)[ \t]*:(.*)$/;
const BLOCK_START = /^<<[ \t]*([A-Za-z0-9_]+)$/;

/**
 * A value goes in a block when a single line would not give it back exactly: it spans
 * lines, has blanks at either end (a single line is trimmed) or looks like a block start.
 */
function needsBlock(value: string): boolean {
  return /[\r\n]/.test(value) || value !== value.trim() || value.startsWith('<<');
}

/** `END`, or `END_1`, `END_2`…: the first that no line of the value is. */
function terminator(value: string): string {
  const lines = new Set(value.split('\n').map((line) => line.replace(/\r$/, '')));
  let word = 'END';
  for (let n = 1; lines.has(word); n++) word = `END_${n}`;
  return word;
}

function fieldLine(name: string, value: string): string {
  if (!needsBlock(value)) return value === '' ? `${name}:` : `${name}: ${value}`;
  const end = terminator(value);
  return `${name}: <<${end}\n${value}\n${end}`;
}

/** The document for `credential`, in the vault of `agent`. */
export function renderDocument(credential: Credential, agent: string): string {
  const spec = typeSpec(credential.type);
  const fieldNames = spec.fields.map((f) => f.name).join(', ');
  const lines = [
    `# credential edit: ${credential.key} (${credential.type}) in the vault of ${agent}`,
    '#',
    '# Change the values below, then save and quit the editor to apply them; quit',
    '# without saving, or empty the file, to change nothing.',
    '#',
    '# One "field: value" per line, the value trimmed. An empty value removes the',
    '# field. A value of several lines, or with blanks at either end, is a block:',
    '# "notes: <<END", then the value\'s lines exactly as they are, then a line END',
    '# (any word of letters, digits and _ will do, if no line of the value is that word).',
    '# "tag:"' + (spec.uris ? ' and "uri:" lines repeat, one per tag or URI.' : ' lines repeat, one per tag.'),
    `# The fields of a ${credential.type}: ${fieldNames}. The type cannot be changed here.`,
    '# Lines that start with # are comments.',
    fieldLine(KEY, credential.key),
    fieldLine(NAME, credential.name),
    ...(credential.tags.length > 0 ? credential.tags : ['']).map((tag) => fieldLine(TAG, tag)),
    ...(spec.uris ? (credential.uris.length > 0 ? credential.uris : ['']).map((uri) => fieldLine(URI, uri)) : []),
    ...spec.fields.map((field) => fieldLine(field.name, credential.fields[field.name] ?? '')),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a document back for a credential of `type`. `undefined` when it holds nothing but
 * comments and blank lines (the edit is abandoned). A usage error names the line of the
 * first problem.
 */
export function parseDocument(text: string, type: CredentialType): EditedCredential | undefined {
  const spec = typeSpec(type);
  const fieldNames = new Set<string>(spec.fields.map((f) => f.name));
  const lines = text.split('\n');
  const seen = new Map<string, number>();
  const edited: EditedCredential = { key: '', name: '', tags: [], uris: [], fields: {} };
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = LINE.exec(trimmed);
    if (!match) throw new UsageError(`line ${number} of the document is not "field: value"`, 'write each field as "name: value", or start a comment with #');
    const name = match[1]!;
    let value = match[2]!.trim();
    const block = BLOCK_START.exec(value);
    if (block) {
      const end = block[1]!;
      const close = lines.findIndex((l, j) => j > i && l.replace(/\r$/, '') === end);
      if (close < 0) throw new UsageError(`the block of ${name} on line ${number} has no closing line ${end}`, `end the value with a line that is exactly ${end}`);
      value = lines.slice(i + 1, close).join('\n');
      i = close;
    }
    any = true;
    if (name === TYPE) throw new UsageError(`line ${number}: the type cannot be changed by credential edit`, `add a new credential of the other type and delete this one`);
    if (name === TAG) {
      if (value !== '') edited.tags.push(value);
      continue;
    }
    if (name === URI) {
      if (!spec.uris) throw new UsageError(`line ${number}: a ${type} has no URIs`);
      if (value !== '') edited.uris.push(value);
      continue;
    }
    if (name !== KEY && name !== NAME && !fieldNames.has(name)) {
      throw new UsageError(`line ${number}: a ${type} has no field ${name}`, `its fields are ${[...fieldNames].join(', ')}, with key, name, tag${spec.uris ? ' and uri' : ''}`);
    }
    const before = seen.get(name);
    if (before !== undefined) throw new UsageError(`line ${number}: ${name} is given twice (first on line ${before})`);
    seen.set(name, number);
    if (name === KEY) edited.key = value;
    else if (name === NAME) edited.name = value;
    else if (value !== '') edited.fields[name] = name === TOTP_FIELD ? totpOnLine(value, number) : value;
  }
  if (!any) return undefined;
  if (edited.key === '') throw new UsageError('the document has no key line', 'keep the line "key: KEY"; it renames the credential when changed');
  checkCredentialKey(edited.key);
  return edited;
}

/** The TOTP secret as stored, or an error naming the line (never the secret). */
function totpOnLine(value: string, line: number): string {
  try {
    return normaliseTotpSecret(value);
  } catch {
    throw new UsageError(`line ${line}: the totp is neither an otpauth://totp/ URI nor a base32 key`);
  }
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The change from `original` to `edited`, as `changeCredential` takes it (a removed field
 * as ""), or `undefined` when the document says what the credential already is.
 */
export function editChanges(original: Credential, edited: EditedCredential): (CredentialInput & { rename?: string }) | undefined {
  const spec = typeSpec(original.type);
  const change: CredentialInput & { rename?: string } = {};
  if (edited.key !== original.key) change.rename = edited.key;
  if (edited.name !== original.name) change.name = edited.name;
  if (!sameList([...new Set(edited.tags)], original.tags)) change.tags = edited.tags;
  if (spec.uris && !sameList(edited.uris, original.uris)) change.uris = edited.uris;
  const fields: Record<string, string> = {};
  for (const { name } of spec.fields) {
    const now = edited.fields[name] ?? '';
    if (now !== (original.fields[name] ?? '')) fields[name] = now;
  }
  if (Object.keys(fields).length > 0) change.fields = fields;
  return Object.keys(change).length > 0 ? change : undefined;
}
