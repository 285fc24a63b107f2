import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../../src/core/credential.js';
import { CREDENTIAL_TYPE_SPECS } from '../../../src/core/credential-types.js';
import { editChanges, parseDocument, renderDocument } from '../../../src/core/edit-document.js';

const base = (over: Partial<Credential>): Credential => ({
  id: '0123456789abcdef',
  key: 'GITHUB',
  type: 'login',
  name: 'GitHub',
  tags: ['work'],
  uris: ['https://github.com'],
  fields: { username: 'ada', password: 'pw-1' },
  created: '2026-01-01T00:00:00.000Z',
  updated: '2026-01-01T00:00:00.000Z',
  ...over,
});

const roundTrip = (c: Credential) => parseDocument(renderDocument(c, 'bot'), c.type)!;

describe('the edit document', () => {
  it('shows every field of the type as "field: value", with comments that explain the format', () => {
    const text = renderDocument(base({}), 'bot');
    expect(text).toMatch(/^# credential edit: GITHUB \(login\) in the vault of bot$/m);
    expect(text).toMatch(/^key: GITHUB$/m);
    expect(text).toMatch(/^name: GitHub$/m);
    expect(text).toMatch(/^tag: work$/m);
    expect(text).toMatch(/^uri: https:\/\/github\.com$/m);
    expect(text).toMatch(/^password: pw-1$/m);
    expect(text).toMatch(/^totp:$/m);
    expect(text).toMatch(/^username: ada$/m);
    expect(text).toMatch(/^# .*An empty value removes the$/m);
  });

  it('reads back what it shows, so an untouched document is no change', () => {
    const credential = base({ fields: { username: 'ada', password: '  spaced  ' } });
    expect(editChanges(credential, roundTrip(credential))).toBeUndefined();
  });

  it('puts multi-line values and values with blanks at the ends in a block, and reads them back exactly', () => {
    const notes = 'line one\n\nEND\n  indented\ttab\r\nlast\n';
    const note = base({ type: 'secure_note', uris: [], fields: { notes } });
    const text = renderDocument(note, 'bot');
    expect(text).toContain('notes: <<END_1\n');
    expect(roundTrip(note).fields.notes).toBe(notes);
  });

  it('round-trips any value of any field of any type (property)', () => {
    const types = CREDENTIAL_TYPE_SPECS.filter((t) => t.fields.every((f) => f.name !== 'totp'));
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.string({ minLength: 1 }), fc.string(), fc.array(fc.string({ minLength: 1 }).filter((s) => !/[\r\n]/.test(s) && s === s.trim() && !s.startsWith('<<')), { maxLength: 3 }), (spec, value, name, tags) => {
        const fields = Object.fromEntries(spec.fields.map((f) => [f.name, value]));
        const credential = base({ type: spec.name as Credential['type'], name, tags: [...new Set(tags)], uris: [], fields });
        const parsed = roundTrip(credential);
        expect(parsed.fields).toEqual(fields);
        expect(parsed.name).toBe(name);
        expect(editChanges(credential, parsed)).toBeUndefined();
      }),
    );
  });

  it('gives the change: a new value, an emptied field as "", a rename, tags and URIs replaced', () => {
    const text = renderDocument(base({}), 'bot')
      .replace('password: pw-1', 'password: pw-2')
      .replace('username: ada', 'username:')
      .replace('key: GITHUB', 'key: GITHUB_BOT')
      .replace('tag: work', 'tag: ci\ntag: bots')
      .replace('uri: https://github.com', 'uri: https://api.github.com');
    expect(editChanges(base({}), parseDocument(text, 'login')!)).toEqual({
      rename: 'GITHUB_BOT',
      tags: ['ci', 'bots'],
      uris: ['https://api.github.com'],
      fields: { password: 'pw-2', username: '' },
    });
  });

  it('is empty (nothing to do) when only comments and blank lines are left', () => {
    expect(parseDocument('# nothing\n\n   \n', 'login')).toBeUndefined();
    expect(parseDocument('', 'login')).toBeUndefined();
  });

  it.each([
    ['a line without a colon', 'key: GITHUB\njust text\n', /line 2 of the document is not "field: value"/],
    ['an unknown field', 'key: GITHUB\ncolour: red\n', /line 2: a login has no field colour/],
    ['a field given twice', 'key: GITHUB\npassword: a\npassword: b\n', /line 3: password is given twice \(first on line 2\)/],
    ['a changed type', 'key: GITHUB\ntype: card\n', /line 2: the type cannot be changed/],
    ['an unclosed block', 'key: GITHUB\npassword: <<EOF\nsecret\n', /the block of password on line 2 has no closing line EOF/],
    ['no key line', 'password: x\n', /no key line/],
    ['an invalid key', 'key: not valid\n', /invalid credential key/],
    ['a bad TOTP secret', 'key: GITHUB\ntotp: not-base32-!!\n', /line 2: the totp is neither/],
  ])('refuses %s, naming the line but never its text', (_what, text, message) => {
    expect(() => parseDocument(text, 'login')).toThrow(message);
    try {
      parseDocument(text, 'login');
    } catch (err) {
      expect((err as Error).message).not.toMatch(/secret|not-base32/);
    }
  });

  it('refuses uri lines for a type without URIs', () => {
    expect(() => parseDocument('key: K\nuri: https://x\n', 'api_key')).toThrow(/an? api_key has no URIs/);
  });

  it('stores a TOTP secret in its canonical form, so re-showing it is no change', () => {
    const parsed = parseDocument('key: GITHUB\ntotp: JBSWY3DPEHPK3PXP\n', 'login')!;
    expect(parsed.fields.totp).toMatch(/^otpauth:\/\/totp\//);
    const credential = base({ fields: { totp: parsed.fields.totp! } });
    expect(editChanges(credential, roundTrip(credential))).toBeUndefined();
  });

  it('no type field is called key, name, tag, uri or type (they would be ambiguous)', () => {
    for (const spec of CREDENTIAL_TYPE_SPECS) for (const f of spec.fields) expect(['key', 'name', 'tag', 'uri', 'type']).not.toContain(f.name);
  });
});
