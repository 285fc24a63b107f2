import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTotp, parseTotpSecret } from '../../src/core/totp.js';
import { TempStore } from '../helpers/cli.js';
import { KEY, runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

const PASS = 'tangerine-orbit-quiet-7-Hollow';
/** The pty helper is a Python script. */
const NO_PTY = skipWithout('python3');

describe.skipIf(NO_PTY)('on a terminal', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  const init = ['init', '--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'];

  it('init asks twice, rates the passphrase and never echoes it', () => {
    const result = runInPty(init, [
      { expect: 'New owner passphrase' },
      { send: `${PASS}${KEY.enter}` },
      { expect: 'Repeat the passphrase' },
      { send: `${PASS}${KEY.enter}` },
    ], store.env);
    expect(result.timeout).toBe(false);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/strength: (good|strong)/);
    expect(result.output).not.toContain(PASS);
    expect(existsSync(`${store.dir}/store`)).toBe(true);
  });

  it('init with mismatched passphrases creates nothing (exit 2)', () => {
    const result = runInPty(init, [
      { expect: 'New owner passphrase' },
      { send: `${PASS}${KEY.enter}` },
      { expect: 'Repeat the passphrase' },
      { send: `not-the-same-one${KEY.enter}` },
    ], store.env);
    expect(result.code).toBe(2);
    expect(result.output).toContain('do not match');
    expect(existsSync(`${store.dir}/store`)).toBe(false);
  });

  it('init warns about a weak passphrase and declining cancels with exit 8', () => {
    const result = runInPty(init, [
      { expect: 'New owner passphrase' },
      { send: `abc${KEY.enter}` },
      { expect: 'Use it anyway?' },
      { send: `n${KEY.enter}` },
    ], store.env);
    expect(result.output).toContain('strength: weak');
    expect(result.code).toBe(8);
    expect(existsSync(`${store.dir}/store`)).toBe(false);
  });

  it('Ctrl-C at the passphrase prompt exits 8 and writes nothing', () => {
    const result = runInPty(init, [{ expect: 'New owner passphrase' }, { send: 'half' }, { send: KEY.ctrlC }], store.env);
    expect(result.code).toBe(8);
    expect(existsSync(`${store.dir}/store`)).toBe(false);
  });

  it('asks for the owner passphrase, masked, and reads a value', async () => {
    await store.init();
    await store.provision('bot1');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'the-value' });
    const result = runInPty(['credential', 'get', 'API_KEY', '--agent', 'bot1'], [
      { expect: 'Owner passphrase' },
      { send: `correct horse battery staple${KEY.enter}` },
    ], store.env);
    expect(result.code).toBe(0);
    expect(result.output).toContain('the-value');
    expect(result.output).not.toContain('correct horse');
  });

  it('a destructive command names what it deletes and a "no" keeps it (exit 8)', async () => {
    await store.init();
    await store.provision('bot1');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'v' });
    const env = { ...store.env, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile };
    const result = runInPty(['credential', 'delete', 'API_KEY', '--agent', 'bot1'], [{ expect: 'Delete api_key API_KEY from the vault of bot1?' }, { send: `n${KEY.enter}` }], env);
    expect(result.code).toBe(8);
    expect((await store.owner(['credential', 'get', 'API_KEY', '--agent', 'bot1'])).stdout).toBe('v\n');
    const deprovision = runInPty(['deprovision', 'bot1'], [{ expect: 'Deprovision agent bot1 and delete its 1 credential(s)?' }, { send: `y${KEY.enter}` }], env);
    expect(deprovision.code).toBe(0);
    expect(existsSync(`${store.dir}/vaults/bot1.vault`)).toBe(false);
  });
});

describe.skipIf(NO_PTY)('credential add on a terminal', () => {
  let store: TempStore;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    ({ store } = await TempStore.withAgent('bot1'));
    env = { ...store.env, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile };
  });
  afterEach(() => store.cleanup());

  it('walks through a login, offers a generated password, and the login reads back', async () => {
    const result = runInPty(['credential', 'add', 'GITHUB', '--type', 'login', '--agent', 'bot1'], [
      { expect: 'Display name' },
      { send: `GitHub bot${KEY.enter}` },
      { expect: 'Username' },
      { send: `octo-bot${KEY.enter}` },
      { expect: 'URIs' },
      { send: `https://github.com, https://api.github.com${KEY.enter}` },
      { expect: 'Generate a strong 24-character password?' },
      { send: KEY.enter },
      { expect: 'TOTP secret' },
      { send: `JBSWY3DPEHPK3PXP${KEY.enter}` },
      { expect: 'Tags' },
      { send: `scm,ci${KEY.enter}` },
    ], env);
    expect(result).toMatchObject({ code: 0, timeout: false });
    expect(result.output).toContain('added login GITHUB');
    expect(result.output).not.toContain('JBSWY3DPEHPK3PXP');
    const got = JSON.parse((await store.owner(['credential', 'get', 'GITHUB', '--agent', 'bot1', '--json'])).stdout) as {
      name: string; tags: string[]; uris: string[]; fields: Record<string, string>;
    };
    expect(got).toMatchObject({ name: 'GitHub bot', tags: ['scm', 'ci'], uris: ['https://github.com', 'https://api.github.com'] });
    expect(got.fields.username).toBe('octo-bot');
    expect(got.fields.password).toMatch(/^\S{24}$/);
    expect(result.output).not.toContain(got.fields.password!);
    expect((await store.owner(['totp', 'GITHUB', '--agent', 'bot1'])).stdout).toMatch(/^\d{6}\n$/);
  });

  it('asks for the type, re-asks a bad TOTP secret, and a required secret', async () => {
    const result = runInPty(['credential', 'add', 'NOTE', '--agent', 'bot1'], [
      { expect: 'Type' },
      { send: KEY.down },
      { expect: 'secure_note' },
      { send: KEY.enter },
      { expect: 'Display name' },
      { send: KEY.enter },
      { expect: 'Write the notes in your editor' },
      { send: `n${KEY.enter}` },
      { expect: 'Notes' },
      { send: KEY.enter },
      { expect: 'a value is needed' },
      // Typed only once the prompt is back: before it, the terminal still echoes.
      { expect: 'Notes' },
      { send: `the secret note${KEY.enter}` },
      { expect: 'Tags' },
      { send: KEY.enter },
    ], env);
    expect(result).toMatchObject({ code: 0, timeout: false });
    expect(result.output).not.toContain('the secret note');
    const note = await store.owner(['credential', 'get', 'NOTE', '--agent', 'bot1', '--json']);
    expect(JSON.parse(note.stdout)).toMatchObject({ type: 'secure_note', fields: { notes: 'the secret note' } });

    const login = runInPty(['credential', 'add', 'SITE', '--type', 'login', '--agent', 'bot1'], [
      { expect: 'Display name' },
      { send: KEY.enter },
      { expect: 'Username' },
      { send: KEY.enter },
      { expect: 'URIs' },
      { send: KEY.enter },
      { expect: 'Generate' },
      { send: `n${KEY.enter}` },
      { expect: 'Password' },
      { send: `typed-password${KEY.enter}` },
      { expect: 'TOTP secret' },
      { send: `not base32 at all!${KEY.enter}` },
      { expect: 'TOTP secret' },
      { send: KEY.enter },
      { expect: 'Tags' },
      { send: KEY.enter },
    ], env);
    expect(login).toMatchObject({ code: 0, timeout: false });
    expect((await store.owner(['credential', 'get', 'SITE', '--agent', 'bot1'])).stdout).toBe('typed-password\n');
  });

  it('Ctrl-C in the middle writes nothing and exits 8', async () => {
    const result = runInPty(['credential', 'add', 'GITHUB', '--type', 'login', '--agent', 'bot1'], [
      { expect: 'Display name' },
      { send: KEY.enter },
      { expect: 'Username' },
      { send: `octo${KEY.enter}` },
      { expect: 'URIs' },
      { send: KEY.ctrlC },
    ], env);
    expect(result.code).toBe(8);
    expect((await store.owner(['credential', 'get', 'GITHUB', '--agent', 'bot1'])).code).toBe(3);
  });
});

/**
 * An environment whose CLI process writes the path of every bundle bin/load-bundle.cjs
 * compiles (through node:vm's Script, which a preload wraps) to a file, and that file's
 * reader: which of dist/fast.cjs and dist/cli.cjs ran a command line.
 */
function recordingBundles(store: TempStore): { env: NodeJS.ProcessEnv; loaded(): string[] } {
  const preload = join(store.root, 'record-bundles.cjs');
  const record = join(store.root, 'bundles.txt');
  writeFileSync(
    preload,
    [
      "const vm = require('node:vm');",
      "const { appendFileSync } = require('node:fs');",
      'const { Script } = vm;',
      'vm.Script = class extends Script {',
      '  constructor(code, options) {',
      '    super(code, options);',
      "    appendFileSync(process.env.BUNDLES_FILE, `${options.filename}\\n`);",
      '  }',
      '};',
      '',
    ].join('\n'),
  );
  writeFileSync(record, '');
  return {
    env: { NODE_OPTIONS: `--require ${preload}`, BUNDLES_FILE: record },
    loaded: () => readFileSync(record, 'utf8').split('\n').filter(Boolean),
  };
}

const FAST_BUNDLE = resolve(import.meta.dirname, '../../dist/fast.cjs');
const GENERATE_BUNDLE = resolve(import.meta.dirname, '../../dist/generate.cjs');
const CLI_BUNDLE = resolve(import.meta.dirname, '../../dist/cli.cjs');

describe('which bundle runs generate', () => {
  let store: TempStore;
  beforeEach(() => {
    store = new TempStore();
  });
  afterEach(() => store.cleanup());

  it('a bare generate, with or without --json, from dist/generate.cjs alone, with no store', async () => {
    for (const args of [['generate'], ['generate', '--json']]) {
      const bundles = recordingBundles(store);
      const result = await store.run(args, { env: bundles.env });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(args.length === 1 ? /^\S{24}\n$/ : /"entropy_bits"/);
      expect(bundles.loaded()).toEqual([GENERATE_BUNDLE]);
    }
  });

  it('generate with an option, a misspelt one or --help: dist/generate.cjs declines it and dist/cli.cjs runs it', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['generate', '--words', '4'], 0, /^\S+(-\S+){3}\n$/],
      [['generate', '--lenght', '4'], 2, /^$/],
      [['generate', '--help'], 0, /Usage: agent-vault generate/],
    ];
    for (const [args, code, stdout] of cases) {
      const bundles = recordingBundles(store);
      const result = await store.run(args, { env: bundles.env });
      expect(result.code, result.stderr).toBe(code);
      expect(result.stdout).toMatch(stdout);
      if (code === 2) expect(result.stderr).toContain('Did you mean --length?');
      expect(bundles.loaded()).toEqual([GENERATE_BUNDLE, CLI_BUNDLE]);
    }
  });
});

describe('output modes', () => {
  let store: TempStore;
  let env: NodeJS.ProcessEnv;
  let bot1: string;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'v' });
    env = { ...store.env, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile };
  });
  afterEach(() => store.cleanup());

  const BOLD = '\x1b[1m';

  it.skipIf(NO_PTY)('draws a table with a bold header on a terminal, and no colour with --no-color or NO_COLOR', () => {
    const table = runInPty(['credential', 'list', '--agent', 'bot1'], [], env);
    expect(table.code).toBe(0);
    expect(table.output).toContain(`${BOLD}KEY`);
    expect(table.output).toMatch(/│|─|┌/);
    for (const [args, extra] of [[['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
      const plain = runInPty(['credential', 'list', '--agent', 'bot1', ...args], [], { ...env, ...extra });
      expect(plain.code).toBe(0);
      expect(plain.output).toContain('KEY');
      expect(plain.output).not.toContain('\x1b[');
    }
  });

  it.skipIf(NO_PTY)("draws an agent's bare credential list from dist/fast.cjs: a table, a bold header, relative times, masked values", () => {
    const bundles = recordingBundles(store);
    const table = runInPty(['credential', 'list'], [], { ...store.env, AGENT_VAULT_TOKEN: bot1, ...bundles.env });
    expect(table.code, table.output).toBe(0);
    // The fast form alone ran: the table's packages came through the fast bundle's lazy imports.
    expect(bundles.loaded()).toEqual([FAST_BUNDLE]);
    expect(table.output).toContain(`${BOLD}KEY`);
    expect(table.output).toMatch(/│|─|┌/);
    const row = table.output.split('\n').find((l) => l.includes('API_KEY'))!;
    expect(row).toMatch(/just now|\d+ seconds? ago/);
    expect(row).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(row).toContain('********');
  });

  it.skipIf(NO_PTY)("prints an agent's totp code on a terminal from dist/fast.cjs", async () => {
    const seed = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    expect((await store.owner(['credential', 'add', 'SITE', '--type', 'login', '--username', 'u', '--totp-stdin', '--agent', 'bot1'], { input: seed })).code).toBe(0);
    const bundles = recordingBundles(store);
    const before = Date.now();
    const result = runInPty(['totp', 'SITE'], [], { ...store.env, AGENT_VAULT_TOKEN: bot1, ...bundles.env });
    const after = Date.now();
    expect(result.code, result.output).toBe(0);
    expect(bundles.loaded()).toEqual([FAST_BUNDLE]);
    // The code of the window the run began or ended in: the only text it printed.
    const codes = await Promise.all([before, after].map(async (ms) => (await generateTotp(parseTotpSecret(seed), ms)).code));
    expect(codes.map((code) => `${code}\r\n`)).toContain(result.output);
    expect(result.output).not.toContain(seed);
  });

  it('prints tab-separated rows without colour or borders when piped, and -q silences messages', async () => {
    const piped = await store.owner(['credential', 'list', '--agent', 'bot1']);
    expect(piped.stdout).toMatch(/^API_KEY\t\tapi_key\t\d{4}-\d\d-\d\dT\S+Z\t\n$/);
    expect(piped.stdout).not.toContain('\x1b[');
    const loud = await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot1'], { input: 'x' });
    expect(loud.stderr).toContain('added OTHER');
    const quiet = await store.owner(['credential', 'set', 'THIRD=-', '--agent', 'bot1', '-q'], { input: 'x' });
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
