import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/core/env-file.js';
import { UsageError } from '../../../src/core/errors.js';

describe('parseEnvFile', () => {
  it('reads references, skipping blank lines and comments', () => {
    const text = '# deploy\n\nDB_PASSWORD=av://ci-bot/DATABASE/password\n  API=av://bot1/OPENAI_API_KEY  \r\n';
    expect(parseEnvFile(text, 'f')).toEqual([
      { name: 'DB_PASSWORD', agent: 'ci-bot', key: 'DATABASE', field: 'password', line: 3 },
      { name: 'API', agent: 'bot1', key: 'OPENAI_API_KEY', line: 4 },
    ]);
  });

  it.each([
    ['a plain value', 'TOKEN=hunter2'],
    ['no name', '=av://bot1/KEY'],
    ['a bad name', '1X=av://bot1/KEY'],
    ['a bad agent', 'X=av://Bot1/KEY'],
    ['a bad key', 'X=av://bot1/lower'],
    ['too many parts', 'X=av://bot1/KEY/password/more'],
    ['another scheme', 'X=op://bot1/KEY'],
  ])('rejects %s with its line number and without echoing the line', (_what, line) => {
    let error: unknown;
    try {
      parseEnvFile(`# ok\n${line}\n`, 'refs.env');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('line 2 of refs.env is not a credential reference');
  });

  it('rejects a reference to a TOTP secret, which is never injected', () => {
    expect(() => parseEnvFile('A=av://b/K\nOTP=av://b/GITHUB/totp\n', 'f')).toThrow('line 2 of f names a TOTP secret, which exec never injects');
    expect(() => parseEnvFile('OTP=av://b/GITHUB/totp\n', 'f')).toThrow(UsageError);
  });

  it('rejects a name set twice', () => {
    expect(() => parseEnvFile('A=av://b/K\nA=av://b/L\n', 'f')).toThrow('line 2 of f sets A a second time');
  });
});
