/**
 * The CSV exports of KeePassXC and 1Password (fixtures written from KeePassXC's
 * CsvExporter and 1Password 8's documented columns): every cell mapped, quoting and
 * multi-line cells as csv-parse reads them, and each malformed file named by its line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKeepassxcCsv } from '../../../../src/core/import/keepassxc-csv.js';
import { parseOnePasswordCsv } from '../../../../src/core/import/onepassword-csv.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/import/${name}`, import.meta.url), 'utf8');

describe('parseKeepassxcCsv', () => {
  it('reads a KeePassXC 2.7 export: groups below the root as tags, TOTP URIs, quotes, multi-line notes and non-ASCII', () => {
    const { entries, warnings } = parseKeepassxcCsv(fixture('keepassxc.csv'));
    expect(entries.map((e) => [e.source, e.type, e.tags])).toEqual([
      ['line 2 (Router Admin)', 'login', []],
      ['line 3 (GitHub)', 'login', ['Work']],
      ['line 6 (db-primary)', 'login', ['Work/Servers']],
      ['line 7 (Broker)', 'login', ['Finance']],
      ['line 8 (Steam)', 'login', ['Games']],
      ['line 9 (WLAN Codes)', 'secure_note', []],
      ['line 11 (Kontoauszug)', 'login', ['Finance']],
    ]);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('GitHub')).toMatchObject({
      fields: { username: 'octo-bot', password: 'gh-pa"ss,word', totp: 'otpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=GitHub' },
      uris: ['https://github.com'],
      notes: 'first line of a note\nsecond line',
    });
    expect(byName.get('Router Admin')).toMatchObject({ fields: { username: 'admin', password: 'r0uter-pass' }, uris: ['192.168.1.1'] });
    expect(byName.get('WLAN Codes')?.fields).toEqual({ notes: 'guest: 1234-5678\noffice: 8765-4321' });
    expect(byName.get('Kontoauszug')).toMatchObject({ fields: { username: 'jürgen', password: 'pässwörd-ß' }, notes: 'Überweisungslimit 500 €' });
    // Steam's codes cannot be made here: the URI is kept in the notes, and said so.
    expect(byName.get('Steam')?.fields.totp).toBeUndefined();
    expect(byName.get('Steam')?.notes).toMatch(/^otp: otpauth:\/\/totp\/Steam:gamer\?.*encoder=steam$/);
    expect(warnings).toEqual([
      { source: 'line 5', message: 'empty: nothing to import' },
      { source: 'line 8 (Steam)', message: 'its one-time password is not a TOTP agent-vault can generate (HOTP, Steam or MD5): kept in its notes' },
    ]);
  });

  it('reads the six-column export of KeePassXC before 2.6.3', () => {
    const { entries } = parseKeepassxcCsv(fixture('keepassxc-2.6.csv'));
    expect(entries.map((e) => [e.name, e.type, e.tags, e.notes])).toEqual([
      ['Router Admin', 'login', [], undefined],
      ['GitHub', 'login', ['Work'], 'a note'],
    ]);
  });

  it.each([
    ['a 1Password header', 'Title,Url,Username,Password\n', 'keepassxc-csv: line 1: the header is not KeePassXC\'s (no group, notes)'],
    ['an extra column', '"Group","Title","Username","Password","URL","Notes","Colour"\n', 'keepassxc-csv: line 1: the header is not KeePassXC\'s (unknown colour)'],
    ['a record with a missing field', '"Group","Title","Username","Password","URL","Notes"\n"Root","A","u","p","",""\n"Root","B","u","p"\n', 'keepassxc-csv: line 3: has a different number of fields than the header'],
    ['a quote never closed', '"Group","Title","Username","Password","URL","Notes"\n"Root","A","u","secret-pass,"",""\n', 'keepassxc-csv: line 2: opens a quote that is never closed'],
    ['text after a closing quote', '"Group","Title","Username","Password","URL","Notes"\n"Root","A","u","pass"word","",""\n', 'keepassxc-csv: line 2: has text after a closing quote'],
    ['an empty file', '', 'keepassxc-csv: line 1: there is no header line'],
  ])('refuses %s, naming the line and never a value', (_what, text, message) => {
    expect(() => parseKeepassxcCsv(text)).toThrow(message);
    expect(() => parseKeepassxcCsv(text)).toThrow(expect.objectContaining({ message: expect.not.stringMatching(/secret-pass|word/) }));
  });
});

describe('parseOnePasswordCsv', () => {
  it('reads a 1Password 8 export: TOTP, tags, archived items and multi-line notes', () => {
    const { entries, warnings } = parseOnePasswordCsv(fixture('1password.csv'));
    expect(warnings).toEqual([]);
    expect(entries).toEqual([
      {
        source: 'line 2 (GitHub)',
        name: 'GitHub',
        type: 'login',
        fields: { username: 'octo-bot', password: 'gh-1p-secret', totp: 'otpauth://totp/GitHub:octo-bot?secret=JBSWY3DPEHPK3PXP&issuer=GitHub' },
        uris: ['https://github.com/'],
        tags: ['work', 'dev'],
      },
      {
        source: 'line 3 (AWS root)',
        name: 'AWS root',
        type: 'login',
        fields: { username: 'root@example.com', password: 'aws,"quoted"pass' },
        uris: ['https://console.aws.amazon.com/'],
        tags: ['work'],
        notes: 'root account\nkeep offline',
      },
      { source: 'line 5 (Stripe secret key)', name: 'Stripe secret key', type: 'api_key', fields: { value: 'sk_live_51Example' }, uris: [], tags: [] },
      { source: 'line 6 (Old forum)', name: 'Old forum', type: 'login', fields: { username: 'ada', password: 'forum-pass' }, uris: ['https://forum.example.org/'], tags: ['archived'] },
      { source: 'line 7 (Recovery codes)', name: 'Recovery codes', type: 'secure_note', fields: { notes: '1111-2222\n3333-4444' }, uris: [], tags: [] },
    ]);
  });

  it('finds columns by name in any order and keeps unknown ones in the notes', () => {
    const { entries } = parseOnePasswordCsv('notesPlain,password,title,website,section: pin\nhello,pw,Bank,https://bank.example,4321\n');
    expect(entries).toEqual([{ source: 'line 2 (Bank)', name: 'Bank', type: 'login', fields: { password: 'pw' }, uris: ['https://bank.example'], tags: [], notes: 'hello\n\nsection: pin: 4321' }]);
  });

  it.each([
    ['a header without Title', 'Name2,Password\nx,y\n', '1password-csv: line 1: the header has no Title column'],
    ['a header without Password', 'Title,Username\nx,y\n', '1password-csv: line 1: the header has no Password column'],
    ['a record with an extra field', 'Title,Password\nA,p\nB,p,extra-secret\n', '1password-csv: line 3: has a different number of fields than the header'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseOnePasswordCsv(text)).toThrow(message);
    expect(() => parseOnePasswordCsv(text)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('extra-secret') }));
  });
});
