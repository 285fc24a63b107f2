/**
 * A password-store (`pass`) directory, as its files read once gpg has decrypted them:
 * the first line is the secret; later lines `login:`, `username:`, `user:` or `email:`
 * give the username, `url:`, `uri:` or `website:` a URI, and an `otpauth://` line (as
 * `pass otp` writes it) the TOTP secret; every other line is kept in the notes. The
 * entry's path without `.gpg` (`work/github`) is its name, so its key is `WORK_GITHUB`.
 */
import { itemEntry, type ImportEntry, type ImportWarning, type ParsedImport } from './entry.js';

/** One decrypted entry: its path inside the store, `/`-separated, without `.gpg`. */
export interface PassFile {
  path: string;
  text: string;
}

const USERNAME = new Set(['login', 'username', 'user', 'email']);
const URI = new Set(['url', 'uri', 'website']);

export function parsePassEntries(files: readonly PassFile[]): ParsedImport {
  const warnings: ImportWarning[] = [];
  const entries: ImportEntry[] = [];
  for (const { path, text } of files) {
    const [password = '', ...rest] = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
    let username: string | undefined;
    let totp: string | undefined;
    const uris: string[] = [];
    const notes: string[] = [];
    for (const line of rest) {
      const field = /^([A-Za-z][\w -]*):\s*(.*)$/.exec(line);
      const name = field?.[1]!.trim().toLowerCase();
      if (totp === undefined && /^otpauth:\/\//i.test(line.trim())) totp = line.trim();
      else if (field && name !== undefined && USERNAME.has(name) && username === undefined) username = field[2]!.trim();
      else if (field && name !== undefined && URI.has(name)) uris.push(field[2]!.trim());
      else notes.push(line);
    }
    const noteText = notes.join('\n').trim();
    const entry = itemEntry(
      { source: `${path}.gpg`, title: path, password, ...(username === undefined ? {} : { username }), ...(totp === undefined ? {} : { totp }), uris, ...(noteText === '' ? {} : { notes: noteText }), tags: [] },
      warnings,
    );
    if (entry) entries.push(entry);
  }
  return { entries, warnings };
}
