/**
 * The vault's listing (man/agent-vault.5, VAULT FILE) is what `credential list` and
 * `search` print without `--reveal`, read without decrypting a block of records. Every
 * write re-encodes it from the records, so after each kind of write a list must show
 * exactly what a full read shows (`list --reveal`, its secret values left out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecretField, type CredentialType } from '../../src/core/credential.js';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let token: string;

beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent());
  await store.provision('reader');
});
afterAll(() => store.cleanup());

type Listed = { key: string; type: CredentialType; fields: Record<string, string> };

async function json(args: string[], run = store.owner.bind(store)): Promise<Listed[]> {
  const result = await run(args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Listed[];
}

/** A full read (`--reveal`, which decrypts every block) with the secret values taken out again. */
async function fullRead(): Promise<Listed[]> {
  return (await json(['credential', 'list', '--reveal', '--json', '-a', 'bot'])).map((c) => ({
    ...c,
    fields: Object.fromEntries(Object.entries(c.fields).filter(([name]) => !isSecretField(c.type, name))),
  }));
}

/** The listing, as the owner and the agent's token read it, equals the full read; so does the table's key column. */
async function expectListingIsRecords(keys: string[]): Promise<void> {
  const full = await fullRead();
  expect(full.map((c) => c.key)).toEqual([...keys].sort());
  expect(await json(['credential', 'list', '--json', '-a', 'bot'])).toEqual(full);
  expect(await json(['credential', 'list', '--json'], (args) => store.agent(token, args))).toEqual(full);
  const table = await store.owner(['credential', 'list', '-a', 'bot']);
  expect(table.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0])).toEqual(full.map((c) => c.key));
}

const ok = async (args: string[], input?: string, run = store.owner.bind(store)): Promise<void> => {
  const result = await run(args, input === undefined ? {} : { input });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
};

describe('after each kind of write, a list shows what a full read shows', () => {
  it('set, add, update, rotate, restore, delete, grants, import, copy, token rotate, rekey and an agent set', async () => {
    await ok(['credential', 'set', 'A=one', 'B=two', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B']);
    await ok(['credential', 'set', 'A=changed', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B']);
    await ok(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'ada', '--uri', 'https://github.com', '--tag', 'scm', '--name', 'GitHub', '--password-stdin', '-a', 'bot'], 'pw-1');
    await ok(['credential', 'add', 'ID', '--type', 'identity', '--full-name', 'Ada Lovelace', '--email', 'ada@example.com', '-a', 'bot']);
    await ok(['credential', 'add', 'DB', '--value-stdin', '--rotate-every', '30d', '-a', 'bot'], 'db-1');
    await expectListingIsRecords(['A', 'B', 'GITHUB', 'ID', 'DB']);
    await ok(['credential', 'update', 'GITHUB', '--rename', 'GH', '--name', 'GitHub bot', '--tag', 'ci', '--username', 'octo', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B', 'GH', 'ID', 'DB']);
    await ok(['credential', 'rotate', 'DB', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B', 'GH', 'ID', 'DB']);
    await ok(['credential', 'restore', 'DB', '1', '-a', 'bot']);
    await expectListingIsRecords(['A', 'B', 'GH', 'ID', 'DB']);
    await ok(['credential', 'delete', 'B', '-a', 'bot', '--yes']);
    await expectListingIsRecords(['A', 'GH', 'ID', 'DB']);
    await ok(['grant', 'GH', '--to', 'reader', '-a', 'bot']);
    // A change to a granted credential re-seals its grant in the same write.
    await ok(['credential', 'update', 'GH', '--username', 'granted-user', '-a', 'bot']);
    await expectListingIsRecords(['A', 'GH', 'ID', 'DB']);
    await ok(['import', 'dotenv', '-', '-a', 'bot', '--on-conflict', 'overwrite'], 'IMPORTED=x\nA=from-import\n');
    await expectListingIsRecords(['A', 'GH', 'ID', 'DB', 'IMPORTED']);
    await ok(['credential', 'copy', 'GH', 'GH_COPY', '-a', 'bot']);
    await expectListingIsRecords(['A', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
    const rotated = await store.owner(['token', 'rotate', 'bot']);
    expect(rotated.code, rotated.stderr).toBe(0);
    token = rotated.stdout.trim();
    await expectListingIsRecords(['A', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
    await ok(['rekey']);
    await expectListingIsRecords(['A', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
    await ok(['credential', 'set', 'AGENT_SET=by-token'], undefined, (args, options) => store.agent(token, args, options));
    await expectListingIsRecords(['A', 'AGENT_SET', 'GH', 'GH_COPY', 'ID', 'DB', 'IMPORTED']);
  });

  it('a list shows the masks a full read would, and never a value', async () => {
    await ok(['credential', 'add', 'NO_PASSWORD', '--type', 'login', '--username', 'u', '-a', 'bot']);
    const table = await store.owner(['credential', 'list', '-a', 'bot'], { tty: true });
    expect(table.code).toBe(0);
    // Every credential but the login without a password has its main field set: masked, as a full read masks it.
    const rows = table.stdout.split('\n').filter((l) => /\b(A|AGENT_SET|DB|GH|GH_COPY|ID|IMPORTED|NO_PASSWORD)\b/.test(l));
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.includes('********'), row).toBe(!row.includes('NO_PASSWORD'));
    const listed = await store.owner(['credential', 'list', '--json', '-a', 'bot']);
    const search = await store.owner(['credential', 'search', 'gh', '--json', '-a', 'bot']);
    for (const text of [table.stdout, listed.stdout, search.stdout]) for (const value of ['changed', 'pw-1', 'db-1', 'from-import', 'by-token']) expect(text).not.toContain(value);
    expect((JSON.parse(search.stdout) as Listed[]).map((c) => c.key)).toEqual(['GH', 'GH_COPY']);
  });
});
