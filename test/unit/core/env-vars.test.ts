import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCredential } from '../../../src/core/credential.js';
import {
  checkEnvName,
  checkEnvPrefix,
  checkInjection,
  credentialEnv,
  isProtectedEnvName,
  MAX_ENV_STRING_BYTES,
  PROTECTED_ENV_NAMES,
  PROTECTED_ENV_PREFIXES,
  type EnvSource,
} from '../../../src/core/env-vars.js';
import { UsageError } from '../../../src/core/errors.js';

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

describe('protected variable names', () => {
  it.each(['PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'BASH_ENV', 'BASH_FUNC_ls%%', 'NODE_OPTIONS', 'PYTHONPATH', 'GIT_SSH_COMMAND', 'GIT_CONFIG_COUNT', 'npm_config_script_shell', 'https_proxy', 'AGENT_VAULT_TOKEN', 'HOME', 'TMPDIR'])('%s is protected', (name) => {
    expect(isProtectedEnvName(name)).toBe(true);
  });

  it.each(['API_KEY', 'GITHUB_PASSWORD', 'APP_PATH', 'MY_LD_PRELOAD', 'PATHS', 'HOMEPAGE_URL', 'OPENAI_API_KEY'])('%s is not', (name) => {
    expect(isProtectedEnvName(name)).toBe(false);
  });

  it('are all listed in the exec section of man 1, and every listed one is protected', () => {
    const page = readFileSync(resolve(import.meta.dirname, '../../../man/agent-vault.1'), 'utf8');
    const list = page.slice(page.indexOf("and agent-vault's own:\n"), page.indexOf('No list can name'));
    const [names, prefixes] = list.split('and every name starting with').map((part) => [...part.matchAll(/^\.BR? ([A-Z_][A-Z0-9_]*)(?: [,.])?$/gm)].map((m) => m[1]!));
    expect(names).toEqual(PROTECTED_ENV_NAMES);
    expect(prefixes).toEqual(PROTECTED_ENV_PREFIXES);
  });
});

describe('checkInjection', () => {
  const own: EnvSource = { key: 'K', agent: 'bot', granted: false };
  const granted: EnvSource = { key: 'K', agent: 'peer', granted: true };
  const error = (fn: () => void): UsageError => {
    try {
      fn();
    } catch (err) {
      return err as UsageError;
    }
    throw new Error('no error');
  };

  it('lets an own credential set a protected name that --allow-env names, a granted one never', () => {
    expect(() => checkInjection('PATH', '/x', own, new Set())).toThrow(UsageError);
    expect(() => checkInjection('PATH', '/x', own, new Set(['PATH']))).not.toThrow();
    expect(error(() => checkInjection('PATH', '/x', granted, new Set(['PATH']))).hint).toMatch(/never sets PATH, even with --allow-env/);
    expect(() => checkInjection('API_KEY', 'v', granted, new Set())).not.toThrow();
  });

  it('refuses a NUL byte and a string over the limit, naming the key and never the value', () => {
    const nul = error(() => checkInjection('K', 'secret\0x', own, new Set()));
    expect(nul.exitCode).toBe(2);
    expect(nul.message).toBe('credential K of agent bot holds a NUL byte, which no environment variable can hold, so K cannot be set');
    expect(`${nul.message} ${nul.hint}`).not.toContain('secret');
    expect(() => checkInjection('K', 'x'.repeat(MAX_ENV_STRING_BYTES - 3), own, new Set())).not.toThrow();
    expect(() => checkInjection('K', 'x'.repeat(MAX_ENV_STRING_BYTES - 2), own, new Set())).toThrow(/over the kernel's limit of 131072/);
    expect(() => checkInjection('K', 'é'.repeat(MAX_ENV_STRING_BYTES / 2), own, new Set())).toThrow(/too long/);
  });

  it('points at the env file line for a reference', () => {
    expect(error(() => checkInjection('LD_PRELOAD', 'x', { ...own, line: 3 }, new Set())).hint).toMatch(/leave out line 3 of the env file/);
  });

  it('checks an --allow-env name', () => {
    expect(checkEnvName('PATH')).toBe('PATH');
    expect(() => checkEnvName('A-B')).toThrow(/invalid variable name/);
  });
});
