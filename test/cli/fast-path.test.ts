/**
 * The fast path (cli/fast-path.ts) and the commander program give the same result for
 * every command line the fast path takes: each case runs once on each path, on the same
 * store, and stdout, stderr, the exit code and the audit lines written must be equal.
 * Command lines it does not take go to commander.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastCommand } from '../../src/cli/fast-path.js';
import { TempStore, type RunResult } from '../helpers/in-process.js';

/** The start of a TOTP window, so a code read on each path within a second is the same one. */
const WINDOW_START = '2030-03-02T00:00:00.000Z';

let store: TempStore;
let token: string;
let giverToken: string;
let vaultPath: string;

beforeAll(async () => {
  store = new TempStore({ backend: 'directory' });
  await store.init();
  token = await store.provision('bot');
  expect((await store.agent(token, ['credential', 'set', 'K=-'], { input: 'the value' })).code).toBe(0);
  expect((await store.agent(token, ['credential', 'add', 'EXP', '--value-stdin', '--expires', '2030-03-01'], { input: 'old' })).code).toBe(0);
  expect((await store.agent(token, ['credential', 'add', 'T', '--type', 'login', '--password-stdin', '--totp', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'], { input: 'pw' })).code).toBe(0);
  giverToken = await store.provision('giver');
  expect((await store.agent(giverToken, ['credential', 'set', 'SHARED=-'], { input: 'granted value' })).code).toBe(0);
  expect((await store.owner(['grant', 'SHARED', '-a', 'giver', '--to', 'bot'])).code).toBe(0);
  vaultPath = join(store.dir, 'vaults', 'bot.vault');
});
afterAll(() => store.cleanup());

/** Every audit line in the store, by file, without what differs from one run to the next (time, sequence, chain, process). */
function auditLines(): Map<string, string[]> {
  const logs = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('audit.jsonl')) {
        const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
        const VARYING = new Set(['seq', 'ts', 'prev', 'mac', 'pid']);
        logs.set(path, lines.map((line) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as Record<string, unknown>).filter(([name]) => !VARYING.has(name))))));
      }
    }
  };
  walk(store.dir);
  return logs;
}

/** The audit lines added since `before`. */
function added(before: Map<string, string[]>): Record<string, string[]> {
  return Object.fromEntries([...auditLines()].map(([path, lines]) => [path, lines.slice(before.get(path)?.length ?? 0)]).filter(([, lines]) => lines.length > 0));
}

interface Case {
  name: string;
  args: string[];
  /** Who calls: the agent's token, a malformed or a wrong one, the owner (AGENT_VAULT_AGENT=bot), or nobody. */
  as: 'token' | 'malformed' | 'wrong' | 'owner' | 'nobody';
  /** The exit code; undefined for a failure whose code this file does not decide (a missing store). */
  code?: number;
  /** What stdout holds, or a pattern stderr must match, to show the case is the one meant. */
  stdout?: string;
  stderr?: RegExp;
  /** The store is elsewhere (missing), or the vault has a flipped byte. */
  missingStore?: boolean;
  damaged?: boolean;
  /** The output is random (a generated password): compared by its shape, not its text. */
  random?: boolean;
}

const CASES: Case[] = [
  { name: 'a credential found', args: ['credential', 'get', 'K'], as: 'token', code: 0, stdout: 'the value\n' },
  { name: 'the cred alias', args: ['cred', 'get', 'K'], as: 'token', code: 0, stdout: 'the value\n' },
  { name: '--json after the key', args: ['credential', 'get', 'K', '--json'], as: 'token', code: 0, stdout: '"value"' },
  { name: '--json first', args: ['--json', 'cred', 'get', 'K'], as: 'token', code: 0, stdout: '"value"' },
  { name: '--json between the words', args: ['credential', 'get', '--json', 'K'], as: 'token', code: 0, stdout: '"value"' },
  { name: '--json between credential and get', args: ['cred', '--json', 'get', 'K'], as: 'token', code: 0, stdout: '"value"' },
  { name: 'a key named help', args: ['credential', 'get', 'help'], as: 'token', code: 3, stderr: /^error: no credential "help"/ },
  { name: 'an empty key', args: ['credential', 'get', ''], as: 'token', stderr: /^error: / },
  { name: 'a TOTP of a key named help', args: ['totp', 'help'], as: 'token', code: 3, stderr: /^error: / },
  { name: 'the owner, with AGENT_VAULT_AGENT', args: ['credential', 'get', 'K'], as: 'owner', code: 0, stdout: 'the value\n' },
  { name: 'a missing key', args: ['credential', 'get', 'NOPE'], as: 'token', code: 3, stderr: /^error: no credential "NOPE"/ },
  { name: 'a missing key, --json', args: ['credential', 'get', 'NOPE', '--json'], as: 'token', code: 3, stderr: /^\{"error":\{"code":/ },
  { name: 'a malformed token', args: ['credential', 'get', 'K'], as: 'malformed', code: 4, stderr: /^error: malformed agent token/ },
  { name: 'a wrong token', args: ['credential', 'get', 'K'], as: 'wrong', code: 4, stderr: /^error: token not accepted/ },
  { name: 'a wrong token, --json', args: ['--json', 'credential', 'get', 'K'], as: 'wrong', code: 4, stderr: /"exit":4/ },
  { name: 'no caller at all', args: ['credential', 'get', 'K'], as: 'nobody', code: 2, stderr: /^error: / },
  { name: 'a missing store', args: ['credential', 'get', 'K'], as: 'token', missingStore: true, stderr: /^error: / },
  { name: 'a damaged vault', args: ['credential', 'get', 'K'], as: 'token', code: 6, damaged: true, stderr: /^error: / },
  { name: 'a damaged vault, --json', args: ['credential', 'get', 'K', '--json'], as: 'owner', code: 6, damaged: true, stderr: /"exit":6/ },
  { name: 'a control character in the key', args: ['credential', 'get', 'K\x1b[2J'], as: 'token', code: 3, stderr: /^error: no credential "K\\u001b\[2J"/ },
  { name: 'an expired credential', args: ['credential', 'get', 'EXP'], as: 'token', code: 0, stdout: 'old\n', stderr: /^warning: credential EXP expired at 2030-03-01/ },
  { name: 'an expired credential, --json', args: ['credential', 'get', 'EXP', '--json'], as: 'token', code: 0, stderr: /^\{"warning":/ },
  { name: 'a TOTP code', args: ['totp', 'T'], as: 'token', code: 0, stdout: undefined },
  { name: 'a TOTP code, --json', args: ['totp', '--json', 'T'], as: 'owner', code: 0, stdout: '"digits": 6' },
  { name: 'a TOTP of a credential without one', args: ['totp', 'K'], as: 'token', code: 3, stderr: /^error: / },
  { name: 'a TOTP of a missing key', args: ['totp', 'NOPE'], as: 'token', code: 3, stderr: /^error: / },
  { name: '--version', args: ['--version'], as: 'nobody', code: 0, stdout: '0.' },
  { name: 'a near key: did you mean', args: ['credential', 'get', 'k'], as: 'token', code: 3, stderr: /did you mean K\b/i },
  { name: 'a granted key read by its key', args: ['credential', 'get', 'SHARED'], as: 'token', code: 0, stdout: 'granted value\n', stderr: /read SHARED from the grant of agent giver/ },
  { name: 'a granted key, --json', args: ['credential', 'get', 'SHARED', '--json'], as: 'token', code: 0, stdout: '"granted_by": "giver"', stderr: /read SHARED from the grant/ },
  { name: 'a list', args: ['credential', 'list'], as: 'token', code: 0, stdout: 'K\t\tapi_key\t' },
  { name: 'a list by the owner, --json, the ls alias', args: ['cred', 'ls', '--json'], as: 'owner', code: 0, stdout: '"key": "EXP"' },
  { name: 'a list of a vault with a damaged block: from the listing', args: ['credential', 'list'], as: 'token', code: 0, damaged: true, stdout: 'T\t' },
  { name: 'a list with a wrong token', args: ['credential', 'list', '--json'], as: 'wrong', code: 4, stderr: /"exit":4/ },
  { name: 'generate --json with a store that is not there', args: ['generate', '--json'], as: 'nobody', code: 0, missingStore: true, stdout: '"entropy_bits"', random: true },
];

function envFor(c: Case): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = c.missingStore ? { AGENT_VAULT_HOME: join(store.root, 'nowhere') } : {};
  if (c.as === 'token') env.AGENT_VAULT_TOKEN = token;
  if (c.as === 'malformed') env.AGENT_VAULT_TOKEN = 'avt_bot_short';
  // A character changed well before the end: the last base64 character carries padding bits, and changing only those would give the same token.
  if (c.as === 'wrong') env.AGENT_VAULT_TOKEN = `${token.slice(0, -6)}${token.at(-6) === 'A' ? 'B' : 'A'}${token.slice(-5)}`;
  if (c.as === 'owner') Object.assign(env, { AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile, AGENT_VAULT_AGENT: 'bot' });
  return env;
}

async function runOn(c: Case, fastPath: boolean): Promise<{ result: RunResult; audit: Record<string, string[]> }> {
  const good = readFileSync(vaultPath);
  if (c.damaged) {
    const bytes = Buffer.from(good);
    bytes[bytes.length - 10]! ^= 0x01;
    writeFileSync(vaultPath, bytes);
  }
  try {
    store.clock.set(WINDOW_START);
    const before = auditLines();
    const result = await store.run(c.args, { env: envFor(c), fastPath });
    return { result, audit: added(before) };
  } finally {
    writeFileSync(vaultPath, good);
  }
}

/** A generated password's JSON with the password replaced by its length and character classes. */
function shapeOf(stdout: string): unknown {
  const { password, ...rest } = JSON.parse(stdout) as { password: string };
  return { ...rest, length: password.length, classes: [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].map((r) => r.test(password)) };
}

describe('the fast path and commander', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: the same output, exit code and audit lines', async (_name, c) => {
    expect(fastCommand(['node', 'agent-vault', ...c.args]), 'a fast form').toBeDefined();
    const fast = await runOn(c, true);
    const full = await runOn(c, false);
    if (c.code === undefined) expect(fast.result.code).not.toBe(0);
    else expect(fast.result.code, fast.result.stderr).toBe(c.code);
    if (c.stdout !== undefined) expect(fast.result.stdout).toContain(c.stdout);
    if (c.stderr !== undefined) expect(fast.result.stderr).toMatch(c.stderr);
    if (c.code === 0 && c.stderr === undefined) expect(fast.result.stderr).toBe('');
    const same = (run: RunResult) => ({ stdout: c.random ? shapeOf(run.stdout) : run.stdout, stderr: run.stderr, code: run.code });
    expect(same(fast.result)).toEqual(same(full.result));
    expect(fast.audit).toEqual(full.audit);
  });

  it('writes the read to the audit log on the fast path', async () => {
    const { audit } = await runOn(CASES[0]!, true);
    expect(Object.values(audit).flat().map((line) => JSON.parse(line) as { action: string; key?: string })).toContainEqual(expect.objectContaining({ action: 'credential.get', key: 'K' }));
  });

  it('never prints the value of a credential it could not read, on either path', async () => {
    const damaged = CASES.find((c) => c.damaged)!;
    for (const fastPath of [true, false]) expect((await runOn(damaged, fastPath)).result.stdout).toBe('');
  });
});

describe('what the fast path takes', () => {
  const form = (...args: string[]) => fastCommand(['node', 'agent-vault', ...args]);

  it.each([
    ['another option', ['credential', 'get', 'K', '--field', 'username']],
    ['a global option with a value', ['--store', '/tmp/s', 'credential', 'get', 'K']],
    ['-a', ['-a', 'bot', 'credential', 'get', 'K']],
    ['--help', ['credential', 'get', 'K', '--help']],
    ['a key that is an option', ['credential', 'get', '-n']],
    ['--json twice', ['--json', 'credential', 'get', 'K', '--json']],
    ['a missing key', ['credential', 'get']],
    ['an extra word', ['credential', 'get', 'K', 'L']],
    ['--', ['credential', 'get', '--', 'K']],
    ['totp with an option', ['totp', 'T', '--fresh', '5']],
    ['generate with an option', ['generate', '--length', '12']],
    ['generate --save', ['generate', '--save', 'K']],
    ['--version with more', ['--version', '--json']],
    ['another command', ['credential', 'search', 'K']],
    ['list with an option', ['credential', 'list', '--reveal']],
    ['list with a type', ['credential', 'list', '--type', 'login']],
    ['list with a word', ['credential', 'list', 'K']],
    ['no words', []],
  ])('not %s: commander parses it', (_name, args) => {
    expect(form(...args)).toBeUndefined();
  });

  it('leaves commander its usage errors and help', async () => {
    const result = await store.agent(token, ['credential', 'get']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'KEY|id'");
    const help = await store.run(['credential', 'get', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });
});
