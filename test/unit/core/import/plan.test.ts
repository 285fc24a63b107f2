/**
 * How imported items become credentials: keys from names, the type from the content,
 * companions for notes, numbering within one input, and each conflict policy against
 * the keys a vault already has.
 */
import { describe, expect, it } from 'vitest';
import { itemEntry, keyFromName, type ImportEntry, type ImportWarning } from '../../../../src/core/import/entry.js';
import { applyImport, clashError } from '../../../../src/core/import/plan.js';
import { addCredential, emptyPayload, findCredential, type VaultPayload } from '../../../../src/core/vault.js';

const NOW = '2025-01-01T00:00:00.000Z';

function vault(...keys: string[]): VaultPayload {
  const payload = emptyPayload('bot', 'private', 'signing', 'audit');
  for (const key of keys) addCredential(payload, key, 'api_key', { fields: { value: `old ${key}` } }, '2024-01-01T00:00:00.000Z');
  return payload;
}

const apiKey = (name: string, value: string, source = 'line 1'): ImportEntry => ({ source, name, type: 'api_key', fields: { value }, uris: [], tags: [] });

describe('keyFromName', () => {
  it.each([
    ['GitHub', 'GITHUB'],
    ['OpenAI API key', 'OPENAI_API_KEY'],
    ['Wi-Fi (home)', 'WI_FI_HOME'],
    ['  spaced  out  ', 'SPACED_OUT'],
    ['Café Zürich', 'CAFE_ZURICH'],
    ['1Password', 'ITEM_1PASSWORD'],
    ['work/github.com', 'WORK_GITHUB_COM'],
    ['database.url', 'DATABASE_URL'],
    ['ALREADY_A_KEY', 'ALREADY_A_KEY'],
    ['日本語', 'ITEM'],
    ['', 'ITEM'],
  ])('%j gives %s', (name, key) => {
    expect(keyFromName(name)).toBe(key);
  });

  it('leaves room for suffixes on a very long name', () => {
    const key = keyFromName('word '.repeat(60));
    expect(key.length).toBeLessThanOrEqual(112);
    expect(key).toMatch(/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
  });
});

describe('itemEntry chooses the type by content', () => {
  const pick = (item: Parameters<typeof itemEntry>[0]): { entry: ImportEntry | undefined; warnings: ImportWarning[] } => {
    const warnings: ImportWarning[] = [];
    return { entry: itemEntry(item, warnings), warnings };
  };

  it('a username, URI or TOTP makes a login; its notes go to a companion', () => {
    expect(pick({ source: 's', title: 'A', username: 'u', password: 'p', notes: 'n' }).entry).toMatchObject({ type: 'login', fields: { username: 'u', password: 'p' }, notes: 'n' });
    expect(pick({ source: 's', title: 'A', uris: ['https://a.example'], password: 'p' }).entry).toMatchObject({ type: 'login', uris: ['https://a.example'] });
    expect(pick({ source: 's', title: 'A', totp: 'JBSWY3DPEHPK3PXP' }).entry).toMatchObject({ type: 'login', fields: { totp: 'JBSWY3DPEHPK3PXP' } });
  });

  it('a password alone makes an api_key, text alone a secure_note, nothing at all a warning', () => {
    expect(pick({ source: 's', title: 'A', password: 'p' }).entry).toMatchObject({ type: 'api_key', fields: { value: 'p' } });
    expect(pick({ source: 's', title: 'A', notes: 'n', extras: [['k', 'v']] }).entry).toMatchObject({ type: 'secure_note', fields: { notes: 'n\n\nk: v' } });
    const empty = pick({ source: 'line 9', title: '', username: '', password: '', uris: [''] });
    expect(empty.entry).toBeUndefined();
    expect(empty.warnings).toEqual([{ source: 'line 9', message: 'empty: nothing to import' }]);
  });

  it('keeps a TOTP it cannot generate (HOTP, Steam) in the notes, with a warning', () => {
    for (const otp of ['otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1', 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&encoder=steam', 'steam://JBSWY3DPEHPK3PXP']) {
      const { entry, warnings } = pick({ source: 's', title: 'A', username: 'u', totp: otp });
      expect(entry?.fields.totp).toBeUndefined();
      expect(entry?.notes).toBe(`otp: ${otp}`);
      expect(warnings).toHaveLength(1);
    }
  });
});

describe('applyImport', () => {
  it('adds each entry under its derived key, numbering repeats within the input and pairing companions', () => {
    const payload = vault();
    const entries: ImportEntry[] = [
      { ...apiKey('Google', 'one', 'entry 1'), notes: 'first notes' },
      { ...apiKey('Google', 'two', 'entry 2'), notes: 'second notes' },
    ];
    const rows = applyImport(payload, entries, 'refuse', NOW);
    expect(rows.map((r) => [r.key, r.type, r.action, r.source])).toEqual([
      ['GOOGLE', 'api_key', 'add', 'entry 1'],
      ['GOOGLE_NOTES', 'secure_note', 'add', 'entry 1, notes'],
      ['GOOGLE_2', 'api_key', 'add', 'entry 2'],
      ['GOOGLE_2_NOTES', 'secure_note', 'add', 'entry 2, notes'],
    ]);
    expect(findCredential(payload, 'GOOGLE_2')?.fields.value).toBe('two');
    expect(findCredential(payload, 'GOOGLE_2_NOTES')).toMatchObject({ name: 'Google (notes)', fields: { notes: 'second notes' } });
  });

  it('refuses by default: clashes are reported and the payload is left as it was', () => {
    const payload = vault('GITHUB');
    const before = structuredClone(payload);
    const rows = applyImport(payload, [apiKey('GitHub', 'new'), apiKey('Other', 'x', 'line 2')], 'refuse', NOW);
    expect(rows.map((r) => r.action)).toEqual(['clash', 'add']);
    expect(payload).toEqual(before);
    expect(clashError(rows, 'bot')?.message).toBe('1 imported key(s) already exist in the vault of bot: GITHUB (line 1); nothing was imported');
    expect(clashError([{ key: 'A', type: 'api_key', action: 'add', source: 'line 1' }], 'bot')).toBeUndefined();
  });

  it('skip keeps the vault\'s credential; rename adds under the first free KEY_n', () => {
    const skipped = vault('GITHUB');
    expect(applyImport(skipped, [apiKey('GitHub', 'new')], 'skip', NOW).map((r) => r.action)).toEqual(['skip']);
    expect(findCredential(skipped, 'GITHUB')?.fields.value).toBe('old GITHUB');

    const renamed = vault('GITHUB', 'GITHUB_2');
    const rows = applyImport(renamed, [apiKey('GitHub', 'new'), apiKey('GitHub 3', 'three', 'line 2')], 'rename', NOW);
    expect(rows.map((r) => [r.key, r.action, r.from])).toEqual([['GITHUB_4', 'rename', 'GITHUB'], ['GITHUB_3', 'add', undefined]]);
    expect(findCredential(renamed, 'GITHUB')?.fields.value).toBe('old GITHUB');
    expect(findCredential(renamed, 'GITHUB_4')?.fields.value).toBe('new');
  });

  it('overwrite keeps the id of a credential of the same type, and replaces one of another type', () => {
    const payload = vault('GITHUB', 'NOTE');
    const ids = payload.credentials.map((c) => c.id);
    const login: ImportEntry = { source: 'line 2', name: 'Note', type: 'login', fields: { username: 'u' }, uris: ['https://x.example'], tags: ['t'] };
    applyImport(payload, [apiKey('GitHub', 'new'), login], 'overwrite', NOW);
    expect(findCredential(payload, 'GITHUB')).toMatchObject({ id: ids[0], name: 'GitHub', fields: { value: 'new' }, updated: NOW });
    const replaced = findCredential(payload, 'NOTE')!;
    expect(replaced).toMatchObject({ type: 'login', fields: { username: 'u' }, uris: ['https://x.example'], tags: ['t'] });
    expect(replaced.id).not.toBe(ids[1]);
  });

  it('normalises a TOTP secret as credential add does, and names the entry of one it refuses', () => {
    const payload = vault();
    applyImport(payload, [{ source: 'line 1', name: 'A', type: 'login', fields: { totp: 'jbsw y3dp ehpk 3pxp' }, uris: [], tags: [] }], 'refuse', NOW);
    expect(findCredential(payload, 'A')?.fields.totp).toBe('otpauth://totp/?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30');
    const bad: ImportEntry = { source: 'entry 7 (Bank)', name: 'Bank', type: 'login', fields: { totp: 'not base32!' }, uris: [], tags: [] };
    expect(() => applyImport(vault(), [bad], 'refuse', NOW)).toThrow(/^entry 7 \(Bank\): invalid TOTP secret: the key is not base32/);
  });

  it('keeps the times of an entry that carries them (agent-vault\'s own export)', () => {
    const payload = vault();
    applyImport(payload, [{ ...apiKey('X', 'v'), key: 'X', created: '2020-01-01T00:00:00.000Z', updated: '2021-01-01T00:00:00.000Z' }], 'refuse', NOW);
    expect(findCredential(payload, 'X')).toMatchObject({ created: '2020-01-01T00:00:00.000Z', updated: '2021-01-01T00:00:00.000Z' });
  });
});
