/**
 * `--json` is one vocabulary, written down in man 1 (JSON OUTPUT): this test reads the
 * shapes from the page's source, checks that a field name has one type across all of
 * them, and runs each command with `--json`, asserting that what it prints is exactly
 * its shape (no field missing, none extra, every time ISO 8601 UTC).
 *
 * Adding a command is one line in RUNS (how to run it here) and one entry in the page.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEchoServer } from '../helpers/broker.js';
import { TEST_CA_FILE } from '../helpers/echo-server.js';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { testIO } from '../../src/cli/io.js';
import { TempStore, type RunResult } from '../helpers/in-process.js';
import { checkShape, fieldKinds, parseManShapes, parseShape } from '../helpers/json-shapes.js';

const MAN = readFileSync(resolve(import.meta.dirname, '../../man/agent-vault.1'), 'utf8');
const SHAPES = parseManShapes(MAN);

/** What the runs share: the store, the bot's token, and ids made along the way. */
interface Ctx {
  s: TempStore;
  bot: string;
  ids: Record<string, string>;
  file: (name: string) => string;
  port: number;
}

type Run = (c: Ctx) => Promise<RunResult>;

const own = (c: Ctx, args: string[], input?: string): Promise<RunResult> => c.s.owner([...args, '--json'], input === undefined ? {} : { input });
const bot = (c: Ctx, args: string[]): Promise<RunResult> => c.s.agent(c.bot, [...args, '--json']);
/** Runs, and keeps the `id` it printed under `name` for the runs after it. */
const keepId = (name: string, run: Run): Run => async (c) => {
  const result = await run(c);
  c.ids[name] = (JSON.parse(result.stdout) as { id: string }).id;
  return result;
};

/** One line per documented shape, run in this order against one store. */
const RUNS: Array<[string, Run]> = [
  ['status AGENT', (c) => own(c, ['status', 'bot'])],
  ['status', (c) => own(c, ['status'])],
  ['provision', (c) => own(c, ['provision', 'third'])],
  ['provision --token-file', (c) => own(c, ['provision', 'fourth', '--token-file', c.file('fourth.token')])],
  ['token rotate', (c) => own(c, ['token', 'rotate', 'third'])],
  ['credential set', (c) => own(c, ['credential', 'set', 'K=v', 'L=w', '-a', 'bot'])],
  ['credential add', (c) => own(c, ['credential', 'add', 'GH', '--type', 'login', '--username', 'me', '--password-stdin', '--totp', 'JBSWY3DPEHPK3PXP', '-a', 'bot'], 'pw')],
  ['credential get', (c) => own(c, ['credential', 'get', 'GH', '-a', 'bot', '--reveal'])],
  ['credential get --field', (c) => own(c, ['credential', 'get', 'GH', '--field', 'username', '-a', 'bot'])],
  ['credential edit', (c) => c.s.owner(['credential', 'edit', 'GH', '-a', 'bot', '--json'], { env: { EDITOR: `sed -i -e 's/^username: .*/username: edited/'`, XDG_RUNTIME_DIR: c.file('') } })],
  ['credential copy', (c) => own(c, ['credential', 'copy', 'GH', 'GH_COPY', '-a', 'bot'])],
  ['credential list', (c) => own(c, ['credential', 'list', '-a', 'bot'])],
  ['credential search', (c) => own(c, ['credential', 'search', 'gh', '-a', 'bot'])],
  ['credential update', (c) => own(c, ['credential', 'update', 'GH', '--username', 'you', '--rotate-every', '1d', '-a', 'bot'])],
  ['credential restore', async (c) => (await own(c, ['credential', 'set', 'K=v2', '-a', 'bot']), own(c, ['credential', 'restore', 'K', '1', '-a', 'bot']))],
  ['credential history', (c) => own(c, ['credential', 'history', 'K', '-a', 'bot', '--reveal'])],
  ['credential rotate', (c) => own(c, ['credential', 'rotate', 'L', '-a', 'bot'])],
  ['credential due', async (c) => {
    c.s.clock.advance(2 * 86_400_000);
    const result = await own(c, ['credential', 'due']);
    expect(JSON.parse(result.stdout)).toHaveLength(1);
    return result;
  }],
  ['totp', (c) => own(c, ['totp', 'GH', '-a', 'bot'])],
  ['totp --qr', (c) => own(c, ['totp', 'GH', '-a', 'bot', '--qr', '--reveal'])],
  ['read', (c) => own(c, ['read', 'av://bot/GH/username'])],
  ['inject', (c) => (writeFileSync(c.file('t.tpl'), 'user={{ av://bot/GH/username }}\n'), own(c, ['inject', '-i', c.file('t.tpl'), '-o', c.file('t.out')]))],
  ['generate', (c) => own(c, ['generate'])],
  ['generate --save', (c) => own(c, ['generate', '--save', 'GEN', '-a', 'bot'])],
  ['grant', (c) => own(c, ['grant', 'K', '-a', 'bot', '--to', 'third'])],
  ['grant list', (c) => own(c, ['grant', 'list'])],
  ['grant revoke', (c) => own(c, ['grant', 'revoke', c.ids.K ?? 'K', '-a', 'bot', '--to', 'third'])],
  ['service add', (c) => own(c, ['service', 'add', 'echo', '-a', 'bot', '--host', `127.0.0.1:${c.port}`, '--credential', 'K', '--auth', 'bearer', '--allow-private'])],
  ['service list', (c) => own(c, ['service', 'list', '-a', 'bot'])],
  ['http', (c) => bot(c, ['http', `https://127.0.0.1:${c.port}/v1`, '--upstream-ca', TEST_CA_FILE])],
  ['service remove', (c) => own(c, ['service', 'remove', 'echo', '-a', 'bot'])],
  ['hook add', keepId('hook', (c) => own(c, ['hook', 'add', '--event', 'proposal.created', '--exec', 'cat >/dev/null']))],
  ['hook list', (c) => own(c, ['hook', 'list'])],
  ['hook test', (c) => own(c, ['hook', 'test', c.ids.hook!])],
  ['proposal create', keepId('proposal', (c) => bot(c, ['proposal', 'create', '--credential', 'NEW=a new key', '-m', 'please']))],
  ['hook run', (c) => own(c, ['hook', 'run'])],
  ['hook remove', (c) => own(c, ['hook', 'remove', c.ids.hook!])],
  ['proposal list', (c) => own(c, ['proposal', 'list'])],
  ['proposal show', (c) => own(c, ['proposal', 'show', c.ids.proposal!])],
  ['proposal approve', (c) => own(c, ['proposal', 'approve', c.ids.proposal!, '--yes', '--json-stdin'], '{"NEW":"x"}')],
  ['proposal wait', (c) => bot(c, ['proposal', 'wait', c.ids.proposal!])],
  ['proposal reject', async (c) => own(c, ['proposal', 'reject', (JSON.parse((await bot(c, ['proposal', 'create', '--delete', 'K'])).stdout) as { id: string }).id])],
  ['audit', (c) => own(c, ['audit', '--limit', '5'])],
  ['audit verify', (c) => own(c, ['audit', 'verify'])],
  ['audit report', (c) => own(c, ['audit', 'report'])],
  ['import', (c) => (writeFileSync(c.file('x.env'), 'IMPORTED=1\n'), own(c, ['import', 'dotenv', c.file('x.env'), '-a', 'bot']))],
  ['export', (c) => own(c, ['export', '-a', 'bot', '--yes'])],
  ['backup', (c) => own(c, ['backup', c.file('b.age'), '--backup-passphrase-file', c.file('backup.pass')])],
  ['backup verify', (c) => own(c, ['backup', 'verify', c.file('b.age'), '--backup-passphrase-file', c.file('backup.pass')])],
  ['restore', (c) => own(c, ['restore', c.file('b.age'), '--store', c.file('restored'), '--backup-passphrase-file', c.file('backup.pass')])],
  ['store migrate', (c) => own(c, ['store', 'migrate', '--from', c.s.location, '--to', c.file('migrated')])],
  ['unlock', (c) => own(c, ['unlock', '--session-dir', c.file('sessions')])],
  ['lock', (c) => own(c, ['lock', '--session-dir', c.file('sessions')])],
  ['config set', (c) => own(c, ['config', 'set', 'default-agent', 'bot'])],
  ['config get', (c) => own(c, ['config', 'get'])],
  ['config get NAME', (c) => own(c, ['config', 'get', 'default-agent'])],
  ['config list', (c) => own(c, ['config', 'list'])],
  ['config unset', (c) => own(c, ['config', 'unset', 'default-agent'])],
  ['help exit-codes', (c) => own(c, ['help', 'exit-codes'])],
  ['help environment', (c) => own(c, ['help', 'environment'])],
  ['credential delete', (c) => own(c, ['credential', 'delete', 'GEN', '-a', 'bot', '--yes'])],
  ['deprovision', (c) => own(c, ['deprovision', 'fourth', '--yes'])],
  ['passwd', (c) => own(c, ['passwd', '--new-passphrase-file', c.s.passphraseFile])],
  ['rekey', (c) => own(c, ['rekey'])],
  ['rekey --tokens', (c) => own(c, ['rekey', '--tokens'])],
];

/** Commands that print no JSON document of their own (the page says so after its list). */
const NO_DOCUMENT = new Set(['exec', 'mcp', 'completion', 'help']);

/** Every command path a user can run, `credential get` for the `get` below `credential`. */
function commandPaths(): string[] {
  const walk = (command: Command, path: string[]): string[] => {
    const subs = command.createHelp().visibleCommands(command).filter((c) => c.name() !== 'help' || path.length === 0);
    // commander keeps a command's action in _actionHandler (null without one): a group such as `config` prints nothing itself.
    const own = path.length > 0 && (subs.length === 0 || (command as unknown as { _actionHandler: unknown })._actionHandler !== null) ? [path.join(' ')] : [];
    return [...own, ...subs.flatMap((sub) => walk(sub, [...path, sub.name()]))];
  };
  return walk(buildProgram({ io: testIO(), argv: [], setExitCode: () => {} }, { json: true, version: '0.0.0' }), []);
}

/** Shapes the page lists that are not run here, and where they are exercised instead. */
const NOT_RUN: Record<string, string> = {
  init: 'the store is made before the runs: checked in its own test below',
  proxy: 'runs until killed: test/e2e/broker-proxy.test.ts',
  'credential get --clip': 'needs a clipboard tool or a terminal: test/cli/clipboard.test.ts',
};

describe('the JSON vocabulary of man 1', () => {
  it('lists every command it runs here, and runs every command it lists', () => {
    const commands = Object.keys(SHAPES).filter((name) => !/^[A-Z]/.test(name));
    expect(commands.length).toBeGreaterThan(50);
    expect([...RUNS.map(([name]) => name), ...Object.keys(NOT_RUN)].sort()).toEqual(commands.sort());
  });

  it('has a shape, or says there is no document, for every command of the program', () => {
    const documented = new Set(Object.keys(SHAPES).map((name) => name.split(' ').filter((word) => /^[a-z]/.test(word)).join(' ')));
    expect(commandPaths().filter((path) => !documented.has(path) && !NO_DOCUMENT.has(path))).toEqual([]);
  });

  it('gives each field name one type in every shape', () => {
    const clashes = [...fieldKinds(SHAPES)].filter(([, kinds]) => kinds.size > 1).map(([name, kinds]) => `${name}: ${[...kinds].join(' vs ')}`);
    expect(clashes).toEqual([]);
  });

  it('checks what it is given: a missing, extra or mistyped field, or a time not in UTC, fails', () => {
    const shape = parseShape('{id: string, created: time, n?: number}', {});
    expect(checkShape({ id: 'a', created: '2031-05-01T00:00:00.000Z' }, shape)).toEqual([]);
    expect(checkShape({ id: 'a' }, shape)).toEqual(['$.created: missing']);
    expect(checkShape({ id: 'a', created: '2031-05-01T00:00:00.000Z', extra: 1 }, shape)).toEqual(['$.extra: not in the shape']);
    expect(checkShape({ id: 1, created: '2031-05-01T02:00:00+02:00' }, shape)).toEqual(['$.id: 1 is not a string', '$.created: "2031-05-01T02:00:00+02:00" is not a time']);
    expect(checkShape({ id: 'a', created: '2031-05-01T00:00:00.000Z', n: '3' }, shape)).toEqual(['$.n: "3" is not a number']);
  });
});

describe('each command prints its shape', () => {
  const ctx = {} as Ctx;
  const server = useEchoServer();
  beforeAll(async () => {
    const s = new TempStore();
    await s.init();
    const root = mkdtempSync(join(s.root, 'files-'));
    writeFileSync(join(root, 'backup.pass'), 'a backup passphrase of five words\n', { mode: 0o600 });
    Object.assign(ctx, { s, bot: await s.provision('bot'), ids: {}, file: (name: string) => join(root, name), port: server.port });
  });
  afterAll(() => ctx.s.cleanup());

  it('init', async () => {
    const s = new TempStore();
    try {
      const result = await s.owner(['init', '--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(checkShape(JSON.parse(result.stdout), SHAPES.init!)).toEqual([]);
    } finally {
      s.cleanup();
    }
  });

  for (const [name, run] of RUNS) {
    it(name, async () => {
      const result = await run(ctx);
      expect(result.code, result.stderr).toBe(0);
      expect(checkShape(JSON.parse(result.stdout), SHAPES[name]!)).toEqual([]);
      for (const line of result.stderr.split('\n').filter((l) => l.startsWith('{'))) expect(checkShape(JSON.parse(line), parseShape('{warning: string}', SHAPES))).toEqual([]);
    });
  }

  it('an error is the Error shape on stderr, and nothing on stdout', async () => {
    for (const args of [['credential', 'get', 'NOPE', '-a', 'bot'], ['credential', 'get'], ['status', 'Not An Agent']]) {
      const result = await ctx.s.owner([...args, '--json']);
      expect(result.code).toBeGreaterThan(1);
      expect(result.stdout).toBe('');
      expect(checkShape(JSON.parse(result.stderr), SHAPES.Error!), args.join(' ')).toEqual([]);
    }
  });
});


describe('the fixes the vocabulary asked for', () => {
  let s: TempStore;
  beforeAll(async () => {
    s = new TempStore();
    await s.init();
    await s.provision('bot');
    await s.provision('other');
    expect((await s.owner(['credential', 'add', 'GH', '--type', 'login', '--username', 'me', '--password-stdin', '--totp', 'JBSWY3DPEHPK3PXP', '-a', 'bot'], { input: 'pw' })).code).toBe(0);
  });
  afterAll(() => s.cleanup());
  const json = async (args: string[]): Promise<unknown> => {
    const result = await s.owner([...args, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('credential get --field F --json prints that field, and the TOTP secret still needs --reveal', async () => {
    expect(await json(['credential', 'get', 'GH', '--field', 'username', '-a', 'bot'])).toEqual({ agent: 'bot', id: expect.any(String), key: 'GH', field: 'username', value: 'me' });
    const refused = await s.owner(['credential', 'get', 'GH', '--field', 'totp', '-a', 'bot', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).not.toContain('JBSWY3DPEHPK3PXP');
    expect(await json(['credential', 'get', 'GH', '--field', 'totp', '--reveal', '-a', 'bot'])).toMatchObject({ field: 'totp', value: expect.stringContaining('JBSWY3DPEHPK3PXP') });
  });

  it('config set and unset --json print the setting, as config get NAME --json does', async () => {
    expect(await json(['config', 'set', 'default-agent', 'bot'])).toEqual({ 'default-agent': 'bot' });
    expect(await json(['config', 'get', 'default-agent'])).toEqual({ 'default-agent': 'bot' });
    expect(await json(['config', 'unset', 'default-agent'])).toEqual({ 'default-agent': null });
    expect(await json(['config', 'get', 'default-agent'])).toEqual({ 'default-agent': null });
  });

  it('credential set says added, never created, for a new and an existing key, with its id', async () => {
    const first = (await json(['credential', 'set', 'K=v', '-a', 'bot'])) as Array<{ id: string }>;
    expect(first).toEqual([{ agent: 'bot', id: expect.any(String), key: 'K', added: true }]);
    expect(await json(['credential', 'set', 'K=w', '-a', 'bot'])).toEqual([{ agent: 'bot', id: first[0]!.id, key: 'K', added: false }]);
  });

  it('grant revoke by id names the key, not the id it was given', async () => {
    const { id } = (await json(['credential', 'get', 'GH', '-a', 'bot'])) as { id: string };
    await json(['grant', 'GH', '-a', 'bot', '--to', 'other']);
    expect(await json(['grant', 'revoke', id, '-a', 'bot', '--to', 'other'])).toEqual({ granter: 'bot', grantee: 'other', key: 'GH', revoked: true });
  });
});
