/**
 * An empty secret from stdin, a file or the prompt is refused (exit 2, nothing
 * written) unless --allow-empty: `credential set KEY=-`, `add`/`update --F-stdin` and
 * `--F-file`, and `rotate --value-stdin` (always: an empty main secret is no rotation).
 * An explicit "" in `--json-stdin` or `--email ""` is a choice and stays accepted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let token: string;
beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent());
  expect((await store.owner(['credential', 'set', 'API_KEY=-', '-a', 'bot'], { input: 'the-real-value' })).code).toBe(0);
  expect((await store.owner(['credential', 'add', 'LOGIN', '--type', 'login', '--username', 'ada', '--password-stdin', '-a', 'bot'], { input: 'pw-1' })).code).toBe(0);
});
afterAll(() => store.cleanup());

const value = async (key: string, field?: string) => (await store.agent(token, ['credential', 'get', key, ...(field ? ['--field', field] : [])])).stdout;

describe('credential set KEY=-', () => {
  it.each([['nothing', ''], ['a lone newline', '\n']])('with %s on stdin is exit 2, and the old value stays', async (_what, input) => {
    const result = await store.owner(['credential', 'set', 'API_KEY=-', '-a', 'bot'], { input });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the value of API_KEY is empty, nothing was changed/);
    expect(result.stderr).toContain('--allow-empty');
    expect(await value('API_KEY')).toBe('the-real-value\n');
  });

  it('does not create a new key from an empty stdin', async () => {
    expect((await store.owner(['credential', 'set', 'NEW_KEY=-', '-a', 'bot'], { input: '' })).code).toBe(2);
    expect((await store.agent(token, ['credential', 'get', 'NEW_KEY'])).code).toBe(3);
  });

  // An empty value is no field at all (as `update --email ""` removes one): the key exists, without a value.
  const fieldsOf = async (key: string) => (JSON.parse((await store.agent(token, ['credential', 'get', key, '--json'])).stdout) as { fields: object }).fields;

  it('stores an empty value with --allow-empty', async () => {
    expect((await store.owner(['credential', 'set', 'EMPTY_FLAG=-', '--allow-empty', '-a', 'bot'], { input: '' })).code).toBe(0);
    expect(await fieldsOf('EMPTY_FLAG')).toEqual({});
  });

  it('still takes KEY= on the command line as an explicit empty value', async () => {
    expect((await store.owner(['credential', 'set', 'EXPLICIT=', '-a', 'bot'])).code).toBe(0);
    expect(await fieldsOf('EXPLICIT')).toEqual({});
  });
});

describe('credential add and update', () => {
  it('add --value-stdin with an empty stdin is exit 2 and adds nothing', async () => {
    const result = await store.owner(['credential', 'add', 'NOTHING', '--value-stdin', '-a', 'bot'], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/on stdin is empty/);
    expect((await store.agent(token, ['credential', 'get', 'NOTHING'])).code).toBe(3);
  });

  it('update --password-stdin with an empty stdin is exit 2 and keeps the password', async () => {
    const result = await store.owner(['credential', 'update', 'LOGIN', '--password-stdin', '-a', 'bot'], { input: '' });
    expect(result.code).toBe(2);
    expect(await value('LOGIN', 'password')).toBe('pw-1\n');
  });

  it('an empty --F-file is refused the same way', async () => {
    const file = join(store.root, 'empty.txt');
    writeFileSync(file, '');
    const result = await store.owner(['credential', 'update', 'LOGIN', '--password-file', file, '-a', 'bot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/password file .* is empty/);
    expect(await value('LOGIN', 'password')).toBe('pw-1\n');
  });

  it('an explicit "" in --json-stdin is a choice, not a mistake, and is accepted', async () => {
    const result = await store.owner(['credential', 'add', 'FROM_JSON', '--json-stdin', '-a', 'bot'], { input: JSON.stringify({ type: 'api_key', fields: { value: '' } }) });
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('credential rotate --value-stdin', () => {
  it('refuses an empty new value (exit 2), keeping the old one', async () => {
    const result = await store.owner(['credential', 'rotate', 'API_KEY', '--value-stdin', '-a', 'bot'], { input: '' });
    expect(result.code).toBe(2);
    expect(await value('API_KEY')).toBe('the-real-value\n');
  });
});
