/**
 * A process that can write into the store (another process of the user, an agent given
 * the directory) plants symbolic links and hard links at the names agent-vault writes:
 * the audit log, `keys/`, `grants/`, `retired/`, `vaults/`, a vault, a lock, the old
 * predictable head temp name. Each command that writes there refuses with exit 6
 * naming the path, and nothing outside the store is written, chmodded, truncated or
 * created.
 */
import { chmodSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

describe('links planted in the store', () => {
  let store: TempStore;
  let bot: string;
  let outside: string;
  let target: string;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await store.provision('bob');
    expect((await store.owner(['credential', 'set', 'KEY=-', '--agent', 'bot'], { input: 'value' })).code).toBe(0);
    outside = join(store.root, 'outside');
    mkdirSync(outside);
    target = join(outside, 'target');
    writeFileSync(target, 'keep\n');
    chmodSync(target, 0o644);
  });
  afterEach(() => store.cleanup());

  /** Nothing outside the store changed: the target keeps its bytes and mode, and no file appeared beside it. */
  function expectOutsideUntouched(): void {
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(readdirSync(outside)).toEqual(['target']);
  }

  /** Moves a store directory out of the store and leaves a link to it in its place. */
  function replaceDirWithLink(name: string): string {
    const moved = join(outside, name);
    renameSync(join(store.dir, name), moved);
    symlinkSync(moved, join(store.dir, name));
    return moved;
  }

  it('at the audit log: reads and writes refuse, the target is not appended to', async () => {
    const log = join(store.dir, 'vaults', 'bot.audit.jsonl');
    renameSync(log, join(outside, 'moved.jsonl'));
    symlinkSync(target, log);
    for (const run of [() => store.agent(bot, ['credential', 'get', 'KEY']), () => store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { input: 'x' })]) {
      const result = await run();
      expect(result.code).toBe(6);
      expect(result.stderr).toContain(`${log} is not an audit log: it is a symbolic link`);
    }
    expect(readdirSync(outside).sort()).toEqual(['moved.jsonl', 'target']);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
  });

  it("at the store's own log: a wrong passphrase is still refused, and not logged through the link", async () => {
    const log = join(store.dir, 'audit.jsonl');
    renameSync(log, join(outside, 'moved.jsonl'));
    symlinkSync(target, log);
    writeFileSync(join(store.root, 'wrong'), 'not the passphrase\n');
    const result = await store.run(['credential', 'list', '--agent', 'bot'], { env: { AGENT_VAULT_PASSPHRASE_FILE: join(store.root, 'wrong') } });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${log} is not an audit log: it is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
  });

  it('at an audit log as a hard link to a file outside: the append refuses', async () => {
    const log = join(store.dir, 'vaults', 'bot.audit.jsonl');
    renameSync(log, join(outside, 'moved.jsonl'));
    chmodSync(target, 0o600);
    linkSync(target, log);
    const result = await store.agent(bot, ['credential', 'get', 'KEY']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${log} has 2 hard links`);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
  });

  it('at keys/: provisioning refuses, no certificate is written outside', async () => {
    replaceDirWithLink('keys');
    const result = await store.owner(['provision', 'carol']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${join(store.dir, 'keys')} is not a directory: it is a symbolic link`);
    expect(readdirSync(join(outside, 'keys')).sort()).toEqual(['bob.pub', 'bot.pub']);
    expect(statSync(join(outside, 'keys')).mode & 0o777).toBe(0o700);
  });

  it('at grants/: a grant refuses, nothing is sealed outside', async () => {
    mkdirSync(join(store.dir, 'grants'), { mode: 0o700 });
    const moved = replaceDirWithLink('grants');
    chmodSync(moved, 0o755);
    const result = await store.owner(['grant', 'KEY', '--to', 'bob', '--agent', 'bot']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${join(store.dir, 'grants')} is not a directory: it is a symbolic link`);
    expect(readdirSync(moved)).toEqual([]);
    // Not tightened either: the directory outside is not the store's to chmod.
    expect(statSync(moved).mode & 0o777).toBe(0o755);
  });

  it('at retired/: deprovisioning refuses, the log is not moved outside', async () => {
    mkdirSync(outside + '/retired');
    symlinkSync(join(outside, 'retired'), join(store.dir, 'retired'));
    const result = await store.owner(['deprovision', 'bot', '--yes']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${join(store.dir, 'retired')} is not a directory: it is a symbolic link`);
    expect(readdirSync(join(outside, 'retired'))).toEqual([]);
  });

  it('at vaults/: every command refuses', async () => {
    replaceDirWithLink('vaults');
    for (const result of [await store.agent(bot, ['credential', 'get', 'KEY']), await store.owner(['credential', 'list', '--agent', 'bot']), await store.owner(['provision', 'carol'])]) {
      expect(result.code).toBe(6);
      expect(result.stderr).toContain(`${join(store.dir, 'vaults')} is not a directory: it is a symbolic link`);
    }
    expect(readdirSync(join(outside, 'vaults')).filter((n) => n.startsWith('carol'))).toEqual([]);
  });

  it('at a vault: reading and writing it refuse, the file linked to is neither replaced nor kept as .bak', async () => {
    const vault = join(store.dir, 'vaults', 'bot.vault');
    const copy = join(outside, 'bot.vault');
    renameSync(vault, copy);
    symlinkSync(copy, vault);
    const before = readFileSync(copy);
    for (const result of [await store.agent(bot, ['credential', 'get', 'KEY']), await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { input: 'x' })]) {
      expect(result.code).toBe(6);
      expect(result.stderr).toContain(`${vault} is not a vault file: it is a symbolic link`);
    }
    expect(readFileSync(copy).equals(before)).toBe(true);
    expect(statSync(join(store.dir, 'vaults', 'bot.vault.bak'), { throwIfNoEntry: false })?.isSymbolicLink() ?? false).toBe(false);
  });

  it('at a lock file: the writer refuses instead of reading through it', async () => {
    const lock = join(store.dir, 'vaults', 'bot.vault.lock');
    symlinkSync(target, lock);
    const result = await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { input: 'x' });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${lock} is not a lock file: it is a symbolic link`);
    expectOutsideUntouched();
  });

  it("at the head's old temp name (<head>.<pid>.tmp): the head is written beside it, the target is not truncated", async () => {
    // In process, the pid is this test's, so the name the old code used is known.
    symlinkSync(target, join(store.dir, 'vaults', `bot.audit.head.${process.pid}.tmp`));
    symlinkSync(target, join(store.dir, `audit.head.${process.pid}.tmp`));
    expect(await store.agent(bot, ['credential', 'get', 'KEY'])).toMatchObject({ code: 0, stdout: 'value\n' });
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
    expectOutsideUntouched();
  });
});
