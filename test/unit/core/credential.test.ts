import { describe, expect, it } from 'vitest';

/** How a bare base32 key is stored: a complete otpauth:// URI with the defaults. */
const TOTP_URI = 'otpauth://totp/?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30';
import {
  CREDENTIAL_TYPES,
  checkCredentialType,
  checkField,
  createCredential,
  fieldsOf,
  isSecretField,
  mainField,
  readField,
  searchableText,
  toPublicJson,
  updateCredential,
} from '../../../src/core/credential.js';
import { NotFoundError, UsageError } from '../../../src/core/errors.js';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-06-01T00:00:00.000Z';

const login = () =>
  createCredential('GITHUB', 'login', { name: 'GitHub', tags: ['scm', 'scm', 'ci'], uris: ['https://github.com'], fields: { username: 'octo', password: 'pw', totp: 'JBSWY3DPEHPK3PXP' } }, T0);

describe('credential types', () => {
  it('are the five of SPEC.md', () => {
    expect([...CREDENTIAL_TYPES].sort()).toEqual(['api_key', 'card', 'identity', 'login', 'secure_note']);
  });

  it.each([
    ['api_key', ['value']],
    ['login', ['password', 'totp', 'username']],
    ['secure_note', ['notes']],
    ['card', ['number', 'cvv', 'cardholder', 'expiry']],
    ['identity', ['full_name', 'email', 'phone', 'address']],
  ] as const)('%s has the fields %j, the main one first', (type, fields) => {
    expect(fieldsOf(type)).toEqual(fields);
    const values = Object.fromEntries(fields.map((f) => [f, f === 'totp' ? 'JBSWY3DPEHPK3PXP' : `${f}-value`]));
    const credential = createCredential('K', type, { fields: values }, T0);
    expect(mainField(credential)).toBe(fields[0]);
    expect(readField(credential)).toBe(`${fields[0]}-value`);
  });

  it('marks exactly the secret fields secret', () => {
    expect(isSecretField('login', 'password')).toBe(true);
    expect(isSecretField('login', 'totp')).toBe(true);
    expect(isSecretField('login', 'username')).toBe(false);
    expect(isSecretField('card', 'cvv')).toBe(true);
    expect(isSecretField('card', 'expiry')).toBe(false);
    expect(isSecretField('identity', 'full_name')).toBe(false);
  });

  it('rejects an unknown type with a usage error', () => {
    expect(() => checkCredentialType('password')).toThrow(UsageError);
    expect(checkCredentialType('card')).toBe('card');
  });

  it('accepts full-name for full_name, uris on logins only, and rejects other fields', () => {
    expect(checkField('identity', 'full-name')).toBe('full_name');
    expect(checkField('login', 'uris')).toBe('uris');
    expect(() => checkField('api_key', 'uris')).toThrow(UsageError);
    expect(() => checkField('api_key', 'password')).toThrow(UsageError);
  });
});

describe('createCredential and updateCredential', () => {
  it('gives a random 16-hex id, dedupes tags, and stamps both times', () => {
    const a = login();
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(login().id).not.toBe(a.id);
    expect(a.tags).toEqual(['scm', 'ci']);
    expect(a).toMatchObject({ key: 'GITHUB', type: 'login', created: T0, updated: T0 });
  });

  it('refuses URIs on a type that has none, and an invalid key', () => {
    expect(() => createCredential('K', 'api_key', { uris: ['https://x'] }, T0)).toThrow(UsageError);
    expect(() => createCredential('bad key', 'api_key', {}, T0)).toThrow(UsageError);
  });

  it('keeps the id and creation time, and an empty value removes a field', () => {
    const c = login();
    const { id } = c;
    updateCredential(c, { fields: { username: '', password: 'new' }, name: 'Renamed' }, T1);
    expect(c).toMatchObject({ id, created: T0, updated: T1, name: 'Renamed', fields: { password: 'new', totp: TOTP_URI } });
    expect('username' in c.fields).toBe(false);
  });
});

describe('readField', () => {
  it('reads the main secret by default, a named field, or the URIs', () => {
    const c = login();
    expect(mainField(c)).toBe('password');
    expect(readField(c)).toBe('pw');
    expect(readField(c, 'username')).toBe('octo');
    expect(readField(c, 'uris')).toBe('https://github.com');
  });

  it('is exit 3 for a field the credential lacks and exit 2 for one its type lacks', () => {
    const c = createCredential('NOTE', 'login', { fields: { username: 'u' } }, T0);
    expect(() => readField(c)).toThrow(NotFoundError);
    expect(() => readField(c, 'cvv')).toThrow(UsageError);
  });
});

describe('toPublicJson', () => {
  it('hides the TOTP secret unless revealTotp, even when secrets are shown', () => {
    const c = login();
    expect(toPublicJson(c, { secrets: true, revealTotp: false }).fields).toEqual({ username: 'octo', password: 'pw' });
    expect(toPublicJson(c, { secrets: true, revealTotp: true }).fields).toEqual({ username: 'octo', password: 'pw', totp: TOTP_URI });
  });

  it('hides every secret field when secrets are not shown, keeping plain ones', () => {
    const card = createCredential('CARD', 'card', { fields: { number: '4111', cvv: '123', cardholder: 'A', expiry: '12/29' } }, T0);
    const json = toPublicJson(card, { secrets: false, revealTotp: false });
    expect(json.fields).toEqual({ cardholder: 'A', expiry: '12/29' });
    expect(JSON.stringify(json)).not.toMatch(/4111|"123"/);
    expect(json).not.toHaveProperty('uris');
  });

  it('has the stable field names', () => {
    expect(Object.keys(toPublicJson(login(), { secrets: true, revealTotp: false }))).toEqual(['id', 'key', 'type', 'name', 'tags', 'uris', 'fields', 'created', 'updated']);
  });
});

describe('searchableText', () => {
  it('holds key, name, username, URIs and tags, and no secret', () => {
    const text = searchableText(login());
    for (const part of ['github', 'octo', 'https://github.com', 'scm', 'ci']) expect(text).toContain(part);
    expect(text).not.toContain('pw');
    expect(text).not.toContain('jbswy3dp');
  });
});
