/**
 * Credential keys and `--field` names complete in bash, zsh (on a pseudo-terminal) and
 * fish, through `agent-vault __complete`, with an agent token or an owner session only.
 * Without one, or with only a passphrase (even a right one, in a file), completion offers
 * nothing, prints nothing on stderr and never asks: the shells' helpers here fail on any
 * stderr, and zsh's would hang on a prompt.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TempStore } from '../helpers/cli.js';
import { skipWithout } from '../helpers/tools.js';

const ROOT = resolve(import.meta.dirname, '../..');
const LOGIN_FIELDS = ['password', 'totp', 'username'];

let store: TempStore;
let work: string;
let tokenFile: string;
let session: string;
let sessionDir: string;

beforeAll(async () => {
  store = new TempStore();
  await store.init();
  work = mkdtempSync(join(tmpdir(), 'agent-vault-complete-'));
  tokenFile = join(work, 'bot.token');
  writeFileSync(tokenFile, `${await store.provision('bot')}\n`, { mode: 0o600 });
  expect((await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'me', '--password-stdin', '-a', 'bot'], { input: 'pw' })).code).toBe(0);
  expect((await store.owner(['credential', 'set', 'OPENAI_API_KEY=sk', '-a', 'bot'])).code).toBe(0);
  // The shells find agent-vault on $PATH, as an installed one would be.
  mkdirSync(join(work, 'bin'));
  symlinkSync(BIN, join(work, 'bin', 'agent-vault'));
  sessionDir = join(work, 'sessions');
  mkdirSync(sessionDir, { mode: 0o700 });
  const unlocked = await store.owner(['unlock', '--session-dir', sessionDir]);
  expect(unlocked.code, unlocked.stderr).toBe(0);
  session = unlocked.stdout.trim();
});
afterAll(() => {
  store.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** The environment of a shell: the store, agent-vault on PATH, and `env`; nothing else of ours. */
function shellEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${join(work, 'bin')}:${process.env.PATH}`, HOME: join(work, 'home'), ...store.env, ...env };
}

function bash(words: string[], env?: NodeJS.ProcessEnv): string[] {
  const script = 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _agent_vault; printf "%s\\n" "${COMPREPLY[@]}"';
  const result = spawnSync('bash', ['-c', script, resolve(ROOT, 'completions/agent-vault.bash'), ...words], { env: shellEnv(env), cwd: work, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.split('\n').filter((line) => line !== '').sort();
}

function fish(line: string, env?: NodeJS.ProcessEnv): string[] {
  const result = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', resolve(ROOT, 'completions/agent-vault.fish'), line], { env: shellEnv(env), cwd: work, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!).sort();
}

function zsh(line: string, env?: NodeJS.ProcessEnv): string[] {
  const out = join(work, 'zsh-matches');
  const result = spawnSync('zsh', ['-f', resolve(ROOT, 'test/helpers/zsh-complete.zsh'), resolve(ROOT, 'completions'), out, line], { env: shellEnv(env), cwd: work, encoding: 'utf8', timeout: 90_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((l) => l !== '');
}

describe('agent-vault __complete', () => {
  it('prints keys and fields with a token, and nothing, exit 0, without one or with a passphrase file only', async () => {
    expect(await store.run(['__complete', 'keys', '--token-file', tokenFile])).toMatchObject({ code: 0, stdout: 'GITHUB\nOPENAI_API_KEY\n', stderr: '' });
    expect((await store.run(['__complete', 'fields', 'GITHUB', '--token-file', tokenFile])).stdout.split('\n').filter(Boolean).sort()).toEqual(LOGIN_FIELDS);
    expect(await store.run(['__complete', 'keys', '-a', 'bot'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await store.owner(['__complete', 'keys', '-a', 'bot'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await store.run(['__complete', 'keys', '-a', 'bot'], { env: { AGENT_VAULT_SESSION: 'avs_not-a-session' } })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await store.run(['__complete', 'keys', '--token-file', join(work, 'missing')])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('reads the vault with an owner session, and never falls back to the passphrase when the session has ended', async () => {
    const env = { AGENT_VAULT_SESSION: session, AGENT_VAULT_SESSION_DIR: sessionDir };
    expect(await store.run(['__complete', 'keys', '-a', 'bot'], { env })).toMatchObject({ code: 0, stdout: 'GITHUB\nOPENAI_API_KEY\n', stderr: '' });
    const ended = { AGENT_VAULT_SESSION: `${session.slice(0, -4)}AAAA`, AGENT_VAULT_SESSION_DIR: sessionDir, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile };
    expect(await store.run(['__complete', 'keys', '-a', 'bot'], { env: ended })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await store.run(['__complete', 'fields', 'GITHUB', '-a', 'bot'], { env: ended })).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('offers every field name without a caller, since they come from the types, not the vault', async () => {
    const result = await store.run(['__complete', 'fields', 'GITHUB', '-a', 'bot']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual(expect.arrayContaining([...LOGIN_FIELDS, 'value']));
  });

  it('is not listed by help or by the scripts', async () => {
    const help = await store.run(['--help']);
    expect(help.stdout).not.toContain('__complete');
  });
});

describe.skipIf(skipWithout('bash'))('bash completes credential keys and fields', () => {
  it('with a token file on the line, or a token in the environment', () => {
    expect(bash(['agent-vault', '--token-file', tokenFile, 'credential', 'get', ''])).toEqual(['GITHUB', 'OPENAI_API_KEY']);
    expect(bash(['agent-vault', 'totp', 'G'], { AGENT_VAULT_TOKEN_FILE: tokenFile })).toEqual(['GITHUB']);
    expect(bash(['agent-vault', 'credential', 'get', 'GITHUB', '--field', ''], { AGENT_VAULT_TOKEN_FILE: tokenFile })).toEqual(LOGIN_FIELDS);
    expect(bash(['agent-vault', 'credential', 'get', 'GITHUB', '-f', 'u'], { AGENT_VAULT_TOKEN_FILE: tokenFile })).toEqual(['username']);
  });

  it('with an owner session, naming the agent', () => {
    const env = { AGENT_VAULT_SESSION: session, AGENT_VAULT_SESSION_DIR: sessionDir };
    expect(bash(['agent-vault', 'credential', 'delete', '--agent', 'bot', 'O'], env)).toEqual(['OPENAI_API_KEY']);
  });

  it('offers no key without a token or session, even with the right passphrase in a file', () => {
    expect(bash(['agent-vault', 'credential', 'get', '-a', 'bot', ''], { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile })).toEqual([]);
    expect(bash(['agent-vault', 'credential', 'get', '-a', 'bot', ''], { AGENT_VAULT_SESSION: 'avs_ended', AGENT_VAULT_SESSION_DIR: sessionDir })).toEqual([]);
  });
});

describe.skipIf(skipWithout('fish'))('fish completes credential keys and fields', () => {
  it('with a token, and nothing without one', () => {
    expect(fish(`agent-vault --token-file ${tokenFile} credential get `)).toEqual(['GITHUB', 'OPENAI_API_KEY']);
    expect(fish('agent-vault credential get GITHUB --field ', { AGENT_VAULT_TOKEN_FILE: tokenFile })).toEqual(LOGIN_FIELDS);
    expect(fish('agent-vault credential get -a bot ', { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile })).toEqual([]);
  });
});

describe.skipIf(skipWithout('zsh'))('zsh completes credential keys and fields', () => {
  it('with a token, and nothing without one', () => {
    expect(zsh(`agent-vault --token-file ${tokenFile} credential get `)).toEqual(['GITHUB', 'OPENAI_API_KEY']);
    expect(zsh('agent-vault credential get GITHUB --field ', { AGENT_VAULT_TOKEN_FILE: tokenFile })).toEqual(LOGIN_FIELDS);
    expect(zsh('agent-vault totp -a bot ', { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile })).toEqual([]);
  });
});

describe.skipIf(skipWithout('bash'))("README's completion install lines", () => {
  /** The commands of README's completion block: its lines that are neither comments nor blank. */
  const lines = (): string[] => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const block = /\*\*Shell completion:\*\*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    return block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  };

  it('work in a fresh home without root, and what they install completes', () => {
    const home = mkdtempSync(join(work, 'fresh-home-'));
    expect(lines()).toHaveLength(6);
    const result = spawnSync('bash', ['-ec', lines().join('\n')], { env: shellEnv({ HOME: home }), cwd: home, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const file of ['.local/share/bash-completion/completions/agent-vault', '.zfunc/_agent-vault', '.config/fish/completions/agent-vault.fish']) {
      expect(readFileSync(join(home, file), 'utf8')).toBe(readFileSync(resolve(ROOT, 'completions', file.endsWith('.fish') ? 'agent-vault.fish' : file.endsWith('_agent-vault') ? '_agent-vault' : 'agent-vault.bash'), 'utf8'));
    }
    // The one-line way, for ~/.bashrc: it defines the completion in the shell that sources it.
    const sourced = spawnSync('bash', ['-c', 'source <(agent-vault completion bash) && complete -p agent-vault'], { env: shellEnv({ HOME: home }), encoding: 'utf8' });
    expect(sourced.stdout.trim()).toBe('complete -F _agent_vault agent-vault');
  });
});
