/**
 * A FIFO or a directory planted where a store file belongs: agent-vault must not block
 * on the FIFO (an open for reading waits for a writer forever) nor crash on the
 * directory, but exit 6 naming the path. Spawned, with a timeout, because a hang in
 * process would hang the test runner itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore, type RunResult } from '../helpers/cli.js';
import { skipWithout } from '../helpers/tools.js';

const HANG_MS = 15_000;

describe('a FIFO or a directory where a store file belongs', () => {
  let store: TempStore;
  let bot: string;
  beforeAll(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await store.provision('bob');
    expect((await store.owner(['credential', 'set', 'KEY=-', '--agent', 'bot'], { input: 'value' })).code).toBe(0);
  });
  afterAll(() => store.cleanup());

  /** Puts `kind` at `name` (relative to the store) for the length of `fn`, then restores the file. */
  async function planted(kind: 'fifo' | 'directory', name: string, fn: () => Promise<void>): Promise<void> {
    const path = join(store.dir, name);
    const aside = `${path}.aside`;
    spawnSync('mv', [path, aside]);
    if (kind === 'fifo') expect(spawnSync('mkfifo', ['-m', '600', path]).status).toBe(0);
    else mkdirSync(path, { mode: 0o700 });
    try {
      await fn();
    } finally {
      rmSync(path, { recursive: true, force: true });
      spawnSync('mv', [aside, path]);
    }
  }

  function expectRefused(result: RunResult, path: string, what: string, found: string): void {
    expect(result.signal, 'killed after hanging').toBeNull();
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${join(store.dir, path)} is not ${what}: it is ${found}`);
    expect(result.stderr).not.toContain('    at ');
  }

  const get = () => store.agent(bot, ['credential', 'get', 'KEY'], { timeout: HANG_MS });

  describe.skipIf(skipWithout('mkfifo'))('a FIFO', () => {
    it('at a vault', () => planted('fifo', 'vaults/bot.vault', async () => expectRefused(await get(), 'vaults/bot.vault', 'a vault file', 'a FIFO')));

    it('at an audit log and at a head', async () => {
      await planted('fifo', 'vaults/bot.audit.jsonl', async () => expectRefused(await get(), 'vaults/bot.audit.jsonl', 'an audit log', 'a FIFO'));
      await planted('fifo', 'vaults/bot.audit.head', async () => expectRefused(await get(), 'vaults/bot.audit.head', 'an audit head', 'a FIFO'));
    });

    it('at the store file', () =>
      planted('fifo', 'store', async () => expectRefused(await store.owner(['credential', 'list', '--agent', 'bot'], { timeout: HANG_MS }), 'store', 'a store file', 'a FIFO')));

    it('at a lock file', () =>
      planted('fifo', 'vaults/bot.vault.lock', async () => {
        // No file to move aside: mv fails quietly, and the lock exists only as the FIFO.
        const result = await store.owner(['credential', 'set', 'OTHER=-', '--agent', 'bot'], { input: 'x', timeout: HANG_MS });
        expectRefused(result, 'vaults/bot.vault.lock', 'a lock file', 'a FIFO');
      }));

    it('at a key certificate', () =>
      planted('fifo', 'keys/bob.pub', async () => {
        const result = await store.owner(['grant', 'KEY', '--to', 'bob', '--agent', 'bot'], { timeout: HANG_MS });
        expectRefused(result, 'keys/bob.pub', 'a key certificate file', 'a FIFO');
      }));
  });

  describe('a directory', () => {
    it('at an audit log and at a head', async () => {
      await planted('directory', 'vaults/bot.audit.jsonl', async () => expectRefused(await get(), 'vaults/bot.audit.jsonl', 'an audit log', 'a directory'));
      await planted('directory', 'vaults/bot.audit.head', async () => expectRefused(await get(), 'vaults/bot.audit.head', 'an audit head', 'a directory'));
    });

    it('at a vault', () => planted('directory', 'vaults/bot.vault', async () => expectRefused(await get(), 'vaults/bot.vault', 'a vault file', 'a directory')));
  });

  it('leaves the store working once the planted file is gone', async () => {
    expect(await get()).toMatchObject({ code: 0, stdout: 'value\n' });
    expect((await store.owner(['audit', 'verify'])).code).toBe(0);
  });
});
