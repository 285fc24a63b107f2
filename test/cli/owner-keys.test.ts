/**
 * passwd and rekey: afterwards only the new passphrase works (passwd), tokens and
 * grants keep working, `audit verify` passes; rekey --tokens replaces every token (old
 * ones exit 4) and writes the new ones where asked, refusing when told nowhere.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, TempStore } from '../helpers/in-process.js';

const NEW_PASSPHRASE = 'tomato kiwi raven ocean violin 77';

let store: TempStore;
let tokens: Record<string, string>;
beforeEach(async () => {
  store = new TempStore();
  await store.init();
  tokens = { granter: await store.provision('granter'), reader: await store.provision('reader') };
  expect((await store.owner(['credential', 'set', 'API_KEY=-', '-a', 'granter'], { input: 'granted-value' })).code).toBe(0);
  expect((await store.owner(['grant', 'API_KEY', '--to', 'reader', '-a', 'granter'])).code).toBe(0);
});
afterEach(() => store.cleanup());

const withPassphrase = (passphrase: string, args: string[]) => store.run(args, { env: { AGENT_VAULT_PASSPHRASE: passphrase } });

/** Tokens read their own vault and the grant; the owner's audit verify passes with `passphrase`. */
async function expectWorking(passphrase: string, current: Record<string, string>): Promise<void> {
  expect(await store.agent(current.granter!, ['credential', 'get', 'API_KEY'])).toMatchObject({ code: 0, stdout: 'granted-value\n' });
  expect(await store.agent(current.reader!, ['credential', 'get', 'API_KEY', '--agent', 'granter'])).toMatchObject({ code: 0, stdout: 'granted-value\n' });
  expect(await withPassphrase(passphrase, ['credential', 'get', 'API_KEY', '-a', 'granter'])).toMatchObject({ code: 0, stdout: 'granted-value\n' });
  const verify = await withPassphrase(passphrase, ['audit', 'verify']);
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
}

describe('passwd', () => {
  it('after it only the new passphrase works; tokens, grants and audit verify still pass', async () => {
    const before = readFileSync(join(store.dir, 'store'));
    const result = await store.owner(['passwd', '--new-passphrase-stdin', '--json'], { input: NEW_PASSPHRASE });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ changed: true });
    expect((await withPassphrase(PASSPHRASE, ['credential', 'get', 'API_KEY', '-a', 'granter'])).code).toBe(4);
    await expectWorking(NEW_PASSPHRASE, tokens);
    expect(readFileSync(join(store.dir, 'store')).equals(before)).toBe(false);
    // One file changed, and no copy kept that the old passphrase would open.
    expect(existsSync(join(store.dir, 'store.bak'))).toBe(false);
    const audit = JSON.parse((await withPassphrase(NEW_PASSPHRASE, ['audit', '--json', '--action', 'owner.passwd'])).stdout) as unknown[];
    expect(audit).toHaveLength(1);
  });

  it('takes the new passphrase from a file, and --kdf-* change the cost', async () => {
    const file = join(store.root, 'new');
    writeFileSync(file, `${NEW_PASSPHRASE}\n`);
    const result = await store.owner(['passwd', '--new-passphrase-file', file, '--kdf-memory', '2', '--kdf-iterations', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(store.dir, 'store'), 'latin1')).toMatch(/\$m=2048,t=2,p=1\$/);
    await expectWorking(NEW_PASSPHRASE, tokens);
  });

  it('refuses a weak new passphrase (exit 2) unless --force, changing nothing', async () => {
    const before = readFileSync(join(store.dir, 'store'));
    const weak = await store.owner(['passwd', '--new-passphrase-stdin'], { input: 'abc' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/weak.*--force/s);
    expect(readFileSync(join(store.dir, 'store')).equals(before)).toBe(true);
    expect((await store.owner(['passwd', '--new-passphrase-stdin', '--force'], { input: 'abc' })).code).toBe(0);
    expect((await withPassphrase('abc', ['credential', 'get', 'API_KEY', '-a', 'granter'])).code).toBe(0);
  });

  it('a wrong current passphrase is exit 4 naming its source, and changes nothing', async () => {
    const result = await store.run(['passwd', '--new-passphrase-stdin'], { env: { AGENT_VAULT_PASSPHRASE: 'not it' }, input: NEW_PASSPHRASE });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/AGENT_VAULT_PASSPHRASE/);
    await expectWorking(PASSPHRASE, tokens);
  });

  it('off a terminal with no new passphrase given is exit 2 naming the flags; an empty one is refused', async () => {
    const result = await store.owner(['passwd']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--new-passphrase-file/);
    expect((await store.owner(['passwd', '--new-passphrase-stdin', '--force'], { input: '' })).code).toBe(2);
    expect((await store.owner(['passwd', '--new-passphrase-stdin', '--kdf-memory', '0'], { input: NEW_PASSPHRASE })).code).toBe(2);
  });

  it('is refused with an agent token', async () => {
    const result = await store.run(['passwd', '--new-passphrase-stdin'], { env: { AGENT_VAULT_TOKEN: tokens.granter! }, input: NEW_PASSPHRASE });
    expect(result.code).toBe(5);
  });
});

describe('rekey', () => {
  it('replaces the root key: new owner slots and certificates; passphrase, tokens, grants and audit verify keep working', async () => {
    const vault = readFileSync(join(store.dir, 'vaults', 'granter.vault'), 'latin1');
    const certificate = readFileSync(join(store.dir, 'keys', 'granter.pub'));
    const result = await store.owner(['rekey', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ rekeyed: true });
    const after = readFileSync(join(store.dir, 'vaults', 'granter.vault'), 'latin1');
    const ownerSlot = (text: string): string => /^slot owner .*$/m.exec(text)![0];
    const tokenSlot = (text: string): string => /^slot token .*$/m.exec(text)![0];
    expect(ownerSlot(after)).not.toBe(ownerSlot(vault));
    expect(tokenSlot(after)).toBe(tokenSlot(vault));
    expect(readFileSync(join(store.dir, 'keys', 'granter.pub')).equals(certificate)).toBe(false);
    expect(existsSync(join(store.dir, 'vaults', 'granter.vault.bak'))).toBe(false);
    await expectWorking(PASSPHRASE, tokens);
    // Twice: the store log now has three key epochs, and still verifies.
    expect((await store.owner(['rekey'])).code).toBe(0);
    await expectWorking(PASSPHRASE, tokens);
    expect(readdirSync(join(store.dir, 'journals'))).toEqual([]);
  });

  it('--tokens --token-dir writes a 0600 file per agent; old tokens are exit 4, new ones and the grant work', async () => {
    const dir = join(store.root, 'new-tokens');
    const result = await store.owner(['rekey', '--tokens', '--token-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['granter.token', 'reader.token']);
    const fresh: Record<string, string> = {};
    for (const agent of ['granter', 'reader']) {
      const file = join(dir, `${agent}.token`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      fresh[agent] = readFileSync(file, 'utf8').trim();
      expect((await store.agent(tokens[agent]!, ['credential', 'list'])).code).toBe(4);
    }
    await expectWorking(PASSPHRASE, fresh);
  });

  it('--tokens --json prints {"tokens": {agent: token}}', async () => {
    const result = await store.owner(['rekey', '--tokens', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { tokens: fresh } = JSON.parse(result.stdout) as { tokens: Record<string, string> };
    expect(Object.keys(fresh).sort()).toEqual(['granter', 'reader']);
    await expectWorking(PASSPHRASE, fresh);
  });

  it('--tokens with nowhere to put them is exit 2 and changes nothing', async () => {
    const before = readFileSync(join(store.dir, 'store'));
    const result = await store.owner(['rekey', '--tokens']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--token-dir/);
    expect(readFileSync(join(store.dir, 'store')).equals(before)).toBe(true);
    expect((await store.owner(['rekey', '--token-dir', join(store.root, 'x')])).code).toBe(2);
    await expectWorking(PASSPHRASE, tokens);
  });

  it('refuses (exit 6) while a vault does not open, changing nothing', async () => {
    const path = join(store.dir, 'vaults', 'reader.vault');
    const good = readFileSync(path);
    const damaged = Buffer.from(good);
    damaged[damaged.length - 1]! ^= 1;
    writeFileSync(path, damaged);
    const storeFile = readFileSync(join(store.dir, 'store'));
    const result = await store.owner(['rekey']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('reader');
    expect(readFileSync(join(store.dir, 'store')).equals(storeFile)).toBe(true);
    expect(existsSync(join(store.dir, 'journals', '_rekey.journal'))).toBe(false);
    writeFileSync(path, good);
    await expectWorking(PASSPHRASE, tokens);
  });

  it('a planted rekey journal is exit 6 naming it, and nothing is done', async () => {
    const planted = `{"v":1,"op":"rekey","at":"2026-01-01T00:00:00.000Z","next":"${'A'.repeat(80)}","previous":"${'A'.repeat(80)}"}\n`;
    writeFileSync(join(store.dir, 'journals', '_rekey.journal'), planted, { mode: 0o600 });
    const result = await store.owner(['credential', 'list', '-a', 'granter']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('_rekey.journal');
    expect(await store.agent(tokens.granter!, ['credential', 'get', 'API_KEY'])).toMatchObject({ code: 0 });
  });

  it('help rekey gives the order after a leak', async () => {
    const help = await store.run(['help', 'rekey']);
    expect(help.stdout).toMatch(/passwd[\s\S]*rekey[\s\S]*rekey --tokens/);
  });
});
