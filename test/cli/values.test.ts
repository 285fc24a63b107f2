/**
 * Values survive byte for byte: through `credential set KEY=-` (one trailing newline
 * removed), `--F-stdin` and `--F-file`, and back out through `credential get`; bytes
 * that are not UTF-8 text are refused, never replaced.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const AWKWARD = [
  ['spaces', '  leading and trailing  '],
  ['quotes', `it's "quoted" \`back\` $(not run) $HOME`],
  ['newlines', 'line one\nline two\n\nline four'],
  ['tabs and CR', 'a\tb\r\nc\t'],
  ['non-ASCII', 'ünïcödé ✓ 日本語 🔑'],
  ['backslashes', 'C:\\path\\n not a newline'],
  ['an = sign', 'a=b=c'],
  ['a leading dash', '-n --help'],
] as const;

let store: TempStore;
let token: string;
beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent());
});
afterAll(() => store.cleanup());

describe.each(AWKWARD)('a value with %s', (what, value) => {
  const key = `V_${what.replace(/[^a-z]/gi, '_').toUpperCase()}`.replace(/_+/g, '_').replace(/_$/, '');

  it('round-trips through KEY=- on stdin, one trailing newline removed', async () => {
    const set = await store.owner(['credential', 'set', `${key}=-`, '-a', 'bot'], { input: `${value}\n` });
    expect(set).toMatchObject({ code: 0, stdout: '' });
    const got = await store.agent(token, ['credential', 'get', key]);
    expect(got.code).toBe(0);
    expect(got.stdoutBytes.equals(Buffer.from(`${value}\n`))).toBe(true);
    const raw = await store.agent(token, ['credential', 'get', key, '-n']);
    expect(raw.stdoutBytes.equals(Buffer.from(value))).toBe(true);
  });

  it('round-trips through --password-stdin and --notes-file', async () => {
    const file = join(store.root, `${key}.txt`);
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    expect((await store.owner(['credential', 'add', `${key}_LOGIN`, '--type', 'login', '--username', 'u', '--password-stdin', '-a', 'bot'], { input: `${value}\n` })).code).toBe(0);
    expect((await store.owner(['credential', 'add', `${key}_NOTE`, '--type', 'secure_note', '--notes-file', file, '-a', 'bot'])).code).toBe(0);
    const login = await store.agent(token, ['credential', 'get', `${key}_LOGIN`, '-n']);
    const note = await store.agent(token, ['credential', 'get', `${key}_NOTE`, '--field', 'notes', '-n']);
    expect(login.stdoutBytes.equals(Buffer.from(value))).toBe(true);
    expect(note.stdoutBytes.equals(Buffer.from(value))).toBe(true);
    const json = await store.agent(token, ['credential', 'get', `${key}_NOTE`, '--json']);
    expect(JSON.parse(json.stdout).fields.notes).toBe(value);
  });
});

describe('stdin', () => {
  it('keeps all but one trailing newline', async () => {
    expect((await store.owner(['credential', 'set', 'TWO_NL=-', '-a', 'bot'], { input: 'v\n\n' })).code).toBe(0);
    expect((await store.agent(token, ['credential', 'get', 'TWO_NL', '-n'])).stdout).toBe('v\n');
  });

  it('takes a value without a trailing newline as it is', async () => {
    expect((await store.owner(['credential', 'set', 'NO_NL=-', '-a', 'bot'], { input: 'v' })).code).toBe(0);
    expect((await store.agent(token, ['credential', 'get', 'NO_NL'])).stdout).toBe('v\n');
  });

  it('cannot feed two values at once', async () => {
    const result = await store.owner(['credential', 'set', 'A=-', 'B=-', '-a', 'bot'], { input: 'x' });
    expect(result.code).toBe(2);
    expect((await store.agent(token, ['credential', 'get', 'A'])).code).toBe(3);
  });
});

describe('bytes that are not UTF-8 text', () => {
  const INVALID = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]);

  it('are refused from stdin with exit 2, saying why and how to store binary data, and nothing is stored', async () => {
    const set = await store.owner(['credential', 'set', 'BINARY=-', '-a', 'bot'], { input: INVALID });
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('error: the value of BINARY on stdin is not valid UTF-8 text');
    expect(set.stderr).toMatch(/hint: .*base64/);
    expect((await store.agent(token, ['credential', 'get', 'BINARY'])).code).toBe(3);
    const json = await store.owner(['credential', 'add', 'BIN_JSON', '--json-stdin', '-a', 'bot'], { input: Buffer.concat([Buffer.from('{"fields":{"value":"'), INVALID.subarray(1, 3), Buffer.from('"}}')]) });
    expect(json.code).toBe(2);
    expect((await store.agent(token, ['credential', 'get', 'BIN_JSON'])).code).toBe(3);
  });

  it('are refused from a file with exit 2 naming it', async () => {
    const file = join(store.root, 'binary.txt');
    writeFileSync(file, INVALID, { mode: 0o600 });
    const add = await store.owner(['credential', 'add', 'BIN_FILE', '--type', 'secure_note', '--notes-file', file, '-a', 'bot']);
    expect(add.code).toBe(2);
    expect(add.stderr).toContain(`error: notes file ${file} is not valid UTF-8 text`);
    expect((await store.agent(token, ['credential', 'get', 'BIN_FILE'])).code).toBe(3);
  });

  it('are not confused with text that merely looks odd: a byte order mark and a NUL byte are kept exactly', async () => {
    const odd = Buffer.from('\ufeffbom\0nul', 'utf8');
    expect((await store.owner(['credential', 'set', 'ODD=-', '-a', 'bot'], { input: odd })).code).toBe(0);
    expect((await store.agent(token, ['credential', 'get', 'ODD', '-n'])).stdoutBytes.equals(odd)).toBe(true);
  });
});

describe('a granted value', () => {
  it('reads back byte for byte until its grant expires, then not at all', async () => {
    const local = new TempStore();
    try {
      await local.init();
      const owner = await local.provision('bot');
      const peer = await local.provision('peer');
      const value = AWKWARD.map(([, v]) => v).join('\n');
      expect((await local.agent(owner, ['credential', 'set', 'ALL=-'], { input: `${value}\n` })).code).toBe(0);
      expect((await local.agent(owner, ['grant', 'ALL', '--to', 'peer', '--expires', '10m'])).code).toBe(0);
      const read = () => local.agent(peer, ['credential', 'get', 'ALL', '--agent', 'bot', '-n']);
      local.clock.advance(9 * 60_000);
      expect((await read()).stdoutBytes.equals(Buffer.from(value))).toBe(true);
      local.clock.advance(2 * 60_000);
      const expired = await read();
      expect(expired.code).toBe(5);
      expect(expired.stdoutBytes.length).toBe(0);
    } finally {
      local.cleanup();
    }
  });
});
