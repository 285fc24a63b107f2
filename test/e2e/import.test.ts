/**
 * The built CLI keeps the parsers of import and export in dist/import-parsers.cjs, with
 * their own copy of every class: here the process is the point. An import and an export
 * work through it, and its errors still reach the right exit codes (2 for a malformed
 * input, 4 for a wrong kdbx password) and messages.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kdbxweb from 'kdbxweb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';
import { makeDatabase } from '../helpers/kdbx.js';

let store: TempStore;

beforeAll(async () => {
  ({ store } = await TempStore.withAgent());
  await store.provision('copy');
});
afterAll(() => store.cleanup());

describe('import and export in the built CLI', () => {
  it('imports a .env file and exports it again, multi-line values intact', async () => {
    const imported = await store.owner(['import', 'dotenv', '-', '--agent', 'bot'], { input: 'API_KEY=sk-1\nPEM="-----BEGIN-----\nabc\n-----END-----"\n' });
    expect(imported).toMatchObject({ code: 0, stdout: 'API_KEY\tapi_key\tadd\tline 1\nPEM\tapi_key\tadd\tline 2\n' });
    const exported = await store.owner(['export', '--agent', 'bot', '--format', 'dotenv', '--yes']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain("PEM='-----BEGIN-----\nabc\n-----END-----'\n");
    const json = await store.owner(['export', '--agent', 'bot', '--yes']);
    expect((await store.owner(['import', 'json', '-', '--agent', 'copy'], { input: json.stdout })).code).toBe(0);
    expect((await store.owner(['credential', 'get', 'PEM', '--agent', 'copy'])).stdout).toBe('-----BEGIN-----\nabc\n-----END-----\n');
  });

  it('maps the parsers\' errors to exit 2 and 4, with their messages', async () => {
    const malformed = await store.owner(['import', 'dotenv', '-', '--agent', 'bot'], { input: 'not an assignment\n' });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe('error: dotenv: line 1: is not a NAME=value assignment; nothing was imported\nhint: fix the file, or export it again from the manager it came from\n');
    const database = join(store.root, 'db.kdbx');
    writeFileSync(database, await makeDatabase(kdbxweb.Consts.KdfId.Aes));
    writeFileSync(join(store.root, 'wrong'), 'wrong password\n');
    const wrong = await store.owner(['import', 'kdbx', database, '--agent', 'bot', '--kdbx-password-file', join(store.root, 'wrong')]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('error: the password of the kdbx file is wrong');
  });
});
