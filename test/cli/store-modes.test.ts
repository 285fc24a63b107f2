/**
 * Ownership and modes of a store, checked whenever a path is used: anything writable
 * by group or others is refused (exit 6, with the chmod that fixes it), anything of
 * ours that is merely readable by them, or left read-only by a umask, is set back to
 * 0600 / 0700; the `.bak` is 0600 like its vault.
 */
import { chmodSync, chownSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

/** Every file and directory of the store with its mode, relative paths. */
function modes(root: string): Record<string, string> {
  const found: Record<string, string> = { '.': mode(root).toString(8) };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      found[relative(root, path)] = mode(path).toString(8);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return found;
}

describe('store modes', () => {
  let store: TempStore;
  let bot: string;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    expect((await store.owner(['credential', 'set', 'KEY=-', '--agent', 'bot'], { input: 'value' })).code).toBe(0);
  });
  afterEach(() => store.cleanup());

  const get = () => store.agent(bot, ['credential', 'get', 'KEY']);

  it('refuses a store root writable by others, with the chmod that fixes it', async () => {
    chmodSync(store.dir, 0o777);
    const result = await get();
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`error: ${store.dir} is writable by its group or others (mode 0777)`);
    expect(result.stderr).toContain(`chmod 700 ${store.dir}`);
    expect(result.stdout).toBe('');
    chmodSync(store.dir, 0o700);
    expect((await get()).code).toBe(0);
  });

  it('refuses a group-writable directory or file inside', async () => {
    chmodSync(join(store.dir, 'vaults'), 0o770);
    const dir = await get();
    expect(dir.code).toBe(6);
    expect(dir.stderr).toContain(`chmod 700 ${join(store.dir, 'vaults')}`);
    chmodSync(join(store.dir, 'vaults'), 0o700);
    const vault = join(store.dir, 'vaults', 'bot.vault');
    chmodSync(vault, 0o620);
    const file = await get();
    expect(file.code).toBe(6);
    expect(file.stderr).toContain(`error: ${vault} is writable by its group or others (mode 0620)`);
    expect(file.stderr).toContain(`chmod 600 ${vault}`);
    // Refused, not repaired: someone else may have written it.
    expect(mode(vault)).toBe(0o620);
  });

  it('tightens what is merely readable by others, and repairs a mode a umask left read-only', async () => {
    chmodSync(store.dir, 0o755);
    chmodSync(join(store.dir, 'vaults'), 0o711);
    chmodSync(join(store.dir, 'vaults', 'bot.vault'), 0o644);
    chmodSync(join(store.dir, 'vaults', 'bot.audit.jsonl'), 0o400);
    chmodSync(join(store.dir, 'vaults', 'bot.audit.head'), 0o444);
    expect(await get()).toMatchObject({ code: 0, stdout: 'value\n' });
    expect(mode(store.dir)).toBe(0o700);
    expect(mode(join(store.dir, 'vaults'))).toBe(0o700);
    for (const name of ['bot.vault', 'bot.audit.jsonl', 'bot.audit.head']) expect(mode(join(store.dir, 'vaults', name)), name).toBe(0o600);
  });

  it('keeps the .bak at 0600 when the vault it was had a loose mode', async () => {
    chmodSync(join(store.dir, 'vaults', 'bot.vault'), 0o644);
    expect((await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { input: 'x' })).code).toBe(0);
    expect(mode(join(store.dir, 'vaults', 'bot.vault.bak'))).toBe(0o600);
    expect(mode(join(store.dir, 'vaults', 'bot.vault'))).toBe(0o600);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a file that belongs to another user', async () => {
    const vault = join(store.dir, 'vaults', 'bot.vault');
    chownSync(vault, 4242, 4242);
    const result = await get();
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${vault} belongs to uid 4242, not to you (uid 0)`);
  });
});

describe.each(['0277', '0777'])('under umask %s', (umask) => {
  let store: TempStore;
  let saved: number;
  beforeEach(() => {
    store = new TempStore();
    saved = process.umask(Number.parseInt(umask, 8));
  });
  afterEach(() => {
    process.umask(saved);
    store.cleanup();
  });

  it('every command works and leaves every file 0600 and every directory 0700', async () => {
    await store.init();
    const bot = await store.provision('bot');
    await store.provision('bob');
    expect((await store.owner(['credential', 'set', 'KEY=-', '--agent', 'bot'], { input: 'value' })).code).toBe(0);
    expect((await store.owner(['credential', 'set', 'KEY=-', '--agent', 'bot'], { input: 'value2' })).code).toBe(0);
    expect((await store.owner(['grant', 'KEY', '--to', 'bob', '--agent', 'bot'])).code).toBe(0);
    expect(await store.agent(bot, ['credential', 'get', 'KEY'])).toMatchObject({ code: 0, stdout: 'value2\n' });
    expect((await store.owner(['deprovision', 'bob', '--yes'])).code).toBe(0);
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
    const found = modes(store.dir);
    expect(Object.keys(found)).toEqual(expect.arrayContaining(['store', 'audit.jsonl', 'audit.head', 'vaults', 'vaults/bot.vault.bak', 'keys', 'retired']));
    for (const [path, m] of Object.entries(found)) expect(m, path).toBe(statSync(join(store.dir, path)).isDirectory() ? '700' : '600');
  });
});
