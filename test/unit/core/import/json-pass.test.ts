/**
 * agent-vault's own export read back strictly, and password-store entries as gpg
 * decrypts them.
 */
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../../../src/core/credential.js';
import { encodeJsonExport, parseJsonExport } from '../../../../src/core/import/json.js';
import { parsePassEntries } from '../../../../src/core/import/pass.js';

const credential = (over: Partial<Credential>): Credential => ({
  id: '0123456789abcdef',
  key: 'K',
  type: 'api_key',
  name: '',
  tags: [],
  uris: [],
  fields: { value: 'v' },
  created: '2025-01-01T00:00:00.000Z',
  updated: '2025-01-02T00:00:00.000Z',
  ...over,
});

describe('the json export', () => {
  it('reads back what it writes, times and keys kept, ids not exported', () => {
    const text = encodeJsonExport('bot', [credential({ key: 'A', tags: ['t'] }), credential({ key: 'L', type: 'login', uris: ['https://x.example'], fields: { password: 'p' } })], '2025-02-01T00:00:00.000Z');
    expect(text).not.toContain('0123456789abcdef');
    expect(parseJsonExport(text).entries).toEqual([
      { source: 'entry 1 (A)', name: '', key: 'A', type: 'api_key', fields: { value: 'v' }, uris: [], tags: ['t'], created: '2025-01-01T00:00:00.000Z', updated: '2025-01-02T00:00:00.000Z' },
      { source: 'entry 2 (L)', name: '', key: 'L', type: 'login', fields: { password: 'p' }, uris: ['https://x.example'], tags: [], created: '2025-01-01T00:00:00.000Z', updated: '2025-01-02T00:00:00.000Z' },
    ]);
  });

  const doc = (credentials: unknown[], over: Record<string, unknown> = {}): string => JSON.stringify({ format: 'agent-vault-export', version: 1, agent: 'a', exported: 'x', credentials, ...over });
  const good = { key: 'A', type: 'api_key', name: '', tags: [], fields: { value: 'v' }, created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z' };

  it.each([
    ['not JSON', '{', 'json: the file: is not JSON'],
    ['another document', JSON.stringify({ items: [] }), 'json: the file: is not an agent-vault export'],
    ['another version', doc([], { version: 2 }), 'json: the file: is export version 2'],
    ['a key given twice', doc([good, good]), 'json: entry 2 (A): repeats the key A'],
    ['an invalid key', doc([{ ...good, key: 'lower' }]), 'json: entry 1: has no valid key'],
    ['an unknown type', doc([{ ...good, type: 'passkey' }]), 'json: entry 1 (A): has an unknown type'],
    ['a field that is not text', doc([{ ...good, fields: { value: 7 } }]), 'json: entry 1 (A): has fields that are not text'],
    ['an unknown property', doc([{ ...good, id: 'x' }]), 'json: entry 1 (A): has unknown properties id'],
    ['a time that is not ISO', doc([{ ...good, created: 'yesterday' }]), 'json: entry 1 (A): has no valid created time'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseJsonExport(text)).toThrow(message);
  });
});

describe('parsePassEntries', () => {
  it('takes the first line as the secret and maps the fields pass users write', () => {
    const { entries } = parsePassEntries([
      { path: 'web/example.com', text: 'hunter2\nlogin: ada\nURL: https://example.com\nwebsite: https://www.example.com\nsecurity question: first pet\n\nfree text\n' },
      { path: 'totp-only', text: '\notpauth://totp/Ex:ada?secret=JBSWY3DPEHPK3PXP\n' },
      { path: 'token', text: 'tok-123' },
      { path: 'crlf', text: 'pw\r\nuser: bob\r\n' },
    ]);
    expect(entries).toEqual([
      { source: 'web/example.com.gpg', name: 'web/example.com', type: 'login', fields: { password: 'hunter2', username: 'ada' }, uris: ['https://example.com', 'https://www.example.com'], tags: [], notes: 'security question: first pet\n\nfree text' },
      { source: 'totp-only.gpg', name: 'totp-only', type: 'login', fields: { totp: 'otpauth://totp/Ex:ada?secret=JBSWY3DPEHPK3PXP' }, uris: [], tags: [] },
      { source: 'token.gpg', name: 'token', type: 'api_key', fields: { value: 'tok-123' }, uris: [], tags: [] },
      { source: 'crlf.gpg', name: 'crlf', type: 'login', fields: { password: 'pw', username: 'bob' }, uris: [], tags: [] },
    ]);
  });

  it('warns about an empty entry and imports nothing of it', () => {
    expect(parsePassEntries([{ path: 'empty', text: '\n' }])).toEqual({ entries: [], warnings: [{ source: 'empty.gpg', message: 'empty: nothing to import' }] });
  });
});
