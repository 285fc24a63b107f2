import { describe, expect, it } from 'vitest';
import { createCredential } from '../../../src/core/credential.js';
import { checkEnvPrefix, credentialEnv } from '../../../src/core/env-vars.js';

const NOW = '2025-01-01T00:00:00.000Z';

describe('credentialEnv', () => {
  it('names api keys and notes by their key', () => {
    expect(credentialEnv(createCredential('API_KEY', 'api_key', { fields: { value: 'v' } }, NOW))).toEqual([['API_KEY', 'v']]);
    expect(credentialEnv(createCredential('NOTE', 'secure_note', { fields: { notes: 'n' } }, NOW), 'APP_')).toEqual([['APP_NOTE', 'n']]);
  });

  it('gives KEY_FIELD for the fields a login has, never its TOTP secret', () => {
    const login = createCredential('GITHUB', 'login', { fields: { username: 'bot', password: 'pw', totp: 'JBSWY3DPEHPK3PXP' } }, NOW);
    expect(credentialEnv(login)).toEqual([
      ['GITHUB_PASSWORD', 'pw'],
      ['GITHUB_USERNAME', 'bot'],
    ]);
  });

  it('gives KEY_FULL_NAME and friends for an identity', () => {
    const identity = createCredential('ME', 'identity', { fields: { full_name: 'A B', email: 'a@b' } }, NOW);
    expect(credentialEnv(identity)).toEqual([
      ['ME_EMAIL', 'a@b'],
      ['ME_FULL_NAME', 'A B'],
    ]);
  });

  it('gives KEY_FIELD for each field a card has, ordered by field name', () => {
    const card = createCredential('CARD', 'card', { fields: { number: '4111', cvv: '123', expiry: '12/29' } }, NOW);
    expect(credentialEnv(card, 'X_')).toEqual([
      ['X_CARD_CVV', '123'],
      ['X_CARD_EXPIRY', '12/29'],
      ['X_CARD_NUMBER', '4111'],
    ]);
  });

  it('gives nothing for a credential without the field it would export', () => {
    expect(credentialEnv(createCredential('NOTE', 'secure_note', {}, NOW))).toEqual([]);
  });

  it('rejects a prefix that cannot start a variable name', () => {
    expect(checkEnvPrefix('APP_')).toBe('APP_');
    expect(() => checkEnvPrefix('1X')).toThrow(/invalid prefix/);
    expect(() => checkEnvPrefix('A-B')).toThrow(/invalid prefix/);
  });
});
