/**
 * Who may open what: the passphrase, tokens of one agent against another's vault,
 * malformed, rotated and deprovisioned tokens, and the ways a passphrase is given.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore, type RunResult } from '../helpers/in-process.js';

let store: TempStore;
beforeEach(async () => {
  store = new TempStore();
  await store.init();
});
afterEach(() => store.cleanup());

function expectFailure(result: RunResult, code: number, message: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toContain('    at ');
}

async function withSecret(agent: string, value: string): Promise<string> {
  const token = await store.provision(agent);
  expect((await store.owner(['credential', 'set', 'SECRET=-', '-a', agent], { input: value })).code).toBe(0);
  return token;
}

describe('the owner passphrase', () => {
  it('a wrong one is exit 4 with empty stdout', async () => {
    await withSecret('bot', 'bot-secret');
    const result = await store.run(['credential', 'get', 'SECRET', '-a', 'bot'], { env: { AGENT_VAULT_PASSPHRASE: 'wrong horse' } });
    expectFailure(result, 4, /wrong passphrase/);
    expect(result.stderr).not.toContain('wrong horse');
  });

  it('AGENT_VAULT_PASSPHRASE is honoured', async () => {
    await withSecret('bot', 'bot-secret');
    const result = await store.run(['credential', 'get', 'SECRET', '-a', 'bot'], { env: { AGENT_VAULT_PASSPHRASE: PASSPHRASE } });
    expect(result).toMatchObject({ code: 0, stdout: 'bot-secret\n' });
  });

  it('--passphrase-stdin and --passphrase-file are honoured', async () => {
    await withSecret('bot', 'bot-secret');
    const fromStdin = await store.run(['credential', 'get', 'SECRET', '-a', 'bot', '--passphrase-stdin'], { input: `${PASSPHRASE}\n` });
    expect(fromStdin).toMatchObject({ code: 0, stdout: 'bot-secret\n' });
    const fromFile = await store.run(['credential', 'get', 'SECRET', '-a', 'bot', '--passphrase-file', store.passphraseFile]);
    expect(fromFile).toMatchObject({ code: 0, stdout: 'bot-secret\n' });
  });

  it('none at all, off a terminal, is exit 2 naming the flags', async () => {
    await withSecret('bot', 'bot-secret');
    expectFailure(await store.run(['credential', 'get', 'SECRET', '-a', 'bot']), 2, /--passphrase-file/);
  });
});

describe('agent tokens', () => {
  it("read their own vault and never another's (exit 5)", async () => {
    const one = await withSecret('one', 'one-secret');
    await withSecret('two', 'two-secret');
    expect(await store.agent(one, ['credential', 'get', 'SECRET'])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
    const other = await store.agent(one, ['credential', 'get', 'SECRET', '--agent', 'two']);
    expectFailure(other, 5, /no grant/);
    expect(other.stderr).not.toContain('two-secret');
    // Naming another agent's vault lists only what it granted: here, nothing of two's.
    const listed = await store.agent(one, ['credential', 'list', '--agent', 'two', '--reveal']);
    expect(listed).toMatchObject({ code: 0, stdout: '' });
  });

  it('decide who is calling even with a passphrase in the environment', async () => {
    const one = await withSecret('one', 'one-secret');
    await withSecret('two', 'two-secret');
    const result = await store.agent(one, ['credential', 'get', 'SECRET', '--agent', 'two'], { env: { AGENT_VAULT_PASSPHRASE: PASSPHRASE } });
    expectFailure(result, 5, /no grant/);
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a cut secret', 'avt_one_abc'],
    ['an invalid agent', `avt_ONE_${Buffer.alloc(32, 1).toString('base64url')}`],
  ])('a malformed token (%s) is exit 4 and is not repeated', async (_what, bad) => {
    await withSecret('one', 'one-secret');
    const result = await store.agent(bad, ['credential', 'get', 'SECRET']);
    expectFailure(result, 4, /malformed agent token/);
    expect(result.stderr).not.toContain(bad.slice(4));
  });

  it('a well-formed token with the wrong secret is exit 4', async () => {
    await withSecret('one', 'one-secret');
    expectFailure(await store.agent(`avt_one_${Buffer.alloc(32, 9).toString('base64url')}`, ['credential', 'get', 'SECRET']), 4, /token not accepted/);
  });

  it("a forged token naming one agent, used on another's vault, is exit 4 and logged as unknown, not as that agent", async () => {
    await withSecret('alice', 'alice-secret');
    await withSecret('bob', 'bob-secret');
    const forged = `avt_alice_${Buffer.alloc(32, 7).toString('base64url')}`;
    for (const args of [
      ['credential', 'set', 'X=-', '--agent', 'bob'],
      ['credential', 'update', 'SECRET', '--name', 'n', '--agent', 'bob'],
      ['credential', 'delete', 'SECRET', '--agent', 'bob', '--yes'],
    ]) {
      expectFailure(await store.agent(forged, args, { input: 'v' }), 4, /token not accepted/);
    }
    const lines = ['audit.jsonl', 'vaults/alice.audit.jsonl', 'vaults/bob.audit.jsonl'].flatMap((log) =>
      readFileSync(`${store.dir}/${log}`, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as { actor: string; action: string }),
    );
    expect(lines.filter((l) => l.actor === 'agent:alice')).toEqual([]);
    expect(lines.filter((l) => l.action === 'auth.denied').map((l) => l.actor)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('a rotated token stops working at once; the new one works', async () => {
    const old = await withSecret('one', 'one-secret');
    const rotated = await store.owner(['token', 'rotate', 'one']);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^avt_one_[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(old);
    expectFailure(await store.agent(old, ['credential', 'get', 'SECRET']), 4, /token not accepted/);
    expect(await store.agent(fresh, ['credential', 'get', 'SECRET'])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
  });

  it("a deprovisioned agent's token is exit 4, and so is a token for an agent never provisioned", async () => {
    const token = await withSecret('one', 'one-secret');
    expect((await store.owner(['deprovision', 'one', '--yes'])).code).toBe(0);
    expectFailure(await store.agent(token, ['credential', 'get', 'SECRET']), 4, /not provisioned/);
    expectFailure(await store.agent(`avt_ghost_${Buffer.alloc(32, 1).toString('base64url')}`, ['credential', 'get', 'SECRET']), 4, /not provisioned/);
  });

  it('a reprovisioned agent does not accept its old token', async () => {
    const old = await withSecret('one', 'one-secret');
    expect((await store.owner(['deprovision', 'one', '--yes'])).code).toBe(0);
    await store.provision('one');
    expectFailure(await store.agent(old, ['credential', 'list']), 4, /token not accepted/);
  });

  it('may not provision, rotate or deprovision (exit 5)', async () => {
    const token = await withSecret('one', 'one-secret');
    expect((await store.agent(token, ['provision', 'two'])).code).toBe(5);
    expect((await store.agent(token, ['token', 'rotate', 'one'])).code).toBe(5);
    expect((await store.agent(token, ['deprovision', 'one', '--yes'])).code).toBe(5);
    expect(await store.agent(token, ['credential', 'get', 'SECRET'])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
  });

  it('come from --token-file too', async () => {
    const token = await withSecret('one', 'one-secret');
    const file = `${store.root}/one.token`;
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    expect(await store.run(['credential', 'get', 'SECRET', '--token-file', file])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
  });
});

describe('issuing a token with --json', () => {
  it('provision and token rotate print {"agent", "token"}, and the token works', async () => {
    const provisioned = await store.owner(['provision', 'bot', '--json']);
    expect(provisioned.code).toBe(0);
    const first = JSON.parse(provisioned.stdout) as Record<string, string>;
    expect(Object.keys(first).sort()).toEqual(['agent', 'token']);
    expect(first).toMatchObject({ agent: 'bot', token: expect.stringMatching(/^avt_bot_[A-Za-z0-9_-]{43}$/) });
    expect((await store.agent(first.token!, ['credential', 'list'])).code).toBe(0);

    const rotated = JSON.parse((await store.owner(['token', 'rotate', 'bot', '--json'])).stdout) as Record<string, string>;
    expect(rotated.agent).toBe('bot');
    expect(rotated.token).not.toBe(first.token);
    expect((await store.agent(rotated.token!, ['credential', 'list'])).code).toBe(0);
    expect((await store.agent(first.token!, ['credential', 'list'])).code).toBe(4);
  });

  it('with --token-file names the file instead of printing the token', async () => {
    const file = `${store.root}/bot.token`;
    const result = await store.owner(['provision', 'bot', '--json', '--token-file', file]);
    expect(JSON.parse(result.stdout)).toEqual({ agent: 'bot', token_file: file });
    expect(result.stdout).not.toContain(readFileSync(file, 'utf8').trim());
  });
});

describe('issuing a token into --token-file', () => {
  it('writes it 0600 and prints nothing on stdout', async () => {
    const file = `${store.root}/bot.token`;
    const result = await store.owner(['provision', 'bot', '--token-file', file]);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(await store.agent(token, ['status', 'bot', '--json'])).toMatchObject({ code: 0 });
  });

  it('issues nothing when the file cannot be created: an existing file, a missing directory', async () => {
    const existing = `${store.root}/taken.token`;
    writeFileSync(existing, 'keep me\n');
    expectFailure(await store.owner(['provision', 'bot', '--token-file', existing]), 2, /already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me\n');
    expect(JSON.parse((await store.run(['status', 'bot', '--json'])).stdout)).toMatchObject({ provisioned: false });

    const token = await withSecret('one', 'one-secret');
    expectFailure(await store.owner(['token', 'rotate', 'one', '--token-file', `${store.root}/no/such/dir/t`]), 2, /cannot create/);
    // The rotation did not happen: the old token still works.
    expect(await store.agent(token, ['credential', 'get', 'SECRET'])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
  });

  it('removes the reserved file when issuing fails (wrong passphrase)', async () => {
    const file = `${store.root}/bot.token`;
    const wrong = `${store.root}/wrong-pass`;
    writeFileSync(wrong, 'not the passphrase\n');
    const result = await store.run(['provision', 'bot', '--token-file', file, '--passphrase-file', wrong]);
    expect(result.code).toBe(4);
    expect(existsSync(file)).toBe(false);
  });
});

describe('agent tokens and the clock', () => {
  it('open a granted credential only until the grant expires, with no waiting', async () => {
    const one = await withSecret('one', 'one-secret');
    const two = await withSecret('two', 'two-secret');
    expect((await store.owner(['grant', 'SECRET', '--to', 'two', '--agent', 'one', '--expires', '30m'])).code).toBe(0);
    store.clock.advance(29 * 60_000);
    expect(await store.agent(two, ['credential', 'get', 'SECRET', '--agent', 'one'])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
    store.clock.advance(2 * 60_000);
    expectFailure(await store.agent(two, ['credential', 'get', 'SECRET', '--agent', 'one']), 5, /has expired/);
    // The token still opens its own vault, and the granter's own token is not affected.
    expect(await store.agent(two, ['credential', 'get', 'SECRET'])).toMatchObject({ code: 0, stdout: 'two-secret\n' });
    expect(await store.agent(one, ['credential', 'get', 'SECRET'])).toMatchObject({ code: 0, stdout: 'one-secret\n' });
  });
});
