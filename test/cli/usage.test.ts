/**
 * Usage rules a script relies on: exit codes for bad input, refusals off a TTY, JSON
 * errors, status, and what happens before init.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
beforeEach(() => {
  store = new TempStore();
});
afterEach(() => store.cleanup());

describe('before init', () => {
  it.each([
    [['credential', 'list', '-a', 'bot']],
    [['provision', 'bot']],
    [['credential', 'get', 'KEY', '-a', 'bot']],
  ])('%j is exit 3 with a hint to run init', async (args) => {
    const result = await store.owner(args);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no agent-vault store/);
    expect(result.stderr).toMatch(/hint: .*agent-vault init/);
  });

  it('init twice is exit 2', async () => {
    await store.init();
    expect((await store.owner(['init', '--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'])).code).toBe(2);
  });
});

describe('after init', () => {
  beforeEach(() => store.init());

  it.each([['Bad'], ['a/b'], ['..'], ['x'.repeat(65)], ['']])('an invalid agent id %j is exit 2', async (agent) => {
    const provision = await store.owner(['provision', agent]);
    expect(provision.code).toBe(2);
    expect(provision.stderr).toMatch(/invalid agent id/);
    expect((await store.owner(['credential', 'list', '--agent', agent])).code).toBe(2);
  });

  it.each([['-'], ['--x'], ['-bot'], ['_bot']])('an agent id %j that does not start with a letter or digit is exit 2 and creates nothing', async (agent) => {
    const provision = await store.owner(['provision', '--', agent]);
    expect(provision.code).toBe(2);
    expect(provision.stdout).toBe('');
    expect(provision.stderr).toMatch(/invalid agent id/);
    expect(provision.stderr).toMatch(/hint: .*starting with a letter or digit/);
    expect(existsSync(join(store.dir, 'vaults', `${agent}.vault`))).toBe(false);
  });

  it.each(['lower=x', 'A-B=x', '1KEY=x', '=x'])('an invalid key %j is exit 2', async (pair) => {
    await store.provision('bot');
    const result = await store.owner(['credential', 'set', pair, '-a', 'bot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid credential key/);
  });

  it('provisioning twice is exit 2 and keeps the first token working', async () => {
    const token = await store.provision('bot');
    const again = await store.owner(['provision', 'bot']);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect((await store.agent(token, ['credential', 'list'])).code).toBe(0);
  });

  it('a field the type does not have is exit 2 naming it, before anything else is asked for', async () => {
    await store.provision('bot');
    const result = await store.owner(['credential', 'add', 'API', '--type', 'api_key', '--username', 'bob', '-a', 'bot']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('a api_key has no field "username"');
  });

  it('KEY alone with no TTY is exit 2 naming KEY=-', async () => {
    await store.provision('bot');
    const result = await store.owner(['credential', 'set', 'API_KEY', '-a', 'bot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('API_KEY=-');
  });

  it('deprovision refuses without --yes off a TTY (exit 2), and works with it', async () => {
    const token = await store.provision('bot');
    const refused = await store.owner(['deprovision', 'bot']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await store.agent(token, ['credential', 'list'])).code).toBe(0);
    expect((await store.owner(['deprovision', 'bot', '--yes'])).code).toBe(0);
    expect(existsSync(join(store.dir, 'vaults', 'bot.vault'))).toBe(false);
    expect((await store.owner(['credential', 'list', '-a', 'bot'])).code).toBe(3);
  });

  it('credential delete refuses without --yes off a TTY (exit 2), and works with it', async () => {
    await store.provision('bot');
    expect((await store.owner(['credential', 'set', 'K=v', '-a', 'bot'])).code).toBe(0);
    const refused = await store.owner(['credential', 'delete', 'K', '-a', 'bot']);
    expect(refused.code).toBe(2);
    expect((await store.owner(['credential', 'get', 'K', '-a', 'bot'])).stdout).toBe('v\n');
    expect((await store.owner(['credential', 'delete', 'K', '-a', 'bot', '--yes'])).code).toBe(0);
    expect((await store.owner(['credential', 'get', 'K', '-a', 'bot'])).code).toBe(3);
  });

  it('--json errors are one JSON object on stderr, nothing on stdout', async () => {
    for (const [args, code, name] of [
      [['credential', 'get', 'MISSING', '-a', 'bot', '--json'], 3, 'not_found'],
      [['provision', 'Bad', '--json'], 2, 'usage'],
      [['credential', 'get', '--json', '--no-such-flag'], 2, 'usage'],
    ] as const) {
      if (code === 3) await store.provision('bot');
      const result = await store.owner([...args]);
      expect(result.code).toBe(code);
      expect(result.stdout).toBe('');
      const error = JSON.parse(result.stderr) as { error: { code: string; message: string; exit: number } };
      expect(error.error).toMatchObject({ code: name, exit: code });
      expect(typeof error.error.message).toBe('string');
    }
  });

  it('an expired grant is exit 5 with one JSON error on stderr, and exit 0 until it expires', async () => {
    await store.provision('bot');
    const peer = await store.provision('peer');
    expect((await store.owner(['credential', 'set', 'K=v', '-a', 'bot'])).code).toBe(0);
    expect((await store.owner(['grant', 'K', '--to', 'peer', '-a', 'bot', '--expires', '1d'])).code).toBe(0);
    const read = () => store.agent(peer, ['credential', 'get', 'K', '-a', 'bot', '--json']);
    store.clock.advance(23 * 3_600_000);
    expect(JSON.parse((await read()).stdout)).toMatchObject({ key: 'K', fields: { value: 'v' } });
    store.clock.advance(2 * 3_600_000);
    const expired = await read();
    expect(expired).toMatchObject({ code: 5, stdout: '' });
    expect(JSON.parse(expired.stderr)).toEqual({ error: expect.objectContaining({ code: 'access_denied', exit: 5, message: expect.stringContaining('has expired') }) });
  });

  it('status, with and without an agent, with --json, exit 0 for unknown agents', async () => {
    await store.provision('bot');
    expect((await store.owner(['credential', 'set', 'A=1', 'B=2', '-a', 'bot'])).code).toBe(0);
    const one = await store.owner(['status', 'bot', '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ agent: 'bot', provisioned: true, credential_count: 2 });
    const unknown = await store.run(['status', 'nobody', '--json']);
    expect(unknown.code).toBe(0);
    expect(JSON.parse(unknown.stdout)).toEqual({ agent: 'nobody', provisioned: false });
    const all = await store.run(['status', '--json']);
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agent: 'bot', provisioned: true });
    expect(rows[0]).not.toHaveProperty('credential_count');
    const plain = await store.run(['status']);
    expect(plain.code).toBe(0);
    expect(plain.stdout.split('\t').slice(0, 2)).toEqual(['bot', 'yes']);
    expect(await store.run(['status', 'nobody'])).toMatchObject({ code: 0, stdout: 'nobody\tno\t\t\t\n' });
  });
});
