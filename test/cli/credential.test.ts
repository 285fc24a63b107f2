/**
 * Every credential type through the CLI: add, get (main secret and --field), --json (the
 * TOTP secret only with --reveal), list (masked unless --reveal), search (never values),
 * update (id and created kept), delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const TOTP = 'JBSWY3DPEHPK3PXP';
/** How a bare base32 key is stored: a complete otpauth:// URI with the defaults. */
const TOTP_URI = `otpauth://totp/?secret=${TOTP}&algorithm=SHA1&digits=6&period=30`;
let store: TempStore;
let token: string;
const as = (args: string[], input?: string) => store.agent(token, args, input === undefined ? {} : { input });

beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent());
  const adds: Array<[string[], string]> = [
    [['API', '--type', 'api_key', '--name', 'OpenAI', '--tag', 'llm', '--value-stdin'], 'sk-api-secret'],
    [['GITHUB', '--type', 'login', '--username', 'octo-bot', '--uri', 'https://github.com', '--uri', 'https://api.github.com', '--tag', 'scm', '--password-stdin', '--totp', TOTP], 'gh-password-secret'],
    [['NOTE', '--type', 'secure_note', '--name', 'Recovery codes', '--notes-stdin'], 'note-secret-body'],
    [['CARD', '--type', 'card', '--cardholder', 'A Bot', '--expiry', '12/29', '--number-stdin'], '4111111111111111'],
    [['ME', '--type', 'identity', '--full-name', 'Ada Bot', '--email', 'ada@example.com', '--phone', '+1 555', '--address', '1 Main St'], ''],
  ];
  for (const [args, input] of adds) {
    const result = await as(['credential', 'add', ...args], input);
    expect(result, args[0]).toMatchObject({ code: 0, stdout: '' });
  }
});
afterAll(() => store.cleanup());

describe('credential get', () => {
  it.each([
    ['API', [], 'sk-api-secret'],
    ['GITHUB', [], 'gh-password-secret'],
    ['GITHUB', ['--field', 'username'], 'octo-bot'],
    ['GITHUB', ['--field', 'uris'], 'https://github.com\nhttps://api.github.com'],
    ['NOTE', [], 'note-secret-body'],
    ['CARD', [], '4111111111111111'],
    ['CARD', ['--field', 'expiry'], '12/29'],
    ['ME', [], 'Ada Bot'],
    ['ME', ['--field', 'full-name'], 'Ada Bot'],
    ['ME', ['--field', 'email'], 'ada@example.com'],
  ])('%s %j prints the value and a newline, nothing else', async (key, extra, value) => {
    expect(await as(['credential', 'get', key, ...extra])).toMatchObject({ code: 0, stdout: `${value}\n`, stderr: '' });
  });

  it('finds a credential by its id', async () => {
    const { id } = JSON.parse((await as(['credential', 'get', 'API', '--json'])).stdout) as { id: string };
    expect((await as(['credential', 'get', id])).stdout).toBe('sk-api-secret\n');
  });

  it('is exit 3 for a missing credential or field, and 2 for a field the type lacks', async () => {
    expect((await as(['credential', 'get', 'MISSING'])).code).toBe(3);
    expect((await as(['credential', 'get', 'CARD', '--field', 'cvv'])).code).toBe(3);
    expect((await as(['credential', 'get', 'API', '--field', 'password'])).code).toBe(2);
  });

  it('--json shows the credential without the TOTP secret', async () => {
    const result = await as(['credential', 'get', 'GITHUB', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ agent: 'bot', key: 'GITHUB', type: 'login', tags: ['scm'], uris: ['https://github.com', 'https://api.github.com'] });
    expect(json.fields).toEqual({ username: 'octo-bot', password: 'gh-password-secret' });
    expect(result.stdout).not.toContain(TOTP);
  });

  it('--json --reveal includes the TOTP secret', async () => {
    expect(JSON.parse((await as(['credential', 'get', 'GITHUB', '--json', '--reveal'])).stdout).fields.totp).toBe(TOTP_URI);
  });
});

describe('credential list', () => {
  it('lists keys, names and types sorted, without values when piped', async () => {
    const result = await as(['credential', 'list']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(['API', 'CARD', 'GITHUB', 'ME', 'NOTE']);
    expect(rows.find((r) => r[0] === 'NOTE')!.slice(1, 3)).toEqual(['Recovery codes', 'secure_note']);
    for (const secret of ['sk-api-secret', 'gh-password-secret', 'note-secret-body', '4111111111111111', TOTP]) expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toContain('********');
  });

  it('--reveal shows main values', async () => {
    const result = await as(['credential', 'list', '--reveal']);
    for (const secret of ['sk-api-secret', 'gh-password-secret', 'note-secret-body', '4111111111111111']) expect(result.stdout).toContain(secret);
    expect(result.stdout).not.toContain(TOTP);
  });

  it('--json masks secret fields and never shows the TOTP secret', async () => {
    const result = await as(['credential', 'list', '--json']);
    const list = JSON.parse(result.stdout) as Array<{ key: string; fields: Record<string, string> }>;
    expect(list.map((c) => c.key)).toEqual(['API', 'CARD', 'GITHUB', 'ME', 'NOTE']);
    expect(list.find((c) => c.key === 'GITHUB')!.fields).toEqual({ username: 'octo-bot' });
    expect(result.stdout).not.toMatch(/sk-api-secret|gh-password-secret|note-secret-body|4111111111111111|JBSWY3DP/);
  });

  it('--type filters', async () => {
    expect((await as(['credential', 'list', '--type', 'card'])).stdout.split('\t')[0]).toBe('CARD');
  });
});

describe('credential search', () => {
  it.each([
    ['github', ['GITHUB']],
    ['OPENAI', ['API']],
    ['octo', ['GITHUB']],
    ['api.github.com', ['GITHUB']],
    ['LLM', ['API']],
    ['recovery', ['NOTE']],
  ])('%j matches key, name, username, URI or tag: %j', async (query, keys) => {
    const result = await as(['credential', 'search', query]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual(keys);
  });

  it.each(['sk-api', 'gh-password', 'note-secret', '4111', 'JBSWY', 'ada@example'])('never matches a value (%j): empty output, exit 0', async (query) => {
    expect(await as(['credential', 'search', query])).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('credential update', () => {
  it('changes fields and renames, keeping the id and creation time', async () => {
    const before = JSON.parse((await as(['credential', 'get', 'GITHUB', '--json'])).stdout);
    const updated = await as(['credential', 'update', 'GITHUB', '--username', 'new-bot', '--password-stdin', '--rename', 'GH'], 'new-password');
    expect(updated.code).toBe(0);
    expect((await as(['credential', 'get', 'GITHUB'])).code).toBe(3);
    const after = JSON.parse((await as(['credential', 'get', 'GH', '--json', '--reveal'])).stdout);
    expect(after).toMatchObject({ id: before.id, created: before.created, key: 'GH', fields: { username: 'new-bot', password: 'new-password', totp: TOTP_URI } });
    expect(after.updated >= before.updated).toBe(true);
  });

  it('credential set on a login replaces its password, keeping the rest', async () => {
    expect((await as(['credential', 'set', 'GH=-'], 'set-password')).code).toBe(0);
    const after = JSON.parse((await as(['credential', 'get', 'GH', '--json'])).stdout);
    expect(after).toMatchObject({ type: 'login', fields: { username: 'new-bot', password: 'set-password' } });
  });

  it('with nothing to change is exit 2', async () => {
    expect((await as(['credential', 'update', 'API'])).code).toBe(2);
  });
});

describe('credential delete', () => {
  it('removes the credential with --yes', async () => {
    expect((await as(['credential', 'delete', 'NOTE', '--yes'])).code).toBe(0);
    expect((await as(['credential', 'get', 'NOTE'])).code).toBe(3);
    expect((await as(['credential', 'delete', 'NOTE', '--yes'])).code).toBe(3);
  });
});

describe('credential timestamps and grants follow the clock', () => {
  it('stamps created and updated from the clock, and a grantee stops seeing a credential when its grant expires', async () => {
    const local = new TempStore();
    try {
      await local.init();
      local.clock.set('2031-05-01T00:00:00.000Z');
      const bot = await local.provision('bot');
      const peer = await local.provision('peer');
      expect((await local.agent(bot, ['credential', 'add', 'API', '--type', 'api_key', '--value-stdin'], { input: 'sk-api-secret' })).code).toBe(0);
      const added = JSON.parse((await local.agent(bot, ['credential', 'get', 'API', '--json'])).stdout) as { created: string; updated: string };
      expect(added.created).toMatch(/^2031-05-01T00:0/);
      expect(added.updated).toBe(added.created);

      local.clock.advance(24 * 3_600_000);
      expect((await local.agent(bot, ['credential', 'update', 'API', '--name', 'renamed'])).code).toBe(0);
      const updated = JSON.parse((await local.agent(bot, ['credential', 'get', 'API', '--json'])).stdout) as { created: string; updated: string };
      expect(updated.created).toBe(added.created);
      expect(updated.updated).toMatch(/^2031-05-02T00:0/);

      expect((await local.agent(bot, ['grant', 'API', '--to', 'peer', '--expires', '1h'])).code).toBe(0);
      const listed = await local.agent(peer, ['credential', 'list', '--json']);
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ key: 'API', granted_by: 'bot' })]);
      local.clock.advance(2 * 3_600_000);
      expect(await local.agent(peer, ['credential', 'list', '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
    } finally {
      local.cleanup();
    }
  });
});

describe('a secret given as an argument', () => {
  it('--totp stores the seed and warns that the command line shows it, naming --totp-stdin and --totp-file', async () => {
    const added = await as(['credential', 'add', 'ARG_TOTP', '--type', 'login', '--username', 'u', '--totp', TOTP]);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/^warning: the TOTP secret was given on the command line, where other processes and the shell history can see it; prefer --totp-stdin or --totp-file PATH\n/);
    expect(added.stderr).not.toContain(TOTP);
    expect(JSON.parse((await as(['credential', 'get', 'ARG_TOTP', '--json', '--reveal'])).stdout).fields.totp).toBe(TOTP_URI);
    const updated = await as(['credential', 'update', 'ARG_TOTP', '--totp', TOTP]);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toMatch(/^warning: the TOTP secret was given on the command line/);
  });

  it('credential set KEY=VALUE warns the same way, KEY=- does not', async () => {
    const literal = await as(['credential', 'set', 'ARG_VALUE=typed-value']);
    expect(literal.code).toBe(0);
    expect(literal.stderr).toMatch(/^warning: the value of ARG_VALUE was given on the command line, .*; prefer ARG_VALUE=- with the value on stdin/);
    expect(literal.stderr).not.toContain('typed-value');
    const piped = await as(['credential', 'set', 'ARG_VALUE=-'], 'piped-value');
    expect(piped.stderr).not.toContain('warning');
  });

  it('the warning is a message: --quiet drops it, and --json keeps stderr for errors', async () => {
    const quiet = await as(['credential', 'add', 'QUIET_TOTP', '--type', 'login', '--totp', TOTP, '--quiet']);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
    const json = await as(['credential', 'add', 'JSON_TOTP', '--type', 'login', '--totp', TOTP, '--json']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ key: 'JSON_TOTP', type: 'login' });
  });
});
