/**
 * 1Password's CSV export (1Password 8: File → Export → CSV), header
 * `Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes`. Columns are found
 * by name, case-insensitively, with the names older exports and 1Password 7's column
 * picker used (`website`, `notesPlain`, `one-time password`…); any other column is kept
 * in the item's notes. Tags are separated by commas; an archived item gets the tag
 * `archived`.
 */
import { parseCsv } from './csv.js';
import { itemEntry, malformed, type ImportEntry, type ImportWarning, type ParsedImport } from './entry.js';

const COLUMNS = {
  title: ['title', 'name'],
  url: ['url', 'urls', 'website', 'login url', 'login_uri'],
  username: ['username', 'user name', 'login_username'],
  password: ['password', 'login_password'],
  otp: ['otpauth', 'one-time password', 'otp', 'totp', 'login_totp'],
  notes: ['notes', 'notesplain'],
  tags: ['tags'],
  archived: ['archived'],
  ignored: ['favorite', 'type', 'category'],
} as const;

export function parseOnePasswordCsv(text: string): ParsedImport {
  const { header, rows } = parseCsv('1password-csv', text);
  const column = (role: keyof typeof COLUMNS): string | undefined => header.find((name) => (COLUMNS[role] as readonly string[]).includes(name));
  const title = column('title');
  const password = column('password');
  if (title === undefined || password === undefined) {
    throw malformed('1password-csv', 'line 1', `the header has no ${title === undefined ? 'Title' : 'Password'} column`, 'export with 1Password 8: File, Export, CSV');
  }
  const known = new Set((Object.keys(COLUMNS) as Array<keyof typeof COLUMNS>).flatMap((role) => (role === 'ignored' ? [...COLUMNS.ignored] : [column(role)])));
  const extraColumns = header.filter((name) => !known.has(name));
  const warnings: ImportWarning[] = [];
  const entries: ImportEntry[] = [];
  for (const { line, cells } of rows) {
    const cell = (name: string | undefined): string => (name === undefined ? '' : (cells.get(name) ?? ''));
    const itemTitle = cell(title);
    const tags = cell(column('tags')).split(/[,;]/).map((tag) => tag.trim());
    if (/^true$/i.test(cell(column('archived')).trim())) tags.push('archived');
    const entry = itemEntry(
      {
        source: `line ${line}${itemTitle === '' ? '' : ` (${itemTitle})`}`,
        title: itemTitle,
        username: cell(column('username')),
        password: cell(password),
        uris: cell(column('url')).split('\n'),
        totp: cell(column('otp')),
        notes: cell(column('notes')),
        extras: extraColumns.map((name) => [name, cell(name)]),
        tags,
      },
      warnings,
    );
    if (entry) entries.push(entry);
  }
  return { entries, warnings };
}
