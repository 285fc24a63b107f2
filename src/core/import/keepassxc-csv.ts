/**
 * KeePassXC's CSV export (Database → Export → CSV, or `keepassxc-cli export --format
 * csv`): every cell quoted, the header `"Group","Title","Username","Password","URL",
 * "Notes"`, since 2.6.3 followed by `"TOTP","Icon","Last Modified","Created"`. `Group`
 * is the path from the root group, whose own name (`Root`, or whatever the database was
 * created with) is dropped; the rest becomes a tag. `TOTP` is always an otpauth:// URI.
 */
import { parseCsv } from './csv.js';
import { itemEntry, malformed, type ImportEntry, type ImportWarning, type ParsedImport } from './entry.js';

const REQUIRED = ['group', 'title', 'username', 'password', 'url', 'notes'];
const OPTIONAL = ['totp', 'icon', 'last modified', 'created'];

/** The group path without the root group's name: `Root/Work/Servers` gives `Work/Servers`. */
export function groupTag(path: string): string {
  return path.split('/').slice(1).join('/').trim();
}

export function parseKeepassxcCsv(text: string): ParsedImport {
  const { header, rows } = parseCsv('keepassxc-csv', text);
  const missing = REQUIRED.filter((name) => !header.includes(name));
  const unknown = header.filter((name) => !REQUIRED.includes(name) && !OPTIONAL.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw malformed('keepassxc-csv', 'line 1', `the header is not KeePassXC's (${missing.length > 0 ? `no ${missing.join(', ')}` : `unknown ${unknown.join(', ')}`})`,
      'export with KeePassXC: Database, Export, CSV file; for a 1Password CSV use the format 1password-csv');
  }
  const warnings: ImportWarning[] = [];
  const entries: ImportEntry[] = [];
  for (const { line, cells } of rows) {
    const cell = (name: string): string => cells.get(name) ?? '';
    const title = cell('title');
    const tag = groupTag(cell('group'));
    const entry = itemEntry(
      {
        source: `line ${line}${title === '' ? '' : ` (${title})`}`,
        title,
        username: cell('username'),
        password: cell('password'),
        uris: [cell('url')],
        totp: cell('totp'),
        notes: cell('notes'),
        tags: tag === '' ? [] : [tag],
      },
      warnings,
    );
    if (entry) entries.push(entry);
  }
  return { entries, warnings };
}
