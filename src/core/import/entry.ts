/**
 * What every import parser produces, and the one rule that turns another manager's item
 * into agent-vault credentials: the type is chosen by what the item holds, and nothing it
 * holds is dropped (notes and extra fields a type has no place for go to a companion
 * secure note). Pure: text or bytes in, entries out.
 *
 * Messages name where in the input something is (`line 4`, `entry 3 (GitHub)`), never
 * a value from it.
 */
import type { CredentialType } from '../credential-types.js';
import { isCredentialKey, MAX_KEY_LENGTH } from '../ids.js';

/** The formats `import` reads; `json` is agent-vault's own `export` output. */
export const IMPORT_FORMATS = ['dotenv', 'json', 'bitwarden-json', 'keepassxc-csv', 'kdbx', '1password-csv', 'otpauth', 'pass'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One credential to import, not yet given its final key. */
export interface ImportEntry {
  /** Where it is in the input, for the plan and for messages: `line 3`, `entry 2 (GitHub)`. */
  source: string;
  /** The display name, and what the key is derived from unless `key` is given. */
  name: string;
  /** The exact key, for inputs whose names already are keys (agent-vault's own export). */
  key?: string;
  type: CredentialType;
  fields: Record<string, string>;
  uris: string[];
  tags: string[];
  /** Text the type has no field for: imported as a secure note `<KEY>_NOTES` beside it. */
  notes?: string;
  /** Kept times, for agent-vault's own export only. */
  created?: string;
  updated?: string;
}

/** Something the import could not carry over as it was, said in the plan. */
export interface ImportWarning {
  source: string;
  message: string;
}

/** A parsed input: the entries in input order, and what was left out or changed. */
export interface ParsedImport {
  entries: ImportEntry[];
  warnings: ImportWarning[];
}

/**
 * Why an input cannot be imported: `malformed` (exit 2) or, for a kdbx file, a wrong
 * password (`auth`, exit 4). It is not a `VaultError`: the CLI bundle keeps the parsers
 * in a file of their own, with their own copy of every class, so `app/import.ts` maps it
 * to one by its `importInput` mark rather than by class.
 */
export class ImportInputError extends Error {
  readonly importInput = true;

  constructor(
    message: string,
    readonly hint: string,
    readonly kind: 'malformed' | 'auth' = 'malformed',
  ) {
    super(message);
    this.name = 'ImportInputError';
  }
}

/** Whether `err` is an {@link ImportInputError}, from whichever copy of this module. */
export function isImportInputError(err: unknown): err is ImportInputError {
  return typeof err === 'object' && err !== null && (err as { importInput?: unknown }).importInput === true;
}

/** The error for an input that cannot be read: it names the format and the place, never a value. */
export function malformed(format: ImportFormat, where: string, problem: string, hint?: string): ImportInputError {
  return new ImportInputError(`${format}: ${where}: ${problem}; nothing was imported`, hint ?? 'fix the file, or export it again from the manager it came from');
}

/** Room left at the end of a derived key for `_NOTES` and a `_<n>` suffix. */
const SUFFIX_ROOM = 16;

/**
 * An UPPER_SNAKE_CASE key from a name: a name that is a key already stays as it is;
 * otherwise accents are dropped, every run of other characters becomes one `_`, an
 * `ITEM_` prefix goes where it would start with a digit, and `ITEM` stands for a name of
 * which nothing is left (a title in another script).
 */
export function keyFromName(name: string): string {
  if (isCredentialKey(name)) return name;
  const ascii = name.normalize('NFKD').replace(/\p{M}+/gu, '');
  const words = ascii.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  if (words === '') return 'ITEM';
  const key = /^[A-Z]/.test(words) ? words : `ITEM_${words}`;
  return key.slice(0, MAX_KEY_LENGTH - SUFFIX_ROOM).replace(/_+$/, '');
}

/** An item as another manager keeps it, before its type is chosen. Empty strings count as absent. */
export interface RawItem {
  source: string;
  title: string;
  username?: string;
  password?: string;
  uris?: string[];
  /** A base32 key or an otpauth:// URI. */
  totp?: string;
  notes?: string;
  /** Custom fields, as label and value, kept in the companion note. */
  extras?: Array<[string, string]>;
  tags?: string[];
}

/** Custom fields and notes as one text: the notes, then one `label: value` line per field. */
export function notesText(notes: string | undefined, extras: ReadonlyArray<[string, string]> = []): string | undefined {
  const lines = extras.filter(([, value]) => value !== '').map(([label, value]) => `${label}: ${value}`);
  const parts = [notes ?? '', lines.join('\n')].filter((part) => part !== '');
  return parts.length === 0 ? undefined : parts.join('\n\n');
}

/**
 * Whether a one-time-password value is one agent-vault generates codes for: a base32 key
 * or an `otpauth://totp/` URI without Steam's `encoder` or MD5. Others (HOTP,
 * `steam://`) are kept as text in the companion note, so the secret is not lost, with a
 * warning.
 */
export function isSupportedTotp(value: string): boolean {
  const text = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return true;
  return /^otpauth:\/\/totp\//i.test(text) && !/[?&](?:encoder=|algorithm=md5\b)/i.test(text);
}

/**
 * The credential an item becomes, by what it holds: a login if it has a username, a URI
 * or a TOTP secret; an `api_key` if it has only a password; a `secure_note` if it has
 * only text. An empty item becomes nothing and a warning.
 */
export function itemEntry(item: RawItem, warnings: ImportWarning[]): ImportEntry | undefined {
  const present = (value: string | undefined): value is string => value !== undefined && value !== '';
  const uris = (item.uris ?? []).map((uri) => uri.trim()).filter((uri) => uri !== '');
  const extras = [...(item.extras ?? [])];
  let totp = present(item.totp) ? item.totp : undefined;
  if (totp !== undefined && !isSupportedTotp(totp)) {
    warnings.push({ source: item.source, message: 'its one-time password is not a TOTP agent-vault can generate (HOTP, Steam or MD5): kept in its notes' });
    extras.push(['otp', totp]);
    totp = undefined;
  }
  const base = { source: item.source, name: item.title, tags: [...new Set((item.tags ?? []).filter((tag) => tag !== ''))] };
  const notes = notesText(item.notes, extras);
  if (present(item.username) || uris.length > 0 || totp !== undefined) {
    const fields: Record<string, string> = {};
    if (present(item.password)) fields.password = item.password;
    if (totp !== undefined) fields.totp = totp;
    if (present(item.username)) fields.username = item.username;
    return { ...base, type: 'login', fields, uris, ...(notes === undefined ? {} : { notes }) };
  }
  if (present(item.password)) return { ...base, type: 'api_key', fields: { value: item.password }, uris: [], ...(notes === undefined ? {} : { notes }) };
  if (notes !== undefined) return { ...base, type: 'secure_note', fields: { notes }, uris: [] };
  warnings.push({ source: item.source, message: 'empty: nothing to import' });
  return undefined;
}
