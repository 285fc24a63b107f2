import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_TYPE_SPECS,
  checkTypeRegistry,
  envNames,
  fieldFlags,
  fieldOptions,
  typeSpec,
  type FieldSpec,
  type TypeSpec,
} from '../../../src/core/credential-types.js';
import { ENV_NAME } from '../../../src/core/env-file.js';

const secret = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, secret: true, label: name, optional: false, ...extra });
const plain = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, secret: false, label: name, optional: true, ...extra });
const type = (name: string, fields: FieldSpec[], extra: Partial<TypeSpec> = {}): TypeSpec => ({ name, description: name, fields, uris: false, env: 'KEY_FIELD', ...extra });

describe('field flags', () => {
  it('are kebab-case for a secret field with an underscore', () => {
    expect(fieldFlags(secret('private_key'))).toEqual({ stdin: '--private-key-stdin', file: '--private-key-file' });
    const ssh = type('ssh_key', [secret('private_key'), plain('key_comment')]);
    expect(fieldOptions([ssh]).map((f) => f.flags)).toEqual([{ value: '--key-comment' }, { stdin: '--private-key-stdin', file: '--private-key-file' }]);
    expect(() => checkTypeRegistry([...CREDENTIAL_TYPE_SPECS, ssh])).not.toThrow();
  });

  it('give a plain field its value flag, and the TOTP secret a value flag beside stdin and file', () => {
    expect(fieldFlags(plain('full_name'))).toEqual({ value: '--full-name' });
    expect(fieldFlags(secret('totp'))).toEqual({ value: '--totp', stdin: '--totp-stdin', file: '--totp-file' });
  });

  it('list each field once, plain ones first, in table order', () => {
    expect(fieldOptions().map((f) => f.name)).toEqual([
      'username', 'cardholder', 'expiry', 'full_name', 'email', 'phone', 'address',
      'password', 'totp', 'notes', 'number', 'cvv', 'value',
    ]);
  });
});

describe('checkTypeRegistry', () => {
  it('passes the real table', () => {
    expect(() => checkTypeRegistry(CREDENTIAL_TYPE_SPECS)).not.toThrow();
  });

  it('reports a field flag that is a reserved flag: a secret passphrase is the owner passphrase option', () => {
    const wallet = type('wallet', [secret('passphrase')]);
    expect(() => checkTypeRegistry([wallet])).not.toThrow();
    expect(() => checkTypeRegistry([wallet], ['--passphrase-file', '--passphrase-stdin'])).toThrow(/flag --passphrase-stdin of field passphrase is already an option.*--passphrase-file/);
  });

  it.each([
    ['a field name that is not snake_case', [type('t', [secret('privateKey')])], /not snake_case.*not kebab-case/],
    ['a flag two fields share', [type('t', [secret('token'), plain('token_stdin')])], /--token-stdin of field token is also a flag of field token_stdin/],
    ['a field secret in one type and plain in another', [type('a', [secret('pin')]), type('b', [plain('pin')])], /secret in one type and not in another/],
    ['a one-variable type with two fields', [type('t', [secret('a'), secret('b')], { env: 'KEY' })], /must have one field/],
    ['a plain TOTP secret', [type('t', [plain('totp')])], /totp of t must be secret/],
    ['a generated password offered for a plain field', [type('t', [plain('word', { offerGenerated: true })])], /not secret/],
    ['a required field labelled optional', [type('t', [secret('pin', { label: 'PIN (optional)' })])], /labelled optional/],
    ['a field called uris', [type('t', [plain('uris')])], /shadow the URIs/],
    ['a type listed twice', [type('t', [plain('a')]), type('t', [plain('a')])], /listed twice/],
  ] as const)('reports %s', (_what, types, message) => {
    expect(() => checkTypeRegistry(types)).toThrow(message);
  });
});

describe('envNames', () => {
  it('names a one-field type by its key, and other types KEY_FIELD without the TOTP secret', () => {
    expect(envNames(typeSpec('api_key'), 'OPENAI')).toEqual([{ field: 'value', name: 'OPENAI' }]);
    expect(envNames(typeSpec('login'), 'GH').map((v) => v.name)).toEqual(['GH_PASSWORD', 'GH_USERNAME']);
  });

  it('gives valid variable names for every type', () => {
    for (const spec of CREDENTIAL_TYPE_SPECS) for (const { name } of envNames(spec, 'KEY')) expect(name).toMatch(ENV_NAME);
  });
});
