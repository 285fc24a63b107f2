/**
 * A umask in the user's shell must not decide a store's modes: each process here
 * starts under `umask 0777` (set by the shell that execs node), which left the files of
 * a store created before at mode 0000 and its later reads failing. The in-process tests
 * (test/cli/store-modes.test.ts) cover every writing command; this one the process.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CHEAP_KDF, TempStore } from '../helpers/cli.js';

let store: TempStore;
beforeEach(() => {
  store = new TempStore();
});
afterEach(() => store.cleanup());

it('a store made and used under umask 0777 has files 0600 and directories 0700, and works', async () => {
  const umask = '0777';
  expect((await store.owner(['init', ...CHEAP_KDF], { umask })).code).toBe(0);
  const provision = await store.owner(['provision', 'bot'], { umask });
  expect(provision.code).toBe(0);
  const token = provision.stdout.trim();
  expect((await store.agent(token, ['credential', 'set', 'KEY=-'], { umask, input: 'value' })).code).toBe(0);
  expect(await store.agent(token, ['credential', 'get', 'KEY'], { umask })).toMatchObject({ code: 0, stdout: 'value\n' });
  const modes = [store.dir, ...readdirSync(store.dir, { recursive: true, encoding: 'utf8' }).map((name) => join(store.dir, name))].map((path) => {
    const stat = statSync(path);
    return [path, (stat.mode & 0o777).toString(8), stat.isDirectory() ? '700' : '600'];
  });
  expect(modes.length).toBeGreaterThan(6);
  for (const [path, mode, wanted] of modes) expect(mode, path).toBe(wanted);
});
