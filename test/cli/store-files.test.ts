/**
 * What is on disk: no secret value, passphrase or token in any byte of any file of the
 * store (backups and audit logs included), directories 0700 and files 0600.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore } from '../helpers/in-process.js';

const SECRETS = ['plaintext-secret-VALUE-1', 'second secret ✓ value', 'totp-seed-JBSWY3DPEHPK3PXP', 'card-number-4111111111111111'];
let store: TempStore;
let tokens: string[] = [];

function walk(dir: string): Array<{ path: string; dir: boolean }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? [{ path, dir: true }, ...walk(path)] : [{ path, dir: false }];
  });
}

beforeAll(async () => {
  store = new TempStore();
  await store.init();
  const bot = await store.provision('bot');
  const other = await store.provision('other');
  const ok = async (pending: Promise<{ code: number | null; stderr: string }>): Promise<void> => {
    const result = await pending;
    expect(result.code, result.stderr).toBe(0);
  };
  await ok(store.owner(['credential', 'set', 'A=-', '-a', 'bot'], { input: SECRETS[0] }));
  await ok(store.agent(bot, ['credential', 'set', 'B=-'], { input: SECRETS[1] }));
  await ok(store.agent(bot, ['credential', 'add', 'L', '--type', 'login', '--username', 'u', '--password-stdin', '--totp', 'JBSWY3DPEHPK3PXP'], { input: SECRETS[2] }));
  await ok(store.owner(['credential', 'add', 'C', '--type', 'card', '--number-stdin', '-a', 'other'], { input: SECRETS[3] }));
  await ok(store.owner(['credential', 'update', 'A', '--name', 'changed', '-a', 'bot']));
  await ok(store.agent(bot, ['credential', 'get', 'A']));
  await ok(store.agent(bot, ['credential', 'list', '--reveal']));
  // Failures are logged too: a wrong passphrase and a rejected token.
  await store.run(['credential', 'get', 'A', '-a', 'bot'], { env: { AGENT_VAULT_PASSPHRASE: 'wrong-passphrase-guess' } });
  await store.agent(`avt_bot_${Buffer.alloc(32, 5).toString('base64url')}`, ['credential', 'get', 'A']);
  await store.agent(other, ['credential', 'get', 'A', '--agent', 'bot']);
  const rotated = await store.owner(['token', 'rotate', 'other']);
  tokens = [bot, other, rotated.stdout.trim()];
  await ok(store.agent(tokens[2]!, ['credential', 'set', 'D=-'], { input: SECRETS[1] }));
  await ok(store.agent(tokens[2]!, ['credential', 'set', 'D=-'], { input: SECRETS[1] }));
});
afterAll(() => store.cleanup());

describe('the store on disk', () => {
  it('has the layout of agent-vault(5), backups and audit logs included', () => {
    const names = walk(store.dir).map((e) => e.path.slice(store.dir.length + 1)).sort();
    expect(names).toEqual(
      expect.arrayContaining(['audit.jsonl', 'store', 'vaults', 'vaults/bot.vault', 'vaults/bot.vault.bak', 'vaults/bot.audit.jsonl', 'vaults/other.vault', 'vaults/other.vault.bak']),
    );
    expect(names.filter((n) => /\.tmp$|\.lock$|\.stale$/.test(n))).toEqual([]);
  });

  it('holds no secret value, passphrase or token in any byte of any file', () => {
    const needles = [...SECRETS, PASSPHRASE, 'wrong-passphrase-guess', ...tokens, ...tokens.map((t) => t.slice(-43))].flatMap((s) => [
      Buffer.from(s),
      Buffer.from(Buffer.from(s).toString('base64').replace(/=+$/, '')),
    ]);
    const files = walk(store.dir).filter((e) => !e.dir);
    expect(files.length).toBeGreaterThan(6);
    for (const { path } of files) {
      const bytes = readFileSync(path);
      for (const needle of needles) expect(bytes.includes(needle), `${path} contains ${needle.toString().slice(0, 6)}…`).toBe(false);
    }
  });

  it('has directories 0700 and files 0600', () => {
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    for (const { path, dir } of walk(store.dir)) expect((statSync(path).mode & 0o777).toString(8), path).toBe(dir ? '700' : '600');
  });
});

describe('a retired log', () => {
  it("is named after the clock's time of the deprovisioning, and kept 0600", async () => {
    const local = new TempStore();
    try {
      await local.init();
      local.clock.set('2031-05-01T12:00:00.000Z');
      await local.provision('gone');
      expect((await local.owner(['deprovision', 'gone', '--yes'])).code).toBe(0);
      const retired = readdirSync(join(local.dir, 'retired')).sort();
      expect(retired).toHaveLength(2);
      expect(retired[0]).toMatch(/^gone\.2031-05-01T12-0\d-\d\d\.\d{3}Z\.audit\.head$/);
      expect(retired[1]).toBe(retired[0]!.replace(/head$/, 'jsonl'));
      for (const name of retired) expect(statSync(join(local.dir, 'retired', name)).mode & 0o777).toBe(0o600);
    } finally {
      local.cleanup();
    }
  });
});
