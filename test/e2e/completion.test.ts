/**
 * The completion scripts run in the shells themselves: bash through its completion
 * function and COMPREPLY, fish through `complete -C`, zsh through its completion system
 * on a pseudo-terminal. A shell that is not installed skips its tests, saying so (CI installs all three).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';
import { skipWithout } from '../helpers/tools.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BASH = resolve(ROOT, 'completions/agent-vault.bash');
const ZSH = resolve(ROOT, 'completions/_agent-vault');
const FISH = resolve(ROOT, 'completions/agent-vault.fish');

let home: string;
let store: string;
let other: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'agent-vault-completion-'));
  store = join(home, 'store');
  other = join(home, 'other');
  for (const [dir, agents] of [[store, ['a1', 'bot-2']], [other, ['zed']]] as const) {
    mkdirSync(join(dir, 'vaults'), { recursive: true });
    for (const agent of agents) {
      writeFileSync(join(dir, 'vaults', `${agent}.vault`), '');
      writeFileSync(join(dir, 'vaults', `${agent}.vault.bak`), '');
      writeFileSync(join(dir, 'vaults', `${agent}.audit.jsonl`), '');
    }
  }
  // Not an agent id, so never offered.
  writeFileSync(join(store, 'vaults', 'Bad Name.vault'), '');
  // The default stores: $XDG_DATA_HOME/agent-vault, else ~/.local/share/agent-vault.
  for (const [dir, agent] of [[join(home, 'data', 'agent-vault'), 'x9'], [join(home, 'home', '.local', 'share', 'agent-vault'), 'h1']]) {
    mkdirSync(join(dir!, 'vaults'), { recursive: true });
    writeFileSync(join(dir!, 'vaults', `${agent}.vault`), '');
  }
  writeFileSync(join(home, 'token.txt'), '');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The environment of a shell: a variable given as undefined is left out. */
function shellEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const all: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(home, 'home'), AGENT_VAULT_HOME: store, ...env };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

/** What bash's completion function puts in COMPREPLY for `words`, the last being the word under the cursor. */
function bash(words: string[], env?: NodeJS.ProcessEnv): string[] {
  const script = 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _agent_vault; printf "%s\\n" "${COMPREPLY[@]}"';
  const result = spawnSync('bash', ['-c', script, BASH, ...words], { env: shellEnv(env), cwd: home, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.split('\n').filter((line) => line !== '');
}

/** What fish completes for the command line `line` (the words only, not their descriptions). */
function fish(line: string, env?: NodeJS.ProcessEnv): string[] {
  const result = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', FISH, line], { env: shellEnv(env), cwd: home, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!);
}

const TYPES = ['login', 'secure_note', 'card', 'identity', 'api_key'];

describe.skipIf(skipWithout('bash'))('bash completion', () => {
  it('completes a command from its prefix, and not to its alias', () => {
    expect(bash(['agent-vault', 'cre'])).toEqual(['credential']);
    expect(bash(['agent-vault', ''])).toEqual(expect.arrayContaining(['init', 'provision', 'status', 'credential', 'completion', 'help']));
  });

  it('completes the subcommands of a command, also after global options and through an alias', () => {
    const subcommands = ['set', 'add', 'get', 'list', 'search', 'update', 'delete'];
    expect(bash(['agent-vault', 'credential', ''])).toEqual(expect.arrayContaining(subcommands));
    expect(bash(['agent-vault', '--store', store, '-q', 'cred', 'l'])).toEqual(['list']);
    expect(bash(['agent-vault', 'token', ''])).toContain('rotate');
  });

  it('completes the choices of --type, also after --type=', () => {
    expect(bash(['agent-vault', 'credential', 'list', '--type', ''])).toEqual(TYPES);
    expect(bash(['agent-vault', 'credential', 'list', '-t', 's'])).toEqual(['secure_note']);
    expect(bash(['agent-vault', 'credential', 'add', 'K', '--type', '=', 'ca'])).toEqual(['card']);
    expect(bash(['agent-vault', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('lists agent ids from the store directory, from --store when it is on the line', () => {
    expect(bash(['agent-vault', 'credential', 'list', '--agent', ''])).toEqual(['a1', 'bot-2']);
    expect(bash(['agent-vault', '-a', 'b'])).toEqual(['bot-2']);
    expect(bash(['agent-vault', 'status', ''])).toEqual(['a1', 'bot-2']);
    expect(bash(['agent-vault', 'token', 'rotate', ''])).toEqual(['a1', 'bot-2']);
    expect(bash(['agent-vault', '--store', other, 'deprovision', ''])).toEqual(['zed']);
    expect(bash(['agent-vault', `--store=${other}`, 'deprovision', ''])).toEqual(['zed']);
    expect(bash(['agent-vault', 'status', ''], { AGENT_VAULT_HOME: '', XDG_DATA_HOME: join(home, 'data') })).toEqual(['x9']);
    expect(bash(['agent-vault', 'status', ''], { AGENT_VAULT_HOME: undefined })).toEqual(['h1']);
    expect(bash(['agent-vault', 'status', 'a1', ''])).toEqual([]);
    expect(bash(['agent-vault', 'provision', ''])).toEqual([]);
  });

  it('completes options, global ones included, and file names for file options', () => {
    const options = bash(['agent-vault', 'credential', 'list', '--']);
    expect(options).toEqual(expect.arrayContaining(['--reveal', '--type', '--agent', '--store', '--json', '--help']));
    expect(new Set(options).size).toBe(options.length);
    expect(bash(['agent-vault', 'credential', 'list', '--re'])).toEqual(['--reveal']);
    expect(bash(['agent-vault', '--token-file', 'tok'])).toEqual(['token.txt']);
    expect(bash(['agent-vault', '--store', 'sto'])).toEqual(['store']);
  });

  it('offers nothing of its own after --', () => {
    expect(bash(['agent-vault', 'credential', 'list', '--', ''])).toEqual([]);
    expect(bash(['agent-vault', 'exec', '--', '--a'])).toEqual([]);
    expect(bash(['agent-vault', '--', 'cre'])).toEqual([]);
  });
});

describe.skipIf(skipWithout('fish'))('fish completion', () => {
  it('parses', () => {
    expect(spawnSync('fish', ['--no-execute', FISH]).status).toBe(0);
  });

  it('completes commands, subcommands, choices and agent ids', () => {
    expect(fish('agent-vault cre')).toEqual(['credential']);
    expect(fish('agent-vault cred ')).toEqual(expect.arrayContaining(['list', 'get', 'set']));
    expect(fish('agent-vault credential list --type ').sort()).toEqual([...TYPES].sort());
    expect(fish('agent-vault --agent ')).toEqual(['a1', 'bot-2']);
    expect(fish(`agent-vault --store ${other} status `)).toEqual(['zed']);
    expect(fish('agent-vault status ', { AGENT_VAULT_HOME: undefined, XDG_DATA_HOME: join(home, 'data') })).toEqual(['x9']);
    expect(fish('agent-vault cred ls --re')).toEqual(['--reveal']);
    expect(fish('agent-vault help e')).toEqual(['environment', 'exec', 'exit-codes', 'export']);
  });

  it('offers nothing of its own after --', () => {
    expect(fish('agent-vault exec -- cre')).toEqual([]);
    expect(fish('agent-vault exec -- --a')).toEqual([]);
  });
});

/** What zsh's completion system offers for the command line `line`, driven on a pseudo-terminal. */
function zsh(line: string): string[] {
  const out = join(home, 'zsh-matches');
  const helper = resolve(ROOT, 'test/helpers/zsh-complete.zsh');
  const result = spawnSync('zsh', ['-f', helper, resolve(ROOT, 'completions'), out, line], { env: shellEnv(), cwd: home, encoding: 'utf8', timeout: 90_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '');
}

describe.skipIf(skipWithout('zsh'))('zsh completion', () => {
  it('parses', () => {
    const result = spawnSync('zsh', ['-n', ZSH], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('completes commands, choices and agent ids, and nothing of its own after --', () => {
    expect(zsh('agent-vault cre')).toEqual(['credential']);
    expect(zsh('agent-vault credential list --type ')).toEqual([...TYPES].sort());
    expect(zsh('agent-vault -q token rotate ')).toEqual(['a1', 'bot-2']);
    expect(zsh(`agent-vault --store ${other} --agent `)).toEqual(['zed']);
    expect(zsh('agent-vault cred ls --re')).toEqual(['--reveal']);
    expect(zsh('agent-vault exec -- --a')).toEqual([]);
  });
});

describe('agent-vault completion', () => {
  const env = { HOME: '/nonexistent', AGENT_VAULT_HOME: '/nonexistent/store' };

  it.each([
    ['bash', BASH],
    ['zsh', ZSH],
    ['fish', FISH],
  ])('prints the %s script of completions/', async (shell, file) => {
    const result = await run(['completion', shell], { baseEnv: env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(readFileSync(file, 'utf8'));
  });

  it('refuses an unknown shell or none with exit 2', async () => {
    const unknown = await run(['completion', 'powershell'], { baseEnv: env });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('bash, zsh, fish');
    expect((await run(['completion'], { baseEnv: env })).code).toBe(2);
    const json = await run(['completion', 'tcsh', '--json'], { baseEnv: env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'usage', exit: 2 } });
  });
});

describe('agent-vault help', () => {
  const env = { HOME: '/nonexistent', AGENT_VAULT_HOME: '/nonexistent/store' };

  it('prints the exit codes, as text and as JSON', async () => {
    const text = await run(['help', 'exit-codes'], { baseEnv: env });
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^ {2}0 {2}success \(an empty list too\)$/m);
    expect(text.stdout).toMatch(/^ {2}8 {2}cancelled: a confirmation was declined or a prompt interrupted$/m);
    const json = await run(['help', 'exit-codes', '--json'], { baseEnv: env });
    expect(json.code).toBe(0);
    // The names of the error object's fields: `exit` the number, `code` the name.
    const rows = JSON.parse(json.stdout) as Array<{ exit: number; code: string; meaning: string }>;
    expect(rows.map((r) => r.exit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows[4]).toEqual({ exit: 4, code: 'auth_failed', meaning: 'authentication failed: wrong passphrase, unknown or rotated token' });
  });

  it('prints the environment variables, as text and as JSON', async () => {
    const text = await run(['help', 'environment'], { baseEnv: env });
    expect(text).toMatchObject({ code: 0, stderr: '' });
    for (const name of ['AGENT_VAULT_HOME', 'AGENT_VAULT_TOKEN', 'AGENT_VAULT_PASSPHRASE_FILE', 'AGENT_VAULT_LOCK_TIMEOUT', 'NO_COLOR']) {
      expect(text.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
    }
    const json = await run(['--json', 'help', 'environment'], { baseEnv: env });
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as Array<{ name: string }>).map((r) => r.name)).toContain('AGENT_VAULT_DEBUG');
  });

  it("still shows a command's help, for a whole command path and an alias", async () => {
    const get = await run(['help', 'credential', 'get'], { baseEnv: env });
    expect(get).toMatchObject({ code: 0, stderr: '' });
    expect(get.stdout).toContain('Usage: agent-vault credential get|show [options] <KEY|id>');
    expect((await run(['help', 'cred'], { baseEnv: env })).stdout).toContain('Usage: agent-vault credential|cred');
    const root = await run(['help'], { baseEnv: env });
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('Usage: agent-vault');
    expect(root.stdout).toContain('help [topic-or-command...]');
  });

  it('refuses an unknown topic with exit 2', async () => {
    const result = await run(['help', 'exit-code'], { baseEnv: env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no help topic or command "exit-code"');
    expect((await run(['help', 'credential', 'nosuch'], { baseEnv: env })).code).toBe(2);
  });
});
