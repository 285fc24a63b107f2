/**
 * `.env` files: values as dotenv's own parse reads them, every line it would drop named
 * instead, and the export's quoting, which parse reads back exactly (a property test).
 */
import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dotenvLine, encodeDotenv, parseDotenvImport } from '../../../../src/core/import/dotenv.js';

const FIXTURE = readFileSync(new URL('../../../fixtures/import/sample.env', import.meta.url), 'utf8');

describe('parseDotenvImport', () => {
  it('reads every assignment of a realistic file as dotenv does, one api_key each', () => {
    const { entries, warnings } = parseDotenvImport(FIXTURE);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.key, e.type, e.fields.value, e.source])).toEqual([
      ['OPENAI_API_KEY', 'api_key', 'sk-proj-abc123', 'line 2'],
      ['DATABASE_URL', 'api_key', 'postgres://app:p%40ss@db.example.com:5432/app', 'line 3'],
      ['REDIS_URL', 'api_key', 'redis://localhost:6379', 'line 4'],
      ['AWS_REGION', 'api_key', 'eu-west-1', 'line 5'],
      ['PRIVATE_KEY', 'api_key', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', 'line 6'],
      ['GREETING', 'api_key', 'line one\nline two', 'line 9'],
      ['HASHED', 'api_key', 'pa#ss', 'line 10'],
    ]);
    // The same values dotenv's parse gives for the whole file (EMPTY holds nothing to keep).
    const whole = dotenv.parse(FIXTURE);
    for (const entry of entries) expect(entry.fields.value).toBe(whole[Object.keys(whole).find((name) => name.toUpperCase().replace('.', '_') === entry.key)!]);
    expect(whole.EMPTY).toBe('');
  });

  it('reads the other assignment forms dotenv takes: NAME: value, and blanks around =', () => {
    expect(parseDotenvImport('A: colon form\n  B =  spaced  \nexport C=\'x\'\n').entries.map((e) => [e.key, e.fields.value])).toEqual([['A', 'colon form'], ['B', 'spaced'], ['C', 'x']]);
  });

  it('lets the last of a repeated name win, as dotenv does, and reads CRLF files', () => {
    expect(parseDotenvImport('A=1\r\nB=2\r\nA=3\r\n').entries.map((e) => [e.key, e.fields.value, e.source])).toEqual([['B', '2', 'line 2'], ['A', '3', 'line 3']]);
  });

  it.each([
    ['a line that is no assignment', 'A=1\nthis is not an assignment\n', 'dotenv: line 2: is not a NAME=value assignment; nothing was imported'],
    ['a quote never closed', 'A=1\nB="open\nC=3\n', 'dotenv: line 2: the " quote of B is not closed; nothing was imported'],
    ['text after a closing quote', "A='x' y\n", 'dotenv: line 1: the \' quote of A is not closed; nothing was imported'],
    ['a name with a space', 'MY KEY=1\n', 'dotenv: line 1: is not a NAME=value assignment; nothing was imported'],
  ])('refuses %s, naming the line and never the value', (_what, text, message) => {
    expect(() => parseDotenvImport(text)).toThrow(message);
  });
});

describe('dotenvLine and encodeDotenv', () => {
  it('picks a quoting dotenv reads back, or none', () => {
    expect(dotenvLine('K', 'plain')).toBe("K='plain'");
    expect(dotenvLine('K', "it's")).toBe('K=`it\'s`');
    expect(dotenvLine('K', "it's `x`")).toBe('K="it\'s `x`"');
    expect(dotenvLine('K', 'a\rb\'`')).toBe('K="a\\rb\'`"');
    expect(dotenvLine('K', 'ends in \\')).toBe('K=ends in \\');
    expect(dotenvLine('K', `all three ' " \` on one line`)).toBe(`K=all three ' " \` on one line`);
    expect(dotenvLine('K', `all three ' " \`\nand a newline`)).toBeUndefined();
    expect(dotenvLine('K', 'cr\r and " too')).toBeUndefined();
  });

  it('round-trips any value it can write through dotenv parse, multi-line and CR included', () => {
    const unit = fc.constantFrom('a', 'Z', ' ', '\t', '\n', '\r', "'", '"', '`', '\\', 'n', 'r', '#', '=', '$', 'é', '\u2028', 'A=', '\nB=x', '\n#');
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 40 }), fc.string({ unit, minLength: 1, maxLength: 40 }), (first, second) => {
        fc.pre(dotenvLine('K', first) !== undefined && dotenvLine('K', second) !== undefined);
        const text = encodeDotenv([['FIRST', first], ['SECOND', second]], 'test');
        expect(parseDotenvImport(text).entries.map((e) => e.fields.value)).toEqual([first, second]);
        expect(dotenv.parse(text)).toEqual({ FIRST: first, SECOND: second });
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a value no quoting carries, and a name given twice, naming them', () => {
    expect(() => encodeDotenv([['OK', 'x'], ['BAD', `' " \``]], 'h')).toThrow(/^the value of BAD cannot be written as a dotenv line/);
    expect(() => encodeDotenv([['A', 'x'], ['A', 'y']], 'h')).toThrow('two credentials give the variable A');
  });
});
