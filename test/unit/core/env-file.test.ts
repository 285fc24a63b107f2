import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../src/core/env-file.js';
import { readDotenvAssignments } from '../../../src/core/import/dotenv.js';
import { UsageError } from '../../../src/core/errors.js';

/** The file as exec reads it: dotenv's assignments, then references and plain values. */
function parse(text: string, source = 'f') {
  return parseEnvFile(readDotenvAssignments(text, (where, problem) => new UsageError(`${where} of ${source} ${problem}`)), source);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

describe('parseEnvFile', () => {
  it('reads references, skipping blank lines and comments', () => {
    const text = '# deploy\n\nDB_PASSWORD=av://ci-bot/DATABASE/password\n  API=av://bot1/OPENAI_API_KEY  \r\n';
    expect(parse(text).references).toEqual([
      { name: 'DB_PASSWORD', agent: 'ci-bot', key: 'DATABASE', field: 'password', line: 3 },
      { name: 'API', agent: 'bot1', key: 'OPENAI_API_KEY', line: 4 },
    ]);
  });

  it('reads plain dotenv lines mixed with references: quotes, export, comments, multi-line values', () => {
    const text = 'PLAIN=x\nexport PORT=8080 # the port\nQUOTED="a b"\nSINGLE=\'$HOME\'\nKEY=av://bot1/OPENAI_API_KEY\nCERT="line one\nline two"\nQUOTED_REF="av://bot1/DB/password"\n';
    const file = parse(text);
    expect(file.plain).toEqual([
      { name: 'PLAIN', value: 'x', line: 1 },
      { name: 'PORT', value: '8080', line: 2 },
      { name: 'QUOTED', value: 'a b', line: 3 },
      { name: 'SINGLE', value: '$HOME', line: 4 },
      { name: 'CERT', value: 'line one\nline two', line: 6 },
    ]);
    expect(file.references).toEqual([
      { name: 'KEY', agent: 'bot1', key: 'OPENAI_API_KEY', line: 5 },
      { name: 'QUOTED_REF', agent: 'bot1', key: 'DB', field: 'password', line: 8 },
    ]);
  });

  it.each([
    ['a bad agent', 'X=av://Bot1/KEY'],
    ['a bad key', 'X=av://bot1/lower'],
    ['too many parts', 'X=av://bot1/KEY/password/more'],
    ['no key', 'X=av://bot1'],
  ])('rejects %s with its line number and without echoing the line', (_what, line) => {
    const error = errorOf(() => parse(`# ok\n${line}\n`, 'refs.env'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('line 2 of refs.env is not a credential reference');
  });

  it.each([
    ['no assignment', 'TOKEN hunter2', 'line 2 of refs.env is not a NAME=value assignment'],
    ['an unclosed quote', 'TOKEN="hunter2', 'line 2 of refs.env the " quote of TOKEN is not closed'],
    ['a name that is no variable name', 'my.token=hunter2', 'line 2 of refs.env sets a name that is not a variable name'],
  ])('rejects %s without echoing the value', (_what, line, message) => {
    const error = errorOf(() => parse(`# ok\n${line}\n`, 'refs.env'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects a reference to a TOTP secret, which is never injected', () => {
    expect(() => parse('A=av://b/K\nOTP=av://b/GITHUB/totp\n')).toThrow('line 2 of f names a TOTP secret, which exec never injects');
    expect(() => parse('OTP=av://b/GITHUB/totp\n')).toThrow(UsageError);
  });

  it('rejects a name set twice, plain or reference', () => {
    expect(() => parse('A=av://b/K\nA=av://b/L\n')).toThrow('line 2 of f sets A a second time');
    expect(() => parse('A=x\n\nA=av://b/L\n')).toThrow('line 3 of f sets A a second time');
  });
});
